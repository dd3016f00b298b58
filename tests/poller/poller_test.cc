#include "poller/poller.h"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "poller/poll_steps.h"
#include "queue/memory_notice_queue.h"
#include "queue/memory_poll_schedule.h"
#include "store/database.h"
#include "tests/poller/fakes.h"
#include "tests/support/failing_queue.h"
#include "tests/support/failing_store.h"
#include "tests/support/fake_clock.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace feedbridge::poller {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::FakeHttpClient;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string FeedUrl() { return "https://blog.example.org/feed.xml"; }
std::string BaseUrl() { return "http://bridge.example/"; }
// The first feed and account of a fresh database.
constexpr int64_t kFeedId = 1;
constexpr int64_t kAccountId = 1;

// "Fri, 15 Jan 2027 08:00:00 GMT"
std::string Rfc822(TimePoint t) {
  using namespace std::chrono;
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = floor<days>(t);
  const year_month_day ymd(day);
  const weekday wd(day);
  const hh_mm_ss hms(floor<seconds>(t - day));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT", kDays[wd.c_encoding()],
                static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

struct Item {
  std::string guid;
  std::string title;
  std::string link;
  std::optional<TimePoint> date;
};

// An RSS 2.0 document with `items` in the order given (feeds list newest first).
std::string Rss(const std::vector<Item>& items, const std::string& channel_extra = "") {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>"
      "<title>A Blog</title><link>https://blog.example.org/</link>"
      "<description>Posts</description>" +
      channel_extra;
  for (const Item& item : items) {
    out += "<item><guid isPermaLink=\"false\">" + item.guid + "</guid><title>" + item.title +
           "</title>";
    if (!item.link.empty()) out += "<link>" + item.link + "</link>";
    if (item.date) out += "<pubDate>" + Rfc822(*item.date) + "</pubDate>";
    out += "</item>";
  }
  return out + "</channel></rss>";
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// The SQL store on a temp SQLite file behind the fault injector, with reads and writes for
// set-up and assertions that go to the database directly (neither counted nor failed).
class TestStore final : public testing::FailingStore {
 public:
  explicit TestStore(store::Database& db) : FailingStore(db), db_(db) {}

  store::FeedRecord Feed(int64_t feed_id) {
    Result<store::FeedRecord> feed = db_.feeds().GetFeed(feed_id);
    EXPECT_OK(feed);
    return feed.ok() ? *feed : store::FeedRecord{};
  }

  // Adds the feed if its id is the next one, then saves its fetch state.
  void PutFeed(const store::FeedRecord& feed) {
    if (!db_.feeds().GetFeed(feed.id).ok()) {
      Result<store::FeedRecord> added =
          db_.feeds().AddFeed(store::NewFeed{.url = feed.url,
                                             .nickname = feed.nickname,
                                             .title = feed.title,
                                             .site_url = feed.site_url,
                                             .description = feed.description});
      ASSERT_OK(added);
      ASSERT_EQ(added->id, feed.id) << "feeds are put in id order";
    }
    ASSERT_OK(db_.feeds().SaveFetchState(feed.id, internal::CurrentState(feed)));
  }

  // Oldest first.
  std::vector<store::StoredEntry> Entries(int64_t feed_id) {
    Result<std::vector<store::StoredEntry>> entries = db_.entries().ListEntries(feed_id, 0, 1000);
    EXPECT_OK(entries);
    if (!entries.ok()) return {};
    return {entries->rbegin(), entries->rend()};
  }

  // The notices of every account, oldest first.
  std::vector<store::Notice> Notices() {
    std::vector<store::Notice> all;
    Result<std::vector<store::FeedRecord>> feeds = db_.feeds().ListFeeds(0, 1000);
    EXPECT_OK(feeds);
    if (!feeds.ok()) return {};
    for (const store::FeedRecord& feed : *feeds) {
      Result<std::vector<store::Notice>> notices =
          db_.notices().ListNotices(feed.account_id, 0, 1000);
      EXPECT_OK(notices);
      if (notices.ok()) all.insert(all.end(), notices->begin(), notices->end());
    }
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return all;
  }

 private:
  store::Database& db_;
};

// Keeps the lines logged to a logger while it lives (its channel and level put back after).
class CapturedLog {
 public:
  explicit CapturedLog(Poco::Logger& log)
      : log_(log), saved_channel_(log.getChannel()), saved_level_(log.getLevel()) {
    log_.setChannel(channel_);
    log_.setLevel(Poco::Message::PRIO_DEBUG);
  }
  ~CapturedLog() {
    log_.setChannel(saved_channel_);
    log_.setLevel(saved_level_);
  }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  // The lines that contain `part`.
  std::vector<std::string> With(std::string_view part) { return channel_->With(part); }

 private:
  class Channel final : public Poco::Channel {
   public:
    void log(const Poco::Message& msg) override {
      std::lock_guard lock(mu_);
      lines_.push_back(msg.getText());
    }
    std::vector<std::string> With(std::string_view part) {
      std::lock_guard lock(mu_);
      std::vector<std::string> out;
      for (const std::string& line : lines_) {
        if (line.find(part) != std::string::npos) out.push_back(line);
      }
      return out;
    }

   private:
    std::mutex mu_;
    std::vector<std::string> lines_;
  };

  Poco::Logger& log_;
  Poco::AutoPtr<Poco::Channel> saved_channel_;
  int saved_level_;
  Poco::AutoPtr<Channel> channel_{new Channel};
};

std::unique_ptr<store::Database> OpenTestDatabase(const testing::TempDir& dir, Clock& clock) {
  Result<std::unique_ptr<store::Database>> db =
      store::OpenDatabase("sqlite:" + (dir.path() / "poller.db").string(), clock);
  if (!db.ok()) throw std::runtime_error(db.status().ToString());
  return std::move(*db);
}

class PollerTest : public ::testing::Test {
 protected:
  PollerTest() {
    store::FeedRecord feed;
    feed.id = kFeedId;
    feed.account_id = kAccountId;
    feed.nickname = "blog";
    feed.url = FeedUrl();
    feed.created_at = clock_.Now();
    store_.PutFeed(feed);
  }

  // The poll that makes the feed known (no notices), with entries a, b.
  void FirstPoll(std::vector<http::Header> headers = {}) {
    http_.Script(FeedUrl(), FakeHttpClient::Ok(FeedUrl(), Rss(TwoItems()), std::move(headers)));
    auto report = poller_.PollFeed(kFeedId);
    ASSERT_OK(report);
    ASSERT_EQ(report->error, "");
    clock_.Advance(hours(1));
  }

  std::vector<Item> TwoItems() {
    const TimePoint now = clock_.Now();
    return {{"b", "Second post", "https://blog.example.org/b", now - hours(2)},
            {"a", "First post", "https://blog.example.org/a", now - hours(3)}};
  }

  store::FeedRecord Feed() { return store_.Feed(kFeedId); }

  // Another blog, feed `id`, on the same site as the first (its URL with "?id" added).
  int64_t AddFeedLikeTheFirst(int64_t id) {
    store::FeedRecord other = Feed();
    other.id = id;
    other.account_id = 10 + id;
    other.nickname = "blog" + std::to_string(id);
    other.url = FeedUrl() + "?" + std::to_string(id);
    store_.PutFeed(other);
    return id;
  }

  testing::FakeClock clock_;
  testing::FixedRandom random_;
  testing::TempDir dir_;
  std::unique_ptr<store::Database> db_ = OpenTestDatabase(dir_, clock_);
  TestStore store_{*db_};
  testing::FakeHttpClient http_;
  queue::MemoryNoticeQueue memory_queue_{clock_};
  testing::FailingNoticeQueue queue_{memory_queue_};
  queue::MemoryPollSchedule memory_schedule_;
  testing::FailingPollSchedule schedule_{memory_schedule_};
  Poco::Logger& log_ = Poco::Logger::get("feedbridge.poller.test");
  config::PollerOptions options_;
  Poller poller_{options_, config::OmbOptions{}, BaseUrl(),
                 PollerDependencies{.feeds = store_,
                                    .entries = store_,
                                    .notices = store_,
                                    .queue = queue_,
                                    .schedule = schedule_,
                                    .http = http_,
                                    .clock = clock_,
                                    .random = random_,
                                    .log = log_}};
};

TEST_F(PollerTest, FirstPollStoresEntriesWithoutNotices) {
  http_.Script(FeedUrl(), FakeHttpClient::Ok(FeedUrl(), Rss(TwoItems())));
  auto report = poller_.PollFeed(kFeedId);
  ASSERT_OK(report);
  EXPECT_EQ(report->error, "");
  EXPECT_EQ(report->http_status, 200);
  EXPECT_EQ(report->entries_seen, 2u);
  EXPECT_EQ(report->new_entries, 2u);
  EXPECT_EQ(report->notices, 0u);
  EXPECT_EQ(store_.Entries(kFeedId).size(), 2u);
  EXPECT_TRUE(store_.Notices().empty());
  EXPECT_TRUE(queue_.messages().empty());
  const store::FeedRecord feed = Feed();
  EXPECT_EQ(feed.last_success_at, clock_.Now());
  EXPECT_EQ(feed.last_polled_at, clock_.Now());
  EXPECT_EQ(feed.title, "A Blog");
  EXPECT_EQ(feed.description, "Posts");
  EXPECT_EQ(feed.site_url, "https://blog.example.org/");
  EXPECT_EQ(feed.last_http_status, 200);
  ASSERT_TRUE(feed.next_poll_at);
  EXPECT_EQ(schedule_.entries().at(kFeedId), *feed.next_poll_at);
  EXPECT_EQ(report->next_poll_at, *feed.next_poll_at);
}

TEST_F(PollerTest, StoredEntriesAreOldestFirstWithPlainTitlesAndJsonDocuments) {
  http_.Script(FeedUrl(),
               FakeHttpClient::Ok(FeedUrl(), Rss({{"x", "&lt;b&gt;Bold&lt;/b&gt; move", "", {}},
                                                  {"y", "Plain", "", clock_.Now() - hours(1)}})));
  ASSERT_OK(poller_.PollFeed(kFeedId));
  const auto entries = store_.Entries(kFeedId);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].identity, "y");  // Dated entries first; undated after them.
  EXPECT_EQ(entries[1].identity, "x");
  EXPECT_THAT(entries[0].document, HasSubstr("\"version\""));
  EXPECT_THAT(entries[0].document, HasSubstr("jsonfeed.org"));
}

TEST_F(PollerTest, SecondPollWithTwoNewEntriesSendsTwoNoticesOldestFirst) {
  FirstPoll();
  const TimePoint now = clock_.Now();
  std::vector<Item> items = {{"d", "Fourth post", "https://blog.example.org/d", now - minutes(5)},
                             {"c", "Third post", "https://blog.example.org/c", now - minutes(30)}};
  for (const Item& old : TwoItems()) items.push_back(old);
  http_.Script(FeedUrl(), FakeHttpClient::Ok(FeedUrl(), Rss(items)));

  auto report = poller_.PollFeed(kFeedId);
  ASSERT_OK(report);
  EXPECT_EQ(report->entries_seen, 4u);
  EXPECT_EQ(report->new_entries, 2u);
  EXPECT_EQ(report->notices, 2u);
  const auto notices = store_.Notices();
  ASSERT_EQ(notices.size(), 2u);
  EXPECT_EQ(notices[0].text, "Third post https://blog.example.org/c");
  EXPECT_EQ(notices[1].text, "Fourth post https://blog.example.org/d");
  EXPECT_EQ(notices[0].url, "https://blog.example.org/c");
  EXPECT_EQ(notices[0].account_id, kAccountId);
  EXPECT_TRUE(notices[0].enqueued);
  EXPECT_TRUE(notices[1].enqueued);
  const auto messages = queue_.messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].notice_id, notices[0].id);
  EXPECT_EQ(messages[1].notice_id, notices[1].id);
  EXPECT_EQ(messages[0].account_id, kAccountId);
  EXPECT_EQ(store_.Entries(kFeedId).size(), 4u);
}

TEST_F(PollerTest, SecondPollSendsConditionalHeadersAndNotModifiedSavesState) {
  FirstPoll({{"ETag", "\"v1\""}, {"Last-Modified", "Fri, 15 Jan 2027 07:00:00 GMT"}});
  EXPECT_EQ(http_.RequestHeader(0, "If-None-Match"), "");
  http_.Script(FeedUrl(), FakeHttpClient::WithStatus(FeedUrl(), 304));
  clock_.Advance(hours(1));
  auto report = poller_.PollFeed(kFeedId);
  ASSERT_OK(report);
  EXPECT_EQ(http_.RequestHeader(1, "If-None-Match"), "\"v1\"");
  EXPECT_EQ(http_.RequestHeader(1, "If-Modified-Since"), "Fri, 15 Jan 2027 07:00:00 GMT");
  EXPECT_TRUE(report->not_modified);
  EXPECT_EQ(report->error, "");
  EXPECT_EQ(report->new_entries, 0u);
  const store::FeedRecord feed = Feed();
  EXPECT_EQ(feed.last_http_status, 304);
  EXPECT_EQ(feed.etag, "\"v1\"");
  EXPECT_EQ(feed.last_polled_at, clock_.Now());
  EXPECT_EQ(feed.last_success_at, clock_.Now());
  EXPECT_EQ(store_.Entries(kFeedId).size(), 2u);
  EXPECT_EQ(schedule_.entries().at(kFeedId), *feed.next_poll_at);
}

TEST_F(PollerTest, NotModifiedKeepsTheRhythmOfTheLast200WithoutReadingEntries) {
  // 14 posts 12 hours apart in the last week: one week / 14 = a poll every 12 hours.
  std::vector<Item> items;
  for (int k = 0; k < 14; ++k) {
    const std::string id = std::to_string(k);
    items.push_back({id, "Post " + id, "https://blog.example.org/" + id,
                     clock_.Now() - hours(1) - hours(12) * k});
  }
  http_.Script(FeedUrl(), FakeHttpClient::Ok(FeedUrl(), Rss(items)));
  ASSERT_OK(poller_.PollFeed(kFeedId));
  ASSERT_TRUE(Feed().recent_entries.has_value());
  EXPECT_EQ(Feed().recent_entries->size(), 14u);
  EXPECT_EQ(Feed().next_poll_at, clock_.Now() + hours(12));

  clock_.Advance(hours(1));
  http_.Script(FeedUrl(), FakeHttpClient::WithStatus(FeedUrl(), 304));
  auto report = poller_.PollFeed(kFeedId);
  ASSERT_OK(report);
  EXPECT_TRUE(report->not_modified);
  EXPECT_EQ(report->next_poll_at, clock_.Now() + hours(12));
  EXPECT_EQ(Feed().recent_entries->size(), 14u);
  EXPECT_EQ(store_.calls("ListEntries"), 0);

  // Two days on, the four posts older than a week no longer count: 168 h / 10 = 16.8 h.
  clock_.Advance(hours(48));
  ASSERT_OK(poller_.PollFeed(kFeedId));
  EXPECT_EQ(Feed().next_poll_at, clock_.Now() + std::chrono::minutes(1008));
  EXPECT_EQ(store_.calls("ListEntries"), 0);
}

TEST_F(PollerTest, NotModifiedWithoutASavedRhythmReadsStoredEntriesOnce) {
  FirstPoll();
  store::FeedRecord legacy = Feed();  // As stored before the rhythm had a column.
  legacy.recent_entries.reset();
  store_.PutFeed(legacy);
  http_.Script(FeedUrl(), FakeHttpClient::WithStatus(FeedUrl(), 304));
  ASSERT_OK(poller_.PollFeed(kFeedId));
  EXPECT_EQ(store_.calls("ListEntries"), 1);
  ASSERT_TRUE(Feed().recent_entries.has_value());
  EXPECT_EQ(Feed().recent_entries->size(), 2u);  // The two stored posts, hours old.
  clock_.Advance(hours(1));
  ASSERT_OK(poller_.PollFeed(kFeedId));
  EXPECT_EQ(store_.calls("ListEntries"), 1);
}

TEST_F(PollerTest, RequestCarriesTimeoutAndBodyCapFromOptions) {
  FirstPoll();
  const auto requests = http_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].url, FeedUrl());
  EXPECT_EQ(requests[0].timeout, options_.fetch_timeout);
  EXPECT_EQ(requests[0].max_body_bytes, options_.max_body_bytes);
  EXPECT_EQ(requests[0].max_redirects, options_.max_redirects);
}

TEST_F(PollerTest, GoneDisablesTheFeedWithTheReason) {
  FirstPoll();
  http_.Script(FeedUrl(), FakeHttpClient::WithStatus(FeedUrl(), 410));
  clock_.Advance(hours(1));
  auto report = poller_.PollFeed(kFeedId);
  ASSERT_OK(report);
  const store::FeedRecord feed = Feed();
  EXPECT_TRUE(feed.disabled());
  EXPECT_THAT(feed.disabled_reason, StartsWith("410 Gone: the feed was removed (at 2027-"));
  EXPECT_EQ(report->error, feed.disabled_reason);
  EXPECT_FALSE(schedule_.entries().contains(kFeedId));
  // A disabled feed is not fetched again.
  auto again = poller_.PollFeed(kFeedId);
  ASSERT_OK(again);
  EXPECT_THAT(again->error, HasSubstr("disabled"));
  EXPECT_EQ(http_.requests().size(), 2u);
}

TEST_F(PollerTest, TooManyRequestsWithRetryAfterSchedulesExactlyThen) {
  FirstPoll();
  http_.Script(FeedUrl(), FakeHttpClient::WithStatus(FeedUrl(), 429, {{"Retry-After", "3600"}}));
  clock_.Advance(hours(1));
  auto report = poller_.PollFeed(kFeedId);
  ASSERT_OK(report);
  EXPECT_EQ(report->error, "");
  EXPECT_EQ(report->next_poll_at, clock_.Now() + hours(1));
  EXPECT_EQ(schedule_.entries().at(kFeedId), clock_.Now() + hours(1));
  const store::FeedRecord feed = Feed();
  EXPECT_EQ(feed.consecutive_failures, 0);
  EXPECT_EQ(feed.last_error, "");
  EXPECT_FALSE(feed.failing_since);
  EXPECT_EQ(feed.last_http_status, 429);
}

TEST_F(PollerTest, ReportOfAGoneFeedSaysItIsDisabled) {
  FirstPoll();
  http_.Script(FeedUrl(), FakeHttpClient::WithStatus(FeedUrl(), 410));
  auto gone = poller_.PollFeed(kFeedId);
  ASSERT_OK(gone);
  EXPECT_TRUE(gone->disabled);
  EXPECT_EQ(gone->next_poll_at, TimePoint{});
  auto again = poller_.PollFeed(kFeedId);
  ASSERT_OK(again);
  EXPECT_TRUE(again->disabled);
}

TEST_F(PollerTest, ReportOfAThrottledPollSaysHowLongItWaits) {
  FirstPoll();
  http_.Script(FeedUrl(), FakeHttpClient::WithStatus(FeedUrl(), 429, {{"Retry-After", "120"}}));
  auto told = poller_.PollFeed(kFeedId);
  ASSERT_OK(told);
  EXPECT_TRUE(told->throttled);
  EXPECT_FALSE(told->disabled);
  EXPECT_EQ(told->retry_after, std::chrono::seconds(120));
  http_.Script(FeedUrl(), FakeHttpClient::WithStatus(FeedUrl(), 429));
  auto untold = poller_.PollFeed(kFeedId);
  ASSERT_OK(untold);
  EXPECT_TRUE(untold->throttled);
  EXPECT_FALSE(untold->retry_after);
}

TEST_F(PollerTest, ServerErrorsBackOffCountFailuresAndSuccessClearsThem) {
  FirstPoll();
  const TimePoint first_failure = clock_.Now();
  const std::vector<seconds> backoff = {seconds(300), seconds(600), seconds(1200)};
  for (size_t i = 0; i < backoff.size(); ++i) {
    SCOPED_TRACE(i);
    http_.Script(FeedUrl(), FakeHttpClient::WithStatus(FeedUrl(), 500));
    auto report = poller_.PollFeed(kFeedId);
    ASSERT_OK(report);
    EXPECT_FALSE(report->error.empty());
    const store::FeedRecord feed = Feed();
    EXPECT_EQ(feed.consecutive_failures, static_cast<int>(i + 1));
    EXPECT_EQ(feed.failing_since, first_failure);
    EXPECT_EQ(feed.last_http_status, 500);
    EXPECT_EQ(feed.last_error, report->error);
    EXPECT_EQ(*feed.next_poll_at, clock_.Now() + backoff[i]);
    EXPECT_EQ(schedule_.entries().at(kFeedId), clock_.Now() + backoff[i]);
    clock_.Advance(backoff[i]);
  }
  http_.Script(FeedUrl(), FakeHttpClient::Ok(FeedUrl(), Rss(TwoItems())));
  auto ok = poller_.PollFeed(kFeedId);
  ASSERT_OK(ok);
  EXPECT_EQ(ok->error, "");
  const store::FeedRecord feed = Feed();
  EXPECT_EQ(feed.consecutive_failures, 0);
  EXPECT_FALSE(feed.failing_since);
  EXPECT_EQ(feed.last_error, "");
  EXPECT_EQ(feed.last_http_status, 200);
}

TEST_F(PollerTest, TransportErrorIsRecordedAsAFailure) {
  http_.Script(FeedUrl(), Status::Unavailable("http: blog.example.org: connection refused"));
  auto report = poller_.PollFeed(kFeedId);
  ASSERT_OK(report);
  EXPECT_EQ(report->http_status, 0);
  EXPECT_EQ(report->error, "http: blog.example.org: connection refused");
  const store::FeedRecord feed = Feed();
  EXPECT_EQ(feed.consecutive_failures, 1);
  EXPECT_EQ(feed.last_http_status, 0);
  EXPECT_EQ(feed.failing_since, clock_.Now());
  EXPECT_FALSE(feed.last_success_at);
}

TEST_F(PollerTest, PermanentRedirectUpdatesTheUrl) {
  const std::string moved = "https://new.example.org/feed.xml";
  http::HttpResponse r = FakeHttpClient::Ok(moved, Rss(TwoItems()));
  r.redirects = {{301, moved}};
  http_.Script(FeedUrl(), r);
  auto report = poller_.PollFeed(kFeedId);
  ASSERT_OK(report);
  EXPECT_EQ(Feed().url, moved);
  EXPECT_EQ(report->url, moved);
}

TEST_F(PollerTest, PermanentRedirectToA304InABatchUpdatesTheUrl) {
  FirstPoll({{"ETag", "\"v1\""}});
  const std::string moved = "https://new.example.org/feed.xml";
  http::HttpResponse r = FakeHttpClient::WithStatus(moved, 304);
  r.redirects = {{301, moved}};
  http_.Script(FeedUrl(), r);
  clock_.Advance(hours(1));
  ASSERT_OK(schedule_.Schedule(kFeedId, clock_.Now()));
  auto reports = poller_.RunOnce(10);
  ASSERT_OK(reports);
  ASSERT_EQ(reports->size(), 1u);
  EXPECT_TRUE((*reports)[0].not_modified);
  EXPECT_EQ(Feed().url, moved);
  EXPECT_EQ(Feed().last_http_status, 304);
}

TEST_F(PollerTest, MoveOntoAUrlAnotherFeedBridgesIsRefusedAndThePollIsStored) {
  FirstPoll();
  const std::string taken = FeedUrl() + "?2";  // Feed 2's URL.
  AddFeedLikeTheFirst(2);
  CapturedLog captured(log_);
  const TimePoint now = clock_.Now();
  std::vector<Item> items = {{"c", "Third post", "https://blog.example.org/c", now - minutes(5)}};
  for (const Item& old : TwoItems()) items.push_back(old);
  http::HttpResponse moved = FakeHttpClient::Ok(taken, Rss(items), {{"ETag", "\"v2\""}});
  moved.redirects = {{301, taken}};
  http_.Script(FeedUrl(), moved);
  auto report = poller_.PollFeed(kFeedId);
  ASSERT_OK(report);
  EXPECT_EQ(report->error, "");
  EXPECT_EQ(report->url, FeedUrl());
  EXPECT_EQ(report->notices, 1u);
  const store::FeedRecord feed = Feed();
  EXPECT_EQ(feed.url, FeedUrl());
  EXPECT_EQ(feed.etag, "\"v2\"");
  EXPECT_EQ(feed.last_success_at, clock_.Now());
  EXPECT_EQ(store_.Entries(kFeedId).size(), 3u);
  ASSERT_EQ(store_.Notices().size(), 1u);
  EXPECT_EQ(queue_.messages().size(), 1u);
  EXPECT_EQ(store_.Feed(2).url, taken);
  const std::string warning =
      "poller: feed 1: moved to " + taken + ", which feed 2 already bridges; not moved";
  EXPECT_THAT(captured.With("already bridges"), ::testing::ElementsAre(warning));
  EXPECT_TRUE(captured.With("polled there from now on").empty());

  // The next polls (a 304 in a batch, then a 200) say it no more, and lose nothing either.
  clock_.Advance(hours(1));
  http::HttpResponse not_modified = FakeHttpClient::WithStatus(taken, 304);
  not_modified.redirects = {{301, taken}};
  http_.Script(FeedUrl(), not_modified);
  ASSERT_OK(schedule_.Schedule(kFeedId, clock_.Now()));
  auto batch = poller_.RunOnce(10);
  ASSERT_OK(batch);
  ASSERT_EQ(batch->size(), 1u);
  EXPECT_TRUE((*batch)[0].not_modified);
  EXPECT_EQ(Feed().url, FeedUrl());
  EXPECT_EQ(Feed().last_polled_at, clock_.Now());
  clock_.Advance(hours(1));
  http_.Script(FeedUrl(), moved);
  ASSERT_OK(poller_.PollFeed(kFeedId));
  EXPECT_EQ(Feed().url, FeedUrl());
  EXPECT_EQ(captured.With("already bridges").size(), 1u);

  // Another target is said once more.
  const std::string taken_too = FeedUrl() + "?3";
  AddFeedLikeTheFirst(3);
  clock_.Advance(hours(1));
  moved.redirects = {{301, taken_too}};
  moved.final_url = taken_too;
  http_.Script(FeedUrl(), moved);
  ASSERT_OK(poller_.PollFeed(kFeedId));
  EXPECT_EQ(Feed().url, FeedUrl());
  EXPECT_EQ(captured.With("already bridges").size(), 2u);
}

// Rss(items) as a podcast naming `new_feed_url` in itunes:new-feed-url.
std::string PodcastRss(const std::vector<Item>& items, const std::string& new_feed_url) {
  std::string doc = Rss(items, "<itunes:new-feed-url>" + new_feed_url + "</itunes:new-feed-url>");
  const std::string plain = "<rss version=\"2.0\">";
  doc.replace(doc.find(plain), plain.size(),
              "<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">");
  return doc;
}

TEST_F(PollerTest, NewFeedUrlsNamingEachOtherDoNotMoveTheFeedBackAndForth) {
  FirstPoll();
  CapturedLog captured(log_);
  const std::string other = "https://cast.example.org/feed.xml";
  // Each names the other.
  http_.Script(FeedUrl(), FakeHttpClient::Ok(FeedUrl(), PodcastRss(TwoItems(), other)));
  http_.Script(other, FakeHttpClient::Ok(other, PodcastRss(TwoItems(), FeedUrl())));
  for (int poll = 0; poll < 3; ++poll) {
    auto report = poller_.PollFeed(kFeedId);
    ASSERT_OK(report);
    EXPECT_EQ(report->error, "");
    EXPECT_EQ(report->url, FeedUrl());
    EXPECT_EQ(Feed().url, FeedUrl()) << "poll " << poll;
    EXPECT_EQ(Feed().last_success_at, clock_.Now());
    clock_.Advance(hours(1));
  }
  EXPECT_THAT(captured.With("name each other"),
              ::testing::ElementsAre("poller: feed 1: itunes:new-feed-url names " + other +
                                     ", whose feed names " + FeedUrl() +
                                     " back; not moved (the two feeds name each other)"));
  EXPECT_TRUE(captured.With("polled there from now on").empty());

  // The other feed stops naming this one: the move is honoured.
  http_.Script(other, FakeHttpClient::Ok(other, Rss(TwoItems())));
  ASSERT_OK(poller_.PollFeed(kFeedId));
  EXPECT_EQ(Feed().url, other);
}

TEST_F(PollerTest, TemporaryRedirectKeepsTheUrl) {
  const std::string elsewhere = "https://cdn.example.org/feed.xml";
  http::HttpResponse r = FakeHttpClient::Ok(elsewhere, Rss(TwoItems()));
  r.redirects = {{302, elsewhere}};
  http_.Script(FeedUrl(), r);
  ASSERT_OK(poller_.PollFeed(kFeedId));
  EXPECT_EQ(Feed().url, FeedUrl());
}

TEST_F(PollerTest, AnswerWhoseBodyFailedRecordsTheStatusTheServerSent) {
  FirstPoll();
  const std::string error = "http: " + FeedUrl() + ": decompressed body over 15 MiB";
  http_.Script(FeedUrl(), http::SendResult(Status::ResourceExhausted(error), 200));
  auto report = poller_.PollFeed(kFeedId);
  ASSERT_OK(report);
  EXPECT_EQ(report->error, error);
  EXPECT_EQ(report->http_status, 200);
  EXPECT_EQ(Feed().last_http_status, 200);
  EXPECT_EQ(Feed().last_error, error);
  EXPECT_EQ(Feed().consecutive_failures, 1);
  // A failure with no answer has no status.
  http_.Script(FeedUrl(), http::SendResult(Status::Unavailable("http: refused")));
  ASSERT_OK(poller_.PollFeed(kFeedId));
  EXPECT_EQ(Feed().last_http_status, 0);
}

TEST_F(PollerTest, HtmlPageInsteadOfAFeedIsAClearError) {
  http_.Script(FeedUrl(), FakeHttpClient::Ok(FeedUrl(),
                                             "<!DOCTYPE html><html><head><title>Blog</title></head>"
                                             "<body><p>Hello</p></body></html>",
                                             {{"Content-Type", "text/html; charset=utf-8"}}));
  auto report = poller_.PollFeed(kFeedId);
  ASSERT_OK(report);
  EXPECT_EQ(report->error, "not a feed (an HTML page)");
  EXPECT_EQ(Feed().last_error, "not a feed (an HTML page)");
  EXPECT_EQ(Feed().consecutive_failures, 1);
  EXPECT_TRUE(store_.Entries(kFeedId).empty());
}

TEST_F(PollerTest, EmptyBodyIsAClearError) {
  http_.Script(FeedUrl(), FakeHttpClient::Ok(FeedUrl(), ""));
  auto report = poller_.PollFeed(kFeedId);
  ASSERT_OK(report);
  EXPECT_EQ(report->error, "empty response body (HTTP 200)");
  EXPECT_EQ(Feed().consecutive_failures, 1);
}

TEST_F(PollerTest, GarbageIsAParseErrorAndNothingIsStored) {
  FirstPoll({{"ETag", "\"v1\""}});
  http_.Script(FeedUrl(), FakeHttpClient::Ok(FeedUrl(), "\x01\x02 this is not xml at all {",
                                             {{"ETag", "\"broken\""}}));
  clock_.Advance(hours(1));
  auto report = poller_.PollFeed(kFeedId);
  ASSERT_OK(report);
  EXPECT_FALSE(report->error.empty());
  EXPECT_EQ(report->new_entries, 0u);
  EXPECT_EQ(store_.Entries(kFeedId).size(), 2u);
  EXPECT_TRUE(store_.Notices().empty());
  const store::FeedRecord feed = Feed();
  EXPECT_EQ(feed.consecutive_failures, 1);
  EXPECT_EQ(feed.last_error, report->error);
  // The validators of the broken body are not kept: a 304 must not hide the breakage.
  EXPECT_EQ(feed.etag, "\"v1\"");
}

TEST_F(PollerTest, FeedWhoseIdsChangeEveryPollSendsAtMostTheCap) {
  const auto make = [&](const std::string& prefix) {
    std::vector<Item> items;
    for (int i = 0; i < 30; ++i) {
      const std::string n = std::to_string(i);
      items.push_back({prefix + n, "Post " + n, "https://blog.example.org/" + n,
                       clock_.Now() - minutes(i)});  // Post 0 is the newest.
    }
    return items;
  };
  http_.Script(FeedUrl(), FakeHttpClient::Ok(FeedUrl(), Rss(make("first-"))));
  ASSERT_OK(poller_.PollFeed(kFeedId));
  clock_.Advance(hours(1));
  http_.Script(FeedUrl(), FakeHttpClient::Ok(FeedUrl(), Rss(make("second-"))));
  auto report = poller_.PollFeed(kFeedId);
  ASSERT_OK(report);
  EXPECT_EQ(report->new_entries, 30u);
  EXPECT_EQ(report->notices, 20u);
  ASSERT_FALSE(report->problems.empty());
  EXPECT_THAT(report->problems[0], HasSubstr("30 new entries"));
  const auto notices = store_.Notices();
  ASSERT_EQ(notices.size(), 20u);
  // The newest twenty, oldest of them first.
  EXPECT_EQ(notices.front().text, "Post 19 https://blog.example.org/19");
  EXPECT_EQ(notices.back().text, "Post 0 https://blog.example.org/0");
  EXPECT_EQ(store_.Entries(kFeedId).size(), 60u);  // All are stored.
  EXPECT_EQ(queue_.messages().size(), 20u);
}

TEST_F(PollerTest, QueueDownLeavesNoticesInTheOutboxAndFlushEnqueuesEachOnce) {
  FirstPoll();
  std::vector<Item> items = {{"c", "Third", "https://blog.example.org/c", clock_.Now()},
                             {"d", "Fourth", "https://blog.example.org/d", clock_.Now()}};
  http_.Script(FeedUrl(), FakeHttpClient::Ok(FeedUrl(), Rss(items)));
  clock_.Advance(hours(1));
  queue_.SetDown(true);
  auto report = poller_.PollFeed(kFeedId);
  ASSERT_OK(report);
  EXPECT_EQ(report->notices, 2u);
  ASSERT_FALSE(report->problems.empty());
  EXPECT_THAT(report->problems.back(), HasSubstr("outbox"));
  EXPECT_TRUE(queue_.messages().empty());
  ASSERT_OK(store_.CountPendingOutbox());
  EXPECT_EQ(*store_.CountPendingOutbox(), 2);

  EXPECT_THAT(poller_.FlushOutbox(), testing::StatusIs(Status::Code::kUnavailable));
  queue_.SetDown(false);
  auto flushed = poller_.FlushOutbox();
  ASSERT_OK(flushed);
  EXPECT_EQ(*flushed, 2u);
  auto again = poller_.RunOnce(10);  // Flushes first: nothing is left to enqueue.
  ASSERT_OK(again);
  const auto messages = queue_.messages();
  ASSERT_EQ(messages.size(), 2u);
  std::set<int64_t> ids;
  for (const auto& m : messages) ids.insert(m.notice_id);
  EXPECT_EQ(ids.size(), 2u);
  EXPECT_EQ(*store_.CountPendingOutbox(), 0);
}

TEST_F(PollerTest, StoreDownDuringRecordPollReturnsUnavailableAndWritesNothing) {
  FirstPoll();
  const store::FeedRecord before = Feed();
  std::vector<Item> items = {{"c", "Third", "https://blog.example.org/c", clock_.Now()}};
  http_.Script(FeedUrl(), FakeHttpClient::Ok(FeedUrl(), Rss(items)));
  clock_.Advance(hours(1));
  store_.FailMethod("RecordPoll");
  auto report = poller_.PollFeed(kFeedId);
  EXPECT_THAT(report, testing::StatusIs(Status::Code::kUnavailable));
  store_.FailMethod("");
  EXPECT_EQ(store_.Entries(kFeedId).size(), 2u);
  EXPECT_TRUE(store_.Notices().empty());
  EXPECT_TRUE(queue_.messages().empty());
  EXPECT_EQ(Feed().last_polled_at, before.last_polled_at);
}

TEST_F(PollerTest, StoreDownOnEveryCallReturnsUnavailable) {
  for (int n = 1; n <= 4; ++n) {
    SCOPED_TRACE(n);
    http_.Script(FeedUrl(), FakeHttpClient::Ok(FeedUrl(), Rss(TwoItems())));
    store_.FailNthCall(n);
    auto report = poller_.PollFeed(kFeedId);
    // Either the failing call was one the poll needs (Unavailable) or the poll had finished.
    if (!report.ok()) {
      EXPECT_THAT(report, testing::StatusIs(Status::Code::kUnavailable));
    }
    store_.FailNthCall(1000);
  }
}

TEST_F(PollerTest, NoticeTextFitsIn140CodePointsWithTheUrlIntact) {
  FirstPoll();
  const std::string link = "https://blog.example.org/2027/01/15/a-rather-long-permalink-slug";
  std::string title;
  for (int i = 0; i < 30; ++i) title += "caf\u00e9 \u6f22\u5b57 ";
  http_.Script(FeedUrl(),
               FakeHttpClient::Ok(FeedUrl(), Rss({{"long", title, link, clock_.Now()}})));
  ASSERT_OK(poller_.PollFeed(kFeedId));
  const auto notices = store_.Notices();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_LE(CodePoints(notices[0].text), 140u);
  EXPECT_TRUE(notices[0].text.ends_with("\u2026 " + link)) << notices[0].text;
}

TEST_F(PollerTest, TooLongPermalinkFallsBackToTheProfileUrl) {
  FirstPoll();
  const std::string link = "https://blog.example.org/" + std::string(200, 'x');
  http_.Script(FeedUrl(), FakeHttpClient::Ok(FeedUrl(), Rss({{"e", "Hi", link, clock_.Now()}})));
  ASSERT_OK(poller_.PollFeed(kFeedId));
  const auto notices = store_.Notices();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].text, "Hi " + BaseUrl() + "blog");
  EXPECT_EQ(notices[0].url, link);
}

TEST_F(PollerTest, RunOnceClaimsDueFeedsAndForgetsRemovedOnes) {
  ASSERT_OK(schedule_.Schedule(kFeedId, clock_.Now() - minutes(1)));
  ASSERT_OK(schedule_.Schedule(99, clock_.Now() - minutes(2)));
  http_.Script(FeedUrl(), FakeHttpClient::Ok(FeedUrl(), Rss(TwoItems())));
  auto reports = poller_.RunOnce(10);
  ASSERT_OK(reports);
  ASSERT_EQ(reports->size(), 1u);
  EXPECT_EQ((*reports)[0].feed_id, kFeedId);
  const auto scheduled = schedule_.entries();
  EXPECT_FALSE(scheduled.contains(99));
  EXPECT_GT(scheduled.at(kFeedId), clock_.Now());
  // Nothing is due now.
  auto idle = poller_.RunOnce(10);
  ASSERT_OK(idle);
  EXPECT_TRUE(idle->empty());
}

TEST_F(PollerTest, RunOnceWritesTheStateOfNotModifiedFeedsOnceForTheBatch) {
  std::vector<int64_t> ids = {kFeedId};
  for (int64_t id : {2, 3}) ids.push_back(AddFeedLikeTheFirst(id));
  for (const int64_t id : ids) {
    const std::string url = store_.Feed(id).url;
    http_.Script(url, FakeHttpClient::Ok(url, Rss(TwoItems()), {{"ETag", "\"e\""}}));
    ASSERT_OK(poller_.PollFeed(id));
    http_.Script(url, FakeHttpClient::WithStatus(url, 304));
    ASSERT_OK(schedule_.Schedule(id, clock_.Now()));
  }
  clock_.Advance(hours(1));
  const int saves_before = store_.calls("SaveFetchState") + store_.calls("RecordPoll");
  auto reports = poller_.RunOnce(10);
  ASSERT_OK(reports);
  ASSERT_EQ(reports->size(), 3u);
  EXPECT_EQ(store_.calls("GetFeeds"), 1);
  EXPECT_EQ(store_.calls("SaveFetchStates"), 1);
  EXPECT_EQ(store_.calls("SaveFetchState") + store_.calls("RecordPoll"), saves_before);
  for (const int64_t id : ids) {
    const store::FeedRecord feed = store_.Feed(id);
    EXPECT_EQ(feed.last_http_status, 304) << id;
    EXPECT_EQ(feed.last_polled_at, clock_.Now()) << id;
    ASSERT_TRUE(feed.next_poll_at.has_value()) << id;
    EXPECT_GT(*feed.next_poll_at, clock_.Now()) << id;
    EXPECT_EQ(schedule_.entries().at(id), *feed.next_poll_at) << id;
  }
}

TEST_F(PollerTest, NotModifiedStatesNotWrittenLeaveTheFeedsLeased) {
  FirstPoll({{"ETag", "\"v1\""}});
  ASSERT_OK(schedule_.Schedule(kFeedId, clock_.Now()));
  http_.Script(FeedUrl(), FakeHttpClient::WithStatus(FeedUrl(), 304));
  store_.FailMethod("SaveFetchStates");
  EXPECT_THAT(poller_.RunOnce(10), testing::StatusIs(Status::Code::kUnavailable));
  store_.FailMethod("");
  EXPECT_EQ(Feed().last_http_status, 200);  // Nothing half-written.
  // Still leased: not due now, due again when the lease runs out.
  EXPECT_GT(schedule_.entries().at(kFeedId), clock_.Now());
  EXPECT_LE(schedule_.entries().at(kFeedId),
            clock_.Now() + options_.fetch_timeout * 2 + seconds(30));
}

TEST_F(PollerTest, SlowFetchesGiveTheRestOfTheBatchBackBeforeTheLeaseRunsOut) {
  for (int64_t id : {2, 3}) AddFeedLikeTheFirst(id);
  ASSERT_OK(schedule_.Schedule(kFeedId, clock_.Now() - minutes(3)));
  ASSERT_OK(schedule_.Schedule(2, clock_.Now() - minutes(2)));
  ASSERT_OK(schedule_.Schedule(3, clock_.Now() - minutes(1)));
  http_.Script(FeedUrl(), FakeHttpClient::Ok(FeedUrl(), Rss(TwoItems())));
  // The first fetch takes more than half the lease (fetch_timeout * 2 + 30 s).
  http_.OnSend([&] { clock_.Advance(options_.fetch_timeout + seconds(16)); });
  auto reports = poller_.RunOnce(10);
  ASSERT_OK(reports);
  ASSERT_EQ(reports->size(), 1u);
  EXPECT_EQ((*reports)[0].feed_id, kFeedId);
  EXPECT_EQ(http_.requests().size(), 1u);
  // The other two are due again at once, for this poller or another.
  EXPECT_EQ(schedule_.entries().at(2), clock_.Now());
  EXPECT_EQ(schedule_.entries().at(3), clock_.Now());
}

TEST_F(PollerTest, StoppingGivesTheUnfetchedRestOfTheBatchBack) {
  for (int64_t id : {2, 3}) AddFeedLikeTheFirst(id);
  ASSERT_OK(schedule_.Schedule(kFeedId, clock_.Now() - minutes(3)));
  ASSERT_OK(schedule_.Schedule(2, clock_.Now() - minutes(2)));
  ASSERT_OK(schedule_.Schedule(3, clock_.Now() - minutes(1)));
  http_.Script(FeedUrl(), FakeHttpClient::Ok(FeedUrl(), Rss(TwoItems())));
  // Asked to stop while the first fetch is under way (serve got SIGTERM).
  http_.OnSend([&] { poller_.RequestStop(); });
  auto reports = poller_.RunOnce(10);
  ASSERT_OK(reports);
  ASSERT_EQ(reports->size(), 1u);
  EXPECT_EQ((*reports)[0].feed_id, kFeedId);
  EXPECT_EQ(http_.requests().size(), 1u);
  EXPECT_EQ(schedule_.entries().at(2), clock_.Now());
  EXPECT_EQ(schedule_.entries().at(3), clock_.Now());
}

TEST_F(PollerTest, RunOnceFailsWhenTheScheduleIsDown) {
  schedule_.SetDown(true);
  EXPECT_THAT(poller_.RunOnce(1), testing::StatusIs(Status::Code::kUnavailable));
}

TEST_F(PollerTest, ScheduleAllSchedulesEnabledFeedsOnly) {
  store::FeedRecord later = Feed();
  later.id = 2;
  later.nickname = "later";
  later.url = "https://later.example/feed";
  later.next_poll_at = clock_.Now() + hours(3);
  store_.PutFeed(later);
  store::FeedRecord gone = later;
  gone.id = 3;
  gone.nickname = "gone";
  gone.url = "https://gone.example/feed";  // URLs are unique.
  gone.disabled_reason = "410 Gone";
  store_.PutFeed(gone);
  ASSERT_OK(schedule_.Schedule(3, clock_.Now()));

  auto report = poller_.ScheduleAll();
  ASSERT_OK(report);
  EXPECT_EQ(report->enabled, 2u);
  EXPECT_EQ(report->added, 2u);
  const auto scheduled = schedule_.entries();
  EXPECT_EQ(scheduled.at(kFeedId), clock_.Now());
  EXPECT_EQ(scheduled.at(2), clock_.Now() + hours(3));
  EXPECT_FALSE(scheduled.contains(3));
}

TEST_F(PollerTest, ScheduleAllLeavesALeaseAnotherPollerHoldsAlone) {
  ASSERT_OK(schedule_.Schedule(kFeedId, clock_.Now()));
  // Another poller claims the feed: it is leased until now + 5 min.
  auto claimed = schedule_.ClaimDue(clock_.Now(), 10, minutes(5));
  ASSERT_OK(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  // A poller starting meanwhile schedules everything from the database (the feed's stored
  // next_poll_at is unset: due now). The lease must stand, or this poller would poll it too.
  auto report = poller_.ScheduleAll();
  ASSERT_OK(report);
  EXPECT_EQ(report->enabled, 1u);
  EXPECT_EQ(report->added, 0u);
  EXPECT_EQ(schedule_.entries().at(kFeedId), clock_.Now() + minutes(5));
  auto reports = poller_.RunOnce(10);
  ASSERT_OK(reports);
  EXPECT_TRUE(reports->empty());
}

TEST_F(PollerTest, ScheduleAllWhileTheScheduleIsDownIsUnavailable) {
  schedule_.SetDown(true);
  EXPECT_THAT(poller_.ScheduleAll(), testing::StatusIs(Status::Code::kUnavailable));
}

TEST_F(PollerTest, RunningWorkersPutBackFeedsMissingFromTheSchedule) {
  // The feed is in the database but not on the schedule (Redis lost its data, or the feed was
  // added while Redis was down). Running workers notice within kReseedEvery (5 min).
  poller_.Start();
  clock_.Advance(minutes(4));
  std::this_thread::sleep_for(milliseconds(1200));  // Two idle rounds of every worker.
  EXPECT_FALSE(schedule_.entries().contains(kFeedId));
  clock_.Advance(minutes(2));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!schedule_.entries().contains(kFeedId) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  poller_.Stop();
  EXPECT_TRUE(schedule_.entries().contains(kFeedId));
}

TEST_F(PollerTest, StartAndStopEndTheWorkers) {
  poller_.Start();
  poller_.Start();  // A second Start is a no-op.
  poller_.Stop();
  poller_.Stop();
  SUCCEED();
}

}  // namespace
}  // namespace feedbridge::poller
