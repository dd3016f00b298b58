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
  virtual Result<FeedRecord> GetFeed(int64_t feed_id) = 0;             // NotFound.
  virtual Result<FeedRecord> FindFeed(std::string_view url_or_nickname) = 0;  // NotFound.
  // Feeds in id order after `after_id` (0: from the start), at most `limit`.
  virtual Result<std::vector<FeedRecord>> ListFeeds(int64_t after_id, size_t limit) = 0;
  virtual Result<int64_t> CountFeeds() = 0;
  // Saves fetch state and feed metadata without new entries (304, errors).
  virtual Status SaveFetchState(int64_t feed_id, const FetchState& state) = 0;
  // Removes the feed, its account, entries and notices. NotFound.
  virtual Status RemoveFeed(int64_t feed_id) = 0;
};

}  // namespace feedbridge::store
