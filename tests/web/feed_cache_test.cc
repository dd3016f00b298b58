#include "web/feed_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace feedbridge::web {
namespace {

std::shared_ptr<const std::string> Body(size_t bytes, char fill = 'x') {
  return std::make_shared<const std::string>(bytes, fill);
}

TEST(FeedCacheTest, FindsADocumentOnlyUnderTheETagItWasRenderedFor) {
  FeedCache cache(1 << 20);
  const auto body = Body(100);
  cache.Put("blog/feed.atom", "\"v1\"", body);
  EXPECT_EQ(cache.Find("blog/feed.atom", "\"v1\""), body);  // The same bytes, not a copy.
  EXPECT_EQ(cache.Find("blog/feed.atom", "\"v2\""), nullptr);
  EXPECT_EQ(cache.Find("blog/feed.rss", "\"v1\""), nullptr);
}

TEST(FeedCacheTest, PutReplacesTheDocumentOfAKey) {
  FeedCache cache(1 << 20);
  cache.Put("k", "\"v1\"", Body(100, 'a'));
  const auto newer = Body(200, 'b');
  cache.Put("k", "\"v2\"", newer);
  EXPECT_EQ(cache.Find("k", "\"v1\""), nullptr);
  EXPECT_EQ(cache.Find("k", "\"v2\""), newer);
  EXPECT_EQ(cache.entries(), 1u);
}

TEST(FeedCacheTest, EvictsLeastRecentlyUsedPastTheByteBound) {
  FeedCache cache(40000);
  cache.Put("a", "\"1\"", Body(9000));
  cache.Put("b", "\"1\"", Body(9000));
  cache.Put("c", "\"1\"", Body(9000));
  ASSERT_NE(cache.Find("a", "\"1\""), nullptr);  // "a" is now the most recently used.
  cache.Put("d", "\"1\"", Body(9000));
  cache.Put("e", "\"1\"", Body(9000));  // Over the bound: "b", the least recently used, goes.
  EXPECT_LE(cache.bytes(), 40000u);
  EXPECT_NE(cache.Find("a", "\"1\""), nullptr);
  EXPECT_EQ(cache.Find("b", "\"1\""), nullptr);
  EXPECT_NE(cache.Find("c", "\"1\""), nullptr);
  EXPECT_NE(cache.Find("e", "\"1\""), nullptr);
}

TEST(FeedCacheTest, DocumentOverAQuarterOfTheBoundIsNotKept) {
  FeedCache cache(40000);
  cache.Put("small", "\"1\"", Body(1000));
  cache.Put("huge", "\"1\"", Body(20000));
  EXPECT_EQ(cache.Find("huge", "\"1\""), nullptr);
  EXPECT_NE(cache.Find("small", "\"1\""), nullptr);  // Nothing was flushed for it.
  // A key whose new document is too big loses its old one too: it is stale.
  cache.Put("small", "\"2\"", Body(20000));
  EXPECT_EQ(cache.Find("small", "\"1\""), nullptr);
  EXPECT_EQ(cache.entries(), 0u);
}

TEST(FeedCacheTest, ZeroBoundKeepsNothing) {
  FeedCache cache(0);
  cache.Put("k", "\"1\"", Body(10));
  EXPECT_EQ(cache.Find("k", "\"1\""), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(FeedCacheTest, BodyHandedOutOutlivesItsEviction) {
  FeedCache cache(40000);
  cache.Put("k", "\"1\"", Body(9000, 'k'));
  const std::shared_ptr<const std::string> held = cache.Find("k", "\"1\"");
  ASSERT_NE(held, nullptr);
  for (int i = 0; i < 10; ++i) cache.Put("other" + std::to_string(i), "\"1\"", Body(9000));
  EXPECT_EQ(cache.Find("k", "\"1\""), nullptr);
  EXPECT_EQ(*held, std::string(9000, 'k'));  // Still whole while a response writes it.
}

TEST(FeedCacheTest, ConcurrentFindAndPutKeepTheBound) {
  FeedCache cache(100000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string key = "k" + std::to_string((i * 7 + t) % 40);
        if (cache.Find(key, "\"1\"") == nullptr) cache.Put(key, "\"1\"", Body(3000));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(cache.bytes(), 100000u);
  EXPECT_GT(cache.entries(), 0u);
}

}  // namespace
}  // namespace feedbridge::web
