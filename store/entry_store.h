#pragma once

// Entries of bridged feeds, and the transaction that records one poll.

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/records.h"

namespace feedbridge::store {

// Thread-safe. Errors: Unavailable when the database is down or locked past its timeout.
class EntryStore {
 public:
  virtual ~EntryStore() = default;
  // Of `identities`, those already stored for the feed.
  virtual Result<std::vector<std::string>> KnownIdentities(
      int64_t feed_id, const std::vector<std::string>& identities) = 0;
  // In one transaction: inserts the entries (identities already stored are skipped), a notice
  // in the outbox (enqueued = false) for each entry with notice text, and the fetch state.
  // Returns the notices created, in the order of `entries`. A crash before commit leaves
  // nothing; after it, the outbox holds the notices until they are enqueued.
  virtual Result<std::vector<Notice>> RecordPoll(int64_t feed_id, const FetchState& state,
                                                 const std::vector<NewEntry>& entries) = 0;
  // Newest first (by first_seen, then id): entries with id < before_id (0: from the newest).
  virtual Result<std::vector<StoredEntry>> ListEntries(int64_t feed_id, int64_t before_id,
                                                       size_t limit) = 0;
  virtual Result<StoredEntry> GetEntry(int64_t entry_id) = 0;  // NotFound.
  virtual Result<int64_t> CountEntries(int64_t feed_id) = 0;
};

}  // namespace feedbridge::store
