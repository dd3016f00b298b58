#include "store/feed_store.h"

namespace feedbridge::store {

Result<std::vector<FeedRecord>> FeedStore::GetFeeds(const std::vector<int64_t>& feed_ids) {
  std::vector<FeedRecord> found;
  found.reserve(feed_ids.size());
  for (const int64_t id : feed_ids) {
    Result<FeedRecord> feed = GetFeed(id);
    if (feed.ok()) {
      found.push_back(std::move(*feed));
    } else if (feed.status().code() != Status::Code::kNotFound) {
      return feed.status();
    }
  }
  return found;
}

Status FeedStore::SaveFetchStates(const std::vector<FeedFetchState>& states) {
  for (const FeedFetchState& s : states) {
    const Status saved = SaveFetchState(s.feed_id, s.state);
    if (!saved.ok() && saved.code() != Status::Code::kNotFound) return saved;
  }
  return Status::Ok();
}

}  // namespace feedbridge::store
