// Reading podcasts and media feeds (issue 15): entities after a misplaced XML declaration, one
// attachment per URL, the iTunes, Media RSS and Podcasting 2.0 vocabularies.

#include <gtest/gtest.h>

#include <string>

#include "feeds/parser.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::feeds {
namespace {

Feed MustParse(std::string_view bytes, std::string_view base = "http://example.org/feed") {
  Result<Feed> r = ParseFeed(bytes, base);
  EXPECT_OK(r);
  return r.ok() ? std::move(r).value() : Feed{};
}

// Every predefined entity in a title, in HTML content and in an attribute.
std::string EntityFeed(std::string_view before_declaration) {
  std::string doc(before_declaration);
  doc += R"(<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel>
<title>Society &amp; Culture &lt;live&gt; &quot;q&quot; &apos;a&apos; &#38;</title>
<link>http://example.org/</link>
<itunes:category text="Society &amp; Culture"/>
<item>
<title>A &amp; B &lt;c&gt; &quot;d&quot; &apos;e&apos;</title>
<link>http://example.org/1?a=1&amp;b=2</link>
<description>&lt;p&gt;Tom &amp;amp; Jerry&lt;/p&gt; &quot;x&quot; &apos;y&apos;</description>
<enclosure url="http://example.org/a.mp3?x=1&amp;y=&lt;2&gt;&quot;&apos;" type="audio/mpeg" length="5"/>
</item>
</channel>
</rss>)";
  return doc;
}

void ExpectEntitiesKept(const Feed& feed) {
  EXPECT_EQ(feed.title.value, "Society & Culture <live> \"q\" 'a' &");
  ASSERT_EQ(feed.entries.size(), 1u);
  const Entry& e = feed.entries[0];
  EXPECT_EQ(e.title.value, "A & B <c> \"d\" 'e'");
  EXPECT_EQ(e.Url(), "http://example.org/1?a=1&b=2");
  EXPECT_NE(e.summary.value.find("<p>Tom &amp; Jerry</p>"), std::string::npos) << e.summary.value;
  EXPECT_NE(e.summary.value.find("'y'"), std::string::npos) << e.summary.value;
  ASSERT_EQ(e.enclosures.size(), 1u);
  EXPECT_EQ(e.enclosures[0].url, "http://example.org/a.mp3?x=1&y=<2>\"'");
  ASSERT_FALSE(feed.itunes.categories.empty());
  EXPECT_EQ(feed.itunes.categories[0], "Society & Culture");
}

TEST(PodcastParseTest, PredefinedEntitiesSurviveWhiteSpaceBeforeTheXmlDeclaration) {
  for (std::string_view prefix : {"", "\n", "  ", "\r\n\t \n"}) {
    SCOPED_TRACE(::testing::Message() << "prefix of " << prefix.size() << " bytes");
    ExpectEntitiesKept(MustParse(EntityFeed(prefix)));
  }
}

TEST(PodcastParseTest, PredefinedEntitiesSurviveWhiteSpaceAfterAByteOrderMark) {
  ExpectEntitiesKept(MustParse("\xEF\xBB\xBF\n" + EntityFeed("")));
}

TEST(PodcastParseTest, PredefinedEntitiesSurviveAnEarlierWellFormednessError) {
  // A mismatched end tag is an error libxml2 recovers from; the entities after it are kept.
  Feed feed = MustParse(
      "<rss version=\"2.0\"><channel><title>x</title><junk>1</jnuk>"
      "<item><title>A &amp; B &lt;c&gt;</title></item></channel></rss>");
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].title.value, "A & B <c>");
}

}  // namespace
}  // namespace feedbridge::feeds
