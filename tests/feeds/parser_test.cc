#include "feeds/parser.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "feeds/identity.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_data.h"

namespace feedbridge::feeds {
namespace {

using ::feedbridge::testing::StatusIs;
using std::chrono::sys_days;
using namespace std::chrono_literals;

constexpr auto kInvalid = Status::Code::kInvalidArgument;
constexpr auto kExhausted = Status::Code::kResourceExhausted;

Feed MustParse(std::string_view bytes, std::string_view base = "http://example.org/feed") {
  Result<Feed> r = ParseFeed(bytes, base);
  EXPECT_OK(r);
  return r.ok() ? std::move(r).value() : Feed{};
}

std::chrono::sys_seconds At(int y, unsigned m, unsigned d, int hh, int mm, int ss) {
  return sys_days(std::chrono::year(y) / m / d) + std::chrono::hours(hh) +
         std::chrono::minutes(mm) + std::chrono::seconds(ss);
}

// ---------------------------------------------------------------------------------------------
// Formats.

TEST(FeedParserTest, ReadsRss20ChannelAndItems) {
  const Feed f = MustParse(testing::ReadFileBytes(testing::TestDataPath("sample/blog.rss")),
                           "http://127.0.0.1:8081/feed.rss");
  EXPECT_EQ(f.format, FeedFormat::kRss20);
  EXPECT_EQ(f.encoding, "utf-8");
  EXPECT_FALSE(f.recovered) << (f.problems.empty() ? "" : f.problems[0]);
  EXPECT_EQ(f.title.value, "The Sample Garden");
  EXPECT_EQ(f.subtitle.value, "Notes from a small garden & its gardener");
  EXPECT_EQ(f.subtitle.type, kTextHtml);  // RSS descriptions are HTML.
  EXPECT_EQ(f.home_page_url, "http://127.0.0.1:8081/");
  EXPECT_EQ(f.feed_url, "http://127.0.0.1:8081/feed.rss");
  EXPECT_EQ(f.language, "en");
  EXPECT_EQ(f.ttl_minutes, 60);
  EXPECT_EQ(f.generator.name, "Handwritten");
  EXPECT_EQ(f.updated.utc, At(2026, 11, 23, 9, 30, 0));
  ASSERT_EQ(f.entries.size(), 3u);

  const Entry& first = f.entries[0];
  EXPECT_EQ(first.title.value, "Frost on the kale");
  EXPECT_EQ(first.id, "http://127.0.0.1:8081/2026/11/frost-on-the-kale");
  EXPECT_TRUE(first.id_is_permalink);
  EXPECT_EQ(first.Url(), "http://127.0.0.1:8081/2026/11/frost-on-the-kale");
  EXPECT_EQ(first.published.utc, At(2026, 11, 23, 9, 30, 0));
  ASSERT_EQ(first.authors.size(), 1u);
  EXPECT_EQ(first.authors[0].name, "Ada Gardener");
  ASSERT_EQ(first.categories.size(), 2u);
  EXPECT_EQ(first.categories[1].term, "brassicas");
  EXPECT_EQ(first.summary.type, kTextHtml);
  EXPECT_NE(first.summary.value.find("\u2014"), std::string::npos);  // &#8212; decoded once.
  ASSERT_EQ(first.contents.size(), 1u);
  EXPECT_EQ(first.contents[0].type, kTextHtml);
  EXPECT_NE(first.contents[0].value.find("<em>sweeter</em>"), std::string::npos);
  EXPECT_EQ(first.contents[0].base, "http://127.0.0.1:8081/feed.rss");

  const Entry& second = f.entries[1];
  EXPECT_EQ(second.id, "garden-post-41");
  EXPECT_FALSE(second.id_is_permalink);
  EXPECT_EQ(second.published.utc, At(2026, 10, 17, 14, 5, 0));  // +0200 normalized to UTC.
  ASSERT_EQ(second.enclosures.size(), 1u);
  EXPECT_EQ(second.enclosures[0].url, "http://127.0.0.1:8081/audio/seeds.mp3");
  EXPECT_EQ(second.enclosures[0].length, 1048576);
  EXPECT_EQ(second.enclosures[0].type, "audio/mpeg");
}

TEST(FeedParserTest, ReadsRss091WithNetscapeDoctypeAndHtmlEntities) {
  const Feed f = MustParse(R"(<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Caf&eacute;&nbsp;news</title>
<link>http://example.org/</link><description>d</description><language>fr</language>
<item><title>Cr&egrave;me &amp; br&ucirc;l&eacute;e</title><link>/a</link></item>
</channel></rss>)");
  EXPECT_EQ(f.format, FeedFormat::kRss091);
  EXPECT_EQ(f.title.value, "Caf\u00e9\u00a0news");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title.value, "Cr\u00e8me & br\u00fbl\u00e9e");
  EXPECT_EQ(f.entries[0].Url(), "http://example.org/a");  // Resolved against the feed URL.
}

TEST(FeedParserTest, ReadsRss10RdfWithDublinCore) {
  const Feed f = MustParse(R"(<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="http://example.org/rss">
    <title>RDF site</title><link>http://example.org/</link><description>x</description>
    <items><rdf:Seq><rdf:li resource="http://example.org/1"/></rdf:Seq></items>
  </channel>
  <item rdf:about="http://example.org/1">
    <title>One</title><link>http://example.org/1</link>
    <dc:creator>Jo</dc:creator><dc:date>2004-01-01T19:48:21+01:00</dc:date>
    <dc:subject>topic</dc:subject>
  </item>
</rdf:RDF>)");
  EXPECT_EQ(f.format, FeedFormat::kRss10);
  EXPECT_EQ(f.title.value, "RDF site");
  ASSERT_EQ(f.entries.size(), 1u);
  const Entry& e = f.entries[0];
  EXPECT_EQ(e.id, "http://example.org/1");
  EXPECT_EQ(e.authors.at(0).name, "Jo");
  EXPECT_EQ(e.updated.utc, At(2004, 1, 1, 18, 48, 21));
  EXPECT_EQ(e.categories.at(0).term, "topic");
}

TEST(FeedParserTest, ReadsRss090) {
  const Feed f = MustParse(R"(<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>Old</title>
  <link>http://example.org/</link></channel><item><title>i</title>
  <link>http://example.org/i</link></item></rdf:RDF>)");
  EXPECT_EQ(f.format, FeedFormat::kRss090);
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].Url(), "http://example.org/i");
}

TEST(FeedParserTest, ReadsAtom10WithXmlBaseAndXhtmlContent) {
  const Feed f = MustParse(R"(<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"
      xml:base="http://example.org/blog/">
  <title type="html">A &lt;b&gt;bold&lt;/b&gt; blog</title>
  <subtitle>plain &amp; simple</subtitle>
  <id>tag:example.org,2004:blog</id>
  <updated>2005-07-31T12:29:29Z</updated>
  <link href="./" rel="alternate" type="text/html"/>
  <link rel="self" href="feed.atom"/>
  <link rel="hub" href="https://hub.example.org/"/>
  <author><name>Mark</name><email>mark@example.org</email><uri>/mark</uri></author>
  <icon>favicon.ico</icon>
  <entry xml:base="2005/">
    <title>Atom draft-07 snapshot</title>
    <link rel="alternate" type="text/html" href="04/02/atom"/>
    <link rel="enclosure" type="audio/mpeg" length="1337" href="http://example.org/audio.mp3"/>
    <id>tag:example.org,2003:3.2397</id>
    <updated>2005-07-31T12:29:29Z</updated>
    <published>2003-12-13T08:29:29-04:00</published>
    <category term="atom" scheme="http://example.org/cats" label="Atom"/>
    <summary type="text">Short &amp; sweet</summary>
    <content type="xhtml" xml:lang="en-US">
      <div xmlns="http://www.w3.org/1999/xhtml"><p><i>[Update: The Atom draft is finished.]</i></p>
      <img src="x.png"/></div>
    </content>
  </entry>
</feed>)");
  EXPECT_EQ(f.format, FeedFormat::kAtom10);
  EXPECT_EQ(f.title.type, kTextHtml);
  EXPECT_EQ(f.title.value, "A <b>bold</b> blog");
  EXPECT_EQ(f.subtitle.value, "plain & simple");
  EXPECT_EQ(f.id, "tag:example.org,2004:blog");
  EXPECT_EQ(f.home_page_url, "http://example.org/blog/");
  EXPECT_EQ(f.feed_url, "http://example.org/blog/feed.atom");
  ASSERT_EQ(f.hubs.size(), 1u);
  EXPECT_EQ(f.hubs[0], "https://hub.example.org/");
  ASSERT_EQ(f.authors.size(), 1u);
  EXPECT_EQ(f.authors[0].email, "mark@example.org");
  EXPECT_EQ(f.authors[0].uri, "http://example.org/mark");
  EXPECT_EQ(f.icon, "http://example.org/blog/favicon.ico");
  ASSERT_EQ(f.entries.size(), 1u);
  const Entry& e = f.entries[0];
  EXPECT_EQ(e.Url(), "http://example.org/blog/2005/04/02/atom");
  ASSERT_EQ(e.enclosures.size(), 1u);
  EXPECT_EQ(e.enclosures[0].length, 1337);
  EXPECT_EQ(e.published.utc, At(2003, 12, 13, 12, 29, 29));
  EXPECT_EQ(e.categories.at(0).label, "Atom");
  EXPECT_EQ(e.summary.value, "Short & sweet");
  ASSERT_EQ(e.contents.size(), 1u);
  EXPECT_EQ(e.contents[0].type, kXhtml);
  EXPECT_EQ(e.contents[0].language, "en-US");
  EXPECT_EQ(e.contents[0].base, "http://example.org/blog/2005/");
  // The wrapper div is gone, the markup inside is kept.
  EXPECT_EQ(e.contents[0].value.find("<div"), std::string::npos);
  EXPECT_NE(e.contents[0].value.find("<p><i>[Update: The Atom draft is finished.]</i></p>"),
            std::string::npos);
  EXPECT_NE(e.contents[0].value.find("<img src=\"x.png\" />"), std::string::npos);
}

TEST(FeedParserTest, ReadsAtom03EscapedAndBase64Content) {
  const Feed f = MustParse(R"(<feed version="0.3" xmlns="http://purl.org/atom/ns#">
  <title>Old Atom</title><tagline>tag</tagline><copyright>(c)</copyright>
  <modified>2004-01-01T00:00:00Z</modified>
  <entry><title>e</title><issued>2003-12-31T10:00:00-05:00</issued>
    <content type="text/html" mode="escaped">&lt;p&gt;hi&lt;/p&gt;</content>
    <content type="text/plain" mode="base64">SGVsbG8sIHdvcmxk</content>
  </entry></feed>)");
  EXPECT_EQ(f.format, FeedFormat::kAtom03);
  EXPECT_EQ(f.subtitle.value, "tag");
  EXPECT_EQ(f.rights.value, "(c)");
  ASSERT_EQ(f.entries.size(), 1u);
  const Entry& e = f.entries[0];
  EXPECT_EQ(e.published.utc, At(2003, 12, 31, 15, 0, 0));
  ASSERT_EQ(e.contents.size(), 2u);
  EXPECT_EQ(e.contents[0].value, "<p>hi</p>");
  EXPECT_EQ(e.contents[0].type, kTextHtml);
  EXPECT_EQ(e.contents[1].value, "Hello, world");
}

TEST(FeedParserTest, ReadsJsonFeed11) {
  const Feed f = MustParse(R"({
    "version": "https://jsonfeed.org/version/1.1",
    "title": "JSON blog", "home_page_url": "https://example.org/",
    "feed_url": "https://example.org/feed.json", "language": "en",
    "authors": [{"name": "Ann", "url": "https://example.org/ann"}],
    "items": [
      {"id": 42, "url": "https://example.org/42", "title": "Answer",
       "content_html": "<p>Life</p>", "date_published": "2020-02-03T04:05:06+01:00",
       "tags": ["a", "b"],
       "attachments": [{"url": "https://example.org/a.mp3", "mime_type": "audio/mpeg",
                        "size_in_bytes": 10, "duration_in_seconds": 5}]}
    ]})");
  EXPECT_EQ(f.format, FeedFormat::kJsonFeed11);
  EXPECT_EQ(f.title.value, "JSON blog");
  EXPECT_EQ(f.home_page_url, "https://example.org/");
  EXPECT_EQ(f.authors.at(0).name, "Ann");
  ASSERT_EQ(f.entries.size(), 1u);
  const Entry& e = f.entries[0];
  EXPECT_EQ(e.id, "42");
  EXPECT_EQ(e.Url(), "https://example.org/42");
  EXPECT_EQ(e.contents.at(0).type, kTextHtml);
  EXPECT_EQ(e.published.utc, At(2020, 2, 3, 3, 5, 6));
  EXPECT_EQ(e.categories.size(), 2u);
  ASSERT_EQ(e.enclosures.size(), 1u);
  EXPECT_EQ(e.enclosures[0].duration_seconds, 5);
}

TEST(FeedParserTest, ReadsJsonFeed10Author) {
  const Feed f = MustParse(R"({"version": "https://jsonfeed.org/version/1", "title": "t",
    "author": {"name": "Old"}, "items": [{"id": "1", "content_text": "plain"}]})");
  EXPECT_EQ(f.format, FeedFormat::kJsonFeed10);
  EXPECT_EQ(f.authors.at(0).name, "Old");
  EXPECT_EQ(f.entries.at(0).contents.at(0).type, kTextPlain);
}

TEST(FeedParserTest, ReadsMediaRssAndITunes) {
  const Feed f = MustParse(R"(<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"
      xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>Pod</title>
  <itunes:author>Host</itunes:author><itunes:image href="http://example.org/cover.jpg"/>
  <itunes:category text="Technology"/><itunes:explicit>no</itunes:explicit>
  <item><title>Ep 1</title><guid isPermaLink="false">ep1</guid>
    <enclosure url="http://example.org/ep1.mp3" type="audio/mpeg" length="100"/>
    <itunes:duration>1:02:03</itunes:duration>
    <media:thumbnail url="http://example.org/t.jpg" width="120" height="90"/>
    <media:content url="http://example.org/ep1.mp4" type="video/mp4" fileSize="200"/>
  </item></channel></rss>)");
  EXPECT_EQ(f.itunes.image, "http://example.org/cover.jpg");
  EXPECT_EQ(f.itunes.categories.at(0), "Technology");
  EXPECT_EQ(f.authors.at(0).name, "Host");
  ASSERT_EQ(f.entries.size(), 1u);
  const Entry& e = f.entries[0];
  ASSERT_EQ(e.enclosures.size(), 2u);
  EXPECT_EQ(e.enclosures[0].duration_seconds, 3723);
  EXPECT_EQ(e.enclosures[1].length, 200);
  ASSERT_EQ(e.thumbnails.size(), 1u);
  EXPECT_EQ(e.thumbnails[0].width, 120);
  EXPECT_EQ(e.Url(), "");  // Not a permalink, no link.
  EXPECT_EQ(EntryIdentity(e), "ep1");
}

TEST(FeedParserTest, UndeclaredNamespacePrefixesAreUnderstood) {
  const Feed f = MustParse(R"(<rss version="2.0"><channel><title>t</title>
    <item><title>i</title><dc:creator>Undeclared</dc:creator>
    <content:encoded>&lt;b&gt;x&lt;/b&gt;</content:encoded></item></channel></rss>)");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].authors.at(0).name, "Undeclared");
  EXPECT_EQ(f.entries[0].contents.at(0).value, "<b>x</b>");
}

TEST(FeedParserTest, RssAuthorEmailAndNameAreSplit) {
  const Feed f = MustParse(R"(<rss version="2.0"><channel><title>t</title>
    <item><author>jane@example.org (Jane Doe)</author></item></channel></rss>)");
  ASSERT_EQ(f.entries.size(), 1u);
  ASSERT_EQ(f.entries[0].authors.size(), 1u);
  EXPECT_EQ(f.entries[0].authors[0].name, "Jane Doe");
  EXPECT_EQ(f.entries[0].authors[0].email, "jane@example.org");
}

TEST(FeedParserTest, InlineHtmlInRssDescriptionIsKeptAsHtml) {
  const Feed f = MustParse(R"(<rss version="2.0"><channel><title>t</title>
    <item><description>Hello <b>world</b> &amp; more<br/></description></item>
    </channel></rss>)");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].summary.type, kTextHtml);
  EXPECT_EQ(f.entries[0].summary.value, "Hello <b>world</b> &amp; more<br />");
}

TEST(FeedParserTest, EntryIdentityFallsBackToLinkThenHash) {
  Feed f = MustParse(R"(<rss version="2.0"><channel><title>t</title>
    <item><link>http://example.org/p</link></item>
    <item><title>No id</title><description>body</description></item>
    </channel></rss>)");
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(EntryIdentity(f.entries[0]), "http://example.org/p");
  const std::string hashed = EntryIdentity(f.entries[1]);
  EXPECT_TRUE(hashed.starts_with("sha1:")) << hashed;
  EXPECT_EQ(hashed.size(), 5u + 40u);
  Feed again = MustParse(R"(<rss version="2.0"><channel><title>changed</title>
    <item><title>No id</title><description>body</description></item></channel></rss>)");
  EXPECT_EQ(EntryIdentity(again.entries.at(0)), hashed);
}

// ---------------------------------------------------------------------------------------------
// Encodings.

TEST(FeedParserTest, DecodesWindows1252DeclaredDocument) {
  const std::string doc = "<?xml version=\"1.0\" encoding=\"windows-1252\"?>"
                          "<rss version=\"2.0\"><channel><title>\x93quoted\x94 caf\xe9</title>"
                          "</channel></rss>";
  const Feed f = MustParse(doc);
  EXPECT_EQ(f.encoding, "windows-1252");
  EXPECT_EQ(f.title.value, "\u201cquoted\u201d caf\u00e9");
}

TEST(FeedParserTest, HttpCharsetOverridesXmlDeclaration) {
  const std::string doc = "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                          "<rss version=\"2.0\"><channel><title>caf\xe9</title></channel></rss>";
  ParseOptions options;
  options.content_type = "application/rss+xml; charset=ISO-8859-1";
  Result<Feed> f = ParseFeed(doc, options);
  ASSERT_OK(f);
  EXPECT_EQ(f->title.value, "caf\u00e9");
}

TEST(FeedParserTest, DecodesUtf16LittleEndianWithBom) {
  const std::string utf8 = "<rss version=\"2.0\"><channel><title>\u00fcber</title></channel></rss>";
  std::string doc = "\xFF\xFE";
  // ASCII plus one Latin-1 letter: UTF-16LE is each code unit followed by 0.
  for (size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c == 0xC3) {
      doc += static_cast<char>(0xFC);
      doc += '\0';
      ++i;
      continue;
    }
    doc += static_cast<char>(c);
    doc += '\0';
  }
  const Feed f = MustParse(doc);
  EXPECT_EQ(f.title.value, "\u00fcber");
}

TEST(FeedParserTest, DecodesEucJpDeclaredDocument) {
  // "日本" in EUC-JP is C6 FC CB DC.
  const std::string doc = "<?xml version=\"1.0\" encoding=\"euc-jp\"?><rss version=\"2.0\">"
                          "<channel><title>\xC6\xFC\xCB\xDC</title></channel></rss>";
  const Feed f = MustParse(doc);
  EXPECT_EQ(f.encoding, "euc-jp");
  EXPECT_EQ(f.title.value, "\u65e5\u672c");
}

TEST(FeedParserTest, InvalidUtf8IsReplacedAndFlagged) {
  const std::string doc = "<rss version=\"2.0\"><channel><title>ok \xC3\x28 bad \xFF</title>"
                          "</channel></rss>";
  const Feed f = MustParse(doc);
  EXPECT_TRUE(f.recovered);
  EXPECT_FALSE(f.title.value.empty());
  // Whatever the repair chose, the model holds valid UTF-8 only.
  EXPECT_EQ(f.title.value.find('\xFF'), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Ill-formed documents are recovered like a feed reader would.

TEST(FeedParserTest, RecoversMismatchedAndUnclosedTags) {
  const Feed f = MustParse(R"(<rss version="2.0"><channel><title>t</title>
    <item><title>one</title><link>http://example.org/1</link></item>
    <item><title>two <b>bold</title></item>
    <item><title>three</title>)");
  EXPECT_TRUE(f.recovered);
  EXPECT_FALSE(f.problems.empty());
  ASSERT_GE(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[0].title.value, "one");
}

TEST(FeedParserTest, RecoversBareAmpersandsInLinks) {
  const Feed f = MustParse(R"(<rss version="2.0"><channel><title>t</title>
    <item><title>a</title><link>http://example.org/?a=1&b=2</link></item></channel></rss>)");
  EXPECT_TRUE(f.recovered);
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title.value, "a");
}

TEST(FeedParserTest, TruncatedDocumentKeepsCompleteEntries) {
  const Feed f = MustParse(R"(<rss version="2.0"><channel><title>t</title>
    <item><title>complete</title></item><item><title>cut off)");
  EXPECT_TRUE(f.recovered);
  ASSERT_GE(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title.value, "complete");
}

// ---------------------------------------------------------------------------------------------
// Not a feed.

TEST(FeedParserTest, EmptyDocumentIsInvalidArgument) {
  EXPECT_THAT(ParseFeed("", ""), StatusIs(kInvalid));
  EXPECT_THAT(ParseFeed("   \n ", ""), StatusIs(kInvalid));
}

TEST(FeedParserTest, HtmlPageIsInvalidArgumentNamingHtml) {
  Result<Feed> r = ParseFeed(
      "<!DOCTYPE html><html><head><title>Blog</title></head><body><p>hi</body></html>", "");
  ASSERT_THAT(r, StatusIs(kInvalid));
  EXPECT_NE(r.status().message().find("HTML"), std::string::npos) << r.status().message();
}

TEST(FeedParserTest, UnknownXmlVocabularyIsInvalidArgument) {
  Result<Feed> r = ParseFeed("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "");
  ASSERT_THAT(r, StatusIs(kInvalid));
  EXPECT_NE(r.status().message().find("<svg>"), std::string::npos) << r.status().message();
}

TEST(FeedParserTest, JsonThatIsNotAJsonFeedIsInvalidArgument) {
  EXPECT_THAT(ParseFeed(R"({"hello": "world"})", ""), StatusIs(kInvalid));
  EXPECT_THAT(ParseFeed(R"({"version": )", ""), StatusIs(kInvalid));
}

// ---------------------------------------------------------------------------------------------
// Hostile input: each gets a clear Status, never a crash, a hang, a fetch or unbounded memory.

TEST(FeedParserTest, RejectsExternalEntity) {
  Result<Feed> r = ParseFeed(R"(<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&xxe;</title></channel></rss>)",
                             "");
  ASSERT_THAT(r, StatusIs(kInvalid));
  EXPECT_NE(r.status().message().find("external entity"), std::string::npos);
}

TEST(FeedParserTest, RejectsExternalEntityInAttribute) {
  Result<Feed> r = ParseFeed(R"(<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>
<rss version="2.0"><channel><title>t</title>
<item><enclosure url="&xxe;" type="x"/></item></channel></rss>)",
                             "");
  EXPECT_THAT(r, StatusIs(kInvalid));
}

// A loopback listener stands in for a DTD or entity host: the parser must never connect to it.
class LoopbackListener {
 public:
  LoopbackListener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(fd_, 8);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~LoopbackListener() { close(fd_); }
  int port() const { return port_; }
  bool WasContacted() const {
    const int c = accept(fd_, nullptr, nullptr);
    if (c >= 0) close(c);
    return c >= 0;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(FeedParserTest, NeverFetchesExternalDtdOrParameterEntities) {
  LoopbackListener listener;
  ASSERT_GT(listener.port(), 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(listener.port());
  const std::string doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE rss SYSTEM \"" + url +
                          "/rss.dtd\" [<!ENTITY % remote SYSTEM \"" + url +
                          "/pe.dtd\"> %remote;]>\n"
                          "<rss version=\"2.0\"><channel><title>safe</title></channel></rss>";
  Result<Feed> r = ParseFeed(doc, "");
  ASSERT_OK(r);
  EXPECT_EQ(r->title.value, "safe");
  EXPECT_FALSE(listener.WasContacted());
}

TEST(FeedParserTest, BoundsBillionLaughsEntityExpansion) {
  std::string doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol0 \"lol\">\n";
  for (int i = 1; i <= 9; ++i) {
    doc += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int j = 0; j < 10; ++j) doc += "&lol" + std::to_string(i - 1) + ";";
    doc += "\">\n";
  }
  doc += "]>\n<rss version=\"2.0\"><channel><title>&lol9;</title></channel></rss>";
  EXPECT_THAT(ParseFeed(doc, ""), StatusIs(kExhausted));
}

TEST(FeedParserTest, BoundsQuadraticEntityBlowup) {
  // One 50 KB entity referenced 100,000 times: a small document asking for 5 GB of text.
  std::string doc = "<!DOCTYPE rss [<!ENTITY big \"" + std::string(50000, 'a') + "\">]>"
                    "<rss version=\"2.0\"><channel><title>";
  for (int i = 0; i < 100000; ++i) doc += "&big;";
  doc += "</title></channel></rss>";
  EXPECT_THAT(ParseFeed(doc, ""), StatusIs(kExhausted));
}

TEST(FeedParserTest, DeclaredInternalEntitiesExpandWithinLimits) {
  const Feed f = MustParse(R"(<!DOCTYPE rss [<!ENTITY site "Example &amp; Co">
<!ENTITY full "&site; weekly">]>
<rss version="2.0"><channel><title>&full;</title></channel></rss>)");
  EXPECT_EQ(f.title.value, "Example & Co weekly");
}

TEST(FeedParserTest, RejectsDocumentOverSizeCap) {
  ParseOptions options;
  options.max_document_bytes = 1000;
  const std::string doc = "<rss version=\"2.0\"><channel><title>" + std::string(2000, 'x') +
                          "</title></channel></rss>";
  EXPECT_THAT(ParseFeed(doc, options), StatusIs(kExhausted));
}

TEST(FeedParserTest, RejectsNestingDeeperThanLimit) {
  std::string doc = "<rss version=\"2.0\"><channel><title>t</title><item><description>";
  for (int i = 0; i < 100000; ++i) doc += "<div>";
  doc += "deep</description></item></channel></rss>";
  EXPECT_THAT(ParseFeed(doc, ""), StatusIs(kExhausted));
}

TEST(FeedParserTest, EntryCountIsCapped) {
  ParseOptions options;
  options.max_entries = 10;
  std::string doc = "<rss version=\"2.0\"><channel><title>t</title>";
  for (int i = 0; i < 50; ++i) doc += "<item><title>" + std::to_string(i) + "</title></item>";
  doc += "</channel></rss>";
  Result<Feed> r = ParseFeed(doc, options);
  ASSERT_OK(r);
  EXPECT_EQ(r->entries.size(), 10u);
  EXPECT_TRUE(r->recovered);
}

TEST(FeedParserTest, ManyUnknownElementsKeepBoundedExtensions) {
  std::string doc = "<rss version=\"2.0\"><channel><title>t</title><item>";
  for (int i = 0; i < 5000; ++i) doc += "<x" + std::to_string(i) + ">v</x" + std::to_string(i) + ">";
  doc += "</item></channel></rss>";
  const Feed f = MustParse(doc);
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_LE(f.entries[0].extensions.size(), 32u);
}

TEST(FeedParserTest, NulBytesDoNotTruncateOrCrash) {
  const std::string doc("<rss version=\"2.0\"><channel><title>a\0b</title></channel></rss>", 60);
  Result<Feed> r = ParseFeed(doc, "");
  // Either recovered or refused, but a clear answer.
  if (r.ok()) {
    EXPECT_TRUE(r->recovered);
  } else {
    EXPECT_THAT(r, StatusIs(kInvalid));
  }
}

}  // namespace
}  // namespace feedbridge::feeds
