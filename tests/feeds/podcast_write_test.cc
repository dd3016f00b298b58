// Writing podcasts (issue 15): what the parser reads of a podcast comes out again in RSS 2.0
// (the iTunes elements, one enclosure per file), Atom (enclosures) and JSON Feed (attachments
// with duration_in_seconds, "_itunes" for what JSON Feed has no field for).

#include <gtest/gtest.h>

#include <string>

#include "feeds/entry_document.h"
#include "feeds/parser.h"
#include "feeds/writers.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::feeds {
namespace {

constexpr std::string_view kPodcast = R"(<rss version="2.0"
    xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
    xmlns:media="http://search.yahoo.com/mrss/"><channel>
  <title>Show</title><link>http://example.org/</link><description>d</description>
  <itunes:owner><itunes:name>Jane Host</itunes:name><itunes:email>jane@example.org</itunes:email></itunes:owner>
  <itunes:type>serial</itunes:type>
  <itunes:new-feed-url>https://new.example.org/feed.xml</itunes:new-feed-url>
  <item><title>Ep 1</title><guid>ep1</guid><link>http://example.org/1</link>
    <pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate>
    <enclosure url="http://example.org/ep1.mp3" type="audio/mpeg" length="1000"/>
    <media:content url="http://example.org/ep1.mp3" type="audio/mpeg" fileSize="1000"/>
    <itunes:duration>1:02:03</itunes:duration>
    <itunes:episode>7</itunes:episode><itunes:season>2</itunes:season>
    <itunes:episodeType>full</itunes:episodeType><itunes:explicit>no</itunes:explicit>
  </item></channel></rss>)";

Feed Parsed() {
  Result<Feed> r = ParseFeed(kPodcast, "http://example.org/feed");
  EXPECT_OK(r);
  return r.ok() ? std::move(r).value() : Feed{};
}

size_t Count(const std::string& haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1))
    ++n;
  return n;
}

TEST(PodcastWriteTest, RssCarriesTheITunesElementsAndOneEnclosure) {
  const std::string rss = WriteRss(Parsed());
  EXPECT_EQ(Count(rss, "http://example.org/ep1.mp3"), 1u) << rss;
  EXPECT_NE(rss.find("<itunes:episode>7</itunes:episode>"), std::string::npos) << rss;
  EXPECT_NE(rss.find("<itunes:season>2</itunes:season>"), std::string::npos);
  EXPECT_NE(rss.find("<itunes:episodeType>full</itunes:episodeType>"), std::string::npos);
  EXPECT_NE(rss.find("<itunes:duration>1:02:03</itunes:duration>"), std::string::npos);
  EXPECT_NE(rss.find("<itunes:name>Jane Host</itunes:name>"), std::string::npos);
  EXPECT_NE(rss.find("<itunes:email>jane@example.org</itunes:email>"), std::string::npos);
  EXPECT_NE(rss.find("<itunes:type>serial</itunes:type>"), std::string::npos);
  EXPECT_NE(rss.find("<itunes:new-feed-url>https://new.example.org/feed.xml</itunes:new-feed-url>"),
            std::string::npos);
  // Read back: the same model values.
  Result<Feed> again = ParseFeed(rss, "http://example.org/feed");
  ASSERT_OK(again);
  ASSERT_EQ(again->entries.size(), 1u);
  EXPECT_EQ(again->entries[0].itunes.episode, 7);
  EXPECT_EQ(again->entries[0].itunes.season, 2);
  ASSERT_EQ(again->entries[0].enclosures.size(), 1u);
  EXPECT_EQ(again->entries[0].enclosures[0].duration_seconds, 3723);
  EXPECT_EQ(again->itunes.owner.email, "jane@example.org");
  EXPECT_EQ(again->itunes.new_feed_url, "https://new.example.org/feed.xml");
}

TEST(PodcastWriteTest, AtomCarriesOneEnclosureWithTypeAndLength) {
  const std::string atom = WriteAtom(Parsed());
  EXPECT_EQ(Count(atom, "http://example.org/ep1.mp3"), 1u) << atom;
  EXPECT_NE(atom.find("rel=\"enclosure\""), std::string::npos);
  EXPECT_NE(atom.find("length=\"1000\""), std::string::npos);
}

TEST(PodcastWriteTest, JsonFeedHasAttachmentsWithDurationAndAnITunesExtension) {
  std::string json;
  for (char c : WriteJsonFeed(Parsed())) {
    if (c != ' ' && c != '\n') json += c;  // Pretty or not: compare without white space.
  }
  EXPECT_EQ(Count(json, "http://example.org/ep1.mp3"), 1u) << json;
  EXPECT_NE(json.find("\"duration_in_seconds\":3723"), std::string::npos) << json;
  EXPECT_NE(json.find("\"_itunes\""), std::string::npos);
  EXPECT_NE(json.find("\"episode\":7"), std::string::npos);
  EXPECT_NE(json.find("\"season\":2"), std::string::npos);
  EXPECT_NE(json.find("\"episodeType\":\"full\""), std::string::npos);
  EXPECT_NE(json.find("\"new-feed-url\":\"https://new.example.org/feed.xml\""), std::string::npos);
}

TEST(PodcastWriteTest, TheStoredEntryDocumentKeepsEpisodeSeasonAndDuration) {
  const Feed feed = Parsed();
  ASSERT_EQ(feed.entries.size(), 1u);
  Result<EntryDocument> doc =
      DecodeEntryDocument(EncodeEntryDocument(feed, feed.entries[0]), "http://example.org/1");
  ASSERT_OK(doc);
  EXPECT_EQ(doc->entry.itunes.episode, 7);
  EXPECT_EQ(doc->entry.itunes.season, 2);
  EXPECT_EQ(doc->entry.itunes.episode_type, "full");
  ASSERT_EQ(doc->entry.enclosures.size(), 1u);
  EXPECT_EQ(doc->entry.enclosures[0].duration_seconds, 3723);
}

}  // namespace
}  // namespace feedbridge::feeds
