// Reading podcasts and media feeds (issue 15): entities after a misplaced XML declaration, one
// attachment per URL, the iTunes, Media RSS and Podcasting 2.0 vocabularies.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

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

// A large network's style: <enclosure> and media:content (in a media:group) name one file.
TEST(PodcastParseTest, OneAttachmentPerUrlWithTheAttributesOfEveryElementNamingIt) {
  Feed feed = MustParse(R"(<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"
      xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>t</title>
    <item><title>1</title>
      <itunes:duration>1:02:03</itunes:duration>
      <media:content url="http://cdn.example.org/ep1.mp3" duration="3723" medium="audio"/>
      <enclosure url="http://cdn.example.org/ep1.mp3" type="audio/mpeg" length="12345"/>
      <media:group>
        <media:content url="http://cdn.example.org/ep1.mp3" type="audio/mpeg" fileSize="12345"/>
        <media:content url="http://cdn.example.org/ep1.m4a" type="audio/mp4"/>
      </media:group>
      <enclosure url="http://cdn.example.org/ep1.mp3" type="audio/mpeg" length="12345"/>
    </item>
    <item><title>2</title>
      <enclosure url="http://cdn.example.org/ep2.mp3" type="audio/mpeg" length="0"/>
      <media:content url="http://cdn.example.org/ep2.mp3" fileSize="999"/>
      <itunes:duration>59:30</itunes:duration>
    </item></channel></rss>)");
  ASSERT_EQ(feed.entries.size(), 2u);
  const auto& a = feed.entries[0].enclosures;
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].url, "http://cdn.example.org/ep1.mp3");
  EXPECT_EQ(a[0].type, "audio/mpeg");
  EXPECT_EQ(a[0].length, 12345);
  EXPECT_EQ(a[0].duration_seconds, 3723);
  EXPECT_EQ(a[0].medium, "audio");
  EXPECT_EQ(a[1].url, "http://cdn.example.org/ep1.m4a");
  EXPECT_EQ(a[1].duration_seconds, 3723);  // itunes:duration, given before the enclosure.
  const auto& b = feed.entries[1].enclosures;
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].length, 999);  // "0" is no length: media:content's is kept.
  EXPECT_EQ(b[0].duration_seconds, 59 * 60 + 30);
}

TEST(PodcastParseTest, AtomEnclosureLinkAndMediaContentOfOneFileAreOneAttachment) {
  Feed feed = MustParse(R"(<feed xmlns="http://www.w3.org/2005/Atom"
      xmlns:media="http://search.yahoo.com/mrss/"><title>t</title><id>x</id>
    <entry><id>1</id><title>1</title><updated>2024-01-01T00:00:00Z</updated>
      <link rel="enclosure" href="http://example.org/v.mp4" length="100"/>
      <media:group><media:content url="http://example.org/v.mp4" type="video/mp4" duration="61"/>
      <media:thumbnail url="http://example.org/v.jpg" width="480" height="360"/></media:group>
    </entry></feed>)");
  ASSERT_EQ(feed.entries.size(), 1u);
  const Entry& e = feed.entries[0];
  ASSERT_EQ(e.enclosures.size(), 1u);
  EXPECT_EQ(e.enclosures[0].type, "video/mp4");
  EXPECT_EQ(e.enclosures[0].length, 100);
  EXPECT_EQ(e.enclosures[0].duration_seconds, 61);
  ASSERT_EQ(e.thumbnails.size(), 1u);
  EXPECT_EQ(e.thumbnails[0].url, "http://example.org/v.jpg");
}

constexpr std::string_view kITunesFeed = R"(<?xml version="1.0"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:podcast="https://podcastindex.org/namespace/1.0"
     xml:lang="en-GB">
<channel>
  <title>Show</title>
  <link>http://example.org/</link>
  <itunes:author>The Network</itunes:author>
  <itunes:owner><itunes:name>Jane Host</itunes:name><itunes:email>jane@example.org</itunes:email></itunes:owner>
  <itunes:summary>All about things.</itunes:summary>
  <itunes:subtitle>Things</itunes:subtitle>
  <itunes:image href="/art.jpg"/>
  <itunes:keywords>science, history,science</itunes:keywords>
  <itunes:category text="Society &amp; Culture"><itunes:category text="History"/></itunes:category>
  <itunes:explicit>false</itunes:explicit>
  <itunes:type>serial</itunes:type>
  <itunes:block>Yes</itunes:block>
  <itunes:new-feed-url>https://new.example.org/feed.xml</itunes:new-feed-url>
  <podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid>
  <podcast:locked owner="jane@example.org">yes</podcast:locked>
  <podcast:funding url="https://example.org/donate">Support us</podcast:funding>
  <item>
    <title>Episode 1</title>
    <guid>ep1</guid>
    <author>jane@example.org (Jane Host)</author>
    <dc:creator>Bob Guest</dc:creator>
    <itunes:author>The Network</itunes:author>
    <itunes:summary>Episode one summary.</itunes:summary>
    <itunes:image href="http://example.org/ep1.jpg"/>
    <itunes:duration>754</itunes:duration>
    <itunes:episode>1</itunes:episode>
    <itunes:season>2</itunes:season>
    <itunes:episodeType>trailer</itunes:episodeType>
    <itunes:explicit>yes</itunes:explicit>
    <itunes:keywords>intro</itunes:keywords>
    <enclosure url="http://example.org/ep1.mp3" type="audio/mpeg" length="1000"/>
    <podcast:transcript url="http://example.org/ep1.vtt" type="text/vtt" language="en" rel="captions"/>
    <podcast:chapters url="http://example.org/ep1.json" type="application/json+chapters"/>
    <podcast:person role="guest" href="http://bob.example.org/" img="http://bob.example.org/b.jpg">Bob Guest</podcast:person>
  </item>
</channel>
</rss>)";

TEST(PodcastParseTest, ReadsTheITunesChannel) {
  Feed feed = MustParse(kITunesFeed);
  EXPECT_EQ(feed.language, "en-GB");
  EXPECT_EQ(feed.itunes.author, "The Network");
  ASSERT_EQ(feed.authors.size(), 1u);
  EXPECT_EQ(feed.authors[0].name, "The Network");
  EXPECT_EQ(feed.itunes.owner.name, "Jane Host");
  EXPECT_EQ(feed.itunes.owner.email, "jane@example.org");
  EXPECT_EQ(feed.publisher.email, "jane@example.org");  // The owner, as the feed has no other.
  EXPECT_EQ(feed.subtitle.value, "All about things.");  // itunes:summary: no <description>.
  EXPECT_EQ(feed.itunes.subtitle, "Things");
  EXPECT_EQ(feed.itunes.image, "http://example.org/art.jpg");
  EXPECT_EQ(feed.image.url, "http://example.org/art.jpg");  // No <image>: the iTunes one.
  EXPECT_EQ(feed.itunes.explicit_, "false");
  EXPECT_EQ(feed.itunes.type, "serial");
  EXPECT_TRUE(feed.itunes.block);
  EXPECT_EQ(feed.itunes.new_feed_url, "https://new.example.org/feed.xml");
  ASSERT_EQ(feed.itunes.categories.size(), 2u);
  EXPECT_EQ(feed.itunes.categories[0], "Society & Culture");
  EXPECT_EQ(feed.itunes.categories[1], "History");
  std::vector<std::string> tags;
  for (const Category& c : feed.categories) {
    EXPECT_EQ(c.scheme, kITunesScheme);
    tags.push_back(c.term);
  }
  EXPECT_EQ(tags, (std::vector<std::string>{"science", "history", "Society & Culture", "History"}));
  ASSERT_TRUE(feed.podcast);
  EXPECT_EQ(feed.podcast->guid, "917393e3-1b1e-5cef-ace4-edaa54e1f810");
  EXPECT_EQ(feed.podcast->locked, "yes");
  EXPECT_EQ(feed.podcast->locked_owner, "jane@example.org");
  ASSERT_EQ(feed.podcast->funding.size(), 1u);
  EXPECT_EQ(feed.podcast->funding[0].url, "https://example.org/donate");
  EXPECT_EQ(feed.podcast->funding[0].text, "Support us");
}

TEST(PodcastParseTest, ReadsTheITunesItemAndKeepsEveryAuthor) {
  Feed feed = MustParse(kITunesFeed);
  ASSERT_EQ(feed.entries.size(), 1u);
  const Entry& e = feed.entries[0];
  ASSERT_EQ(e.authors.size(), 3u);
  EXPECT_EQ(e.authors[0].name, "Jane Host");
  EXPECT_EQ(e.authors[0].email, "jane@example.org");
  EXPECT_EQ(e.authors[1].name, "Bob Guest");
  EXPECT_EQ(e.authors[2].name, "The Network");
  EXPECT_EQ(e.summary.value, "Episode one summary.");
  EXPECT_EQ(e.itunes.episode, 1);
  EXPECT_EQ(e.itunes.season, 2);
  EXPECT_EQ(e.itunes.episode_type, "trailer");
  EXPECT_EQ(e.itunes.explicit_, "yes");
  ASSERT_EQ(e.enclosures.size(), 1u);
  EXPECT_EQ(e.enclosures[0].duration_seconds, 754);
  ASSERT_EQ(e.thumbnails.size(), 1u);
  EXPECT_EQ(e.thumbnails[0].url, "http://example.org/ep1.jpg");
  ASSERT_EQ(e.categories.size(), 1u);
  EXPECT_EQ(e.categories[0].term, "intro");
  ASSERT_TRUE(e.podcast);
  ASSERT_EQ(e.podcast->transcripts.size(), 1u);
  EXPECT_EQ(e.podcast->transcripts[0].url, "http://example.org/ep1.vtt");
  EXPECT_EQ(e.podcast->transcripts[0].type, "text/vtt");
  EXPECT_EQ(e.podcast->transcripts[0].language, "en");
  EXPECT_EQ(e.podcast->transcripts[0].rel, "captions");
  ASSERT_EQ(e.podcast->chapters.size(), 1u);
  EXPECT_EQ(e.podcast->chapters[0].type, "application/json+chapters");
  ASSERT_EQ(e.podcast->persons.size(), 1u);
  EXPECT_EQ(e.podcast->persons[0].name, "Bob Guest");
  EXPECT_EQ(e.podcast->persons[0].role, "guest");
  EXPECT_EQ(e.podcast->persons[0].href, "http://bob.example.org/");
  EXPECT_EQ(e.podcast->persons[0].img, "http://bob.example.org/b.jpg");
}

TEST(PodcastParseTest, ITunesDurationsInEveryNotation) {
  for (const auto& [text, seconds] : std::vector<std::pair<std::string, int64_t>>{
           {"45", 45}, {"05:30", 330}, {"1:02:03", 3723}, {"3723", 3723}, {"12:00.5", 720}}) {
    Feed feed = MustParse(
        "<rss xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel><item>"
        "<enclosure url=\"http://e.org/a.mp3\" type=\"audio/mpeg\" length=\"1\"/>"
        "<itunes:duration>" +
        text + "</itunes:duration></item></channel></rss>");
    ASSERT_EQ(feed.entries.size(), 1u);
    ASSERT_EQ(feed.entries[0].enclosures.size(), 1u);
    EXPECT_EQ(feed.entries[0].enclosures[0].duration_seconds, seconds) << text;
  }
}

TEST(PodcastParseTest, MediaTitleDescriptionKeywordsAndCategoryAreFallbacksAndTags) {
  Feed feed = MustParse(R"(<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
    <title>t</title><media:thumbnail url="http://example.org/show.png"/>
    <item><media:title>Media title</media:title><media:description>Media text</media:description>
      <media:keywords>a, b</media:keywords>
      <media:category label="Label">cat1</media:category>
      <media:category scheme="http://example.org/s">cat2</media:category></item>
    <item><media:title>Not this</media:title><title>Core title</title></item>
  </channel></rss>)");
  ASSERT_EQ(feed.entries.size(), 2u);
  EXPECT_EQ(feed.image.url, "http://example.org/show.png");
  const Entry& e = feed.entries[0];
  EXPECT_EQ(e.title.value, "Media title");
  EXPECT_EQ(e.summary.value, "Media text");
  ASSERT_EQ(e.categories.size(), 4u);
  EXPECT_EQ(e.categories[0].term, "a");
  EXPECT_EQ(e.categories[1].term, "b");
  EXPECT_EQ(e.categories[2].term, "cat1");
  EXPECT_EQ(e.categories[2].label, "Label");
  EXPECT_EQ(e.categories[2].scheme, "http://search.yahoo.com/mrss/category_schema");
  EXPECT_EQ(e.categories[3].scheme, "http://example.org/s");
  EXPECT_EQ(feed.entries[1].title.value, "Core title");
}

TEST(PodcastParseTest, FeedAuthorFallsBackToWebMaster) {
  Feed feed = MustParse(
      "<rss version=\"2.0\"><channel><title>t</title>"
      "<webMaster>web@example.org (Web Master)</webMaster></channel></rss>");
  ASSERT_EQ(feed.authors.size(), 1u);
  EXPECT_EQ(feed.authors[0].email, "web@example.org");
  EXPECT_EQ(feed.authors[0].name, "Web Master");
}

TEST(PodcastParseTest, AnAuthorGivenOnlyAsAnEmailAddress) {
  Feed feed = MustParse(
      "<rss version=\"2.0\"><channel><title>t</title><item><title>i</title>"
      "<author>jane@example.org</author></item></channel></rss>");
  ASSERT_EQ(feed.entries.size(), 1u);
  ASSERT_EQ(feed.entries[0].authors.size(), 1u);
  EXPECT_EQ(feed.entries[0].authors[0].email, "jane@example.org");
}

TEST(PodcastParseTest, UppercaseITunesNamespaceIsITunes) {
  Feed feed = MustParse(
      "<rss xmlns:itunes=\"HTTP://WWW.ITUNES.COM/DTDS/PODCAST-1.0.DTD\"><channel>"
      "<itunes:block>yes</itunes:block></channel></rss>");
  EXPECT_TRUE(feed.itunes.block);
}

}  // namespace
}  // namespace feedbridge::feeds
