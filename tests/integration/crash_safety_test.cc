// DESIGN.md: "a process killed at any instant loses nothing". The built `feedbridge serve
// --roles poller` runs as a subprocess against blogs on loopback, a redis-server and a SQLite file
// owned by this test, and is SIGKILLed again and again at random instants (seeded, so a failure
// replays) while the blogs keep publishing. At the end every post is stored exactly once, every
// post published after the baseline has exactly one notice, and the Redis stream holds exactly
// one message per notice.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "app/wiring.h"
#include "config/config.h"
#include "poller/poller.h"
#include "queue/poll_schedule.h"
#include "queue/redis_connection.h"
#include "store/database.h"
#include "tests/support/http_test_server.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace feedbridge {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::HttpTestServer;
using testing::RedisTestServer;
using testing::TempDir;

constexpr int kFeeds = 5;
constexpr int kBaselinePosts = 2;
constexpr int kKillRounds = 15;
constexpr int kMaxKillDelayMs = 1500;
constexpr unsigned kSeed = 20261123;
constexpr std::string_view kPrefix = "fb:";  // The configuration's default redis.prefix.
// Loopback answers in milliseconds; a short timeout keeps the claim lease (which a killed
// poller's feeds wait out before any poller takes them again) at 32 s.
constexpr seconds kFetchTimeout{1};

// Several blogs on one server, /feedN.rss, each gaining posts when told. Thread-safe.
class Blogs {
 public:
  explicit Blogs(HttpTestServer& server) : server_(server), posts_(kFeeds, kBaselinePosts) {
    for (int feed = 0; feed < kFeeds; ++feed) {
      server_.Route(Path(feed), [this, feed](const HttpTestServer::Request& req,
                                             HttpTestServer::Response& resp) {
        std::lock_guard lock(mu_);
        const int n = posts_[static_cast<size_t>(feed)];
        const std::string etag = "\"" + std::to_string(feed) + "-" + std::to_string(n) + "\"";
        resp.SetHeader("ETag", etag);
        if (req.Header("If-None-Match") == etag) {
          resp.SetStatus(304);
          return;
        }
        std::string items;
        for (int i = n; i >= 1; --i) {
          items += "<item><title>Post " + std::to_string(i) + " of blog " + std::to_string(feed) +
                   "</title><link>" + PostUrl(feed, i) + "</link><guid>" + PostUrl(feed, i) +
                   "</guid></item>";
        }
        resp.SetHeader("Content-Type", "application/rss+xml; charset=utf-8");
        resp.SetBody("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Blog " +
                     std::to_string(feed) + "</title><link>" + server_.Url("/") + "</link>" +
                     items + "</channel></rss>");
      });
    }
  }

  static std::string Path(int feed) { return "/feed" + std::to_string(feed) + ".rss"; }
  std::string FeedUrl(int feed) const { return server_.Url(Path(feed)); }
  std::string PostUrl(int feed, int i) const {
    return server_.Url("/blog" + std::to_string(feed) + "/post/" + std::to_string(i));
  }
  void Publish(int feed) {
    std::lock_guard lock(mu_);
    ++posts_[static_cast<size_t>(feed)];
  }
  int Posts(int feed) const {
    std::lock_guard lock(mu_);
    return posts_[static_cast<size_t>(feed)];
  }

 private:
  HttpTestServer& server_;
  mutable std::mutex mu_;
  std::vector<int> posts_;  // Guarded by mu_.
};

// One run of the feedbridge binary, output appended to `log`.
class Child : public testing::ChildProcess {
 public:
  Child(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
        const std::filesystem::path& log)
      : ChildProcess(FB_FEEDBRIDGE_BINARY, args, env, log) {}
};

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class CrashSafetyTest : public ::testing::Test {
 protected:
  std::map<std::string, std::string> Environment() const {
    return {
        {"FEEDBRIDGE_DATABASE_URL", "sqlite:" + (dir_.path() / "fb.db").string()},
        {"FEEDBRIDGE_REDIS_URL", redis_.url()},
        {"FEEDBRIDGE_POLLER_ALLOW_PRIVATE_NETWORKS", "true"},
        {"FEEDBRIDGE_POLLER_INTERVAL_MIN", "1s"},
        {"FEEDBRIDGE_POLLER_INTERVAL_MAX", "1s"},
        {"FEEDBRIDGE_POLLER_WORKERS", "4"},
        {"FEEDBRIDGE_POLLER_FETCH_TIMEOUT", std::to_string(kFetchTimeout.count()) + "s"},
        {"FEEDBRIDGE_LOG_LEVEL", "warning"},
    };
  }
  // The configuration Environment() gives the children, for the test's own reads.
  config::Config Config() const {
    config::Config config;
    config.database.url = "sqlite:" + (dir_.path() / "fb.db").string();
    config.redis.url = redis_.url();
    config.redis.prefix = std::string(kPrefix);
    return config;
  }
  std::filesystem::path Log() const { return dir_.path() / "feedbridge.log"; }

  // Runs a command to completion; returns its exit code.
  int RunToEnd(const std::vector<std::string>& args) {
    Child child(args, Environment(), Log());
    const std::optional<int> code = child.Wait(seconds(30));
    EXPECT_TRUE(code.has_value()) << "feedbridge did not finish in 30 s";
    return code.value_or(-1);
  }

  TempDir dir_;
  RedisTestServer redis_;  // Outlives every poller this test kills.
  HttpTestServer web_;
  Blogs blogs_{web_};
};

TEST_F(CrashSafetyTest, PollerKilledAtAnyInstantLosesNoEntryAndEnqueuesNoNoticeTwice) {
  SCOPED_TRACE("seed " + std::to_string(kSeed) + "; log " + Log().string());
  ASSERT_OK(redis_.Start());
  for (int feed = 0; feed < kFeeds; ++feed) {
    ASSERT_EQ(
        RunToEnd({"feeds", "add", blogs_.FeedUrl(feed), "--nickname", "n" + std::to_string(feed)}),
        0)
        << ReadText(Log());
  }

  const auto fetches = [this] {
    int n = 0;
    for (int feed = 0; feed < kFeeds; ++feed) n += web_.RequestCount(Blogs::Path(feed));
    return n;
  };
  // The schedule, read between rounds: a round can only fetch if some feed is due, and a run
  // killed mid-batch holds the whole batch (every feed here) for a lease of 32 s.
  auto opened_queue = app::Services::Open(Config(), {.database = false, .redis = true});
  ASSERT_OK(opened_queue);
  queue::PollSchedule& schedule = (*opened_queue)->schedule();
  const auto any_due = [&schedule] {
    auto due = schedule.CountDue(
        std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now()));
    EXPECT_OK(due);
    return due.ok() && *due > 0;
  };

  // How long this machine takes from spawn to a poller's first fetch (a busy machine takes
  // seconds): the kill instants are drawn over that start-up plus kMaxKillDelayMs, so the kills
  // hit real work however loaded the machine is. The calibration run is stopped cleanly, so it
  // leaves no lease behind (a SIGKILL there held every feed for the first 32 s of the rounds,
  // and on a loaded machine no round could fetch).
  int startup_ms = 0;
  {
    const int before = fetches();
    const auto started = std::chrono::steady_clock::now();
    Child serve({"serve", "--roles", "poller"}, Environment(), Log());
    while (fetches() == before && std::chrono::steady_clock::now() - started < seconds(30)) {
      std::this_thread::sleep_for(milliseconds(5));
    }
    startup_ms = static_cast<int>(
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started)
            .count());
    serve.Signal(SIGTERM);
    const std::optional<int> code = serve.Wait(seconds(30));
    ASSERT_TRUE(code.has_value()) << "serve did not stop within 30 s of SIGTERM";
    ASSERT_EQ(*code, 0) << ReadText(Log());
  }
  RecordProperty("startup_ms", startup_ms);

  std::mt19937 rng(kSeed);
  std::uniform_int_distribution<int> delay_ms(0, startup_ms + kMaxKillDelayMs);
  std::bernoulli_distribution publish(0.5);
  int kills_during_run = 0;
  int rounds_that_fetched = 0;
  int rounds_with_work_due = 0;  // Some feed was due as the run started.
  for (int round = 0; round < kKillRounds; ++round) {
    const int fetches_before = fetches();
    const bool due = any_due();
    for (int feed = 0; feed < kFeeds; ++feed) {
      if (publish(rng)) blogs_.Publish(feed);
    }
    Child serve({"serve", "--roles", "poller"}, Environment(), Log());
    const milliseconds delay(delay_ms(rng));
    const std::optional<int> early = serve.Wait(delay);
    ASSERT_FALSE(early.has_value())
        << "serve exited by itself (" << *early << ") in round " << round << ":\n"
        << ReadText(Log());
    serve.Signal(SIGKILL);
    const std::optional<int> code = serve.Wait(seconds(10));
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 128 + SIGKILL);
    ++kills_during_run;
    if (fetches() > fetches_before) ++rounds_that_fetched;
    if (due) ++rounds_with_work_due;
  }
  EXPECT_EQ(kills_during_run, kKillRounds);
  // Many of the runs that had work lived long enough to poll before they were killed: the kills
  // hit real work. (Round 0 has work: the calibration run left every feed on the schedule.)
  RecordProperty("rounds_that_fetched", rounds_that_fetched);
  RecordProperty("rounds_with_work_due", rounds_with_work_due);
  EXPECT_GE(rounds_with_work_due, 1);
  EXPECT_GE(rounds_that_fetched, 1);
  EXPECT_GE(rounds_that_fetched * 3, rounds_with_work_due)
      << rounds_that_fetched << " of " << rounds_with_work_due << " rounds with work fetched";

  // The last run is left alone until every post is stored, then stopped cleanly. Feeds the
  // last killed run held are polled again when their lease runs out, not before: the new run
  // cannot tell a dead poller's lease from a live one's.
  config::PollerOptions options;
  options.fetch_timeout = kFetchTimeout;
  const milliseconds wait_limit = poller::ClaimLease(options) + seconds(30);
  // The database as the real wiring opens it, from the configuration the children run on.
  auto opened = app::Services::Open(Config(), {.database = true});
  ASSERT_OK(opened);
  store::Database& db = (*opened)->database();
  std::vector<store::FeedRecord> feeds;
  for (int feed = 0; feed < kFeeds; ++feed) {
    auto record = db.feeds().FindFeed("n" + std::to_string(feed));
    ASSERT_OK(record);
    feeds.push_back(*record);
  }
  {
    Child serve({"serve", "--roles", "poller"}, Environment(), Log());
    const auto deadline = std::chrono::steady_clock::now() + wait_limit;
    for (bool all_stored = false; !all_stored;) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline)
          << "posts still missing after " << wait_limit.count() << " ms:\n"
          << ReadText(Log());
      std::this_thread::sleep_for(milliseconds(200));
      all_stored = true;
      for (int feed = 0; feed < kFeeds; ++feed) {
        auto count = db.entries().CountEntries(feeds[static_cast<size_t>(feed)].id);
        ASSERT_OK(count);
        all_stored = all_stored && *count >= blogs_.Posts(feed);
      }
    }
    serve.Signal(SIGTERM);
    const std::optional<int> code = serve.Wait(seconds(30));
    ASSERT_TRUE(code.has_value()) << "serve did not stop within 30 s of SIGTERM";
    EXPECT_EQ(*code, 0) << ReadText(Log());
  }

  // Every post is an entry exactly once.
  std::set<int64_t> notice_ids;
  int64_t expected_notices = 0;
  for (int feed = 0; feed < kFeeds; ++feed) {
    SCOPED_TRACE("feed n" + std::to_string(feed));
    const store::FeedRecord& record = feeds[static_cast<size_t>(feed)];
    auto entries = db.entries().ListEntries(record.id, 0, 1000);
    ASSERT_OK(entries);
    std::multiset<std::string> entry_urls;
    for (const store::StoredEntry& e : *entries) entry_urls.insert(e.url);
    std::multiset<std::string> posts;
    for (int i = 1; i <= blogs_.Posts(feed); ++i) posts.insert(blogs_.PostUrl(feed, i));
    EXPECT_EQ(entry_urls, posts);

    // Exactly one notice per post published after the baseline, none for the baseline.
    auto notices = db.notices().ListNotices(record.account_id, 0, 1000);
    ASSERT_OK(notices);
    std::multiset<std::string> notice_urls;
    for (const store::Notice& n : *notices) {
      notice_urls.insert(n.url);
      notice_ids.insert(n.id);
      EXPECT_TRUE(n.enqueued) << "notice " << n.id << " still in the outbox";
    }
    std::multiset<std::string> published_after_baseline;
    for (int i = kBaselinePosts + 1; i <= blogs_.Posts(feed); ++i) {
      published_after_baseline.insert(blogs_.PostUrl(feed, i));
    }
    EXPECT_EQ(notice_urls, published_after_baseline);
    expected_notices += blogs_.Posts(feed) - kBaselinePosts;
  }
  EXPECT_GT(expected_notices, 0);
  EXPECT_EQ(static_cast<int64_t>(notice_ids.size()), expected_notices);
  auto outbox = db.notices().CountPendingOutbox();
  ASSERT_OK(outbox);
  EXPECT_EQ(*outbox, 0);

  // The notices stream holds exactly one message per notice: none missing, none twice.
  auto redis = queue::RedisConnection::Open({.url = redis_.url()});
  ASSERT_OK(redis);
  auto range = (*redis)->Command({"XRANGE", std::string(kPrefix) + "{fb}:notices", "-", "+"});
  ASSERT_OK(range);
  ASSERT_TRUE(range->is_array());
  std::multiset<int64_t> on_stream;
  for (const queue::Reply& message : range->elements) {
    ASSERT_EQ(message.elements.size(), 2u);
    const std::vector<queue::Reply>& fields = message.elements[1].elements;
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str == "notice_id") on_stream.insert(std::stoll(fields[i + 1].str));
    }
  }
  EXPECT_EQ(on_stream.size(), range->elements.size()) << "a message without a notice_id";
  EXPECT_EQ(on_stream, std::multiset<int64_t>(notice_ids.begin(), notice_ids.end()));
}

}  // namespace
}  // namespace feedbridge
