#include "web/feed_cache.h"

#include <iterator>
#include <utility>

namespace feedbridge::web {
namespace {

// Bookkeeping per document beyond its strings: list and hash nodes, the shared_ptr block.
constexpr size_t kNodeOverhead = 160;

}  // namespace

std::shared_ptr<const std::string> FeedCache::Find(const std::string& key, std::string_view etag) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto found = index_.find(key);
  if (found == index_.end() || found->second->etag != etag) return nullptr;
  lru_.splice(lru_.begin(), lru_, found->second);
  return found->second->body;
}

void FeedCache::Put(const std::string& key, std::string etag,
                    std::shared_ptr<const std::string> body) {
  if (body == nullptr) return;
  const size_t cost = body->size() + 2 * key.size() + etag.size() + kNodeOverhead;
  std::lock_guard<std::mutex> lock(mu_);
  if (const auto found = index_.find(key); found != index_.end()) EraseLocked(found->second);
  if (cost > max_bytes_ / 4) return;
  lru_.push_front(Node{key, std::move(etag), std::move(body), cost});
  index_.emplace(key, lru_.begin());
  bytes_ += cost;
  while (bytes_ > max_bytes_ && !lru_.empty()) EraseLocked(std::prev(lru_.end()));
}

void FeedCache::EraseLocked(Lru::iterator it) {
  bytes_ -= it->cost;
  index_.erase(it->key);
  lru_.erase(it);
}

size_t FeedCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

size_t FeedCache::entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

}  // namespace feedbridge::web
