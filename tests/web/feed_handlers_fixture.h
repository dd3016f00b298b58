#pragma once

// The fixture of the mirror feed tests (feed_handlers_test.cc, feed_handlers_cache_test.cc): a
// real SQLite store in a temp dir with one blog, "garden", and FeedHandlers on it, called
// directly (no router, no socket).

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "feeds/entry_document.h"
#include "feeds/model.h"
#include "feeds/parser.h"
#include "feeds/writers.h"
#include "store/database.h"
#include "tests/support/fake_clock.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"
#include "web/feed_handlers.h"

namespace feedbridge::web::mirror_test {

using std::chrono::sys_days;
using namespace std::chrono_literals;

inline constexpr char kBase[] = "https://bridge.example";

inline constexpr MirrorFormat kFormats[] = {MirrorFormat::kAtom, MirrorFormat::kRss,
                                            MirrorFormat::kJsonFeed};

inline std::string Name(MirrorFormat f) {
  return f == MirrorFormat::kAtom ? "atom" : f == MirrorFormat::kRss ? "rss" : "json";
}

inline std::string HeaderOf(const WebResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (std::equal(k.begin(), k.end(), name.begin(), name.end(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return v;
    }
  }
  return {};
}

// The feed head the poller stores with each entry of the blog.
inline feeds::Feed DocumentHead() {
  feeds::Feed one;
  one.title.value = "Garden";
  one.home_page_url = "https://blog.example/";
  one.feed_url = "https://blog.example/feed";
  one.authors.push_back({.name = "Gardener"});
  return one;
}

// The document the poller stores for `entry` (feeds/entry_document.h).
inline std::string Document(const feeds::Entry& entry) {
  return feeds::EncodeEntryDocument(DocumentHead(), entry);
}

// The document as versions before the "_feedbridge" extension stored it: a plain one-entry
// JSON Feed.
inline std::string OldDocument(const feeds::Entry& entry) {
  feeds::Feed one = DocumentHead();
  one.entries.push_back(entry);
  return feeds::WriteJsonFeed(one, {.pretty = false});
}

inline feeds::Entry SimpleEntry(int n) {
  feeds::Entry e;
  e.id = "tag:blog.example,2026:post-" + std::to_string(n);
  e.title.value = "Post " + std::to_string(n);
  e.links.push_back(
      {.href = "https://blog.example/posts/" + std::to_string(n), .rel = "alternate"});
  e.contents.push_back(
      {.value = "<p>Body " + std::to_string(n) + "</p>", .type = std::string(feeds::kTextHtml)});
  e.published.utc = sys_days{2026y / 1 / 1} + std::chrono::minutes(n);
  return e;
}

// The before= value of the page's next link, or 0 when there is none. The self URL has no
// query, so the only "?before=" in the document is the next link.
inline int64_t NextBefore(std::string_view body) {
  const size_t at = body.find("?before=");
  if (at == std::string::npos) return 0;
  size_t end = at + 8;
  while (end < body.size() && std::isdigit(static_cast<unsigned char>(body[end]))) ++end;
  return std::stoll(std::string(body.substr(at + 8, end - at - 8)));
}

class FeedHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::OpenDatabase("sqlite:" + (dir_.path() / "db" / "fb.sqlite").string(), clock_);
    ASSERT_OK(db);
    db_ = std::move(*db);
    auto feed = db_->feeds().AddFeed({.url = "https://blog.example/feed",
                                      .nickname = "garden",
                                      .title = "Garden",
                                      .site_url = "https://blog.example/",
                                      .description = "A blog"});
    ASSERT_OK(feed);
    feed_ = *feed;
    handlers_ = std::make_unique<FeedHandlers>(kBase, db_->entries(), db_->notices(), clock_);
  }

  store::FetchState GoodState() const {
    store::FetchState s;
    s.url = feed_.url;
    s.title = "Garden";
    s.description = "A blog";
    s.site_url = "https://blog.example/";
    s.last_http_status = 200;
    s.last_polled_at = clock_.Now();
    s.last_success_at = clock_.Now();
    return s;
  }

  // Records one poll with `entries` (oldest first); with_notice adds a notice to each.
  // `encode` writes each entry's stored document.
  std::vector<store::Notice> Record(const std::vector<feeds::Entry>& entries, bool with_notice,
                                    std::string (*encode)(const feeds::Entry&) = Document) {
    clock_.Advance(1s);
    std::vector<store::NewEntry> rows;
    for (const feeds::Entry& e : entries) {
      store::NewEntry row;
      row.identity = e.id;
      row.url = e.Url();
      row.title = e.title.value;
      if (e.published.utc) row.published = TimePoint(*e.published.utc);
      row.document = encode(e);
      if (with_notice) {
        row.notice_text = "New: " + e.title.value.substr(0, 100);
        row.notice_url = row.url;
      }
      rows.push_back(std::move(row));
    }
    auto notices = db_->entries().RecordPoll(feed_.id, GoodState(), rows);
    EXPECT_OK(notices);
    return notices.ok() ? *notices : std::vector<store::Notice>{};
  }

  Result<WebResponse> Get(MirrorFormat f, std::string query = {},
                          std::vector<std::pair<std::string, std::string>> headers = {},
                          std::string nick = "garden") {
    WebRequest request;
    request.method = "GET";
    request.path = "/" + nick + "/feed." + Name(f);
    request.query = std::move(query);
    request.headers = std::move(headers);
    return handlers_->Serve(f, request, PathParams{{"nick", nick}});
  }

  // The served document, read back by our own parser.
  feeds::Feed ServeAndParse(MirrorFormat f, const std::string& query = {}) {
    auto r = Get(f, query);
    EXPECT_OK(r);
    if (!r.ok()) return {};
    EXPECT_EQ(r->status, 200);
    auto parsed = feeds::ParseFeed(r->Body(), "");
    EXPECT_OK(parsed) << r->Body();
    if (!parsed.ok()) return {};
    EXPECT_FALSE(parsed->recovered) << r->Body();
    return *parsed;
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  std::unique_ptr<store::Database> db_;
  store::FeedRecord feed_;
  std::unique_ptr<FeedHandlers> handlers_;
};

}  // namespace feedbridge::web::mirror_test
