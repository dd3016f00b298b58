#pragma once

// EntryStore on SQL (SQLite or PostgreSQL). Internal to store/: open it through OpenDatabase.

#include <string>

#include "common/clock.h"
#include "store/entry_store.h"
#include "store/sql_sessions.h"

namespace feedbridge::store {

// Thread-safe. `sessions` and `clock` must outlive this store.
class SqlEntryStore final : public EntryStore {
 public:
  SqlEntryStore(SqlSessions& sessions, const Clock& clock) : sessions_(sessions), clock_(clock) {}
  SqlEntryStore(const SqlEntryStore&) = delete;
  SqlEntryStore& operator=(const SqlEntryStore&) = delete;

  Result<std::vector<std::string>> KnownIdentities(
      int64_t feed_id, const std::vector<std::string>& identities) override;
  Result<std::vector<Notice>> RecordPoll(int64_t feed_id, const FetchState& state,
                                         const std::vector<NewEntry>& entries) override;
  Result<std::vector<StoredEntry>> ListEntries(int64_t feed_id, int64_t before_id,
                                               size_t limit) override;
  Result<StoredEntry> GetEntry(int64_t entry_id) override;
  Result<int64_t> CountEntries(int64_t feed_id) override;
  Result<MirrorStamp> StampMirror(std::string_view nickname) override;

 private:
  SqlSessions& sessions_;
  const Clock& clock_;
};

}  // namespace feedbridge::store
