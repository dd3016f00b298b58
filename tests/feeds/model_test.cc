#include "feeds/model.h"

#include <gtest/gtest.h>

namespace feedbridge::feeds {
namespace {

TEST(ModelTest, EntryUrlPrefersAlternateLinkOverPermalinkGuid) {
  Entry e;
  e.id = "http://example.org/guid";
  e.id_is_permalink = true;
  EXPECT_EQ(e.Url(), "http://example.org/guid");
  e.links.push_back({.href = "http://example.org/enc", .rel = "enclosure"});
  e.links.push_back({.href = "http://example.org/post", .rel = "alternate"});
  EXPECT_EQ(e.Url(), "http://example.org/post");
}

TEST(ModelTest, EntryWithoutLinkOrPermalinkHasNoUrl) {
  Entry e;
  e.id = "tag:example.org,2004:1";
  EXPECT_EQ(e.Url(), "");
}

TEST(ModelTest, FormatNamesFollowFeedparser) {
  EXPECT_EQ(FormatName(FeedFormat::kRss20), "rss20");
  EXPECT_EQ(FormatName(FeedFormat::kAtom10), "atom10");
  EXPECT_EQ(FormatName(FeedFormat::kRss10), "rss10");
}

}  // namespace
}  // namespace feedbridge::feeds
