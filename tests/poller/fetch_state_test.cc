#include "poller/fetch_state.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "poller/poll_steps.h"

namespace feedbridge::poller::internal {
namespace {

using http::ClassifyResponse;
using http::Header;
using http::HttpResponse;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using Kind = PollOutcome::Kind;

// Fri, 15 Jan 2027 08:00:00 GMT.
const TimePoint kNow = TimePoint(seconds(1'800'000'000));
// With the draw in the middle of [0, 1) the jitter is zero.
constexpr double kNoJitter = 0.5;

HttpResponse Make(int status, std::vector<Header> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  return r;
}

struct OutcomeCase {
  std::string name;
  HttpResponse response;
  FetchOutcome outcome;
};

// Moved from tests/http/classify_test.cc (ClassifyResponseTest) with the policy it tests.
TEST(FetchOutcomeTest, MapsStatusesToOutcomes) {
  const OutcomeCase cases[] = {
      {"200", Make(200), FetchOutcome::kOk},
      {"203", Make(203), FetchOutcome::kOk},
      {"304", Make(304), FetchOutcome::kNotModified},
      {"410", Make(410), FetchOutcome::kGone},
      {"404", Make(404), FetchOutcome::kNotFound},
      {"429 without Retry-After", Make(429), FetchOutcome::kThrottled},
      {"429 with seconds", Make(429, {{"Retry-After", "30"}}), FetchOutcome::kThrottled},
      {"503 with Retry-After", Make(503, {{"Retry-After", "120"}}), FetchOutcome::kThrottled},
      {"503 with an HTTP-date", Make(503, {{"Retry-After", "Fri, 15 Jan 2027 08:02:00 GMT"}}),
       FetchOutcome::kThrottled},
      {"503 without Retry-After", Make(503), FetchOutcome::kServerError},
      {"503 with garbage Retry-After", Make(503, {{"Retry-After", "soon"}}),
       FetchOutcome::kServerError},
      {"500", Make(500), FetchOutcome::kServerError},
      {"403", Make(403), FetchOutcome::kClientError},
      {"unfollowed 301", Make(301), FetchOutcome::kClientError},
  };
  for (const OutcomeCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(OutcomeOf(c.response.status, ClassifyResponse(c.response, kNow)), c.outcome);
  }
}

feeds::Date At(TimePoint t) { return {.raw = "set", .utc = std::chrono::floor<seconds>(t)}; }

ScheduleOptions Options() {
  ScheduleOptions o;
  o.interval_min = seconds(300);
  o.interval_max = hours(24);
  o.error_backoff_min = seconds(300);
  o.error_backoff_max = hours(24);
  return o;
}

// A feed polled before, with validators, metadata, a rhythm and two failures behind it.
store::FeedRecord Feed() {
  store::FeedRecord f;
  f.id = 7;
  f.url = "https://blog.test/feed";
  f.title = "Old title";
  f.description = "Old about";
  f.site_url = "https://blog.test/";
  f.icon_url = "https://blog.test/icon.png";
  f.etag = "\"old\"";
  f.last_modified = "Thu, 14 Jan 2027 08:00:00 GMT";
  f.last_http_status = 500;
  f.last_error = "HTTP 500 Internal Server Error";
  f.consecutive_failures = 2;
  f.last_polled_at = kNow - hours(1);
  f.last_success_at = kNow - hours(3);
  f.failing_since = kNow - hours(2);
  f.next_poll_at = kNow;
  f.recent_entries = std::vector<TimePoint>{};
  return f;
}

feeds::Feed Document() {
  feeds::Feed doc;
  doc.title.value = "New title";
  doc.home_page_url = "https://blog.test/home";
  doc.image.url = "https://blog.test/new.png";
  feeds::Entry entry;
  entry.published = At(kNow - hours(1));
  doc.entries.push_back(entry);
  return doc;
}

struct StateCase {
  std::string name;
  store::FeedRecord feed;
  PollOutcome outcome;
  store::FetchState want;
};

// `want` after a good answer of `status` at kNow: the failures are over.
void Succeeded(store::FetchState& want, int status) {
  want.last_http_status = status;
  want.last_error = "";
  want.consecutive_failures = 0;
  want.failing_since.reset();
  want.last_polled_at = kNow;
  want.last_success_at = kNow;
}

store::FetchState Was(const store::FeedRecord& f) { return CurrentState(f); }

TEST(NextFetchStateTest, EachOutcomeGivesItsState) {
  const feeds::Feed doc = Document();
  std::vector<StateCase> cases;
  {
    StateCase c{"200 parsed: metadata, validators, rhythm, failures cleared", Feed(), {}, {}};
    c.outcome = {.kind = Kind::kFetched,
                 .http_status = 200,
                 .moved_to = "https://blog.test/new-feed",
                 .etag = "\"new\"",
                 .document = &doc};
    c.want = Was(c.feed);
    c.want.url = "https://blog.test/new-feed";
    c.want.title = "New title";
    c.want.site_url = "https://blog.test/home";
    c.want.icon_url = "https://blog.test/new.png";
    c.want.etag = "\"new\"";
    c.want.last_modified = "";  // Not answered: a 200 replaces the validators.
    Succeeded(c.want, 200);
    c.want.recent_entries = std::vector<TimePoint>{kNow - hours(1)};
    c.want.next_poll_at = kNow + hours(24);  // One entry a week: the longest interval.
    cases.push_back(c);
  }
  {
    StateCase c{"304: old validators kept when not repeated, saved rhythm", Feed(), {}, {}};
    c.outcome = {.kind = Kind::kNotModified, .http_status = 304, .etag = "\"again\""};
    c.want = Was(c.feed);
    c.want.etag = "\"again\"";
    Succeeded(c.want, 304);
    c.want.next_poll_at = kNow + hours(24);
    cases.push_back(c);
  }
  {
    StateCase c{"304 without a saved rhythm: the stored entries' times", Feed(), {}, {}};
    c.feed.recent_entries.reset();
    c.outcome = {
        .kind = Kind::kNotModified, .http_status = 304, .stored_entry_times = {kNow - hours(2)}};
    c.want = Was(c.feed);
    c.want.recent_entries = std::vector<TimePoint>{kNow - hours(2)};
    Succeeded(c.want, 304);
    c.want.next_poll_at = kNow + hours(24);
    cases.push_back(c);
  }
  {
    StateCase c{"429 with Retry-After: no failure counted, waits as told", Feed(), {}, {}};
    c.outcome = {.kind = Kind::kThrottled, .http_status = 429, .not_before = kNow + hours(2)};
    c.want = Was(c.feed);
    c.want.last_http_status = 429;
    c.want.last_polled_at = kNow;
    c.want.next_poll_at = kNow + hours(2);
    cases.push_back(c);
  }
  {
    StateCase c{"429 with Retry-After: 0 waits kMinThrottleWait", Feed(), {}, {}};
    c.outcome = {.kind = Kind::kThrottled, .http_status = 429, .not_before = kNow};
    c.want = Was(c.feed);
    c.want.last_http_status = 429;
    c.want.last_polled_at = kNow;
    c.want.next_poll_at = kNow + kMinThrottleWait;
    cases.push_back(c);
  }
  {
    StateCase c{"429 without Retry-After: backs off as after one more failure", Feed(), {}, {}};
    c.outcome = {.kind = Kind::kThrottled, .http_status = 429};
    c.want = Was(c.feed);
    c.want.last_http_status = 429;
    c.want.last_polled_at = kNow;
    c.want.next_poll_at = kNow + minutes(20);  // 300 s, doubled for the 2nd and 3rd failure.
    cases.push_back(c);
  }
  {
    StateCase c{"500: one more failure, backoff", Feed(), {}, {}};
    c.outcome = {.kind = Kind::kFailed, .http_status = 500, .error = "HTTP 500"};
    c.want = Was(c.feed);
    c.want.last_error = "HTTP 500";
    c.want.consecutive_failures = 3;
    c.want.last_polled_at = kNow;
    c.want.next_poll_at = kNow + minutes(20);
    cases.push_back(c);
  }
  {
    StateCase c{"first failure starts failing_since", Feed(), {}, {}};
    c.feed.consecutive_failures = 0;
    c.feed.failing_since.reset();
    c.outcome = {.kind = Kind::kFailed, .error = "connection refused"};
    c.want = Was(c.feed);
    c.want.last_http_status = 0;
    c.want.last_error = "connection refused";
    c.want.consecutive_failures = 1;
    c.want.failing_since = kNow;
    c.want.last_polled_at = kNow;
    c.want.next_poll_at = kNow + minutes(5);
    cases.push_back(c);
  }
  {
    StateCase c{"410: disabled, off the schedule", Feed(), {}, {}};
    c.outcome = {.kind = Kind::kFailed,
                 .http_status = 410,
                 .error = "HTTP 410 Gone",
                 .disable = "410 Gone: the feed was removed"};
    c.want = Was(c.feed);
    c.want.last_http_status = 410;
    c.want.last_error = "410 Gone: the feed was removed";
    c.want.disabled_reason = "410 Gone: the feed was removed";
    c.want.consecutive_failures = 3;
    c.want.last_polled_at = kNow;
    c.want.next_poll_at.reset();
    cases.push_back(c);
  }
  for (const StateCase& c : cases) {
    SCOPED_TRACE(c.name);
    const store::FetchState got = NextFetchState(c.feed, c.outcome, Options(), kNow, kNoJitter);
    EXPECT_EQ(got.url, c.want.url);
    EXPECT_EQ(got.title, c.want.title);
    EXPECT_EQ(got.description, c.want.description);
    EXPECT_EQ(got.site_url, c.want.site_url);
    EXPECT_EQ(got.icon_url, c.want.icon_url);
    EXPECT_EQ(got.etag, c.want.etag);
    EXPECT_EQ(got.last_modified, c.want.last_modified);
    EXPECT_EQ(got.last_http_status, c.want.last_http_status);
    EXPECT_EQ(got.last_error, c.want.last_error);
    EXPECT_EQ(got.consecutive_failures, c.want.consecutive_failures);
    EXPECT_EQ(got.last_polled_at, c.want.last_polled_at);
    EXPECT_EQ(got.last_success_at, c.want.last_success_at);
    EXPECT_EQ(got.failing_since, c.want.failing_since);
    EXPECT_EQ(got.next_poll_at, c.want.next_poll_at);
    EXPECT_EQ(got.disabled_reason, c.want.disabled_reason);
    EXPECT_EQ(got.recent_entries, c.want.recent_entries);
  }
}

TEST(NextFetchStateTest, RhythmKeepsAtMostAWeekOfIntervalsNewestFirst) {
  feeds::Feed doc;
  for (int i = 0; i < 3000; ++i) {
    feeds::Entry e;
    e.published = At(kNow - seconds(i * 60));
    doc.entries.push_back(e);
  }
  const PollOutcome outcome{.kind = Kind::kFetched, .http_status = 200, .document = &doc};
  const store::FetchState got = NextFetchState(Feed(), outcome, Options(), kNow, kNoJitter);
  ASSERT_TRUE(got.recent_entries.has_value());
  // One week over interval_min (300 s) is 2016 intervals: 2017 entries.
  ASSERT_EQ(got.recent_entries->size(), 2017u);
  EXPECT_EQ(got.recent_entries->front(), kNow);
  EXPECT_EQ(got.next_poll_at, kNow + seconds(300));
}

// An entry an hour for a week: polled hourly, unless the feed or the server says later.
feeds::Feed Hourly() {
  feeds::Feed doc;
  for (int i = 0; i < 7 * 24; ++i) {
    feeds::Entry e;
    e.published = At(kNow - hours(i));
    doc.entries.push_back(e);
  }
  return doc;
}

TEST(NextFetchStateTest, TtlDelaysTheNextPoll) {
  feeds::Feed doc = Hourly();
  doc.ttl_minutes = 120;
  const PollOutcome outcome{.kind = Kind::kFetched, .http_status = 200, .document = &doc};
  EXPECT_EQ(NextFetchState(Feed(), outcome, Options(), kNow, kNoJitter).next_poll_at,
            kNow + hours(2));
}

TEST(NextFetchStateTest, FreshnessDelaysTheNextPoll) {
  const feeds::Feed doc = Hourly();
  const PollOutcome outcome{
      .kind = Kind::kFetched, .http_status = 200, .not_before = kNow + hours(3), .document = &doc};
  EXPECT_EQ(NextFetchState(Feed(), outcome, Options(), kNow, kNoJitter).next_poll_at,
            kNow + hours(3));
}

}  // namespace
}  // namespace feedbridge::poller::internal
