#include "feeds/entry_document.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "feeds/parser.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::feeds {
namespace {

using ::feedbridge::testing::StatusIs;
using std::chrono::seconds;
using std::chrono::sys_seconds;

Text FullText(std::string value, std::string type) {
  return {.value = std::move(value),
          .type = std::move(type),
          .language = "en",
          .base = "https://blog.test/",
          .src = ""};
}

FeedHead FullHead() {
  FeedHead h;
  h.id = "tag:blog.test,2026:source";
  h.title = FullText("Source", std::string(kTextPlain));
  h.subtitle = FullText("<b>Sub</b>", std::string(kTextHtml));
  h.rights = FullText("CC", std::string(kTextPlain));
  h.links = {{.href = "https://src.test/", .rel = "alternate", .type = "text/html"}};
  h.authors = {{.name = "Ann", .email = "ann@src.test", .uri = "https://src.test/ann"}};
  h.contributors = {{.name = "Bob"}};
  h.categories = {{.term = "t", .scheme = "s", .label = "l"}};
  h.updated = {.raw = "2026-01-02T03:04:05Z", .utc = sys_seconds(seconds(1767323045))};
  h.published = {.raw = "yesterday"};
  h.generator = {.name = "gen", .uri = "https://gen.test/", .version = "1.0"};
  h.icon = "https://src.test/icon.png";
  h.logo = "https://src.test/logo.png";
  h.language = "fr";
  return h;
}

Entry FullEntry() {
  Entry e;
  e.id = "tag:blog.test,2026:1";
  e.id_is_permalink = true;
  e.title = FullText("Fish & chips", std::string(kTextPlain));
  e.summary = FullText("A <i>summary</i>", std::string(kTextHtml));
  e.contents = {FullText("<p>Body é</p>", std::string(kXhtml)), FullText("Body", "text/plain")};
  e.contents.back().src = "https://blog.test/out-of-line";
  e.links = {{.href = "https://blog.test/1",
              .rel = "alternate",
              .type = "text/html",
              .title = "Post",
              .hreflang = "en",
              .length = 12},
             {.href = "https://blog.test/1/replies", .rel = "replies"}};
  e.published = {.raw = "Mon, 05 Jan 2026 10:00:00 GMT", .utc = sys_seconds(seconds(1767607200))};
  e.updated = {.raw = "2026-01-06", .utc = sys_seconds(seconds(1767657600))};
  e.created = {.raw = "2026-01-04"};
  e.expired = {.utc = sys_seconds(seconds(1800000000))};
  e.authors = {{.name = "Zoe", .email = "zoe@blog.test", .uri = "https://blog.test/zoe"},
               {.email = "anon@blog.test"}};
  e.contributors = {{.name = "Yan", .uri = "https://blog.test/yan"}};
  e.publisher = {.name = "Press", .email = "press@blog.test"};
  e.categories = {{.term = "go", .scheme = "https://games.test/", .label = "Go (game)"},
                  {.term = "go", .scheme = "https://langs.test/", .label = "Go (language)"},
                  {.label = "Label only"}};
  e.enclosures = {{.url = "https://blog.test/a.mp3",
                   .type = "audio/mpeg",
                   .length = 1234,
                   .duration_seconds = 61,
                   .title = "Episode",
                   .medium = "audio"}};
  e.thumbnails = {{.url = "https://blog.test/t.png",
                   .title = "Thumb",
                   .link = "https://blog.test/1",
                   .description = "A thumbnail",
                   .width = 64,
                   .height = 48},
                  {.url = "https://blog.test/t2.png"}};
  e.rights = FullText("All rights", std::string(kTextPlain));
  e.comments = "https://blog.test/1#comments";
  e.license = "https://creativecommons.org/licenses/by/4.0/";
  e.language = "en-GB";
  e.itunes = {.author = "Zoe",
              .subtitle = "Sub",
              .summary = "Sum",
              .image = "https://blog.test/i.png",
              .explicit_ = "no",
              .keywords = "a,b",
              .duration = "1:01",
              .block = true,
              .categories = {"Arts", "Food"}};
  e.source = FullHead();
  e.extensions = {{.ns = "http://wellformedweb.org/CommentAPI/",
                   .name = "commentRss",
                   .value = "https://blog.test/1/feed",
                   .prefix = "wfw"}};
  return e;
}

Feed Head() {
  Feed f;
  f.format = FeedFormat::kAtom10;
  f.title.value = "Zoe's blog";
  f.home_page_url = "https://blog.test/";
  f.feed_url = "https://blog.test/feed.atom";
  f.authors = {{.name = "Zoe"}};
  f.language = "en";
  f.icon = "https://blog.test/favicon.ico";
  return f;
}

void ExpectSameText(const Text& a, const Text& b) {
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.language, b.language);
  EXPECT_EQ(a.base, b.base);
  EXPECT_EQ(a.src, b.src);
}

void ExpectSamePeople(const std::vector<Person>& a, const std::vector<Person>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].name, b[i].name);
    EXPECT_EQ(a[i].email, b[i].email);
    EXPECT_EQ(a[i].uri, b[i].uri);
  }
}

void ExpectSameCategories(const std::vector<Category>& a, const std::vector<Category>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].term, b[i].term);
    EXPECT_EQ(a[i].scheme, b[i].scheme);
    EXPECT_EQ(a[i].label, b[i].label);
  }
}

void ExpectSameHead(const FeedHead& a, const FeedHead& b) {
  EXPECT_EQ(a.id, b.id);
  ExpectSameText(a.title, b.title);
  ExpectSameText(a.subtitle, b.subtitle);
  ExpectSameText(a.rights, b.rights);
  ASSERT_EQ(a.links.size(), b.links.size());
  EXPECT_EQ(a.links[0].href, b.links[0].href);
  ExpectSamePeople(a.authors, b.authors);
  ExpectSamePeople(a.contributors, b.contributors);
  ExpectSameCategories(a.categories, b.categories);
  EXPECT_EQ(a.updated.raw, b.updated.raw);
  EXPECT_EQ(a.updated.utc, b.updated.utc);
  EXPECT_EQ(a.published.raw, b.published.raw);
  EXPECT_EQ(a.generator.name, b.generator.name);
  EXPECT_EQ(a.generator.uri, b.generator.uri);
  EXPECT_EQ(a.generator.version, b.generator.version);
  EXPECT_EQ(a.icon, b.icon);
  EXPECT_EQ(a.logo, b.logo);
  EXPECT_EQ(a.language, b.language);
}

TEST(EntryDocumentTest, FullyPopulatedEntryRoundTrips) {
  const Entry in = FullEntry();
  Result<EntryDocument> out =
      DecodeEntryDocument(EncodeEntryDocument(Head(), in), "https://blog.test/1");
  ASSERT_OK(out);
  const Entry& e = out->entry;
  EXPECT_EQ(e.id, in.id);
  EXPECT_EQ(e.id_is_permalink, in.id_is_permalink);
  ExpectSameText(e.title, in.title);
  ExpectSameText(e.summary, in.summary);
  ASSERT_EQ(e.contents.size(), in.contents.size());
  for (size_t i = 0; i < e.contents.size(); ++i) ExpectSameText(e.contents[i], in.contents[i]);
  ASSERT_EQ(e.links.size(), in.links.size());
  for (size_t i = 0; i < e.links.size(); ++i) {
    EXPECT_EQ(e.links[i].href, in.links[i].href);
    EXPECT_EQ(e.links[i].rel, in.links[i].rel);
    EXPECT_EQ(e.links[i].type, in.links[i].type);
    EXPECT_EQ(e.links[i].title, in.links[i].title);
    EXPECT_EQ(e.links[i].hreflang, in.links[i].hreflang);
    EXPECT_EQ(e.links[i].length, in.links[i].length);
  }
  for (const auto& [got, want] : {std::pair{&e.published, &in.published},
                                  {&e.updated, &in.updated},
                                  {&e.created, &in.created},
                                  {&e.expired, &in.expired}}) {
    EXPECT_EQ(got->raw, want->raw);
    EXPECT_EQ(got->utc, want->utc);
  }
  ExpectSamePeople(e.authors, in.authors);
  ExpectSamePeople(e.contributors, in.contributors);
  ExpectSamePeople({e.publisher}, {in.publisher});
  ExpectSameCategories(e.categories, in.categories);
  ASSERT_EQ(e.enclosures.size(), 1u);
  EXPECT_EQ(e.enclosures[0].url, in.enclosures[0].url);
  EXPECT_EQ(e.enclosures[0].type, in.enclosures[0].type);
  EXPECT_EQ(e.enclosures[0].length, in.enclosures[0].length);
  EXPECT_EQ(e.enclosures[0].duration_seconds, in.enclosures[0].duration_seconds);
  EXPECT_EQ(e.enclosures[0].title, in.enclosures[0].title);
  EXPECT_EQ(e.enclosures[0].medium, in.enclosures[0].medium);
  ASSERT_EQ(e.thumbnails.size(), in.thumbnails.size());
  for (size_t i = 0; i < e.thumbnails.size(); ++i) {
    EXPECT_EQ(e.thumbnails[i].url, in.thumbnails[i].url);
    EXPECT_EQ(e.thumbnails[i].title, in.thumbnails[i].title);
    EXPECT_EQ(e.thumbnails[i].link, in.thumbnails[i].link);
    EXPECT_EQ(e.thumbnails[i].description, in.thumbnails[i].description);
    EXPECT_EQ(e.thumbnails[i].width, in.thumbnails[i].width);
    EXPECT_EQ(e.thumbnails[i].height, in.thumbnails[i].height);
  }
  ExpectSameText(e.rights, in.rights);
  EXPECT_EQ(e.comments, in.comments);
  EXPECT_EQ(e.license, in.license);
  EXPECT_EQ(e.language, in.language);
  EXPECT_EQ(e.itunes.author, in.itunes.author);
  EXPECT_EQ(e.itunes.subtitle, in.itunes.subtitle);
  EXPECT_EQ(e.itunes.summary, in.itunes.summary);
  EXPECT_EQ(e.itunes.image, in.itunes.image);
  EXPECT_EQ(e.itunes.explicit_, in.itunes.explicit_);
  EXPECT_EQ(e.itunes.keywords, in.itunes.keywords);
  EXPECT_EQ(e.itunes.duration, in.itunes.duration);
  EXPECT_EQ(e.itunes.block, in.itunes.block);
  EXPECT_EQ(e.itunes.categories, in.itunes.categories);
  ASSERT_TRUE(e.source.has_value());
  ExpectSameHead(*e.source, *in.source);
  ASSERT_EQ(e.extensions.size(), 1u);
  EXPECT_EQ(e.extensions[0].ns, in.extensions[0].ns);
  EXPECT_EQ(e.extensions[0].name, in.extensions[0].name);
  EXPECT_EQ(e.extensions[0].value, in.extensions[0].value);
  EXPECT_EQ(e.extensions[0].prefix, in.extensions[0].prefix);
}

TEST(EntryDocumentTest, FeedHeadComesBack) {
  Result<EntryDocument> out =
      DecodeEntryDocument(EncodeEntryDocument(Head(), FullEntry()), "https://blog.test/1");
  ASSERT_OK(out);
  EXPECT_EQ(out->feed.title.value, "Zoe's blog");
  EXPECT_EQ(out->feed.home_page_url, "https://blog.test/");
  EXPECT_EQ(out->feed.feed_url, "https://blog.test/feed.atom");
  ASSERT_EQ(out->feed.authors.size(), 1u);
  EXPECT_EQ(out->feed.authors[0].name, "Zoe");
  EXPECT_EQ(out->feed.language, "en");
  EXPECT_TRUE(out->feed.entries.empty());
}

TEST(EntryDocumentTest, DocumentIsStillAOneItemJsonFeed) {
  const std::string doc = EncodeEntryDocument(Head(), FullEntry());
  EXPECT_THAT(doc, ::testing::HasSubstr("https://jsonfeed.org/version/1.1"));
  Result<Feed> feed = ParseFeed(doc, "https://blog.test/1");
  ASSERT_OK(feed);
  ASSERT_EQ(feed->entries.size(), 1u);
  EXPECT_EQ(feed->entries[0].id, "tag:blog.test,2026:1");
  EXPECT_EQ(feed->entries[0].title.value, "Fish & chips");
}

TEST(EntryDocumentTest, CategoriesOfOneTermInTwoSchemesStayApart) {
  Entry in;
  in.id = "tag:blog.test,2026:2";
  in.categories = {{.term = "go", .scheme = "https://games.test/"},
                   {.term = "go", .scheme = "https://langs.test/"}};
  Result<EntryDocument> out = DecodeEntryDocument(EncodeEntryDocument(Head(), in), "");
  ASSERT_OK(out);
  ExpectSameCategories(out->entry.categories, in.categories);
}

TEST(EntryDocumentTest, DecodesOldPlainJsonFeedDocument) {
  // As written before the extension (poller/poll_steps.cc, WriteJsonFeed of a one-item feed).
  const std::string old =
      R"({"version":"https://jsonfeed.org/version/1.1","title":"Zoe's blog",)"
      R"("home_page_url":"https://blog.test/","feed_url":"https://blog.test/feed.atom",)"
      R"("authors":[{"name":"Zoe"}],"language":"en","items":[{"id":"tag:blog.test,2026:1",)"
      R"("url":"https://blog.test/1","title":"Hello","content_html":"<p>Hi</p>",)"
      R"("date_published":"2026-01-05T10:00:00Z","tags":["go","food"]}]})";
  Result<EntryDocument> out = DecodeEntryDocument(old, "https://blog.test/1");
  ASSERT_OK(out);
  EXPECT_EQ(out->feed.title.value, "Zoe's blog");
  ASSERT_EQ(out->feed.authors.size(), 1u);
  EXPECT_EQ(out->feed.language, "en");
  const Entry& e = out->entry;
  EXPECT_EQ(e.id, "tag:blog.test,2026:1");
  EXPECT_EQ(e.Url(), "https://blog.test/1");
  EXPECT_EQ(e.title.value, "Hello");
  ASSERT_FALSE(e.contents.empty());
  EXPECT_EQ(e.contents[0].value, "<p>Hi</p>");
  EXPECT_EQ(e.published.utc, sys_seconds(seconds(1767607200)));
  ASSERT_EQ(e.categories.size(), 2u);
  EXPECT_EQ(e.categories[0].term, "go");
}

size_t Occurrences(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

TEST(EntryDocumentTest, DocumentHoldsEachDatumOnce) {
  const std::string doc = EncodeEntryDocument(Head(), FullEntry());
  for (const std::string datum :
       {"tag:blog.test,2026:1", "Fish & chips", "<p>Body é</p>", "A <i>summary</i>",
        "https://blog.test/a.mp3", "https://blog.test/t.png", "Go (game)", "Go (language)",
        "zoe@blog.test", "2026-01-05T10:00:00Z", "1:01", "Arts", "https://blog.test/1/replies",
        "https://blog.test/1#comments"}) {
    EXPECT_EQ(Occurrences(doc, datum), 1u) << datum << " in " << doc;
  }
  // The extension is a patch of the item, no second copy of the entry.
  EXPECT_THAT(doc, ::testing::Not(::testing::HasSubstr("\"entry\"")));
}

TEST(EntryDocumentTest, SummaryWithoutContentIsStoredOnceAndComesBackAsTheSummary) {
  Entry in;
  in.id = "https://blog.test/2";
  in.summary = {.value = "<p>Only a description</p>", .type = std::string(kTextHtml)};
  const std::string doc = EncodeEntryDocument(Head(), in);
  EXPECT_EQ(Occurrences(doc, "Only a description"), 1u) << doc;
  Result<EntryDocument> out = DecodeEntryDocument(doc, "https://blog.test/2");
  ASSERT_OK(out);
  ExpectSameText(out->entry.summary, in.summary);
  EXPECT_TRUE(out->entry.contents.empty());
  EXPECT_EQ(out->entry.id, in.id);
  // Nothing the entry lacks is made up by the item: no alternate link from the permalink id.
  EXPECT_TRUE(out->entry.links.empty());
}

TEST(EntryDocumentTest, EntryWithoutIdComesBackWithoutId) {
  Entry in;
  in.title.value = "No id";
  in.links = {{.href = "https://blog.test/3", .rel = "alternate"}};
  Result<EntryDocument> out = DecodeEntryDocument(EncodeEntryDocument(Head(), in), "");
  ASSERT_OK(out);
  EXPECT_EQ(out->entry.id, "");
  ASSERT_EQ(out->entry.links.size(), 1u);
  EXPECT_EQ(out->entry.links[0].type, "");
  EXPECT_EQ(out->entry.title.value, "No id");
}

TEST(EntryDocumentTest, PodcastingAndITunesFieldsRoundTrip) {
  Entry in;
  in.id = "ep-7";
  in.itunes = {.duration = "42:00",
               .block = false,
               .block_given = true,
               .episode = 7,
               .season = 2,
               .episode_type = "bonus"};
  Podcast& p = in.podcast.emplace();
  p.transcripts = {
      {.url = "https://pod.test/7.vtt", .type = "text/vtt", .language = "en", .rel = "captions"}};
  p.chapters = {{.url = "https://pod.test/7.json", .type = "application/json+chapters"}};
  p.funding = {{.url = "https://pod.test/give", .text = "Support us"}};
  p.persons = {{.name = "Ann",
                .role = "host",
                .group = "cast",
                .img = "https://pod.test/ann.jpg",
                .href = "https://ann.test/"}};
  in.enclosures = {
      {.url = "https://pod.test/7.mp3", .type = "audio/mpeg", .duration_seconds = 2520}};
  Result<EntryDocument> out = DecodeEntryDocument(EncodeEntryDocument(Head(), in), "");
  ASSERT_OK(out);
  const Entry& e = out->entry;
  EXPECT_EQ(e.itunes.duration, "42:00");
  EXPECT_FALSE(e.itunes.block);
  EXPECT_TRUE(e.itunes.block_given);
  EXPECT_EQ(e.itunes.episode, 7);
  EXPECT_EQ(e.itunes.season, 2);
  EXPECT_EQ(e.itunes.episode_type, "bonus");
  ASSERT_TRUE(e.podcast.has_value());
  ASSERT_EQ(e.podcast->transcripts.size(), 1u);
  EXPECT_EQ(e.podcast->transcripts[0].url, "https://pod.test/7.vtt");
  EXPECT_EQ(e.podcast->transcripts[0].type, "text/vtt");
  EXPECT_EQ(e.podcast->transcripts[0].language, "en");
  EXPECT_EQ(e.podcast->transcripts[0].rel, "captions");
  ASSERT_EQ(e.podcast->chapters.size(), 1u);
  EXPECT_EQ(e.podcast->chapters[0].type, "application/json+chapters");
  ASSERT_EQ(e.podcast->funding.size(), 1u);
  EXPECT_EQ(e.podcast->funding[0].text, "Support us");
  ASSERT_EQ(e.podcast->persons.size(), 1u);
  EXPECT_EQ(e.podcast->persons[0].name, "Ann");
  EXPECT_EQ(e.podcast->persons[0].role, "host");
  EXPECT_EQ(e.podcast->persons[0].group, "cast");
  EXPECT_EQ(e.podcast->persons[0].img, "https://pod.test/ann.jpg");
  EXPECT_EQ(e.podcast->persons[0].href, "https://ann.test/");
  ASSERT_EQ(e.enclosures.size(), 1u);
  EXPECT_EQ(e.enclosures[0].duration_seconds, 2520);
  EXPECT_EQ(e.enclosures[0].length, std::nullopt);
}

TEST(EntryDocumentTest, DecodesVersionOneDocument) {
  // As stored before version 2: the whole entry in the extension beside the JSON Feed item.
  const std::string old =
      R"({"version":"https://jsonfeed.org/version/1.1","title":"Zoe's blog",)"
      R"("home_page_url":"https://blog.test/","language":"en","items":[{"id":"tag:blog.test,2026:1",)"
      R"("url":"https://blog.test/1","title":"Hello","content_html":"<p>Hi</p>",)"
      R"("date_published":"2026-01-05T10:00:00Z","tags":["go"],"attachments":[{"url":)"
      R"("https://blog.test/a.mp3","mime_type":"audio/mpeg","duration_in_seconds":61}]}],)"
      R"("_feedbridge":{"entry":{"categories":[{"label":"Go, the game","scheme":"https://games.test/",)"
      R"("term":"go"}],"contents":[{"base":"https://blog.test/","type":"text/html","value":)"
      R"("<p>Hi</p>"}],"enclosures":[{"duration_seconds":61,"medium":"audio","type":"audio/mpeg",)"
      R"("url":"https://blog.test/a.mp3"}],"id":"tag:blog.test,2026:1","itunes":{"block":true,)"
      R"("duration":"1:01"},"links":[{"href":"https://blog.test/1","rel":"alternate"}],)"
      R"("published":{"raw":"Mon, 05 Jan 2026 10:00:00 GMT","utc":1767607200},"title":)"
      R"({"value":"Hello"}},"version":1}})";
  Result<EntryDocument> out = DecodeEntryDocument(old, "https://blog.test/1");
  ASSERT_OK(out);
  EXPECT_EQ(out->feed.title.value, "Zoe's blog");
  EXPECT_EQ(out->feed.home_page_url, "https://blog.test/");
  EXPECT_TRUE(out->feed.entries.empty());
  const Entry& e = out->entry;
  EXPECT_EQ(e.id, "tag:blog.test,2026:1");
  EXPECT_EQ(e.title.value, "Hello");
  EXPECT_EQ(e.title.base, "");  // As the extension gave it, not the item's base.
  ASSERT_EQ(e.contents.size(), 1u);
  EXPECT_EQ(e.contents[0].base, "https://blog.test/");
  ASSERT_EQ(e.categories.size(), 1u);
  EXPECT_EQ(e.categories[0].scheme, "https://games.test/");
  EXPECT_EQ(e.categories[0].label, "Go, the game");
  ASSERT_EQ(e.enclosures.size(), 1u);
  EXPECT_EQ(e.enclosures[0].medium, "audio");
  EXPECT_EQ(e.enclosures[0].duration_seconds, 61);
  EXPECT_EQ(e.published.raw, "Mon, 05 Jan 2026 10:00:00 GMT");
  EXPECT_EQ(e.published.utc, sys_seconds(seconds(1767607200)));
  EXPECT_TRUE(e.itunes.block);
  EXPECT_EQ(e.itunes.duration, "1:01");
  ASSERT_EQ(e.links.size(), 1u);
  EXPECT_EQ(e.links[0].type, "");
}

TEST(EntryDocumentTest, DamagedExtensionFallsBackToTheJsonFeedItem) {
  std::string doc = EncodeEntryDocument(Head(), FullEntry());
  const size_t at = doc.find(",\"_feedbridge\":");
  ASSERT_NE(at, std::string::npos);
  doc = doc.substr(0, at) + ",\"_feedbridge\":{\"entry\":[}";
  Result<EntryDocument> out = DecodeEntryDocument(doc, "https://blog.test/1");
  ASSERT_OK(out);
  EXPECT_EQ(out->entry.id, "tag:blog.test,2026:1");
}

TEST(EntryDocumentTest, NotAFeedIsInvalidArgument) {
  EXPECT_THAT(DecodeEntryDocument("not json", ""), StatusIs(Status::Code::kInvalidArgument));
  EXPECT_THAT(DecodeEntryDocument(R"({"version":"https://jsonfeed.org/version/1.1","title":"t",)"
                                  R"("items":[]})",
                                  ""),
              StatusIs(Status::Code::kInvalidArgument));
}

}  // namespace
}  // namespace feedbridge::feeds
