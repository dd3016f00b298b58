#pragma once

// Rendered mirror documents, kept so a feed is rendered once per change rather than once per
// request. Each document is kept with the ETag it was rendered for; a caller asks for the
// document matching the ETag it has just computed from the store, so a document rendered
// before new entries arrived is never served again: the next render replaces it.

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace feedbridge::web {

// Least recently used first out, bounded by the bytes it holds (bodies, keys and ETags, plus a
// fixed overhead per entry). A document over a quarter of the bound is not kept: one huge feed
// must not flush every other. Thread-safe (one mutex; bodies are shared, never copied).
class FeedCache {
 public:
  explicit FeedCache(size_t max_bytes) : max_bytes_(max_bytes) {}
  FeedCache(const FeedCache&) = delete;
  FeedCache& operator=(const FeedCache&) = delete;

  // The body stored under `key` if it was rendered for `etag`; null otherwise (absent, or
  // rendered for another state of the feed).
  std::shared_ptr<const std::string> Find(const std::string& key, std::string_view etag);

  // Stores `body` as the document under `key` for `etag`, replacing what was there, then evicts
  // the least recently used documents until the bound holds.
  void Put(const std::string& key, std::string etag, std::shared_ptr<const std::string> body);

  size_t bytes() const;    // Bytes held, as counted against the bound.
  size_t entries() const;  // Documents held.

 private:
  struct Node {
    std::string key;
    std::string etag;
    std::shared_ptr<const std::string> body;
    size_t cost = 0;
  };
  using Lru = std::list<Node>;  // Most recently used first.

  void EraseLocked(Lru::iterator it);

  const size_t max_bytes_;
  mutable std::mutex mu_;
  Lru lru_;                                               // Guarded by mu_.
  std::unordered_map<std::string, Lru::iterator> index_;  // Guarded by mu_.
  size_t bytes_ = 0;                                      // Guarded by mu_.
};

}  // namespace feedbridge::web
