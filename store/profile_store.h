#pragma once

// Blog accounts' profile revisions (recorded by EntryStore::RecordPoll when the poller found the
// feed's title, description, link or image changed) and the outbox that carries them to the
// Redis stream.

#include <cstdint>
#include <vector>

#include "common/result.h"
#include "store/records.h"

namespace feedbridge::store {

// Thread-safe. Errors: Unavailable when the database is down or locked past its timeout.
class ProfileStore {
 public:
  virtual ~ProfileStore() = default;
  // The account's newest revision: what an updateProfile sends. NotFound when the account has
  // none (its profile never changed, or the account is gone).
  virtual Result<ProfileRevision> LatestRevision(int64_t account_id) = 0;
  // Revisions not yet enqueued, oldest first, at most `limit`.
  virtual Result<std::vector<ProfileRevision>> PendingRevisions(size_t limit) = 0;
  virtual Status MarkRevisionEnqueued(int64_t revision_id) = 0;  // NotFound.
};

}  // namespace feedbridge::store
