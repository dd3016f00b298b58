#include "poller/poll_decision.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "feeds/parser.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::poller::internal {
namespace {

using std::chrono::seconds;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr std::string_view kFeedUrl = "https://blog.test/feed.rss";
const TimePoint kNow = TimePoint(seconds(1'800'000'000));
const TimePoint kEarlier = kNow - std::chrono::hours(1);
constexpr double kNoJitter = 0.5;

// An RSS 2.0 feed with items guid 1..n; item i published i minutes after kEarlier - 1 day, listed
// newest first as feeds are.
std::string Rss(int n, int duplicate_of = 0) {
  std::string items;
  for (int i = n; i >= 1; --i) {
    const std::string id = std::to_string(i);
    items += "<item><title>Post " + id + "</title><link>https://blog.test/" + id +
             "</link><guid>g" + id + "</guid><pubDate>Thu, 14 Jan 2027 0" + std::to_string(i / 60) +
             ":" + (i % 60 < 10 ? "0" : "") + std::to_string(i % 60) + ":00 GMT</pubDate></item>";
  }
  if (duplicate_of > 0) {
    items += "<item><title>Again</title><guid>g" + std::to_string(duplicate_of) + "</guid></item>";
  }
  return "<rss version=\"2.0\"><channel><title>Blog</title><link>https://blog.test/</link>" +
         items + "</channel></rss>";
}

store::FeedRecord Feed(bool polled_before) {
  store::FeedRecord feed;
  feed.id = 7;
  feed.nickname = "zoe";
  feed.url = std::string(kFeedUrl);
  if (polled_before) {
    feed.last_success_at = kEarlier;
    feed.last_polled_at = kEarlier;
  }
  return feed;
}

std::vector<std::string> Ids(int from, int to) {
  std::vector<std::string> ids;
  for (int i = from; i <= to; ++i) ids.push_back("g" + std::to_string(i));
  return ids;
}

struct DecisionCase {
  std::string name;
  bool polled_before;
  std::string document;
  std::vector<std::string> known;
  size_t max_notices;
  size_t entries_seen;
  std::vector<std::string> new_ids;  // Oldest first.
  size_t notices;                    // The last `notices` of new_ids have one.
  std::string problem;               // A substring of the only problem, or "" for none.
};

TEST(DecideFetchedTest, NewEntriesNoticesAndProblems) {
  const std::vector<DecisionCase> cases = {
      {"first poll stores the backlog without notices", false, Rss(3), {}, 20, 3, Ids(1, 3), 0, ""},
      {"later poll: only unknown entries, oldest first, each with a notice", true, Rss(5),
       Ids(1, 3), 20, 5, Ids(4, 5), 2, ""},
      {"nothing new", true, Rss(3), Ids(1, 3), 20, 3, {}, 0, ""},
      {"a repeated item is one entry", true, Rss(2, /*duplicate_of=*/2), Ids(1, 1), 20, 2,
       Ids(2, 2), 1, ""},
      {"over the cap: every new entry stored, notices for the newest only",
       true,
       Rss(8),
       {},
       3,
       8,
       Ids(1, 8),
       3,
       "8 new entries at once: notices for the newest 3 only"},
      {"at the cap: no problem", true, Rss(3), {}, 3, 3, Ids(1, 3), 3, ""},
      {"the first poll is not capped", false, Rss(8), {}, 3, 8, Ids(1, 8), 0, ""},
  };
  for (const DecisionCase& c : cases) {
    SCOPED_TRACE(c.name);
    Result<feeds::Feed> doc = feeds::ParseFeed(c.document, kFeedUrl);
    ASSERT_OK(doc);
    const store::FeedRecord feed = Feed(c.polled_before);
    const NoticePolicy policy{.notice_template = "{title} {url}",
                              .fallback_url = "https://bridge.test/zoe",
                              .max_notices = c.max_notices};
    const FetchedDecision d =
        DecideFetched(feed, *doc, kFeedUrl, IdentifyEntries(*doc), c.known,
                      {.http_status = 200, .etag = "\"v2\""}, policy, {}, kNow, kNoJitter);

    EXPECT_EQ(d.entries_seen, c.entries_seen);
    std::vector<std::string> ids;
    for (const store::NewEntry& row : d.rows) ids.push_back(row.identity);
    EXPECT_THAT(ids, ElementsAreArray(c.new_ids));
    EXPECT_EQ(d.notices, c.notices);
    for (size_t i = 0; i < d.rows.size(); ++i) {
      const bool with_notice = i + c.notices >= d.rows.size();
      EXPECT_EQ(!d.rows[i].notice_text.empty(), with_notice) << d.rows[i].identity;
      if (with_notice) {
        EXPECT_THAT(d.rows[i].notice_text, HasSubstr(d.rows[i].title));
      }
    }
    if (c.problem.empty()) {
      EXPECT_TRUE(d.problems.empty());
    } else {
      ASSERT_EQ(d.problems.size(), 1u);
      EXPECT_THAT(d.problems[0], HasSubstr(c.problem));
    }
    // The next fetch state is that of a 200 that parsed.
    EXPECT_EQ(d.state.last_http_status, 200);
    EXPECT_EQ(d.state.etag, "\"v2\"");
    EXPECT_EQ(d.state.title, "Blog");
    EXPECT_EQ(d.state.last_success_at, kNow);
    EXPECT_TRUE(d.state.last_error.empty());
    EXPECT_TRUE(d.state.next_poll_at.has_value());
  }
}

TEST(DecideFetchedTest, StateFollowsAPermanentRedirect) {
  Result<feeds::Feed> doc = feeds::ParseFeed(Rss(1), kFeedUrl);
  ASSERT_OK(doc);
  const FetchedDecision d = DecideFetched(
      Feed(true), *doc, "https://new.test/feed", IdentifyEntries(*doc), {},
      {.http_status = 200, .moved_to = "https://new.test/feed"}, {}, {}, kNow, kNoJitter);
  EXPECT_EQ(d.state.url, "https://new.test/feed");
}

// An RSS 2.0 podcast feed naming `new_feed_url` (raw, as in the document) in
// itunes:new-feed-url, with one item.
std::string Podcast(const std::string& new_feed_url) {
  return "<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">"
         "<channel><title>Cast</title><link>https://blog.test/</link>"
         "<itunes:new-feed-url>" +
         new_feed_url +
         "</itunes:new-feed-url><item><title>Ep 1</title><guid>g1</guid></item></channel></rss>";
}

struct MoveCase {
  std::string name;
  std::string new_feed_url;  // In the document.
  std::string moved_to;      // By a permanent redirect of this poll ("" none).
  std::string url;           // The feed's URL after the poll.
  std::string moved_by;
};

TEST(DecideFetchedTest, NewFeedUrlMovesTheFeedAsAPermanentRedirectDoes) {
  const std::string here(kFeedUrl);
  const std::vector<MoveCase> cases = {
      {"a new absolute https URL", "https://cast.test/feed", "", "https://cast.test/feed",
       "itunes:new-feed-url"},
      {"a new absolute http URL", "http://cast.test/feed", "", "http://cast.test/feed",
       "itunes:new-feed-url"},
      {"the scheme in capitals", "HTTPS://cast.test/feed", "", "HTTPS://cast.test/feed",
       "itunes:new-feed-url"},
      {"the current URL: no move", here, "", here, ""},
      {"none", "", "", here, ""},
      {"not http(s)", "ftp://cast.test/feed", "", here, ""},
      {"no host", "https:///feed", "", here, ""},
      {"a space inside", "https://cast.test/a feed", "", here, ""},
      {"a permanent redirect alone", "", "https://moved.test/feed", "https://moved.test/feed",
       "permanent redirect"},
      {"the URL the redirect went to: no second move", "https://moved.test/feed",
       "https://moved.test/feed", "https://moved.test/feed", "permanent redirect"},
      {"after a redirect, the podcast's word wins", "https://cast.test/feed",
       "https://moved.test/feed", "https://cast.test/feed", "itunes:new-feed-url"},
  };
  for (const MoveCase& c : cases) {
    SCOPED_TRACE(c.name);
    Result<feeds::Feed> doc = feeds::ParseFeed(Podcast(c.new_feed_url), kFeedUrl);
    ASSERT_OK(doc);
    const FetchedDecision d = DecideFetched(
        Feed(true), *doc, c.moved_to.empty() ? here : c.moved_to, IdentifyEntries(*doc), {},
        {.http_status = 200, .moved_to = c.moved_to}, {}, {}, kNow, kNoJitter);
    EXPECT_EQ(d.state.url, c.url);
    EXPECT_EQ(d.moved_by, c.moved_by);
  }
}

TEST(NewFeedUrlTest, ARelativeUrlIsResolvedByTheParserAndMoves) {
  Result<feeds::Feed> doc = feeds::ParseFeed(Podcast("/new.rss"), kFeedUrl);
  ASSERT_OK(doc);
  EXPECT_EQ(NewFeedUrl(*doc, kFeedUrl), "https://blog.test/new.rss");
}

struct BodyCase {
  std::string name;
  std::string body;
  std::string final_url;
  bool feed;
  std::string error;        // A substring of the error when it is no feed.
  std::string fetched_url;  // Expected.
};

TEST(ReadFetchedBodyTest, FeedOrWhyNot) {
  const std::vector<BodyCase> cases = {
      {"a feed", Rss(1), "", true, "", std::string(kFeedUrl)},
      {"a feed after a redirect", Rss(1), "https://new.test/rss", true, "", "https://new.test/rss"},
      {"an empty body", "", "", false, "empty response body (HTTP 200)", std::string(kFeedUrl)},
      {"an HTML page", "<!DOCTYPE html><html><head><title>x</title></head><body>hi</body></html>",
       "", false, "not a feed (an HTML page)", std::string(kFeedUrl)},
      {"neither a feed nor a page: the parser's error", "just some text", "", false, "",
       std::string(kFeedUrl)},
  };
  for (const BodyCase& c : cases) {
    SCOPED_TRACE(c.name);
    http::HttpResponse response;
    response.status = 200;
    response.body = c.body;
    response.final_url = c.final_url;
    const FetchedBody body = ReadFetchedBody(Feed(true), response, 1 << 20);
    EXPECT_EQ(body.fetched_url, c.fetched_url);
    if (c.feed) {
      ASSERT_TRUE(body.document.has_value()) << body.error;
      EXPECT_EQ(body.document->entries.size(), 1u);
      EXPECT_TRUE(body.error.empty());
    } else {
      EXPECT_FALSE(body.document.has_value());
      EXPECT_FALSE(body.error.empty());
      EXPECT_THAT(body.error, HasSubstr(c.error));
    }
  }
}

}  // namespace
}  // namespace feedbridge::poller::internal
