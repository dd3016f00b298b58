// Writing what podcast and media feeds carry beyond iTunes (issue 15): Podcasting 2.0 and Media
// RSS credits, rating and license come out again in RSS 2.0 and in JSON Feed's extension
// objects, an episode's image as itunes:image, the feed's images in Atom and JSON Feed, and an
// image named only inside the description HTML becomes the entry's image.

#include <gtest/gtest.h>

#include <string>

#include "feeds/entry_document.h"
#include "feeds/parser.h"
#include "feeds/writers.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::feeds {
namespace {

constexpr std::string_view kFeed = R"(<rss version="2.0"
    xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
    xmlns:media="http://search.yahoo.com/mrss/"
    xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>
  <title>Show</title><link>http://example.org/</link><description>d</description>
  <itunes:image href="http://example.org/show.jpg"/>
  <podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid>
  <podcast:locked owner="jane@example.org">yes</podcast:locked>
  <podcast:funding url="http://example.org/donate">Support the show</podcast:funding>
  <media:rating scheme="urn:simple">nonadult</media:rating>
  <item><title>Ep 1</title><guid>ep1</guid>
    <enclosure url="http://example.org/ep1.mp3" type="audio/mpeg" length="1000"/>
    <itunes:duration>61</itunes:duration>
    <media:thumbnail url="http://example.org/ep1.jpg"/>
    <podcast:transcript url="http://example.org/ep1.vtt" type="text/vtt" language="en" rel="captions"/>
    <podcast:chapters url="http://example.org/ep1.json" type="application/json+chapters"/>
    <podcast:person role="guest" group="cast" img="http://example.org/bob.jpg" href="http://bob.example/">Bob</podcast:person>
    <media:credit role="producer" scheme="urn:ebu">Ann Producer</media:credit>
    <media:rating>adult</media:rating>
    <media:license type="text/html" href="http://creativecommons.org/licenses/by/4.0/">CC BY 4.0</media:license>
  </item>
  <item><title>Post</title><guid>p2</guid>
    <description>&lt;p&gt;Look: &lt;img src="data:image/png;base64,AAAA"&gt; &lt;img src="/pics/cat.jpg" alt="cat"&gt;&lt;/p&gt;</description>
  </item></channel></rss>)";

Feed Parsed() {
  Result<Feed> r = ParseFeed(kFeed, "http://example.org/feed");
  EXPECT_OK(r);
  return r.ok() ? std::move(r).value() : Feed{};
}

void ExpectPodcastAndMedia(const Feed& feed) {
  ASSERT_TRUE(feed.podcast.has_value());
  EXPECT_EQ(feed.podcast->guid, "917393e3-1b1e-5cef-ace4-edaa54e1f810");
  EXPECT_EQ(feed.podcast->locked, "yes");
  EXPECT_EQ(feed.podcast->locked_owner, "jane@example.org");
  ASSERT_EQ(feed.podcast->funding.size(), 1u);
  EXPECT_EQ(feed.podcast->funding[0].url, "http://example.org/donate");
  EXPECT_EQ(feed.podcast->funding[0].text, "Support the show");
  ASSERT_TRUE(feed.media.has_value());
  EXPECT_EQ(feed.media->rating, "nonadult");
  EXPECT_EQ(feed.media->rating_scheme, "urn:simple");
  ASSERT_GE(feed.entries.size(), 1u);
  const Entry& e = feed.entries[0];
  ASSERT_TRUE(e.podcast.has_value());
  ASSERT_EQ(e.podcast->transcripts.size(), 1u);
  EXPECT_EQ(e.podcast->transcripts[0].url, "http://example.org/ep1.vtt");
  EXPECT_EQ(e.podcast->transcripts[0].type, "text/vtt");
  EXPECT_EQ(e.podcast->transcripts[0].language, "en");
  EXPECT_EQ(e.podcast->transcripts[0].rel, "captions");
  ASSERT_EQ(e.podcast->chapters.size(), 1u);
  EXPECT_EQ(e.podcast->chapters[0].url, "http://example.org/ep1.json");
  EXPECT_EQ(e.podcast->chapters[0].type, "application/json+chapters");
  ASSERT_EQ(e.podcast->persons.size(), 1u);
  EXPECT_EQ(e.podcast->persons[0].name, "Bob");
  EXPECT_EQ(e.podcast->persons[0].role, "guest");
  EXPECT_EQ(e.podcast->persons[0].group, "cast");
  EXPECT_EQ(e.podcast->persons[0].img, "http://example.org/bob.jpg");
  EXPECT_EQ(e.podcast->persons[0].href, "http://bob.example/");
  ASSERT_TRUE(e.media.has_value());
  ASSERT_EQ(e.media->credits.size(), 1u);
  EXPECT_EQ(e.media->credits[0].name, "Ann Producer");
  EXPECT_EQ(e.media->credits[0].role, "producer");
  EXPECT_EQ(e.media->credits[0].scheme, "urn:ebu");
  EXPECT_EQ(e.media->rating, "adult");
  EXPECT_EQ(e.media->license_url, "http://creativecommons.org/licenses/by/4.0/");
  EXPECT_EQ(e.media->license_type, "text/html");
  EXPECT_EQ(e.media->license_text, "CC BY 4.0");
}

TEST(PodcastMediaWriteTest, ParserReadsPodcastingAndMediaRss) {
  const Feed feed = Parsed();
  ExpectPodcastAndMedia(feed);
  // media:license is the entry's license when it names none otherwise.
  EXPECT_EQ(feed.entries[0].license, "http://creativecommons.org/licenses/by/4.0/");
}

TEST(PodcastMediaWriteTest, RssWritesThemBackOut) {
  const std::string rss = WriteRss(Parsed());
  EXPECT_NE(rss.find("xmlns:podcast=\"https://podcastindex.org/namespace/1.0\""), std::string::npos)
      << rss;
  EXPECT_NE(rss.find("<itunes:image href=\"http://example.org/ep1.jpg\""), std::string::npos);
  Result<Feed> again = ParseFeed(rss, "http://example.org/feed");
  ASSERT_OK(again);
  ExpectPodcastAndMedia(*again);
}

TEST(PodcastMediaWriteTest, JsonFeedCarriesThemInExtensionObjects) {
  const std::string json = WriteJsonFeed(Parsed());
  EXPECT_NE(json.find("\"_podcast\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"_media\""), std::string::npos);
  EXPECT_NE(json.find("\"icon\": \"http://example.org/show.jpg\""), std::string::npos);
  Result<Feed> again = ParseFeed(json, "http://example.org/feed.json");
  ASSERT_OK(again);
  ExpectPodcastAndMedia(*again);
}

TEST(PodcastMediaWriteTest, StoredEntryDocumentKeepsThemOnce) {
  const Feed feed = Parsed();
  const std::string doc = EncodeEntryDocument(feed, feed.entries[0]);
  size_t n = 0;
  for (size_t p = doc.find("ep1.vtt"); p != std::string::npos; p = doc.find("ep1.vtt", p + 1)) ++n;
  EXPECT_EQ(n, 1u) << doc;
  Result<EntryDocument> out = DecodeEntryDocument(doc, "");
  ASSERT_OK(out);
  ASSERT_TRUE(out->entry.media.has_value());
  EXPECT_EQ(out->entry.media->credits.size(), 1u);
  ASSERT_TRUE(out->entry.podcast.has_value());
  EXPECT_EQ(out->entry.podcast->persons.size(), 1u);
}

TEST(PodcastMediaWriteTest, AtomHasTheShowArtAsLogo) {
  Feed feed = Parsed();
  feed.image = {};  // The itunes:image filled it; Atom falls back to it too.
  const std::string atom = WriteAtom(feed);
  EXPECT_NE(atom.find("<logo>http://example.org/show.jpg</logo>"), std::string::npos) << atom;
}

TEST(PodcastMediaWriteTest, ImageOnlyInsideTheDescriptionBecomesTheEntryImage) {
  const Feed feed = Parsed();
  ASSERT_EQ(feed.entries.size(), 2u);
  // The first image is a data: URL, which is skipped; the relative one resolves.
  ASSERT_EQ(feed.entries[1].thumbnails.size(), 1u);
  EXPECT_EQ(feed.entries[1].thumbnails[0].url, "http://example.org/pics/cat.jpg");
  // An entry with its own image keeps it.
  ASSERT_EQ(feed.entries[0].thumbnails.size(), 1u);
  EXPECT_EQ(feed.entries[0].thumbnails[0].url, "http://example.org/ep1.jpg");
}

}  // namespace
}  // namespace feedbridge::feeds
