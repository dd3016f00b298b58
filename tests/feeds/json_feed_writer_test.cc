#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "feeds/identity.h"
#include "feeds/model.h"
#include "feeds/writers.h"

namespace feedbridge::feeds {
namespace {

using std::chrono::sys_days;
using namespace std::chrono_literals;
using namespace std::string_literals;

// Parses the output with POCO's strict JSON parser; fails the test on invalid JSON.
Poco::JSON::Object::Ptr ParseJson(const std::string& json) {
  try {
    Poco::JSON::Parser parser;
    return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    ADD_FAILURE() << "invalid JSON: " << e.displayText() << "\n" << json;
    return new Poco::JSON::Object;
  }
}

Poco::JSON::Object::Ptr Item(const Poco::JSON::Object::Ptr& feed, unsigned index = 0) {
  return feed->getArray("items")->getObject(index);
}

Feed MinimalFeed() {
  Feed feed;
  feed.title.value = "Example";
  feed.home_page_url = "https://example.org/";
  feed.feed_url = "https://example.org/feed.json";
  Entry entry;
  entry.id = "tag:example.org,2026:1";
  entry.title.value = "First";
  entry.links.push_back({.href = "https://example.org/1", .rel = "alternate"});
  entry.published.utc = sys_days{2026y / 11 / 2} + 10h;
  entry.contents.push_back({.value = "<p>Hello</p>", .type = std::string(kTextHtml)});
  feed.entries.push_back(entry);
  return feed;
}

TEST(JsonFeedWriterTest, WritesVersionTitleAndItems) {
  const auto feed = ParseJson(WriteJsonFeed(MinimalFeed()));
  EXPECT_EQ(feed->getValue<std::string>("version"), "https://jsonfeed.org/version/1.1");
  EXPECT_EQ(feed->getValue<std::string>("title"), "Example");
  EXPECT_EQ(feed->getValue<std::string>("home_page_url"), "https://example.org/");
  EXPECT_EQ(feed->getValue<std::string>("feed_url"), "https://example.org/feed.json");
  ASSERT_EQ(feed->getArray("items")->size(), 1u);
  const auto item = Item(feed);
  EXPECT_EQ(item->getValue<std::string>("id"), "tag:example.org,2026:1");
  EXPECT_EQ(item->getValue<std::string>("url"), "https://example.org/1");
  EXPECT_EQ(item->getValue<std::string>("title"), "First");
  EXPECT_EQ(item->getValue<std::string>("content_html"), "<p>Hello</p>");
  EXPECT_EQ(item->getValue<std::string>("date_published"), "2026-11-02T10:00:00Z");
}

TEST(JsonFeedWriterTest, EmptyFeedHasRequiredFieldsOnly) {
  const std::string json = WriteJsonFeed(Feed{});
  const auto feed = ParseJson(json);
  EXPECT_EQ(feed->size(), 3u) << json;  // version, title, items.
  EXPECT_TRUE(feed->has("title"));
  EXPECT_EQ(feed->getArray("items")->size(), 0u);
}

TEST(JsonFeedWriterTest, OmitsEmptyOptionalFields) {
  Feed feed;
  feed.title.value = "T";
  feed.entries.emplace_back();
  feed.entries[0].id = "1";
  feed.entries[0].contents.push_back({.value = "text"});
  const std::string json = WriteJsonFeed(feed);
  for (const char* field : {"home_page_url", "feed_url", "next_url", "description", "icon",
                            "favicon", "authors", "language", "hubs", "url", "summary", "image",
                            "date_published", "date_modified", "tags", "attachments"}) {
    EXPECT_EQ(json.find(std::string("\"") + field + "\""), std::string::npos) << field;
  }
  EXPECT_EQ(Item(ParseJson(json))->getValue<std::string>("content_text"), "text");
}

TEST(JsonFeedWriterTest, ChoosesContentHtmlOrContentTextByType) {
  Feed feed = MinimalFeed();
  feed.entries[0].contents = {{.value = "plain"},
                              {.value = "<div>x</div>", .type = std::string(kXhtml)}};
  feed.entries[0].summary.value = "sum";
  auto item = Item(ParseJson(WriteJsonFeed(feed)));
  EXPECT_EQ(item->getValue<std::string>("content_html"), "<div>x</div>");
  EXPECT_EQ(item->getValue<std::string>("content_text"), "plain");
  EXPECT_EQ(item->getValue<std::string>("summary"), "sum");

  // One of content_html/content_text is required: the summary stands in.
  feed.entries[0].contents.clear();
  feed.entries[0].summary = {.value = "<b>s</b>", .type = std::string(kTextHtml)};
  item = Item(ParseJson(WriteJsonFeed(feed)));
  EXPECT_EQ(item->getValue<std::string>("content_html"), "<b>s</b>");
  EXPECT_FALSE(item->has("summary"));

  feed.entries[0].summary = {};
  item = Item(ParseJson(WriteJsonFeed(feed)));
  EXPECT_EQ(item->getValue<std::string>("content_text"), "");
}

TEST(JsonFeedWriterTest, EscapesQuotesBackslashesAndControlCharacters) {
  Feed feed = MinimalFeed();
  feed.title.value = "\"q\" \\ </script> \000\001\037\177\b\f\n\r\t"s;
  feed.entries[0].contents[0].value = "<a href=\"x\">\xE2\x80\xA8</a>";  // U+2028.
  const std::string json = WriteJsonFeed(feed);
  EXPECT_NE(json.find(R"("\"q\" \\ </script> \u0000\u0001\u001f)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"(\b\f\n\r\t")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"(\u2028)"), std::string::npos) << json;
  const auto parsed = ParseJson(json);
  EXPECT_EQ(parsed->getValue<std::string>("title"),
            "\"q\" \\ </script> \000\001\037\177\b\f\n\r\t"s);
  EXPECT_EQ(Item(parsed)->getValue<std::string>("content_html"), "<a href=\"x\">\xE2\x80\xA8</a>");
}

TEST(JsonFeedWriterTest, ReplacesInvalidUtf8WithReplacementCharacter) {
  Feed feed = MinimalFeed();
  feed.entries[0].title.value = "caf\xE9 \xF0\x9F\x98\x80 \xED\xBF\xBF";
  const std::string json = WriteJsonFeed(feed);
  const auto item = Item(ParseJson(json));
  EXPECT_EQ(item->getValue<std::string>("title"),
            "caf\xEF\xBF\xBD \xF0\x9F\x98\x80 \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(JsonFeedWriterTest, WritesPagingLinksAndHubs) {
  Feed feed = MinimalFeed();
  feed.hubs = {"https://hub.example.org/"};
  WriteOptions options;
  options.self_url = "https://bridge.example/alice/feed.json?page=1";
  options.next_url = "https://bridge.example/alice/feed.json?page=2";
  const auto parsed = ParseJson(WriteJsonFeed(feed, options));
  EXPECT_EQ(parsed->getValue<std::string>("feed_url"), options.self_url);
  EXPECT_EQ(parsed->getValue<std::string>("next_url"), options.next_url);
  const auto hub = parsed->getArray("hubs")->getObject(0);
  EXPECT_EQ(hub->getValue<std::string>("type"), "WebSub");
  EXPECT_EQ(hub->getValue<std::string>("url"), "https://hub.example.org/");
  EXPECT_FALSE(ParseJson(WriteJsonFeed(feed))->has("next_url"));  // Last page.
}

TEST(JsonFeedWriterTest, WritesAttachments) {
  Feed feed = MinimalFeed();
  feed.entries[0].enclosures = {{.url = "https://example.org/a.mp3",
                                 .type = "audio/mpeg",
                                 .length = 12345,
                                 .duration_seconds = 3723,
                                 .title = "Episode 1"},
                                {.url = "https://example.org/b"},
                                {.type = "audio/mpeg"}};  // No URL: not an attachment.
  const auto attachments = Item(ParseJson(WriteJsonFeed(feed)))->getArray("attachments");
  ASSERT_EQ(attachments->size(), 2u);
  const auto first = attachments->getObject(0);
  EXPECT_EQ(first->getValue<std::string>("url"), "https://example.org/a.mp3");
  EXPECT_EQ(first->getValue<std::string>("mime_type"), "audio/mpeg");
  EXPECT_EQ(first->getValue<int64_t>("size_in_bytes"), 12345);
  EXPECT_EQ(first->getValue<int64_t>("duration_in_seconds"), 3723);
  EXPECT_EQ(first->getValue<std::string>("title"), "Episode 1");
  const auto second = attachments->getObject(1);
  EXPECT_EQ(second->getValue<std::string>("mime_type"), "application/octet-stream");
  EXPECT_FALSE(second->has("size_in_bytes"));
}

TEST(JsonFeedWriterTest, WritesAuthorsTagsAndLanguage) {
  Feed feed = MinimalFeed();
  feed.authors = {{.name = "Alice", .uri = "https://example.org/alice"}};
  feed.language = "en";
  feed.entries[0].authors = {{.email = "bob@example.org"}, {}};
  feed.entries[0].categories = {{.term = "cpp"}, {.label = "Label only"}, {}};
  feed.entries[0].language = "fr";
  const auto parsed = ParseJson(WriteJsonFeed(feed));
  const auto author = parsed->getArray("authors")->getObject(0);
  EXPECT_EQ(author->getValue<std::string>("name"), "Alice");
  EXPECT_EQ(author->getValue<std::string>("url"), "https://example.org/alice");
  EXPECT_EQ(parsed->getValue<std::string>("language"), "en");
  const auto item = Item(parsed);
  const auto authors = item->getArray("authors");
  ASSERT_EQ(authors->size(), 1u);
  EXPECT_EQ(authors->getObject(0)->getValue<std::string>("name"), "bob@example.org");
  EXPECT_EQ(authors->getObject(0)->getValue<std::string>("url"), "mailto:bob@example.org");
  const auto tags = item->getArray("tags");
  ASSERT_EQ(tags->size(), 2u);
  EXPECT_EQ(tags->getElement<std::string>(0), "cpp");
  EXPECT_EQ(tags->getElement<std::string>(1), "Label only");
  EXPECT_EQ(item->getValue<std::string>("language"), "fr");
}

TEST(JsonFeedWriterTest, DatesAreRfc3339) {
  Feed feed = MinimalFeed();
  feed.entries[0].published.utc = sys_days{1999y / 12 / 31} + 23h + 59min + 59s;
  feed.entries[0].updated.utc = sys_days{2000y / 2 / 29} + 1s;
  const auto item = Item(ParseJson(WriteJsonFeed(feed)));
  EXPECT_EQ(item->getValue<std::string>("date_published"), "1999-12-31T23:59:59Z");
  EXPECT_EQ(item->getValue<std::string>("date_modified"), "2000-02-29T00:00:01Z");
}

TEST(JsonFeedWriterTest, ItemIdFallsBackToUrlThenHash) {
  Feed feed = MinimalFeed();
  feed.entries[0].id.clear();
  EXPECT_EQ(Item(ParseJson(WriteJsonFeed(feed)))->getValue<std::string>("id"),
            "https://example.org/1");
  feed.entries[0].links.clear();
  EXPECT_EQ(Item(ParseJson(WriteJsonFeed(feed)))->getValue<std::string>("id"),
            EntryIdentity(feed.entries[0]));
}

TEST(JsonFeedWriterTest, WritesImagesAndExternalUrl) {
  Feed feed = MinimalFeed();
  feed.icon = "https://example.org/favicon.ico";
  feed.logo = "https://example.org/logo.png";
  feed.entries[0].thumbnails.push_back({.url = "https://example.org/t.jpg"});
  feed.entries[0].links.push_back({.href = "https://elsewhere.example/", .rel = "related"});
  const auto parsed = ParseJson(WriteJsonFeed(feed));
  EXPECT_EQ(parsed->getValue<std::string>("icon"), "https://example.org/logo.png");
  EXPECT_EQ(parsed->getValue<std::string>("favicon"), "https://example.org/favicon.ico");
  EXPECT_EQ(Item(parsed)->getValue<std::string>("image"), "https://example.org/t.jpg");
  EXPECT_EQ(Item(parsed)->getValue<std::string>("external_url"), "https://elsewhere.example/");
}

TEST(JsonFeedWriterTest, CompactOutputIsOneLine) {
  WriteOptions options;
  options.pretty = false;
  const std::string compact = WriteJsonFeed(MinimalFeed(), options);
  EXPECT_EQ(compact.find('\n'), std::string::npos);
  EXPECT_EQ(compact.rfind("{\"version\":\"https://jsonfeed.org/version/1.1\",", 0), 0u);
  ParseJson(compact);
  const std::string pretty = WriteJsonFeed(MinimalFeed());
  EXPECT_NE(pretty.find("\n  \"title\": \"Example\""), std::string::npos);
}

}  // namespace
}  // namespace feedbridge::feeds
