#include <Poco/AutoPtr.h>
#include <Poco/DOM/DOMParser.h>
#include <Poco/DOM/Document.h>
#include <Poco/DOM/Element.h>
#include <Poco/DOM/NodeList.h>
#include <Poco/Exception.h>
#include <Poco/SAX/SAXParser.h>
#include <Poco/SAX/XMLReader.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "feeds/identity.h"
#include "feeds/model.h"
#include "feeds/writers.h"

// libxml2 is the project's XML reader. feeds_test gets its headers only when it links
// LibXml2::LibXml2 itself; until then POCO's expat-based SAX parser (also a conforming,
// non-validating XML 1.0 + Namespaces parser) checks well-formedness.
#if __has_include(<libxml/parser.h>)
#include <libxml/parser.h>
#define FB_TEST_HAVE_LIBXML2 1
#endif

namespace feedbridge::feeds {
namespace {

using std::chrono::sys_days;
using namespace std::chrono_literals;
using namespace std::string_literals;

const std::string kNone;
const std::string kAtom = "http://www.w3.org/2005/Atom";
const std::string kContent = "http://purl.org/rss/1.0/modules/content/";
const std::string kDc = "http://purl.org/dc/elements/1.1/";
const std::string kMedia = "http://search.yahoo.com/mrss/";
const std::string kITunes = "http://www.itunes.com/dtds/podcast-1.0.dtd";

::testing::AssertionResult IsWellFormedXml(const std::string& xml) {
#ifdef FB_TEST_HAVE_LIBXML2
  struct CtxtFree {
    void operator()(xmlParserCtxt* ctxt) const { xmlFreeParserCtxt(ctxt); }
  };
  struct DocFree {
    void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
  };
  std::unique_ptr<xmlParserCtxt, CtxtFree> ctxt(xmlNewParserCtxt());
  if (!ctxt) return ::testing::AssertionFailure() << "xmlNewParserCtxt failed";
  std::unique_ptr<xmlDoc, DocFree> doc(
      xmlCtxtReadMemory(ctxt.get(), xml.data(), static_cast<int>(xml.size()), "feed.xml", nullptr,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc || !ctxt->wellFormed || !ctxt->nsWellFormed) {
    const char* message = ctxt->lastError.message;
    return ::testing::AssertionFailure()
           << "libxml2: " << (message != nullptr ? message : "not well-formed") << "\n"
           << xml;
  }
  return ::testing::AssertionSuccess();
#else
  try {
    Poco::XML::SAXParser parser;
    parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, true);
    parser.parseString(xml);
  } catch (const Poco::Exception& e) {
    return ::testing::AssertionFailure() << "expat: " << e.displayText() << "\n" << xml;
  }
  return ::testing::AssertionSuccess();
#endif
}

Poco::AutoPtr<Poco::XML::Document> ParseXml(const std::string& xml) {
  Poco::XML::DOMParser parser;
  parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, true);
  return parser.parseString(xml);
}

// Direct children of `parent` named {ns}name.
std::vector<Poco::XML::Element*> Children(const Poco::XML::Element& parent, const std::string& ns,
                                          const std::string& name) {
  Poco::AutoPtr<Poco::XML::NodeList> list = parent.getElementsByTagNameNS(ns, name);
  std::vector<Poco::XML::Element*> out;
  for (unsigned long i = 0; i < list->length(); ++i) {
    auto* element = static_cast<Poco::XML::Element*>(list->item(i));
    if (element->parentNode() == &parent) out.push_back(element);
  }
  return out;
}

std::string ChildText(const Poco::XML::Element& parent, const std::string& name,
                      const std::string& ns = kNone) {
  const auto found = Children(parent, ns, name);
  return found.empty() ? "<missing>" : found.front()->innerText();
}

const Poco::XML::Element& Channel(const Poco::XML::Document& doc) {
  return *Children(*doc.documentElement(), kNone, "channel").at(0);
}

const Poco::XML::Element& Item(const Poco::XML::Document& doc, size_t index = 0) {
  return *Children(Channel(doc), kNone, "item").at(index);
}

Poco::XML::Element* AtomLink(const Poco::XML::Document& doc, const std::string& rel) {
  for (Poco::XML::Element* link : Children(Channel(doc), kAtom, "link")) {
    if (link->getAttribute("rel") == rel) return link;
  }
  return nullptr;
}

Feed MinimalFeed() {
  Feed feed;
  feed.title.value = "Example";
  feed.subtitle.value = "All about examples";
  feed.home_page_url = "https://example.org/";
  feed.feed_url = "https://example.org/feed.rss";
  Entry entry;
  entry.id = "tag:example.org,2026:1";
  entry.title.value = "First";
  entry.links.push_back({.href = "https://example.org/1", .rel = "alternate"});
  entry.published.utc = sys_days{2026y / 11 / 2} + 10h;
  entry.contents.push_back({.value = "<p>Hello</p>", .type = std::string(kTextHtml)});
  feed.entries.push_back(entry);
  return feed;
}

TEST(RssWriterTest, WritesRequiredChannelAndItemElements) {
  const std::string xml = WriteRss(MinimalFeed());
  ASSERT_TRUE(IsWellFormedXml(xml));
  auto doc = ParseXml(xml);
  EXPECT_EQ(doc->documentElement()->localName(), "rss");
  EXPECT_EQ(doc->documentElement()->getAttribute("version"), "2.0");
  const Poco::XML::Element& channel = Channel(*doc);
  EXPECT_EQ(ChildText(channel, "title"), "Example");
  EXPECT_EQ(ChildText(channel, "link"), "https://example.org/");
  EXPECT_EQ(ChildText(channel, "description"), "All about examples");
  EXPECT_EQ(ChildText(channel, "generator"), "feedbridge");
  EXPECT_EQ(ChildText(channel, "lastBuildDate"), "Mon, 02 Nov 2026 10:00:00 GMT");
  const Poco::XML::Element& item = Item(*doc);
  EXPECT_EQ(ChildText(item, "title"), "First");
  EXPECT_EQ(ChildText(item, "link"), "https://example.org/1");
  EXPECT_EQ(ChildText(item, "description"), "<p>Hello</p>");  // No summary: the content.
  EXPECT_EQ(ChildText(item, "encoded", kContent), "<p>Hello</p>");
  EXPECT_EQ(ChildText(item, "pubDate"), "Mon, 02 Nov 2026 10:00:00 GMT");
}

TEST(RssWriterTest, RequiredChannelElementsFallBack) {
  Feed feed = MinimalFeed();
  feed.title.value.clear();
  feed.subtitle.value.clear();
  feed.home_page_url.clear();
  const std::string xml = WriteRss(feed);
  ASSERT_TRUE(IsWellFormedXml(xml));
  auto doc = ParseXml(xml);
  const Poco::XML::Element& channel = Channel(*doc);
  EXPECT_EQ(ChildText(channel, "link"), "https://example.org/feed.rss");
  EXPECT_EQ(ChildText(channel, "title"), "https://example.org/feed.rss");
  EXPECT_EQ(ChildText(channel, "description"), "https://example.org/feed.rss");
}

TEST(RssWriterTest, EmptyFeedIsValid) {
  const std::string xml = WriteRss(Feed{});
  ASSERT_TRUE(IsWellFormedXml(xml));
  auto doc = ParseXml(xml);
  const Poco::XML::Element& channel = Channel(*doc);
  EXPECT_EQ(Children(channel, kNone, "title").size(), 1u);
  EXPECT_EQ(Children(channel, kNone, "link").size(), 1u);
  EXPECT_EQ(Children(channel, kNone, "description").size(), 1u);
}

// A text of the written document: a child of the channel or of its first item.
struct TextField {
  bool in_item;
  std::string ns;
  std::string name;
  std::string text;
};

// MinimalFeed changed by `change`, written: `fragments` are in the XML as written, and each of
// `fields` reads back as given.
struct TextCase {
  std::string name;
  std::function<void(Feed&)> change;
  std::vector<std::string> fragments;
  std::vector<TextField> fields;
};

TEST(RssWriterTest, WritesTextFields) {
  const std::vector<TextCase> cases = {
      {"description is the summary, content:encoded the HTML content",
       [](Feed& feed) {
         feed.entries[0].summary = {.value = "Short <b>teaser</b>", .type = std::string(kTextHtml)};
       },
       {},
       {{true, kNone, "description", "Short <b>teaser</b>"},
        {true, kContent, "encoded", "<p>Hello</p>"}}},
      // description and content:encoded are HTML: plain text is escaped so it stays literal.
      {"plain text is escaped for HTML fields",
       [](Feed& feed) {
         feed.entries[0].summary = {.value = "if a < b && c > d"};
         feed.entries[0].contents = {{.value = "x <y> & z"}};
       },
       {},
       {{true, kNone, "description", "if a &lt; b &amp;&amp; c &gt; d"},
        {true, kContent, "encoded", "x &lt;y&gt; &amp; z"}}},
      {"titles are written as given",
       [](Feed& feed) {
         feed.entries[0].title = {.value = "<em>Hot</em> & new", .type = std::string(kTextHtml)};
         feed.entries[0].summary = {.value = "s"};
       },
       {"<title>&lt;em&gt;Hot&lt;/em&gt; &amp; new</title>"},
       {{true, kNone, "title", "<em>Hot</em> & new"}}},
      {"invalid UTF-8 becomes the replacement character",
       [](Feed& feed) {
         feed.entries[0].title.value = "na\xEFve \xC3\xA9t\xE9";  // Latin-1 bytes in UTF-8.
         feed.entries[0].authors.push_back({.name = "Jos\xE9"});
       },
       {},
       {{true, kNone, "title", "na\xEF\xBF\xBDve \xC3\xA9t\xEF\xBF\xBD"},
        {true, kDc, "creator", "Jos\xEF\xBF\xBD"}}},
  };
  for (const TextCase& c : cases) {
    SCOPED_TRACE(c.name);
    Feed feed = MinimalFeed();
    c.change(feed);
    const std::string xml = WriteRss(feed);
    ASSERT_TRUE(IsWellFormedXml(xml));
    for (const std::string& fragment : c.fragments) {
      EXPECT_NE(xml.find(fragment), std::string::npos) << fragment << "\n" << xml;
    }
    auto doc = ParseXml(xml);
    for (const TextField& f : c.fields) {
      EXPECT_EQ(ChildText(f.in_item ? Item(*doc) : Channel(*doc), f.name, f.ns), f.text) << f.name;
    }
  }
}

TEST(RssWriterTest, ItemWithoutTitleOrDescriptionStillHasOne) {
  Feed feed = MinimalFeed();
  feed.entries[0].title.value.clear();
  feed.entries[0].contents.clear();
  auto doc = ParseXml(WriteRss(feed));
  EXPECT_EQ(Children(Item(*doc), kNone, "title").size(), 1u);
}

TEST(RssWriterTest, EscapesMarkupInTextAndAttributes) {
  Feed feed = MinimalFeed();
  feed.title.value = "Tom & Jerry <live> \"quoted\"";
  feed.entries[0].contents[0].value = "<a href=\"?a=1&amp;b=2\">x</a>";
  feed.entries[0].categories.push_back({.term = "a&b", .scheme = "https://t/?q=\"<&>\""});
  feed.entries[0].enclosures.push_back(
      {.url = "https://e/a.mp3?x=1&y=\"2\"", .type = "audio/mpeg"});
  const std::string xml = WriteRss(feed);
  ASSERT_TRUE(IsWellFormedXml(xml));
  EXPECT_NE(xml.find("<title>Tom &amp; Jerry &lt;live&gt; &quot;quoted&quot;</title>"),
            std::string::npos);
  EXPECT_NE(xml.find("domain=\"https://t/?q=&quot;&lt;&amp;&gt;&quot;\""), std::string::npos);
  auto doc = ParseXml(xml);
  EXPECT_EQ(ChildText(Channel(*doc), "title"), "Tom & Jerry <live> \"quoted\"");
  EXPECT_EQ(ChildText(Item(*doc), "encoded", kContent), "<a href=\"?a=1&amp;b=2\">x</a>");
  EXPECT_EQ(Children(Item(*doc), kNone, "category")[0]->getAttribute("domain"),
            "https://t/?q=\"<&>\"");
  EXPECT_EQ(Children(Item(*doc), kNone, "enclosure")[0]->getAttribute("url"),
            "https://e/a.mp3?x=1&y=\"2\"");
}

TEST(RssWriterTest, StripsCharactersXmlCannotCarry) {
  Feed feed = MinimalFeed();
  feed.title.value = "a\000b\001\013\037c\xEF\xBF\xBF"s;
  feed.entries[0].contents[0].value = "<p>\002x</p>";
  feed.entries[0].categories.push_back({.term = "t", .scheme = "https://t/\x03"});
  const std::string xml = WriteRss(feed);
  ASSERT_TRUE(IsWellFormedXml(xml));
  auto doc = ParseXml(xml);
  EXPECT_EQ(ChildText(Channel(*doc), "title"), "abc");
  EXPECT_EQ(ChildText(Item(*doc), "encoded", kContent), "<p>x</p>");
  EXPECT_EQ(Children(Item(*doc), kNone, "category")[0]->getAttribute("domain"), "https://t/");
}

TEST(RssWriterTest, GuidIsPermaLinkOnlyWhenItIsTheUrl) {
  Feed feed = MinimalFeed();
  auto doc = ParseXml(WriteRss(feed));
  const auto* guid = Children(Item(*doc), kNone, "guid").at(0);
  EXPECT_EQ(guid->innerText(), "tag:example.org,2026:1");
  EXPECT_EQ(guid->getAttribute("isPermaLink"), "false");

  feed.entries[0].id = "https://example.org/1";
  doc = ParseXml(WriteRss(feed));
  guid = Children(Item(*doc), kNone, "guid").at(0);
  EXPECT_EQ(guid->innerText(), "https://example.org/1");
  EXPECT_EQ(guid->getAttribute("isPermaLink"), "true");

  feed.entries[0].id.clear();  // Without an id the URL is the guid, and a permalink.
  doc = ParseXml(WriteRss(feed));
  EXPECT_EQ(Children(Item(*doc), kNone, "guid").at(0)->getAttribute("isPermaLink"), "true");

  feed.entries[0].links.clear();  // Nothing at all: a stable hash, not a permalink.
  doc = ParseXml(WriteRss(feed));
  guid = Children(Item(*doc), kNone, "guid").at(0);
  EXPECT_EQ(guid->innerText(), EntryIdentity(feed.entries[0]));
  EXPECT_EQ(guid->getAttribute("isPermaLink"), "false");
}

TEST(RssWriterTest, AuthorElementOnlyForPeopleWithEmail) {
  Feed feed = MinimalFeed();
  feed.entries[0].authors = {{.name = "Alice", .email = "alice@example.org"},
                             {.email = "bob@example.org"},
                             {.name = "Carol"},
                             {.uri = "https://example.org/dave"}};
  const std::string xml = WriteRss(feed);
  ASSERT_TRUE(IsWellFormedXml(xml));
  auto doc = ParseXml(xml);
  const auto authors = Children(Item(*doc), kNone, "author");
  ASSERT_EQ(authors.size(), 2u);
  EXPECT_EQ(authors[0]->innerText(), "alice@example.org (Alice)");
  EXPECT_EQ(authors[1]->innerText(), "bob@example.org");
  const auto creators = Children(Item(*doc), kDc, "creator");
  ASSERT_EQ(creators.size(), 2u);
  EXPECT_EQ(creators[0]->innerText(), "Carol");
  EXPECT_EQ(creators[1]->innerText(), "https://example.org/dave");
}

TEST(RssWriterTest, ChannelPeople) {
  Feed feed = MinimalFeed();
  feed.authors = {{.name = "Eve"}, {.name = "Alice", .email = "alice@example.org"}};
  feed.publisher = {.name = "Ops", .email = "ops@example.org"};
  auto doc = ParseXml(WriteRss(feed));
  EXPECT_EQ(ChildText(Channel(*doc), "managingEditor"), "alice@example.org (Alice)");
  EXPECT_EQ(ChildText(Channel(*doc), "webMaster"), "ops@example.org (Ops)");
  EXPECT_EQ(ChildText(Channel(*doc), "creator", kDc), "Eve");
}

TEST(RssWriterTest, CategoriesCarryDomain) {
  Feed feed = MinimalFeed();
  feed.categories.push_back({.term = "news"});
  feed.entries[0].categories.push_back({.term = "cpp", .scheme = "https://example.org/tags/"});
  auto doc = ParseXml(WriteRss(feed));
  EXPECT_EQ(ChildText(Channel(*doc), "category"), "news");
  const auto categories = Children(Item(*doc), kNone, "category");
  ASSERT_EQ(categories.size(), 1u);
  EXPECT_EQ(categories[0]->innerText(), "cpp");
  EXPECT_EQ(categories[0]->getAttribute("domain"), "https://example.org/tags/");
}

TEST(RssWriterTest, EnclosuresHaveUrlLengthAndType) {
  Feed feed = MinimalFeed();
  feed.entries[0].enclosures = {
      {.url = "https://example.org/a.mp3", .type = "audio/mpeg", .length = 12345},
      {.url = "https://example.org/b"}};
  auto doc = ParseXml(WriteRss(feed));
  const auto enclosures = Children(Item(*doc), kNone, "enclosure");
  ASSERT_EQ(enclosures.size(), 2u);
  EXPECT_EQ(enclosures[0]->getAttribute("url"), "https://example.org/a.mp3");
  EXPECT_EQ(enclosures[0]->getAttribute("length"), "12345");
  EXPECT_EQ(enclosures[0]->getAttribute("type"), "audio/mpeg");
  // All three attributes are required: unknown length is 0 by convention.
  EXPECT_EQ(enclosures[1]->getAttribute("length"), "0");
  EXPECT_EQ(enclosures[1]->getAttribute("type"), "application/octet-stream");
}

TEST(RssWriterTest, DatesAreRfc1123) {
  Feed feed = MinimalFeed();
  feed.published.utc = sys_days{2004y / 2 / 29} + 1h + 2min + 3s;
  feed.entries[0].published = {};
  feed.entries[0].updated.utc = sys_days{2000y / 1 / 1} + 23h + 59min + 59s;
  auto doc = ParseXml(WriteRss(feed));
  EXPECT_EQ(ChildText(Channel(*doc), "pubDate"), "Sun, 29 Feb 2004 01:02:03 GMT");
  EXPECT_EQ(ChildText(Channel(*doc), "lastBuildDate"), "Sun, 29 Feb 2004 01:02:03 GMT");
  EXPECT_EQ(ChildText(Item(*doc), "pubDate"), "Sat, 01 Jan 2000 23:59:59 GMT");  // Updated.
}

TEST(RssWriterTest, WritesSelfNextAndHubAsAtomLinks) {
  Feed feed = MinimalFeed();
  feed.hubs = {"https://hub.example.org/"};
  WriteOptions options;
  options.self_url = "https://bridge.example/alice/feed.rss?page=1";
  options.next_url = "https://bridge.example/alice/feed.rss?page=2";
  const std::string xml = WriteRss(feed, options);
  ASSERT_TRUE(IsWellFormedXml(xml));
  EXPECT_NE(xml.find("xmlns:atom=\"http://www.w3.org/2005/Atom\""), std::string::npos);
  auto doc = ParseXml(xml);
  ASSERT_NE(AtomLink(*doc, "self"), nullptr);
  EXPECT_EQ(AtomLink(*doc, "self")->getAttribute("href"), options.self_url);
  EXPECT_EQ(AtomLink(*doc, "self")->getAttribute("type"), "application/rss+xml");
  ASSERT_NE(AtomLink(*doc, "next"), nullptr);
  EXPECT_EQ(AtomLink(*doc, "next")->getAttribute("href"), options.next_url);
  ASSERT_NE(AtomLink(*doc, "hub"), nullptr);
  EXPECT_EQ(AtomLink(*doc, "hub")->getAttribute("href"), "https://hub.example.org/");

  doc = ParseXml(WriteRss(feed));  // Last page: no next; self from the feed.
  EXPECT_EQ(AtomLink(*doc, "next"), nullptr);
  EXPECT_EQ(AtomLink(*doc, "self")->getAttribute("href"), "https://example.org/feed.rss");
}

TEST(RssWriterTest, ImageHasRequiredSubelements) {
  Feed feed = MinimalFeed();
  feed.image = {.url = "https://example.org/logo.png", .width = 88};
  auto doc = ParseXml(WriteRss(feed));
  const auto& image = *Children(Channel(*doc), kNone, "image").at(0);
  EXPECT_EQ(ChildText(image, "url"), "https://example.org/logo.png");
  EXPECT_EQ(ChildText(image, "title"), "Example");
  EXPECT_EQ(ChildText(image, "link"), "https://example.org/");
  EXPECT_EQ(ChildText(image, "width"), "88");
}

TEST(RssWriterTest, WritesTtlCommentsLanguageAndCopyright) {
  Feed feed = MinimalFeed();
  feed.ttl_minutes = 60;
  feed.language = "en-us";
  feed.rights.value = "(c) Example";
  feed.entries[0].comments = "https://example.org/1#comments";
  auto doc = ParseXml(WriteRss(feed));
  EXPECT_EQ(ChildText(Channel(*doc), "ttl"), "60");
  EXPECT_EQ(ChildText(Channel(*doc), "language"), "en-us");
  EXPECT_EQ(ChildText(Channel(*doc), "copyright"), "(c) Example");
  EXPECT_EQ(ChildText(Item(*doc), "comments"), "https://example.org/1#comments");
}

TEST(RssWriterTest, WritesMediaThumbnailAndITunes) {
  Feed feed = MinimalFeed();
  feed.itunes.author = "Alice";
  feed.itunes.image = "https://example.org/cover.jpg";
  feed.itunes.explicit_ = "no";
  feed.itunes.categories = {"Technology"};
  feed.entries[0].itunes.duration = "1:02:03";
  feed.entries[0].thumbnails.push_back(
      {.url = "https://example.org/t.jpg", .width = 120, .height = 90});
  const std::string xml = WriteRss(feed);
  ASSERT_TRUE(IsWellFormedXml(xml));
  auto doc = ParseXml(xml);
  EXPECT_EQ(ChildText(Channel(*doc), "author", kITunes), "Alice");
  EXPECT_EQ(Children(Channel(*doc), kITunes, "image").at(0)->getAttribute("href"),
            "https://example.org/cover.jpg");
  EXPECT_EQ(ChildText(Channel(*doc), "explicit", kITunes), "no");
  EXPECT_EQ(Children(Channel(*doc), kITunes, "category").at(0)->getAttribute("text"), "Technology");
  EXPECT_EQ(ChildText(Item(*doc), "duration", kITunes), "1:02:03");
  const auto* thumbnail = Children(Item(*doc), kMedia, "thumbnail").at(0);
  EXPECT_EQ(thumbnail->getAttribute("url"), "https://example.org/t.jpg");
  EXPECT_EQ(thumbnail->getAttribute("width"), "120");
  EXPECT_EQ(thumbnail->getAttribute("height"), "90");
}

TEST(RssWriterTest, DeclaresOnlyNamespacesInUse) {
  const std::string xml = WriteRss(MinimalFeed());
  EXPECT_EQ(xml.find("xmlns:media"), std::string::npos);
  EXPECT_EQ(xml.find("xmlns:itunes"), std::string::npos);
}

TEST(RssWriterTest, CompactOutputHasNoIndentation) {
  WriteOptions options;
  options.pretty = false;
  const std::string xml = WriteRss(MinimalFeed(), options);
  ASSERT_TRUE(IsWellFormedXml(xml));
  EXPECT_EQ(xml.find("\n  <"), std::string::npos);
  EXPECT_NE(WriteRss(MinimalFeed()).find("\n    <title>"), std::string::npos);
}

}  // namespace
}  // namespace feedbridge::feeds
