// Interop: what we write, another implementation reads back unchanged. python3-feedparser
// (what many readers and tools use) reads the Atom and RSS output; feedparser 6.0 has no JSON
// Feed support, so read_with_feedparser.py checks JSON Feed output with a strict JSON reader
// and JSON Feed 1.1's required fields (it says which reader it used).

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "feeds/model.h"
#include "feeds/writers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_data.h"

extern char** environ;

namespace feedbridge::feeds {
namespace {

using std::chrono::sys_days;
using namespace std::chrono_literals;

constexpr char kPython[] = "/usr/bin/python3";

// A feed exercising what readers tend to get wrong: markup and entities in titles and HTML
// content, non-ASCII (2-, 3- and 4-byte UTF-8), several categories and enclosures, people with
// and without email, permalink and non-URL ids.
Feed RichSampleFeed() {
  Feed feed;
  feed.id = "tag:example.org,2026:feed";
  feed.title.value = "Caf\xC3\xA9 Notes & \xE2\x80\x9CQuotes\xE2\x80\x9D";
  feed.subtitle.value = "Notes about <code> & things";
  feed.home_page_url = "https://example.org/";
  feed.feed_url = "https://example.org/feed";
  feed.language = "en";
  feed.authors.push_back({.name = "Alice", .email = "alice@example.org"});
  feed.updated.utc = sys_days{2026y / 11 / 21} + 12h;

  Entry first;
  first.id = "tag:example.org,2026:post-1";
  first.title.value = "Fish & Chips <3 \xE2\x80\x94 caf\xC3\xA9";
  first.links.push_back(
      {.href = "https://example.org/posts/1?ref=feed&lang=fr", .rel = "alternate"});
  first.contents.push_back(
      {.value = "<p>Tom &amp; Jerry &lt;3 caf&eacute; &#8212; \xC3\xBC\x6E\xC3\xAF\x63\xC3\xB6"
                "d\xC3\xA9 <a href=\"https://example.org/a?x=1&amp;y=2\">a link</a></p>",
       .type = std::string(kTextHtml)});
  first.summary.value = "Tom & Jerry";
  first.published.utc = sys_days{2026y / 11 / 20} + 10h;
  first.updated.utc = sys_days{2026y / 11 / 21} + 12h;
  first.authors.push_back({.name = "Alice", .email = "alice@example.org"});
  first.categories.push_back({.term = "cpp", .scheme = "https://example.org/tags/"});
  first.categories.push_back({.term = "news & views"});
  first.enclosures.push_back(
      {.url = "https://example.org/media/1.mp3", .type = "audio/mpeg", .length = 12345678});

  Entry second;
  second.id = "https://example.org/posts/2";
  second.id_is_permalink = true;
  second.title.value = "Plain title with 'apostrophes' and \"quotes\"";
  second.contents.push_back(
      {.value = "<p>\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E \xF0\x9F\x98\x80</p>"
                "<p><img src=\"https://example.org/i.png\" alt=\"&quot;x&quot;\" /></p>",
       .type = std::string(kTextHtml)});
  second.published.utc = sys_days{2026y / 11 / 19} + 8h + 30min + 15s;
  second.authors.push_back({.name = "Bob"});
  second.categories.push_back({.term = "photos"});
  second.enclosures.push_back({.url = "https://example.org/media/2.mp4", .type = "video/mp4"});
  second.enclosures.push_back({.url = "https://example.org/media/2.jpg?size=large&fmt=jpg",
                               .type = "image/jpeg",
                               .length = 2048});

  Entry third;
  third.id = "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a";
  third.title.value = "\xC3\x9C\x62\x65rs\xC3\xA4tze";
  third.links.push_back({.href = "https://example.org/posts/3", .rel = "alternate"});
  third.contents.push_back(
      {.value = "<ul><li>one</li><li>two &gt; one</li></ul>", .type = std::string(kTextHtml)});
  third.published.utc = sys_days{2026y / 11 / 18} + 23h + 59min + 59s;

  feed.entries = {first, second, third};
  return feed;
}

// What read_with_feedparser.py said about one file.
Poco::JSON::Object::Ptr ReadBack(const std::filesystem::path& file) {
  if (!std::filesystem::exists(kPython)) {
    ADD_FAILURE() << kPython << " is missing: the bootstrap installs python3 and "
                  << "python3-feedparser, which this interop test needs";
    return nullptr;
  }
  const std::filesystem::path script =
      testing::SourceDir() / "tests" / "feeds" / "read_with_feedparser.py";
  testing::ProcessResult run;
  try {
    run = testing::RunProcess(kPython, {script.string(), file.string()});
  } catch (const std::exception& e) {
    ADD_FAILURE() << "cannot run " << script << ": " << e.what();
    return nullptr;
  }
  if (run.exit_code == 3) {
    ADD_FAILURE() << "feedparser is not installed for " << kPython
                  << ": install python3-feedparser (the project's bootstrap does)";
    return nullptr;
  }
  if (run.exit_code != 0) {
    ADD_FAILURE() << script << " exited with " << run.exit_code << "\n" << run.out;
    return nullptr;
  }
  try {
    Poco::JSON::Parser parser;
    return parser.parse(run.out).extract<Poco::JSON::Array::Ptr>()->getObject(0);
  } catch (const Poco::Exception& e) {
    ADD_FAILURE() << "unreadable output from " << script << ": " << e.displayText() << "\n"
                  << run.out;
    return nullptr;
  }
}

std::string StringOr(const Poco::JSON::Object::Ptr& object, const std::string& key,
                     const std::string& fallback = "<null>") {
  return object->has(key) && !object->isNull(key) ? object->getValue<std::string>(key) : fallback;
}

std::vector<std::string> Strings(const Poco::JSON::Object::Ptr& object, const std::string& key) {
  std::vector<std::string> out;
  const Poco::JSON::Array::Ptr array = object->getArray(key);
  if (array.isNull()) return out;
  for (unsigned i = 0; i < array->size(); ++i) out.push_back(array->getElement<std::string>(i));
  return out;
}

// Writes `feed` with `writer`, reads it back and compares everything a reader shows.
void ExpectReadsBackUnchanged(const std::string& name, const std::string& bytes,
                              const std::string& expected_version) {
  testing::TempDir dir;
  const Poco::JSON::Object::Ptr summary = ReadBack(dir.WriteFile(name, bytes));
  ASSERT_FALSE(summary.isNull());
  SCOPED_TRACE(StringOr(summary, "reader"));
  EXPECT_FALSE(summary->getValue<bool>("bozo")) << StringOr(summary, "bozo_exception") << "\n"
                                                << bytes;
  EXPECT_EQ(StringOr(summary, "version"), expected_version);

  const Feed feed = RichSampleFeed();
  EXPECT_EQ(StringOr(summary, "title"), feed.title.value);
  EXPECT_EQ(StringOr(summary, "link"), feed.home_page_url);
  const Poco::JSON::Array::Ptr entries = summary->getArray("entries");
  ASSERT_FALSE(entries.isNull());
  ASSERT_EQ(entries->size(), feed.entries.size()) << bytes;
  for (unsigned i = 0; i < entries->size(); ++i) {
    const Entry& want = feed.entries[i];
    const Poco::JSON::Object::Ptr got = entries->getObject(i);
    SCOPED_TRACE("entry " + want.id);
    EXPECT_EQ(StringOr(got, "id"), want.id);
    EXPECT_EQ(StringOr(got, "link"), want.Url());
    EXPECT_EQ(StringOr(got, "title"), want.title.value);
    ASSERT_TRUE(got->has("published") && !got->isNull("published"));
    EXPECT_EQ(got->getValue<int64_t>("published"), want.published.utc->time_since_epoch().count());
    EXPECT_EQ(StringOr(got, "content"), want.contents.at(0).value);
    std::vector<std::string> enclosures;
    for (const Enclosure& enclosure : want.enclosures) enclosures.push_back(enclosure.url);
    EXPECT_EQ(Strings(got, "enclosures"), enclosures);
    std::vector<std::string> tags;
    for (const Category& category : want.categories) tags.push_back(category.term);
    EXPECT_EQ(Strings(got, "tags"), tags);
  }
}

TEST(FeedparserRoundTripTest, AtomReadsBackUnchanged) {
  ExpectReadsBackUnchanged("feed.atom", WriteAtom(RichSampleFeed()), "atom10");
}

TEST(FeedparserRoundTripTest, RssReadsBackUnchanged) {
  ExpectReadsBackUnchanged("feed.rss", WriteRss(RichSampleFeed()), "rss20");
}

TEST(FeedparserRoundTripTest, JsonFeedReadsBackUnchanged) {
  ExpectReadsBackUnchanged("feed.json", WriteJsonFeed(RichSampleFeed()), "json11");
}

TEST(FeedparserRoundTripTest, CompactOutputReadsBackUnchanged) {
  WriteOptions options;
  options.pretty = false;
  {
    SCOPED_TRACE("atom");
    ExpectReadsBackUnchanged("compact.atom", WriteAtom(RichSampleFeed(), options), "atom10");
  }
  {
    SCOPED_TRACE("rss");
    ExpectReadsBackUnchanged("compact.rss", WriteRss(RichSampleFeed(), options), "rss20");
  }
  {
    SCOPED_TRACE("json");
    ExpectReadsBackUnchanged("compact.json", WriteJsonFeed(RichSampleFeed(), options), "json11");
  }
}

}  // namespace
}  // namespace feedbridge::feeds
