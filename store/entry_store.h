#pragma once

// Entries of bridged feeds, and the transaction that records one poll.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/records.h"

namespace feedbridge::store {

// What a blog's mirror feed depends on, read in one statement (one consistent snapshot): the
// head of its feed (what polls refresh) and a stamp of its entries. Entries are only added
// (RemoveFeed takes them with the feed), and new ones get larger ids (ListEntries orders and
// pages by id), so two equal stamps of a feed stand for the same entries (and notices, created
// with them), and so for the same pages.
struct MirrorStamp {
  int64_t feed_id = 0;
  int64_t account_id = 0;
  std::string title;
  std::string description;
  std::string site_url;
  std::string icon_url;
  std::optional<TimePoint> last_success_at;
  TimePoint created_at;
  int64_t newest_id = 0;  // The first entry in ListEntries order; 0 when there is none.
  std::optional<TimePoint> newest_seen_at;  // Its first_seen_at.
  // PostgreSQL: how many entries there are (concurrent transactions there may commit ids out of
  // order, so a late entry can land below newest_id). SQLite: 0; it has one writer at a time,
  // ids grow in commit order, and newest_id alone pins the set (no count: it costs a walk over
  // the feed's entries per request).
  int64_t entries = 0;
};

// Thread-safe. Errors: Unavailable when the database is down or locked past its timeout.
class EntryStore {
 public:
  virtual ~EntryStore() = default;
  // Of `identities`, those already stored for the feed.
  virtual Result<std::vector<std::string>> KnownIdentities(
      int64_t feed_id, const std::vector<std::string>& identities) = 0;
  // In one transaction: inserts the entries (identities already stored are skipped), a notice
  // in the outbox (enqueued = false) for each entry with notice text, the fetch state, and,
  // when state.profile_changed, a ProfileRevision of the state's title, description, site_url
  // and icon_url (in the profile outbox, see ProfileStore).
  // Returns the notices created, in the order of `entries`. A crash before commit leaves
  // nothing; after it, the outbox holds the notices until they are enqueued.
  virtual Result<std::vector<Notice>> RecordPoll(int64_t feed_id, const FetchState& state,
                                                 const std::vector<NewEntry>& entries) = 0;
  // Newest first (by first_seen, then id): entries with id < before_id (0: from the newest).
  virtual Result<std::vector<StoredEntry>> ListEntries(int64_t feed_id, int64_t before_id,
                                                       size_t limit) = 0;
  virtual Result<StoredEntry> GetEntry(int64_t entry_id) = 0;  // NotFound.
  virtual Result<int64_t> CountEntries(int64_t feed_id) = 0;
  // The head of blog `nickname`'s feed and the stamp of its entries, in one indexed query (no
  // walk over entries on SQLite), so a mirror page can be validated (ETag, 304) or found in a
  // cache without reading entries. NotFound when no blog has that nickname.
  virtual Result<MirrorStamp> StampMirror(std::string_view nickname) = 0;
};

}  // namespace feedbridge::store
