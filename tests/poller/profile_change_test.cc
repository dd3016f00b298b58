// When a poll changes a blog's profile (poll_decision.h ProfileChanged), as a table, and what
// DecideFetched makes of a feed whose metadata changed.

#include <gtest/gtest.h>

#include <string>

#include "feeds/parser.h"
#include "poller/poll_decision.h"
#include "poller/poll_steps.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::poller::internal {
namespace {

using std::chrono::seconds;

const TimePoint kNow = TimePoint(seconds(1'800'000'000));

store::FeedRecord Stored(bool polled_before) {
  store::FeedRecord feed;
  feed.id = 3;
  feed.account_id = 4;
  feed.nickname = "zoe";
  feed.url = "https://blog.test/feed.rss";
  feed.title = "Zoe's blog";
  feed.description = "Notes";
  feed.site_url = "https://blog.test/";
  feed.icon_url = "https://blog.test/icon.png";
  if (polled_before) feed.last_success_at = kNow - std::chrono::hours(1);
  return feed;
}

// The state of a poll that changed nothing.
store::FetchState Same() { return CurrentState(Stored(true)); }

TEST(ProfileChangedTest, TitleDescriptionLinkOrImageChangeTheProfile) {
  struct Case {
    const char* name;
    bool polled_before;
    void (*change)(store::FetchState&);
    bool changed;
  };
  const Case cases[] = {
      {"nothing changed", true, [](store::FetchState&) {}, false},
      {"title", true, [](store::FetchState& s) { s.title = "Zoe writes"; }, true},
      {"description", true, [](store::FetchState& s) { s.description = "Longer notes"; }, true},
      {"link", true, [](store::FetchState& s) { s.site_url = "https://zoe.test/"; }, true},
      {"image", true, [](store::FetchState& s) { s.icon_url = "https://blog.test/new.png"; }, true},
      {"letter case counts", true, [](store::FetchState& s) { s.title = "ZOE'S BLOG"; }, true},
      {"the feed URL is no profile field", true,
       [](store::FetchState& s) { s.url = "https://new.test/feed"; }, false},
      {"validators are no profile field", true,
       [](store::FetchState& s) {
         s.etag = "\"v9\"";
         s.last_modified = "Tue, 01 Dec 2026 00:00:00 GMT";
       },
       false},
      {"first successful poll: the first profile, not a change", false,
       [](store::FetchState& s) { s.title = "Zoe writes"; }, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    store::FetchState next = Same();
    c.change(next);
    EXPECT_EQ(ProfileChanged(Stored(c.polled_before), next), c.changed);
  }
}

TEST(ProfileChangedTest, DecideFetchedMarksTheStateWhenTheFeedsTitleChanged) {
  struct Case {
    const char* name;
    std::string channel;  // What the fetched feed says about itself.
    bool changed;
  };
  const Case cases[] = {
      {"as stored",
       "<title>Zoe's blog</title><description>Notes</description><link>https://blog.test/</link>"
       "<image><url>https://blog.test/icon.png</url></image>",
       false},
      {"new title",
       "<title>Zoe writes</title><description>Notes</description><link>https://blog.test/</link>"
       "<image><url>https://blog.test/icon.png</url></image>",
       true},
      // Metadata a feed stops giving is kept (fetch_state.cc): no change, nothing cleared.
      {"title left out", "<description>Notes</description><link>https://blog.test/</link>", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<feeds::Feed> doc = feeds::ParseFeed(
        "<rss version=\"2.0\"><channel>" + c.channel + "</channel></rss>", Stored(true).url);
    ASSERT_OK(doc);
    const FetchedDecision d = DecideFetched(Stored(true), *doc, Stored(true).url, {}, {},
                                            {.http_status = 200}, {}, {}, kNow, 0.5);
    EXPECT_EQ(d.state.profile_changed, c.changed);
  }
}

}  // namespace
}  // namespace feedbridge::poller::internal
