#pragma once

// ProfileStore on SQL (SQLite or PostgreSQL). Internal to store/: open it through OpenDatabase.

#include "store/profile_store.h"
#include "store/sql_sessions.h"

namespace feedbridge::store {

// Thread-safe. `sessions` must outlive this store.
class SqlProfileStore final : public ProfileStore {
 public:
  explicit SqlProfileStore(SqlSessions& sessions) : sessions_(sessions) {}

  Result<ProfileRevision> LatestRevision(int64_t account_id) override;
  Result<std::vector<ProfileRevision>> PendingRevisions(size_t limit) override;
  Status MarkRevisionEnqueued(int64_t revision_id) override;

 private:
  SqlSessions& sessions_;
};

}  // namespace feedbridge::store
