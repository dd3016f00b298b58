#pragma once

// NoticeStore on SQL (SQLite or PostgreSQL). Internal to store/: open it through OpenDatabase.

#include "store/notice_store.h"
#include "store/sql_sessions.h"

namespace feedbridge::store {

// Thread-safe. `sessions` must outlive this store.
class SqlNoticeStore final : public NoticeStore {
 public:
  explicit SqlNoticeStore(SqlSessions& sessions) : sessions_(sessions) {}

  Result<std::vector<Notice>> PendingOutbox(size_t limit) override;
  Status MarkEnqueued(int64_t notice_id) override;
  Result<Notice> GetNotice(int64_t notice_id) override;
  Result<NoticeSource> GetNoticeSource(int64_t notice_id) override;
  Result<std::vector<Notice>> ListNotices(int64_t account_id, int64_t before_id,
                                          size_t limit) override;
  Result<int64_t> CountPendingOutbox() override;

 private:
  SqlSessions& sessions_;
};

}  // namespace feedbridge::store
