// What each writer writes, ParseFeed reads back into the same entries.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>

#include "feeds/parser.h"
#include "feeds/writers.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_data.h"

namespace feedbridge::feeds {
namespace {

using std::chrono::sys_days;

Feed RichFeed() {
  Feed f;
  f.title.value = "Caf\u00e9 & \"friends\" <weekly>";
  f.subtitle = Text{.value = "Notes <em>from</em> the garden", .type = std::string(kTextHtml)};
  f.home_page_url = "http://127.0.0.1:8081/";
  f.links.push_back(Link{.href = f.home_page_url, .rel = "alternate", .type = "text/html"});
  f.feed_url = "http://127.0.0.1:8081/feed";
  f.language = "en";
  f.authors.push_back(Person{.name = "Ada", .email = "ada@example.org"});
  for (int i = 0; i < 3; ++i) {
    Entry e;
    e.id = "tag:127.0.0.1,2026:post-" + std::to_string(i);
    e.title.value = "Post " + std::to_string(i) + " \u2014 A & B";
    e.links.push_back(Link{.href = "http://127.0.0.1:8081/p/" + std::to_string(i),
                           .rel = "alternate",
                           .type = "text/html"});
    e.published.utc = sys_days(std::chrono::year(2026) / 11 / (i + 1)) + std::chrono::hours(9);
    e.updated.utc = *e.published.utc + std::chrono::minutes(30);
    e.summary = Text{.value = "Summary " + std::to_string(i), .type = std::string(kTextPlain)};
    e.contents.push_back(Text{.value = "<p>Body &amp; <b>bold</b> " + std::to_string(i) + "</p>",
                              .type = std::string(kTextHtml)});
    e.authors.push_back(Person{.name = "Ada"});
    e.categories.push_back(Category{.term = "garden"});
    e.categories.push_back(Category{.term = "tag " + std::to_string(i)});
    if (i == 1) {
      e.enclosures.push_back(Enclosure{.url = "http://127.0.0.1:8081/a.mp3",
                                       .type = "audio/mpeg",
                                       .length = 1234});
    }
    f.entries.push_back(std::move(e));
  }
  return f;
}

struct Writer {
  const char* name;
  std::function<std::string(const Feed&)> write;
};

class WriterRoundTripTest : public ::testing::TestWithParam<Writer> {};

TEST_P(WriterRoundTripTest, ParseFeedReadsBackTheSameEntries) {
  const Feed original = RichFeed();
  const std::string bytes = GetParam().write(original);
  Result<Feed> back = ParseFeed(bytes, "http://127.0.0.1:8081/feed");
  ASSERT_OK(back);
  EXPECT_FALSE(back->recovered) << (back->problems.empty() ? "" : back->problems[0]);
  EXPECT_EQ(back->title.value, original.title.value);
  EXPECT_EQ(back->home_page_url, original.home_page_url);
  ASSERT_EQ(back->entries.size(), original.entries.size());
  for (size_t i = 0; i < original.entries.size(); ++i) {
    SCOPED_TRACE("entry " + std::to_string(i));
    const Entry& want = original.entries[i];
    const Entry& got = back->entries[i];
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(got.Url(), want.Url());
    EXPECT_EQ(got.title.value, want.title.value);
    EXPECT_EQ(got.published.utc, want.published.utc);
    ASSERT_FALSE(got.contents.empty());
    EXPECT_EQ(got.contents[0].value, want.contents[0].value);
    ASSERT_EQ(got.categories.size(), want.categories.size());
    EXPECT_EQ(got.categories[1].term, want.categories[1].term);
    ASSERT_EQ(got.enclosures.size(), want.enclosures.size());
    if (!want.enclosures.empty()) {
      EXPECT_EQ(got.enclosures[0].url, want.enclosures[0].url);
      EXPECT_EQ(got.enclosures[0].length, want.enclosures[0].length);
    }
  }
}

TEST_P(WriterRoundTripTest, SampleBlogSurvivesParseWriteParse) {
  Result<Feed> first = ParseFeed(testing::ReadFileBytes(testing::TestDataPath("sample/blog.rss")),
                                 "http://127.0.0.1:8081/feed.rss");
  ASSERT_OK(first);
  Result<Feed> second = ParseFeed(GetParam().write(*first), "http://127.0.0.1:8081/feed.rss");
  ASSERT_OK(second);
  ASSERT_EQ(second->entries.size(), first->entries.size());
  for (size_t i = 0; i < first->entries.size(); ++i) {
    EXPECT_EQ(second->entries[i].id, first->entries[i].id);
    EXPECT_EQ(second->entries[i].Url(), first->entries[i].Url());
    EXPECT_EQ(second->entries[i].title.value, first->entries[i].title.value);
    EXPECT_EQ(second->entries[i].published.utc, first->entries[i].published.utc);
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllWriters, WriterRoundTripTest,
    ::testing::Values(Writer{"Atom", [](const Feed& f) { return WriteAtom(f); }},
                      Writer{"Rss", [](const Feed& f) { return WriteRss(f); }},
                      Writer{"JsonFeed", [](const Feed& f) { return WriteJsonFeed(f); }}),
    [](const ::testing::TestParamInfo<Writer>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace feedbridge::feeds
