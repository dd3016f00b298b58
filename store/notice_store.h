#pragma once

// Notices and the outbox that carries them to the Redis stream.

#include <cstdint>
#include <vector>

#include "common/result.h"
#include "store/records.h"

namespace feedbridge::store {

// Thread-safe. Errors: Unavailable when the database is down or locked past its timeout.
class NoticeStore {
 public:
  virtual ~NoticeStore() = default;
  // Notices not yet enqueued, oldest first, at most `limit`.
  virtual Result<std::vector<Notice>> PendingOutbox(size_t limit) = 0;
  virtual Status MarkEnqueued(int64_t notice_id) = 0;
  virtual Result<Notice> GetNotice(int64_t notice_id) = 0;  // NotFound.
  // The notice, its entry and the entry's feed, read at once (one query, one snapshot).
  // NotFound when the notice (or, removed with its feed, its entry) is gone.
  virtual Result<NoticeSource> GetNoticeSource(int64_t notice_id) = 0;
  // Newest first: an account's notices with id < before_id (0: from the newest).
  virtual Result<std::vector<Notice>> ListNotices(int64_t account_id, int64_t before_id,
                                                  size_t limit) = 0;
  virtual Result<int64_t> CountPendingOutbox() = 0;
};

}  // namespace feedbridge::store
