#include "feeds/feed_renderer.h"

#include <gtest/gtest.h>

#include <vector>

#include "feeds/parser.h"
#include "feeds/writers.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::feeds {
namespace {

Feed Channel() {
  Feed head;
  head.id = "https://bridge.example/user/7";
  head.title.value = "Inbox";
  head.feed_url = "https://bridge.example/inbox/feed";
  return head;
}

std::vector<Entry> TwoEntries() {
  std::vector<Entry> entries(2);
  entries[0].id = "tag:x,2026:2";
  entries[0].title.value = "Second";
  entries[0].links.push_back({.href = "https://x.example/2", .rel = "alternate"});
  entries[1].id = "tag:x,2026:1";
  entries[1].title.value = "First";
  entries[1].links.push_back({.href = "https://x.example/1", .rel = "alternate"});
  return entries;
}

TEST(FeedRendererTest, EveryFormatHoldsTheEntriesInOrderWithPagingLinks) {
  const std::vector<Entry> entries = TwoEntries();
  for (const OutputFormat format :
       {OutputFormat::kAtom, OutputFormat::kRss, OutputFormat::kJsonFeed}) {
    SCOPED_TRACE(static_cast<int>(format));
    const std::string doc = RenderFeed(format, Channel(), entries,
                                       {.self_url = "https://bridge.example/inbox/feed?p=1",
                                        .next_url = "https://bridge.example/inbox/feed?before=1"});
    EXPECT_NE(doc.find("https://bridge.example/inbox/feed?before=1"), std::string::npos);
    Result<Feed> read = ParseFeed(doc, "https://bridge.example/inbox/feed");
    ASSERT_OK(read);
    EXPECT_EQ(read->title.value, "Inbox");
    ASSERT_EQ(read->entries.size(), 2u);
    EXPECT_EQ(read->entries[0].id, "tag:x,2026:2");
    EXPECT_EQ(read->entries[1].id, "tag:x,2026:1");
  }
}

TEST(FeedRendererTest, SameAsTheWriterGivenTheWholeFeed) {
  Feed whole = Channel();
  whole.entries = TwoEntries();
  const WriteOptions options{.self_url = "https://bridge.example/s", .next_url = ""};
  EXPECT_EQ(RenderFeed(OutputFormat::kAtom, Channel(), whole.entries,
                       {.self_url = "https://bridge.example/s"}),
            WriteAtom(whole, options));
  EXPECT_EQ(RenderFeed(OutputFormat::kRss, Channel(), whole.entries,
                       {.self_url = "https://bridge.example/s"}),
            WriteRss(whole, options));
  EXPECT_EQ(RenderFeed(OutputFormat::kJsonFeed, Channel(), whole.entries,
                       {.self_url = "https://bridge.example/s"}),
            WriteJsonFeed(whole, options));
}

TEST(FeedRendererTest, ContentTypesNameTheFormat) {
  EXPECT_EQ(ContentTypeOf(OutputFormat::kAtom), kAtomContentType);
  EXPECT_EQ(ContentTypeOf(OutputFormat::kRss), kRssContentType);
  EXPECT_EQ(ContentTypeOf(OutputFormat::kJsonFeed), kJsonFeedContentType);
}

}  // namespace
}  // namespace feedbridge::feeds
