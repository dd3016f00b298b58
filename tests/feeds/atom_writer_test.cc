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
using std::chrono::sys_seconds;
using namespace std::chrono_literals;
using namespace std::string_literals;

const std::string kAtom = "http://www.w3.org/2005/Atom";

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

// The output parsed for inspection (after the well-formedness check).
Poco::AutoPtr<Poco::XML::Document> ParseXml(const std::string& xml) {
  Poco::XML::DOMParser parser;
  parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, true);
  return parser.parseString(xml);
}

std::vector<Poco::XML::Element*> Elements(const Poco::XML::Element& parent,
                                          const std::string& name) {
  Poco::AutoPtr<Poco::XML::NodeList> list = parent.getElementsByTagNameNS(kAtom, name);
  std::vector<Poco::XML::Element*> out;
  for (unsigned long i = 0; i < list->length(); ++i) {
    out.push_back(static_cast<Poco::XML::Element*>(list->item(i)));
  }
  return out;
}

// Direct children only (getElementsByTagNameNS searches the whole subtree).
std::vector<Poco::XML::Element*> Children(const Poco::XML::Element& parent,
                                          const std::string& name) {
  std::vector<Poco::XML::Element*> out;
  for (Poco::XML::Element* e : Elements(parent, name)) {
    if (e->parentNode() == &parent) out.push_back(e);
  }
  return out;
}

std::string ChildText(const Poco::XML::Element& parent, const std::string& name) {
  const std::vector<Poco::XML::Element*> found = Children(parent, name);
  return found.empty() ? "<missing>" : found.front()->innerText();
}

Poco::XML::Element* LinkWithRel(const Poco::XML::Element& parent, const std::string& rel) {
  for (Poco::XML::Element* link : Children(parent, "link")) {
    if (link->getAttribute("rel") == rel) return link;
  }
  return nullptr;
}

sys_seconds At(std::chrono::year_month_day day, std::chrono::seconds time = 0s) {
  return sys_days{day} + time;
}

Feed MinimalFeed() {
  Feed feed;
  feed.id = "tag:example.org,2026:feed";
  feed.title.value = "Example";
  feed.home_page_url = "https://example.org/";
  feed.feed_url = "https://example.org/feed.atom";
  feed.updated.utc = At(2026y / 11 / 1);
  Entry entry;
  entry.id = "tag:example.org,2026:1";
  entry.title.value = "First";
  entry.links.push_back({.href = "https://example.org/1", .rel = "alternate"});
  entry.published.utc = At(2026y / 11 / 2, 10h);
  entry.contents.push_back({.value = "<p>Hello</p>", .type = std::string(kTextHtml)});
  feed.entries.push_back(entry);
  return feed;
}

TEST(AtomWriterTest, WritesRequiredFeedAndEntryElements) {
  const std::string xml = WriteAtom(MinimalFeed());
  ASSERT_TRUE(IsWellFormedXml(xml));
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0), 0u);
  auto doc = ParseXml(xml);
  const Poco::XML::Element& root = *doc->documentElement();
  EXPECT_EQ(root.localName(), "feed");
  EXPECT_EQ(root.namespaceURI(), kAtom);
  EXPECT_EQ(ChildText(root, "id"), "tag:example.org,2026:feed");
  EXPECT_EQ(ChildText(root, "title"), "Example");
  EXPECT_EQ(ChildText(root, "updated"), "2026-11-02T10:00:00Z");  // Newest entry date.
  EXPECT_EQ(ChildText(root, "generator"), "feedbridge");
  // RFC 4287 §4.1.1: an entry without an author needs a feed-level author.
  ASSERT_EQ(Children(root, "author").size(), 1u);
  EXPECT_EQ(ChildText(*Children(root, "author").front(), "name"), "unknown");
  const auto entries = Children(root, "entry");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(ChildText(*entries[0], "id"), "tag:example.org,2026:1");
  EXPECT_EQ(ChildText(*entries[0], "title"), "First");
  EXPECT_EQ(ChildText(*entries[0], "updated"), "2026-11-02T10:00:00Z");  // From published.
  EXPECT_EQ(ChildText(*entries[0], "published"), "2026-11-02T10:00:00Z");
  EXPECT_EQ(ChildText(*entries[0], "content"), "<p>Hello</p>");
  EXPECT_EQ(Children(*entries[0], "content").front()->getAttribute("type"), "html");
}

// A text of the written document: a child of the feed or of its first entry.
struct TextField {
  bool in_entry;
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

TEST(AtomWriterTest, WritesIdsDatesAndAttributes) {
  const std::vector<TextCase> cases = {
      {"the feed id falls back to the self URL",
       [](Feed& feed) { feed.id.clear(); },
       {"<id>https://example.org/feed.atom</id>"},
       {}},
      {"then to the home page",
       [](Feed& feed) {
         feed.id.clear();
         feed.feed_url.clear();
       },
       {"<id>https://example.org/</id>"},
       {}},
      {"then to a hash",
       [](Feed& feed) {
         feed.id.clear();
         feed.feed_url.clear();
         feed.home_page_url.clear();
       },
       {"<id>urn:sha1:"},
       {}},
      {"a feed without any date is dated at the epoch",
       [](Feed& feed) {
         feed.updated = {};
         feed.entries[0].published = {};
       },
       {},
       {{false, "updated", "1970-01-01T00:00:00Z"}, {true, "updated", "1970-01-01T00:00:00Z"}}},
      // The feed's updated is the newest date anywhere: the feed's own is older.
      {"dates are RFC 3339 in UTC",
       [](Feed& feed) {
         feed.entries[0].published.utc = At(1999y / 12 / 31, 23h + 59min + 58s);
         feed.entries[0].updated.utc = At(2000y / 1 / 1, 1s);
       },
       {},
       {{true, "published", "1999-12-31T23:59:58Z"},
        {true, "updated", "2000-01-01T00:00:01Z"},
        {false, "updated", "2026-11-01T00:00:00Z"}}},
      {"language and base",
       [](Feed& feed) {
         feed.language = "en";
         feed.entries[0].language = "fr";
         feed.entries[0].contents[0].base = "https://example.org/posts/";
       },
       {"<feed xml:lang=\"en\"", "<entry xml:lang=\"fr\">",
        "xml:base=\"https://example.org/posts/\""},
       {}},
  };
  for (const TextCase& c : cases) {
    SCOPED_TRACE(c.name);
    Feed feed = MinimalFeed();
    c.change(feed);
    const std::string xml = WriteAtom(feed);
    ASSERT_TRUE(IsWellFormedXml(xml));
    for (const std::string& fragment : c.fragments) {
      EXPECT_NE(xml.find(fragment), std::string::npos) << fragment << "\n" << xml;
    }
    auto doc = ParseXml(xml);
    const Poco::XML::Element& root = *doc->documentElement();
    for (const TextField& f : c.fields) {
      EXPECT_EQ(ChildText(f.in_entry ? *Children(root, "entry")[0] : root, f.name), f.text)
          << f.name;
    }
  }
}

TEST(AtomWriterTest, EntryIdFallsBackToUrlThenToContentHash) {
  Feed feed = MinimalFeed();
  feed.entries[0].id.clear();
  auto doc = ParseXml(WriteAtom(feed));
  EXPECT_EQ(ChildText(*Children(*doc->documentElement(), "entry")[0], "id"),
            "https://example.org/1");

  feed.entries[0].links.clear();
  const std::string first = WriteAtom(feed);
  doc = ParseXml(first);
  // The same identity the poller gives the entry (feeds/identity.h): a content hash.
  EXPECT_EQ(ChildText(*Children(*doc->documentElement(), "entry")[0], "id"),
            EntryIdentity(feed.entries[0]));
  EXPECT_EQ(WriteAtom(feed), first);  // Stable.
}

TEST(AtomWriterTest, PermalinkGuidBecomesAlternateLink) {
  Feed feed = MinimalFeed();
  feed.entries[0].links.clear();
  feed.entries[0].id = "https://example.org/permalink";
  feed.entries[0].id_is_permalink = true;
  auto doc = ParseXml(WriteAtom(feed));
  const auto* alternate = LinkWithRel(*Children(*doc->documentElement(), "entry")[0], "alternate");
  ASSERT_NE(alternate, nullptr);
  EXPECT_EQ(alternate->getAttribute("href"), "https://example.org/permalink");
}

TEST(AtomWriterTest, EscapesMarkupInTitlesContentAndAttributes) {
  Feed feed = MinimalFeed();
  feed.title.value = "Tom & Jerry <live> \"quoted\" 'single'";
  feed.entries[0].title.value = "a < b && c > d";
  feed.entries[0].contents[0].value = "<p title=\"x\">Fish &amp; Chips</p>";
  feed.entries[0].links[0].href = "https://example.org/?a=1&b=\"2\"<";
  feed.entries[0].categories.push_back({.term = "C&C", .label = "\"Cats\" <&> Cows"});
  const std::string xml = WriteAtom(feed);
  ASSERT_TRUE(IsWellFormedXml(xml));
  EXPECT_NE(xml.find("Tom &amp; Jerry &lt;live&gt; &quot;quoted&quot;"), std::string::npos);
  EXPECT_NE(xml.find("&lt;p title=&quot;x&quot;&gt;Fish &amp;amp; Chips&lt;/p&gt;"),
            std::string::npos);
  EXPECT_NE(xml.find("href=\"https://example.org/?a=1&amp;b=&quot;2&quot;&lt;\""),
            std::string::npos);
  auto doc = ParseXml(xml);
  const Poco::XML::Element& root = *doc->documentElement();
  EXPECT_EQ(ChildText(root, "title"), "Tom & Jerry <live> \"quoted\" 'single'");
  const Poco::XML::Element& entry = *Children(root, "entry")[0];
  EXPECT_EQ(ChildText(entry, "title"), "a < b && c > d");
  EXPECT_EQ(ChildText(entry, "content"), "<p title=\"x\">Fish &amp; Chips</p>");
  EXPECT_EQ(LinkWithRel(entry, "alternate")->getAttribute("href"),
            "https://example.org/?a=1&b=\"2\"<");
  EXPECT_EQ(Children(entry, "category")[0]->getAttribute("label"), "\"Cats\" <&> Cows");
}

TEST(AtomWriterTest, WritesHtmlAndXhtmlAsEscapedHtmlAndPlainAsText) {
  Feed feed = MinimalFeed();
  feed.entries[0].title = {.value = "<b>Bold</b>", .type = std::string(kTextHtml)};
  feed.entries[0].summary = {.value = "1 < 2", .type = std::string(kTextPlain)};
  // Not well-formed XHTML: inline type="xhtml" would break the document.
  feed.entries[0].contents[0] = {.value = "<div><p>open", .type = std::string(kXhtml)};
  const std::string xml = WriteAtom(feed);
  ASSERT_TRUE(IsWellFormedXml(xml));
  auto doc = ParseXml(xml);
  const Poco::XML::Element& entry = *Children(*doc->documentElement(), "entry")[0];
  EXPECT_EQ(Children(entry, "title")[0]->getAttribute("type"), "html");
  EXPECT_EQ(Children(entry, "summary")[0]->getAttribute("type"), "text");
  EXPECT_EQ(ChildText(entry, "summary"), "1 < 2");
  EXPECT_EQ(Children(entry, "content")[0]->getAttribute("type"), "html");
  EXPECT_EQ(ChildText(entry, "content"), "<div><p>open");
}

TEST(AtomWriterTest, PrefersHtmlContentAndWritesOnlyOne) {
  Feed feed = MinimalFeed();
  feed.entries[0].contents = {{.value = "plain version"},
                              {.value = "<p>html version</p>", .type = std::string(kTextHtml)}};
  auto doc = ParseXml(WriteAtom(feed));
  const Poco::XML::Element& entry = *Children(*doc->documentElement(), "entry")[0];
  ASSERT_EQ(Children(entry, "content").size(), 1u);
  EXPECT_EQ(ChildText(entry, "content"), "<p>html version</p>");
}

TEST(AtomWriterTest, WritesOutOfLineAndBase64Content) {
  Feed feed = MinimalFeed();
  feed.entries[0].contents = {{.type = "video/mp4", .src = "https://example.org/v.mp4"}};
  auto doc = ParseXml(WriteAtom(feed));
  const Poco::XML::Element* content =
      Children(*Children(*doc->documentElement(), "entry")[0], "content")[0];
  EXPECT_EQ(content->getAttribute("src"), "https://example.org/v.mp4");
  EXPECT_EQ(content->getAttribute("type"), "video/mp4");

  feed.entries[0].contents = {{.value = std::string("\x01\x02\xff", 3), .type = "image/png"}};
  doc = ParseXml(WriteAtom(feed));
  EXPECT_EQ(ChildText(*Children(*doc->documentElement(), "entry")[0], "content"), "AQL/");
}

TEST(AtomWriterTest, StripsCharactersXmlCannotCarry) {
  Feed feed = MinimalFeed();
  feed.title.value = "a\000b\001\010\013\014\016\037c\tq\nr"s + "\xEF\xBF\xBE\xEF\xBF\xBF" +
                     "d";  // U+FFFE, U+FFFF.
  feed.entries[0].contents[0].value = "<p>\007bell</p>";
  feed.entries[0].links[0].href = "https://example.org/\0331";
  const std::string xml = WriteAtom(feed);
  ASSERT_TRUE(IsWellFormedXml(xml));
  auto doc = ParseXml(xml);
  const Poco::XML::Element& root = *doc->documentElement();
  EXPECT_EQ(ChildText(root, "title"), "abc\tq\nrd");
  const Poco::XML::Element& entry = *Children(root, "entry")[0];
  EXPECT_EQ(ChildText(entry, "content"), "<p>bell</p>");
  EXPECT_EQ(LinkWithRel(entry, "alternate")->getAttribute("href"), "https://example.org/1");
}

TEST(AtomWriterTest, ReplacesInvalidUtf8WithReplacementCharacter) {
  Feed feed = MinimalFeed();
  // A stray continuation byte, a truncated sequence, an overlong "/", an encoded surrogate and
  // a value above U+10FFFF, between valid non-ASCII text.
  feed.title.value =
      "caf\xC3\xA9 \x80 \xE2\x82 \xC0\xAF \xED\xA0\x80 \xF4\x90\x80\x80 \xF0\x9F\x98\x80";
  feed.entries[0].title.value = "\xFF\xFEtitle";
  const std::string xml = WriteAtom(feed);
  ASSERT_TRUE(IsWellFormedXml(xml));
  auto doc = ParseXml(xml);
  const std::string replacement = "\xEF\xBF\xBD";
  EXPECT_EQ(ChildText(*doc->documentElement(), "title"),
            "caf\xC3\xA9 " + replacement + " " + replacement + " " + replacement + replacement +
                " " + replacement + replacement + replacement + " " + replacement + replacement +
                replacement + replacement + " \xF0\x9F\x98\x80");
  EXPECT_EQ(ChildText(*Children(*doc->documentElement(), "entry")[0], "title"),
            replacement + replacement + "title");
}

TEST(AtomWriterTest, WritesSelfNextAndHubLinks) {
  Feed feed = MinimalFeed();
  feed.hubs = {"https://hub.example.org/"};
  // The source's own paging links describe another document: replaced, not copied.
  feed.links.push_back({.href = "https://source.example/feed?page=2", .rel = "next"});
  feed.links.push_back({.href = "https://source.example/feed", .rel = "self"});
  feed.links.push_back({.href = "https://example.org/about", .rel = "related"});
  WriteOptions options;
  options.self_url = "https://bridge.example/alice/feed.atom?page=1";
  options.next_url = "https://bridge.example/alice/feed.atom?page=2";
  const std::string xml = WriteAtom(feed, options);
  ASSERT_TRUE(IsWellFormedXml(xml));
  auto doc = ParseXml(xml);
  const Poco::XML::Element& root = *doc->documentElement();
  ASSERT_NE(LinkWithRel(root, "self"), nullptr);
  EXPECT_EQ(LinkWithRel(root, "self")->getAttribute("href"), options.self_url);
  EXPECT_EQ(LinkWithRel(root, "self")->getAttribute("type"), "application/atom+xml");
  ASSERT_NE(LinkWithRel(root, "next"), nullptr);
  EXPECT_EQ(LinkWithRel(root, "next")->getAttribute("href"), options.next_url);
  ASSERT_NE(LinkWithRel(root, "hub"), nullptr);
  EXPECT_EQ(LinkWithRel(root, "hub")->getAttribute("href"), "https://hub.example.org/");
  ASSERT_NE(LinkWithRel(root, "alternate"), nullptr);
  EXPECT_EQ(LinkWithRel(root, "alternate")->getAttribute("href"), "https://example.org/");
  ASSERT_NE(LinkWithRel(root, "related"), nullptr);
  EXPECT_EQ(xml.find("source.example"), std::string::npos);
}

TEST(AtomWriterTest, LastPageHasNoNextLinkAndSelfDefaultsToFeedUrl) {
  auto doc = ParseXml(WriteAtom(MinimalFeed()));
  const Poco::XML::Element& root = *doc->documentElement();
  EXPECT_EQ(LinkWithRel(root, "next"), nullptr);
  ASSERT_NE(LinkWithRel(root, "self"), nullptr);
  EXPECT_EQ(LinkWithRel(root, "self")->getAttribute("href"), "https://example.org/feed.atom");
}

TEST(AtomWriterTest, WritesEnclosuresAsLinksOnce) {
  Feed feed = MinimalFeed();
  Entry& entry = feed.entries[0];
  entry.enclosures.push_back({.url = "https://example.org/a.mp3",
                              .type = "audio/mpeg",
                              .length = 12345,
                              .title = "Episode"});
  entry.enclosures.push_back({.url = "https://example.org/b.bin"});
  // The parser may also have kept the enclosure as a link.
  entry.links.push_back({.href = "https://example.org/a.mp3", .rel = "enclosure"});
  const std::string xml = WriteAtom(feed);
  ASSERT_TRUE(IsWellFormedXml(xml));
  auto doc = ParseXml(xml);
  std::vector<Poco::XML::Element*> enclosures;
  for (auto* link : Children(*Children(*doc->documentElement(), "entry")[0], "link")) {
    if (link->getAttribute("rel") == "enclosure") enclosures.push_back(link);
  }
  ASSERT_EQ(enclosures.size(), 2u);
  EXPECT_EQ(enclosures[0]->getAttribute("href"), "https://example.org/a.mp3");
  EXPECT_EQ(enclosures[0]->getAttribute("type"), "audio/mpeg");
  EXPECT_EQ(enclosures[0]->getAttribute("length"), "12345");
  EXPECT_EQ(enclosures[0]->getAttribute("title"), "Episode");
  EXPECT_EQ(enclosures[1]->getAttribute("href"), "https://example.org/b.bin");
  EXPECT_FALSE(enclosures[1]->hasAttribute("length"));
}

TEST(AtomWriterTest, WritesCategoriesWithSchemeAndLabel) {
  Feed feed = MinimalFeed();
  feed.categories.push_back({.term = "news"});
  feed.entries[0].categories.push_back(
      {.term = "cpp", .scheme = "https://example.org/tags/", .label = "C++"});
  feed.entries[0].categories.push_back({.label = "no term"});  // §4.2.2: term is required.
  auto doc = ParseXml(WriteAtom(feed));
  const Poco::XML::Element& root = *doc->documentElement();
  ASSERT_EQ(Children(root, "category").size(), 1u);
  EXPECT_EQ(Children(root, "category")[0]->getAttribute("term"), "news");
  const auto categories = Children(*Children(root, "entry")[0], "category");
  ASSERT_EQ(categories.size(), 1u);
  EXPECT_EQ(categories[0]->getAttribute("term"), "cpp");
  EXPECT_EQ(categories[0]->getAttribute("scheme"), "https://example.org/tags/");
  EXPECT_EQ(categories[0]->getAttribute("label"), "C++");
}

TEST(AtomWriterTest, AuthorsAlwaysHaveAName) {
  Feed feed = MinimalFeed();
  feed.authors.push_back(
      {.name = "Alice", .email = "alice@example.org", .uri = "https://example.org/alice"});
  feed.entries[0].authors.push_back({.email = "bob@example.org"});
  feed.entries[0].authors.push_back({.uri = "https://example.org/carol"});
  feed.entries[0].contributors.push_back({.name = "Dave"});
  const std::string xml = WriteAtom(feed);
  ASSERT_TRUE(IsWellFormedXml(xml));
  auto doc = ParseXml(xml);
  const Poco::XML::Element& root = *doc->documentElement();
  const auto feed_authors = Children(root, "author");
  ASSERT_EQ(feed_authors.size(), 1u);
  EXPECT_EQ(ChildText(*feed_authors[0], "name"), "Alice");
  EXPECT_EQ(ChildText(*feed_authors[0], "email"), "alice@example.org");
  EXPECT_EQ(ChildText(*feed_authors[0], "uri"), "https://example.org/alice");
  const Poco::XML::Element& entry = *Children(root, "entry")[0];
  const auto authors = Children(entry, "author");
  ASSERT_EQ(authors.size(), 2u);
  EXPECT_EQ(ChildText(*authors[0], "name"), "bob@example.org");
  EXPECT_EQ(ChildText(*authors[1], "name"), "unknown");
  EXPECT_EQ(ChildText(*authors[1], "uri"), "https://example.org/carol");
  EXPECT_EQ(ChildText(*Children(entry, "contributor")[0], "name"), "Dave");
}

TEST(AtomWriterTest, NoFeedAuthorNeededWhenEveryEntryHasOne) {
  Feed feed = MinimalFeed();
  feed.entries[0].authors.push_back({.name = "Alice"});
  auto doc = ParseXml(WriteAtom(feed));
  EXPECT_TRUE(Children(*doc->documentElement(), "author").empty());
}

TEST(AtomWriterTest, CompactOutputHasNoIndentation) {
  WriteOptions options;
  options.pretty = false;
  const std::string compact = WriteAtom(MinimalFeed(), options);
  ASSERT_TRUE(IsWellFormedXml(compact));
  EXPECT_EQ(compact.find("\n  <"), std::string::npos);
  const std::string pretty = WriteAtom(MinimalFeed());
  EXPECT_NE(pretty.find("\n  <id>"), std::string::npos);
  EXPECT_LT(compact.size(), pretty.size());
}

TEST(AtomWriterTest, EmptyFeedIsValid) {
  const std::string xml = WriteAtom(Feed{});
  ASSERT_TRUE(IsWellFormedXml(xml));
  auto doc = ParseXml(xml);
  const Poco::XML::Element& root = *doc->documentElement();
  EXPECT_EQ(Children(root, "id").size(), 1u);
  EXPECT_EQ(Children(root, "title").size(), 1u);
  EXPECT_EQ(Children(root, "updated").size(), 1u);
  EXPECT_TRUE(Children(root, "author").empty());  // No entries, so none lacks an author.
}

}  // namespace
}  // namespace feedbridge::feeds
