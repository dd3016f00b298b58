// The mirror feeds, against a real SQLite store in a temp dir (tests/web/feed_handlers_fixture.h;
// the cache has its own file). Handlers are called directly (no router, no socket). Interop:
// python3-feedparser reads what we serve (through tests/feeds/read_with_feedparser.py, which also
// checks JSON Feed strictly).

#include "web/feed_handlers.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "feeds/model.h"
#include "feeds/parser.h"
#include "feeds/writers.h"
#include "store/database.h"
#include "tests/support/fake_clock.h"
#include "tests/support/status_matchers.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_data.h"
#include "tests/web/feed_handlers_fixture.h"

extern char** environ;

namespace feedbridge::web::mirror_test {
namespace {

using feedbridge::testing::StatusIs;

constexpr char kPython[] = "/usr/bin/python3";

// Everything a hostile blog may try in an entry.
feeds::Entry HostileEntry() {
  feeds::Entry e;
  e.id = "tag:blog.example,2026:hostile";
  e.title.value = "Hello <script>alert(1)</script> world";
  e.links.push_back({.href = "javascript:alert(1)", .rel = "alternate"});
  e.contents.push_back(
      {.value = "<p onclick=\"steal()\">Hi<script>alert(1)</script>"
                "<img src=\"https://blog.example/i.png\" onerror=\"alert(1)\">"
                "<a href=\"javascript:alert(2)\">click</a>"
                "<a href=\"JaVa&#x09;ScRiPt:alert(3)\">tab</a>"
                "<span style=\"background:url(javascript:alert(4))\">styled</span>"
                "<style>body{display:none}</style><iframe src=\"https://evil.example/\"></iframe>"
                "<a href=\"/relative\">rel</a></p>",
       .type = std::string(feeds::kTextHtml)});
  e.summary = {.value = "<b onmouseover=\"x()\">Sum</b><script>bad()</script>",
               .type = std::string(feeds::kTextHtml)};
  e.published.utc = sys_days{2026y / 2 / 1};
  e.enclosures.push_back({.url = "https://blog.example/a.mp3", .type = "audio/mpeg"});
  e.enclosures.push_back({.url = "javascript:alert(5)", .type = "audio/mpeg"});
  e.enclosures.push_back({.url = "data:audio/mpeg;base64,AAAA", .type = "audio/mpeg"});
  e.categories.push_back({.term = "garden"});
  return e;
}

// Every tag of `html` is inert: no script-capable element, no event handler, no style, no
// javascript: URL. (Escaped text such as "&lt;script&gt;" is text, not markup: it may stay.)
void ExpectNoActiveMarkup(const std::string& html) {
  std::string lower = html;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (size_t open = lower.find('<'); open != std::string::npos; open = lower.find('<', open + 1)) {
    const size_t close = lower.find('>', open);
    ASSERT_NE(close, std::string::npos) << html;
    const std::string tag = lower.substr(open, close - open + 1);
    for (const char* bad : {"<script", "<style", "<iframe", "<object", "<embed", " on",
                            "style=", "javascript:", "vbscript:", "data:"}) {
      EXPECT_EQ(tag.find(bad), std::string::npos) << bad << " in tag " << tag << " of " << html;
    }
  }
}

TEST_F(FeedHandlersTest, ServesEntriesNewestFirstWithHeadAndContentTypes) {
  Record({SimpleEntry(1), SimpleEntry(2)}, false);
  Record({SimpleEntry(3)}, false);
  const std::map<MirrorFormat, std::string_view> types = {
      {MirrorFormat::kAtom, feeds::kAtomContentType},
      {MirrorFormat::kRss, feeds::kRssContentType},
      {MirrorFormat::kJsonFeed, feeds::kJsonFeedContentType}};
  for (const MirrorFormat f : kFormats) {
    SCOPED_TRACE(Name(f));
    auto r = Get(f);
    ASSERT_OK(r);
    EXPECT_EQ(r->content_type, types.at(f));
    EXPECT_EQ(HeaderOf(*r, "Cache-Control"), "public, max-age=300");
    EXPECT_EQ(HeaderOf(*r, "X-Content-Type-Options"), "nosniff");
    const feeds::Feed feed = ServeAndParse(f);
    EXPECT_EQ(feed.title.value, "Garden");
    EXPECT_EQ(feed.home_page_url, "https://blog.example/");
    EXPECT_EQ(feed.feed_url, std::string(kBase) + "/garden/feed." + Name(f));
    ASSERT_EQ(feed.entries.size(), 3u);
    EXPECT_EQ(feed.entries[0].id, "tag:blog.example,2026:post-3");
    EXPECT_EQ(feed.entries[1].id, "tag:blog.example,2026:post-2");
    EXPECT_EQ(feed.entries[2].id, "tag:blog.example,2026:post-1");
    EXPECT_EQ(feed.entries[0].Url(), "https://blog.example/posts/3");
    EXPECT_EQ(feed.entries[0].title.value, "Post 3");
    ASSERT_TRUE(feed.entries[0].published.utc.has_value());
    EXPECT_EQ(*feed.entries[0].published.utc, sys_days{2026y / 1 / 1} + 3min);
  }
}

TEST_F(FeedHandlersTest, HostileEntryIsSanitizedInEveryFormat) {
  Record({HostileEntry()}, false);
  for (const MirrorFormat f : kFormats) {
    SCOPED_TRACE(Name(f));
    const feeds::Feed feed = ServeAndParse(f);
    ASSERT_EQ(feed.entries.size(), 1u);
    const feeds::Entry& e = feed.entries[0];
    EXPECT_EQ(e.id, "tag:blog.example,2026:hostile");
    // The title is text: shown literally, never run.
    EXPECT_EQ(e.title.value, "Hello <script>alert(1)</script> world");
    EXPECT_FALSE(e.title.is_html());
    std::vector<const feeds::Text*> texts = {&e.summary};
    for (const feeds::Text& c : e.contents) texts.push_back(&c);
    ASSERT_GE(texts.size(), 2u);
    for (const feeds::Text* t : texts) {
      if (t->empty()) continue;
      // JSON Feed 1.1 summaries are plain text by definition; everything else is served as HTML.
      if (t != &e.summary || f != MirrorFormat::kJsonFeed) {
        EXPECT_TRUE(t->is_html());
      }
      ExpectNoActiveMarkup(t->value);
    }
    EXPECT_EQ(e.contents.at(0).value.find("alert("), std::string::npos);
    EXPECT_NE(e.contents.at(0).value.find("Hi"), std::string::npos);
    EXPECT_NE(e.contents.at(0).value.find("https://blog.example/i.png"), std::string::npos);
    // No link to a javascript: URL; only the https enclosure survives.
    for (const feeds::Link& link : e.links) {
      EXPECT_EQ(link.href.find("javascript"), std::string::npos) << link.href;
    }
    ASSERT_EQ(e.enclosures.size(), 1u);
    EXPECT_EQ(e.enclosures[0].url, "https://blog.example/a.mp3");
    ASSERT_EQ(e.categories.size(), 1u);
    EXPECT_EQ(e.categories[0].term, "garden");
  }
}

TEST_F(FeedHandlersTest, EntriesWithNoticesLinkToTheirNoticePage) {
  Record({SimpleEntry(1)}, false);
  const std::vector<store::Notice> notices = Record({SimpleEntry(2)}, true);
  ASSERT_EQ(notices.size(), 1u);
  const std::string notice_url = std::string(kBase) + "/notice/" + std::to_string(notices[0].id);
  for (const MirrorFormat f : {MirrorFormat::kAtom, MirrorFormat::kJsonFeed}) {
    SCOPED_TRACE(Name(f));
    const feeds::Feed feed = ServeAndParse(f);
    ASSERT_EQ(feed.entries.size(), 2u);
    const auto has_notice = [&](const feeds::Entry& e) {
      return std::any_of(e.links.begin(), e.links.end(),
                         [&](const feeds::Link& l) { return l.href == notice_url; });
    };
    EXPECT_TRUE(has_notice(feed.entries[0]));
    EXPECT_EQ(feed.entries[0].Url(), "https://blog.example/posts/2");
    EXPECT_FALSE(has_notice(feed.entries[1]));
  }
}

// ---- Interop with python3-feedparser.

std::string StringOr(const Poco::JSON::Object::Ptr& o, const std::string& key) {
  return o->has(key) && !o->isNull(key) ? o->getValue<std::string>(key) : "<null>";
}

TEST_F(FeedHandlersTest, FeedparserReadsEveryFormatWithSameIdsAndLinks) {
  ASSERT_TRUE(std::filesystem::exists(kPython))
      << kPython << " is missing (the bootstrap installs python3-feedparser)";
  Record({SimpleEntry(1), SimpleEntry(2)}, true);
  Record({HostileEntry()}, true);
  const std::filesystem::path script =
      testing::SourceDir() / "tests" / "feeds" / "read_with_feedparser.py";
  for (const MirrorFormat f : kFormats) {
    SCOPED_TRACE(Name(f));
    auto r = Get(f);
    ASSERT_OK(r);
    const feeds::Feed ours = ServeAndParse(f);
    const std::filesystem::path file = dir_.WriteFile("mirror." + Name(f), std::string(r->Body()));
    const testing::ProcessResult run =
        testing::RunProcess(kPython, {script.string(), file.string()});
    ASSERT_EQ(run.exit_code, 0) << run.out;
    Poco::JSON::Object::Ptr summary;
    try {
      Poco::JSON::Parser parser;
      summary = parser.parse(run.out).extract<Poco::JSON::Array::Ptr>()->getObject(0);
    } catch (const Poco::Exception& e) {
      FAIL() << e.displayText() << "\n" << run.out;
    }
    SCOPED_TRACE(StringOr(summary, "reader"));
    EXPECT_FALSE(summary->getValue<bool>("bozo")) << StringOr(summary, "bozo_exception");
    EXPECT_EQ(StringOr(summary, "title"), "Garden");
    EXPECT_EQ(StringOr(summary, "link"), "https://blog.example/");
    const Poco::JSON::Array::Ptr entries = summary->getArray("entries");
    ASSERT_FALSE(entries.isNull());
    ASSERT_EQ(entries->size(), ours.entries.size());
    ASSERT_EQ(ours.entries.size(), 3u);
    for (unsigned i = 0; i < entries->size(); ++i) {
      const Poco::JSON::Object::Ptr e = entries->getObject(i);
      EXPECT_EQ(StringOr(e, "id"), ours.entries[i].id);
      const std::string url = ours.entries[i].Url();
      if (url.empty()) {
        // feedparser falls back to the Atom id (which it takes for a permalink) when an entry
        // has no link; the hostile entry's javascript: link was dropped, so it has none.
        EXPECT_TRUE(StringOr(e, "link") == "<null>" || StringOr(e, "link") == ours.entries[i].id)
            << StringOr(e, "link");
      } else {
        EXPECT_EQ(StringOr(e, "link"), url);
      }
      EXPECT_EQ(StringOr(e, "content").find("<script"), std::string::npos);
    }
  }
}

// ---- Caching.

TEST_F(FeedHandlersTest, IfNoneMatchAndIfModifiedSinceAnswer304) {
  Record({SimpleEntry(1), SimpleEntry(2)}, false);
  for (const MirrorFormat f : kFormats) {
    SCOPED_TRACE(Name(f));
    auto first = Get(f);
    ASSERT_OK(first);
    const std::string etag = HeaderOf(*first, "ETag");
    const std::string last_modified = HeaderOf(*first, "Last-Modified");
    ASSERT_GE(etag.size(), 3u);
    EXPECT_EQ(etag.front(), '"');
    EXPECT_EQ(etag.back(), '"');
    EXPECT_EQ(last_modified.substr(last_modified.size() - 4), " GMT");

    auto same = Get(f, "", {{"If-None-Match", etag}});
    ASSERT_OK(same);
    EXPECT_EQ(same->status, 304);
    EXPECT_EQ(same->Body(), "");
    EXPECT_EQ(HeaderOf(*same, "ETag"), etag);

    auto listed = Get(f, "", {{"if-none-match", "\"other\", W/" + etag}});
    ASSERT_OK(listed);
    EXPECT_EQ(listed->status, 304);

    auto other = Get(f, "", {{"If-None-Match", "\"other\""}});
    ASSERT_OK(other);
    EXPECT_EQ(other->status, 200);
    EXPECT_EQ(other->Body(), first->Body());

    auto since = Get(f, "", {{"If-Modified-Since", last_modified}});
    ASSERT_OK(since);
    EXPECT_EQ(since->status, 304);
    EXPECT_EQ(since->Body(), "");

    auto older = Get(f, "", {{"If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT"}});
    ASSERT_OK(older);
    EXPECT_EQ(older->status, 200);

    // The ETag differs between formats and between pages.
    auto page = Get(f, "limit=1");
    ASSERT_OK(page);
    EXPECT_NE(HeaderOf(*page, "ETag"), etag);
  }
  auto atom = Get(MirrorFormat::kAtom);
  auto rss = Get(MirrorFormat::kRss);
  ASSERT_OK(atom);
  ASSERT_OK(rss);
  EXPECT_NE(HeaderOf(*atom, "ETag"), HeaderOf(*rss, "ETag"));

  // A new entry changes the ETag: the old one no longer gets a 304.
  const std::string old_etag = HeaderOf(*atom, "ETag");
  Record({SimpleEntry(3)}, false);
  auto after = Get(MirrorFormat::kAtom, "", {{"If-None-Match", old_etag}});
  ASSERT_OK(after);
  EXPECT_EQ(after->status, 200);
  EXPECT_NE(HeaderOf(*after, "ETag"), old_etag);
}

// ---- Paging.

TEST_F(FeedHandlersTest, FollowingNextLinksVisitsEveryEntryOnceWhileEntriesArrive) {
  std::vector<feeds::Entry> batch;
  for (int i = 1; i <= 1000; ++i) batch.push_back(SimpleEntry(i));
  Record(batch, false);
  // Ids stored when a walk starts: exactly what the walk must visit.
  std::set<std::string> stored;
  for (const feeds::Entry& e : batch) stored.insert(e.id);
  int arrivals = 0;

  for (const MirrorFormat f : kFormats) {
    SCOPED_TRACE(Name(f));
    const std::set<std::string> expected = stored;
    std::multiset<std::string> seen;
    int64_t before = 0;
    int pages = 0;
    do {
      const std::string query =
          (before > 0 ? "before=" + std::to_string(before) + "&" : std::string()) + "limit=37";
      auto r = Get(f, query);
      ASSERT_OK(r);
      ASSERT_EQ(r->status, 200);
      auto parsed = feeds::ParseFeed(r->Body(), "");
      ASSERT_OK(parsed);
      EXPECT_LE(parsed->entries.size(), 37u);
      for (const feeds::Entry& e : parsed->entries) seen.insert(e.id);
      before = NextBefore(r->Body());
      if (before > 0) {
        EXPECT_NE(r->Body().find("limit=37"), std::string_view::npos);
      }
      // New posts arrive while the reader pages: they are newer, so no page shifts.
      if (++pages % 5 == 0) {
        const feeds::Entry arrival = SimpleEntry(100000 + ++arrivals);
        Record({arrival}, true);
        stored.insert(arrival.id);
      }
      ASSERT_LT(pages, 100);
    } while (before > 0);
    EXPECT_EQ(static_cast<size_t>(pages), (expected.size() + 36) / 37);
    EXPECT_EQ(seen.size(), expected.size());                               // Nothing twice...
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), expected);  // ...nothing missed.
  }
}

TEST_F(FeedHandlersTest, PageSizeDefaultsAndIsClamped) {
  std::vector<feeds::Entry> batch;
  for (int i = 1; i <= 260; ++i) batch.push_back(SimpleEntry(i));
  Record(batch, false);
  EXPECT_EQ(ServeAndParse(MirrorFormat::kJsonFeed).entries.size(), 50u);
  EXPECT_EQ(ServeAndParse(MirrorFormat::kJsonFeed, "limit=1000000").entries.size(), 200u);
  EXPECT_EQ(ServeAndParse(MirrorFormat::kJsonFeed, "limit=1").entries.size(), 1u);
  auto last = Get(MirrorFormat::kAtom, "limit=200&before=61");
  ASSERT_OK(last);
  EXPECT_EQ(NextBefore(last->Body()), 0);  // 60 left: the last page has no next link.
}

TEST_F(FeedHandlersTest, BadPagingParametersAreInvalidArgument) {
  Record({SimpleEntry(1)}, false);
  const struct {
    const char* name;
    const char* query;
  } cases[] = {
      {"before not a number", "before=abc"},
      {"before zero", "before=0"},
      {"before negative", "before=-5"},
      {"before empty", "before="},
      {"before with sign", "before=%2B5"},
      {"before overflow", "before=99999999999999999999"},
      {"limit zero", "limit=0"},
      {"limit fraction", "limit=1.5"},
      {"limit hex", "limit=0x10"},
      {"limit trailing junk", "limit=10abc"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_THAT(Get(MirrorFormat::kAtom, c.query), StatusIs(Status::Code::kInvalidArgument));
  }
}

TEST_F(FeedHandlersTest, UnknownNicknameIsNotFound) {
  const auto r = Get(MirrorFormat::kAtom, "", {}, "nobody");
  EXPECT_THAT(r, StatusIs(Status::Code::kNotFound));
  EXPECT_EQ(r.status().message(), "web: no blog named 'nobody'");
  EXPECT_THAT(Get(MirrorFormat::kRss, "", {}, "Not-A-Nick"), StatusIs(Status::Code::kNotFound));
  EXPECT_THAT(Get(MirrorFormat::kJsonFeed, "", {}, ""), StatusIs(Status::Code::kNotFound));
}

TEST_F(FeedHandlersTest, MirrorStaysCompleteWhileOriginFails) {
  std::vector<feeds::Entry> batch;
  for (int i = 1; i <= 7; ++i) batch.push_back(SimpleEntry(i));
  Record(batch, true);
  Record({HostileEntry()}, false);

  store::FetchState failing = GoodState();
  failing.last_http_status = 500;
  failing.last_error = "poller: https://blog.example/feed: HTTP 500";
  failing.consecutive_failures = 5;
  failing.failing_since = clock_.Now();
  ASSERT_OK(db_->feeds().SaveFetchState(feed_.id, failing));
  auto record = db_->feeds().GetFeed(feed_.id);
  ASSERT_OK(record);
  ASSERT_FALSE(record->last_error.empty());

  for (const MirrorFormat f : kFormats) {
    SCOPED_TRACE(Name(f));
    const feeds::Feed feed = ServeAndParse(f);
    EXPECT_EQ(feed.title.value, "Garden");
    ASSERT_EQ(feed.entries.size(), 8u);
    EXPECT_EQ(feed.entries[0].id, "tag:blog.example,2026:hostile");
    for (int i = 1; i <= 7; ++i) {
      EXPECT_EQ(feed.entries[static_cast<size_t>(8 - i)].id,
                "tag:blog.example,2026:post-" + std::to_string(i));
    }
  }
}

TEST_F(FeedHandlersTest, CategoriesOfOneTermInTwoSchemesStayApartInAtom) {
  feeds::Entry e = SimpleEntry(1);
  e.categories = {{.term = "go", .scheme = "https://games.example/", .label = "Go (game)"},
                  {.term = "go", .scheme = "https://langs.example/", .label = "Go (language)"}};
  Record({e}, false);
  const feeds::Feed feed = ServeAndParse(MirrorFormat::kAtom);
  ASSERT_EQ(feed.entries.size(), 1u);
  const std::vector<feeds::Category>& got = feed.entries[0].categories;
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].term, "go");
  EXPECT_EQ(got[0].scheme, "https://games.example/");
  EXPECT_EQ(got[0].label, "Go (game)");
  EXPECT_EQ(got[1].term, "go");
  EXPECT_EQ(got[1].scheme, "https://langs.example/");
  EXPECT_EQ(got[1].label, "Go (language)");
}

TEST_F(FeedHandlersTest, DocumentsStoredByOlderVersionsAreStillServed) {
  Record({SimpleEntry(1), SimpleEntry(2)}, false, OldDocument);
  for (const MirrorFormat f : kFormats) {
    SCOPED_TRACE(Name(f));
    const feeds::Feed feed = ServeAndParse(f);
    ASSERT_EQ(feed.entries.size(), 2u);
    EXPECT_EQ(feed.entries[0].id, "tag:blog.example,2026:post-2");
    EXPECT_EQ(feed.entries[0].title.value, "Post 2");
    EXPECT_EQ(feed.entries[0].Url(), "https://blog.example/posts/2");
    ASSERT_FALSE(feed.entries[0].contents.empty());
    EXPECT_NE(feed.entries[0].contents[0].value.find("Body 2"), std::string::npos);
  }
}

}  // namespace
}  // namespace feedbridge::web::mirror_test
