#pragma once

// Bridged feeds and their blog accounts.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/records.h"

namespace feedbridge::store {

struct NewFeed {
  std::string url;
  std::string nickname;  // Must match [0-9a-z]{1,64}.
  std::string title;
  std::string site_url;
  std::string description;
};

// Thread-safe. Errors: Unavailable when the database is down or locked past its timeout.
class FeedStore {
 public:
  virtual ~FeedStore() = default;
  // Creates the account and the feed. AlreadyExists if the URL or the nickname is taken;
  // InvalidArgument for a bad nickname.
  virtual Result<FeedRecord> AddFeed(const NewFeed& feed) = 0;
  virtual Result<FeedRecord> GetFeed(int64_t feed_id) = 0;  // NotFound.
  // The feeds of those ids that exist, in no particular order (a removed feed is just absent).
  // The default calls GetFeed for each; SQL stores answer with one query.
  virtual Result<std::vector<FeedRecord>> GetFeeds(const std::vector<int64_t>& feed_ids);
  virtual Result<FeedRecord> FindFeed(std::string_view url_or_nickname) = 0;  // NotFound.
  // The feed of an account (its identifier URI BASE/user/<account_id>). NotFound.
  virtual Result<FeedRecord> FindFeedByAccount(int64_t account_id) = 0;
  // Feeds in id order after `after_id` (0: from the start), at most `limit`.
  virtual Result<std::vector<FeedRecord>> ListFeeds(int64_t after_id, size_t limit) = 0;
  virtual Result<int64_t> CountFeeds() = 0;
  // Saves fetch state and feed metadata without new entries (304, errors).
  virtual Status SaveFetchState(int64_t feed_id, const FetchState& state) = 0;
  // Saves several at once (the poller's 304s), all or none; feeds removed meanwhile are skipped.
  // The default calls SaveFetchState for each; SQL stores use one transaction.
  virtual Status SaveFetchStates(const std::vector<FeedFetchState>& states);
  // Removes the feed, its account, entries and notices. NotFound.
  virtual Status RemoveFeed(int64_t feed_id) = 0;
};

}  // namespace feedbridge::store
