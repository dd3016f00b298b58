// The poller against every way a feed fetch goes wrong, end to end on this machine: the real
// Poller and PocoHttpClient as the real wiring (app/wiring.h) builds them, on a fake clock, a
// POCO HTTP server on loopback playing the faulty blog, a real redis-server and a SQLite file. Each
// test names one fault and asserts what the feed's stored health says about it, and that no entry
// is lost and no notice is enqueued twice: a post published while the fault lasts is picked up,
// exactly once, by the first good poll after it.

#include <Poco/Logger.h>
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/wiring.h"
#include "common/clock.h"
#include "poller/poll_steps.h"
#include "poller/poller.h"
#include "store/database.h"
#include "tests/support/fake_clock.h"
#include "tests/support/http_test_server.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace feedbridge {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeClock;
using ::testing::HasSubstr;
using testing::HttpTestServer;
using testing::RedisTestServer;
using testing::TempDir;

constexpr size_t kSmallBodyCap = 64u << 10;  // PollerOptions.max_body_bytes for the size tests.

// A blog with a growing RSS feed at /feed.rss that can be told to misbehave: while a fault is
// set, the fault answers every request instead of the feed. Thread-safe.
class FaultyBlog {
 public:
  FaultyBlog(HttpTestServer& server, std::string path) : server_(server), path_(std::move(path)) {
    server_.Route(path_,
                  [this](const HttpTestServer::Request& req, HttpTestServer::Response& resp) {
                    HttpTestServer::Handler fault;
                    {
                      std::lock_guard lock(mu_);
                      fault = fault_;
                    }
                    if (fault) {
                      fault(req, resp);
                      return;
                    }
                    resp.SetHeader("Content-Type", "application/rss+xml; charset=utf-8");
                    resp.SetBody(Render());
                  });
  }

  void Publish() {
    std::lock_guard lock(mu_);
    ++posts_;
  }
  void SetFault(HttpTestServer::Handler fault) {
    std::lock_guard lock(mu_);
    fault_ = std::move(fault);
  }
  void ClearFault() { SetFault(nullptr); }
  int posts() const {
    std::lock_guard lock(mu_);
    return posts_;
  }
  std::string PostUrl(int i) const { return server_.Url("/post/" + std::to_string(i)); }
  std::string url() const { return server_.Url(path_); }
  std::string Render() const {
    std::lock_guard lock(mu_);
    std::string items;
    for (int i = posts_; i >= 1; --i) {
      items += "<item><title>Post " + std::to_string(i) + "</title><link>" + PostUrl(i) +
               "</link><guid>" + PostUrl(i) + "</guid><pubDate>Mon, " + std::to_string(i) +
               " Nov 2026 10:00:00 GMT</pubDate></item>";
    }
    return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Faulty blog</title>"
           "<link>" +
           server_.Url("/") + "</link>" + items + "</channel></rss>";
  }

 private:
  HttpTestServer& server_;
  const std::string path_;
  mutable std::mutex mu_;
  int posts_ = 3;                  // Guarded by mu_.
  HttpTestServer::Handler fault_;  // Guarded by mu_.
};

class PollerFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(redis_.Start());
    config::PollerOptions options;
    options.fetch_timeout = seconds(2);
    UsePoller(options);
  }

  // Replaces the services (the same SQLite file and Redis, the fake clock) with those the real
  // wiring (app/wiring.h) builds with `options` as [poller]; `database_query` ends the SQLite URL.
  void UsePoller(const config::PollerOptions& options, const std::string& database_query = "") {
    options_ = options;
    services_.reset();
    config::Config config;
    config.server.base_url = "http://127.0.0.1:8080/";
    config.database.url = "sqlite:" + DbPath().string() + database_query;
    config.redis.url = redis_.url();
    config.redis.prefix = "fbfaults:";
    config.poller = options;
    config.poller.user_agent = "feedbridge-faults-test";
    config.poller.allow_private_networks = true;
    auto services = app::Services::Open(config, {.poller = true}, {.clock = &clock_});
    ASSERT_OK(services);
    services_ = std::move(services).value();
    db_ = &services_->database();
    queue_ = &services_->notice_queue();
    schedule_ = &services_->schedule();
    poller_ = &services_->poller();
  }

  std::filesystem::path DbPath() const { return dir_.path() / "db" / "fb.db"; }

  int64_t AddFeed(const std::string& url, const std::string& nickname) {
    auto feed = db_->feeds().AddFeed({.url = url, .nickname = nickname});
    EXPECT_OK(feed);
    return feed.ok() ? feed->id : 0;
  }

  store::FeedRecord Feed(int64_t id) {
    auto feed = db_->feeds().GetFeed(id);
    EXPECT_OK(feed);
    return feed.ok() ? *feed : store::FeedRecord{};
  }

  int64_t Entries(int64_t feed_id) {
    auto count = db_->entries().CountEntries(feed_id);
    EXPECT_OK(count);
    return count.ok() ? *count : -1;
  }

  // Every message on the notices stream, claimed by a test consumer and acknowledged.
  std::vector<store::Notice> DrainQueue() {
    std::vector<store::Notice> out;
    for (;;) {
      auto claimed = queue_->Claim("test", 100, milliseconds(0), std::chrono::minutes(5));
      EXPECT_OK(claimed);
      if (!claimed.ok() || claimed->empty()) break;
      for (const queue::ClaimedNotice& c : *claimed) {
        auto notice = db_->notices().GetNotice(c.notice.notice_id);
        EXPECT_OK(notice);
        if (notice.ok()) out.push_back(*notice);
        EXPECT_OK(queue_->Ack(c));
      }
    }
    return out;
  }

  // Polls `feed_id` now; the poll must not fail as a whole (store and queue are up).
  poller::PollReport Poll(int64_t feed_id) {
    auto report = poller_->PollFeed(feed_id);
    EXPECT_OK(report);
    return report.ok() ? *report : poller::PollReport{};
  }

  // The blog's baseline: the first good poll stores its 3 posts without notices.
  int64_t AddBlogWithBaseline() {
    const int64_t id = AddFeed(blog_.url(), "blog");
    const poller::PollReport first = Poll(id);
    EXPECT_EQ(first.error, "");
    EXPECT_EQ(first.new_entries, 3u);
    EXPECT_EQ(first.notices, 0u);
    return id;
  }

  // The failure was recorded as the `failures`-th of a run that started at `since`: a
  // non-empty error, the run's start, a later poll backed off exponentially (±10 % jitter)
  // from interval_min, the feed still enabled and on the schedule.
  void ExpectFailing(int64_t feed_id, const poller::PollReport& report, int failures,
                     TimePoint since) {
    const store::FeedRecord f = Feed(feed_id);
    const TimePoint now = clock_.Now();
    EXPECT_FALSE(report.error.empty());
    EXPECT_EQ(f.last_error, report.error);
    EXPECT_EQ(f.consecutive_failures, failures);
    ASSERT_TRUE(f.failing_since.has_value());
    EXPECT_EQ(*f.failing_since, since);
    ASSERT_TRUE(f.last_polled_at.has_value());
    EXPECT_EQ(*f.last_polled_at, now);
    EXPECT_EQ(f.disabled_reason, "");
    ASSERT_TRUE(f.next_poll_at.has_value());
    const auto backoff = options_.interval_min * (1 << (failures - 1));
    EXPECT_GE(*f.next_poll_at, now + backoff * 9 / 10);
    EXPECT_LE(*f.next_poll_at, now + backoff * 11 / 10);
    EXPECT_EQ(report.next_poll_at, *f.next_poll_at);
    // The shared schedule agrees: not due now, due by the stored time.
    auto due_now = schedule_->CountDue(now);
    ASSERT_OK(due_now);
    EXPECT_EQ(*due_now, 0);
    auto due_then = schedule_->CountDue(*f.next_poll_at);
    ASSERT_OK(due_then);
    EXPECT_EQ(*due_then, 1);
  }

  // Nothing was stored for a feed that never answered, and nothing was enqueued.
  void ExpectNothingStoredOrEnqueued(int64_t feed_id) {
    EXPECT_EQ(Entries(feed_id), 0);
    auto outbox = db_->notices().CountPendingOutbox();
    ASSERT_OK(outbox);
    EXPECT_EQ(*outbox, 0);
    EXPECT_TRUE(DrainQueue().empty());
  }

  // With the fault gone, the next poll (a while later) picks up the one post published during
  // the fault: exactly one notice on the queue, and the feed is healthy again.
  void ExpectRecoveryWithoutLossOrDuplicates(int64_t feed_id) {
    blog_.ClearFault();
    clock_.Advance(std::chrono::minutes(10));
    const poller::PollReport good = Poll(feed_id);
    EXPECT_EQ(good.error, "");
    EXPECT_EQ(good.http_status, 200);
    EXPECT_EQ(good.new_entries, 1u);
    EXPECT_EQ(good.notices, 1u);
    const std::vector<store::Notice> notices = DrainQueue();
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_EQ(notices[0].url, blog_.PostUrl(blog_.posts()));
    EXPECT_EQ(Entries(feed_id), blog_.posts());
    const store::FeedRecord f = Feed(feed_id);
    EXPECT_EQ(f.last_error, "");
    EXPECT_EQ(f.consecutive_failures, 0);
    EXPECT_FALSE(f.failing_since.has_value());
    EXPECT_EQ(f.last_success_at, std::optional<TimePoint>(clock_.Now()));
    ASSERT_TRUE(f.next_poll_at.has_value());
    EXPECT_GT(*f.next_poll_at, clock_.Now());
    // Polling once more finds nothing new: still exactly one notice in all.
    clock_.Advance(std::chrono::minutes(10));
    const poller::PollReport again = Poll(feed_id);
    EXPECT_EQ(again.new_entries, 0u);
    EXPECT_TRUE(DrainQueue().empty());
  }

  // Sets `fault`, publishes one post that the fault hides, polls once and checks the failure was
  // recorded with an error containing `error_part`; then checks nothing was stored or queued.
  poller::PollReport PollThroughFault(int64_t feed_id, HttpTestServer::Handler fault,
                                      const std::string& error_part) {
    blog_.SetFault(std::move(fault));
    blog_.Publish();
    clock_.Advance(std::chrono::minutes(10));
    const TimePoint since = clock_.Now();
    const poller::PollReport report = Poll(feed_id);
    RecordProperty("error", report.error);  // In --gtest_output=xml, for reading the messages.
    EXPECT_THAT(report.error, HasSubstr(error_part));
    EXPECT_EQ(report.new_entries, 0u);
    EXPECT_EQ(report.notices, 0u);
    ExpectFailing(feed_id, report, 1, since);
    EXPECT_EQ(Entries(feed_id), 3);
    EXPECT_TRUE(DrainQueue().empty());
    return report;
  }

  TempDir dir_;
  FakeClock clock_;
  RedisTestServer redis_;
  HttpTestServer web_;
  FaultyBlog blog_{web_, "/feed.rss"};
  config::PollerOptions options_;
  std::unique_ptr<app::Services> services_;
  store::Database* db_ = nullptr;  // Owned by services_, as the rest.
  queue::NoticeQueue* queue_ = nullptr;
  queue::PollSchedule* schedule_ = nullptr;
  poller::Poller* poller_ = nullptr;
};

// ---- Transport failures: the feed URL itself is unreachable. ----

TEST_F(PollerFaultsTest, ConnectionRefusedIsAFailureWithBackoff) {
  const int port = testing::FreeLoopbackPort();  // Bound, read back and closed: nobody listens.
  const int64_t id = AddFeed("http://127.0.0.1:" + std::to_string(port) + "/feed.rss", "refused");
  const TimePoint since = clock_.Now();
  const poller::PollReport report = Poll(id);
  RecordProperty("error", report.error);
  EXPECT_EQ(report.http_status, 0);
  EXPECT_THAT(report.error, HasSubstr("connection refused"));
  EXPECT_THAT(report.error, HasSubstr(std::to_string(port)));
  ExpectFailing(id, report, 1, since);
  EXPECT_EQ(Feed(id).last_http_status, 0);
  ExpectNothingStoredOrEnqueued(id);

  // Still refused later: the second failure of the same run backs off twice as long.
  clock_.Advance(std::chrono::minutes(6));
  const poller::PollReport second = Poll(id);
  ExpectFailing(id, second, 2, since);
  ExpectNothingStoredOrEnqueued(id);
}

TEST_F(PollerFaultsTest, DnsFailureIsAFailureNamingTheHost) {
  // .invalid never resolves (RFC 6761 §6.4): no DNS query leaves the machine.
  const int64_t id = AddFeed("http://feed.invalid/feed.rss", "nodns");
  const TimePoint since = clock_.Now();
  const poller::PollReport report = Poll(id);
  RecordProperty("error", report.error);
  RecordProperty("error", report.error);
  EXPECT_EQ(report.http_status, 0);
  EXPECT_THAT(report.error, HasSubstr("DNS"));
  EXPECT_THAT(report.error, HasSubstr("feed.invalid"));
  ExpectFailing(id, report, 1, since);
  ExpectNothingStoredOrEnqueued(id);
}

// A plain-text server that answers every connection at once with an HTTP error, whatever the
// client sent: a TLS client reading it as a ServerHello fails deterministically (an HTTP server
// would wait for a request line that the ClientHello's random bytes may or may not end).
class PlainTextAnswerer {
 public:
  PlainTextAnswerer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(fd_, 4);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      for (;;) {
        const int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;  // The listening socket was shut down.
        static constexpr char kAnswer[] =
            "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
        (void)!write(c, kAnswer, sizeof(kAnswer) - 1);
        close(c);
      }
    });
  }
  ~PlainTextAnswerer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(PollerFaultsTest, TlsToAPlainHttpServerIsAFailureNamingTls) {
  PlainTextAnswerer plain;
  const int64_t id =
      AddFeed("https://127.0.0.1:" + std::to_string(plain.port()) + "/feed.rss", "notls");
  const TimePoint since = clock_.Now();
  const auto start = std::chrono::steady_clock::now();
  const poller::PollReport report = Poll(id);
  EXPECT_LT(std::chrono::steady_clock::now() - start, options_.fetch_timeout + seconds(5));
  RecordProperty("error", report.error);
  EXPECT_EQ(report.http_status, 0);
  EXPECT_THAT(report.error, HasSubstr("TLS"));
  ExpectFailing(id, report, 1, since);
  ExpectNothingStoredOrEnqueued(id);
}

TEST_F(PollerFaultsTest, ServerThatHangsTimesOutWithinTheFetchTimeout) {
  config::PollerOptions options;
  options.fetch_timeout = seconds(1);
  UsePoller(options);
  const int64_t id = AddBlogWithBaseline();
  const auto start = std::chrono::steady_clock::now();
  PollThroughFault(
      id,
      [](const HttpTestServer::Request&, HttpTestServer::Response& resp) {
        resp.Hang(seconds(30));  // Woken by the server's destructor.
      },
      "timed out");
  EXPECT_LT(std::chrono::steady_clock::now() - start, options.fetch_timeout + seconds(4));
  ExpectRecoveryWithoutLossOrDuplicates(id);
}

TEST_F(PollerFaultsTest, ServerThatTricklesBytesIsCutOffAtTheFetchTimeout) {
  config::PollerOptions options;
  options.fetch_timeout = seconds(1);
  UsePoller(options);
  const int64_t id = AddBlogWithBaseline();
  const std::string feed = blog_.Render();
  const auto start = std::chrono::steady_clock::now();
  PollThroughFault(
      id,
      [feed](const HttpTestServer::Request&, HttpTestServer::Response& resp) {
        resp.SetHeader("Content-Type", "application/rss+xml");
        resp.SetBody(feed);              // Hundreds of bytes...
        resp.Trickle(milliseconds(50));  // ...at 20 bytes a second: each read is quick.
      },
      "timed out");
  EXPECT_LT(std::chrono::steady_clock::now() - start, options.fetch_timeout + seconds(4));
  ExpectRecoveryWithoutLossOrDuplicates(id);
}

// ---- HTTP answers. ----

TEST_F(PollerFaultsTest, NotFoundIsAFailureButDoesNotDisableTheFeed) {
  const int64_t id = AddBlogWithBaseline();
  PollThroughFault(
      id,
      [](const HttpTestServer::Request&, HttpTestServer::Response& resp) {
        resp.SetStatus(404);
        resp.SetBody("no such page");
      },
      "404");
  EXPECT_EQ(Feed(id).last_http_status, 404);
  ExpectRecoveryWithoutLossOrDuplicates(id);
}

TEST_F(PollerFaultsTest, GoneDisablesTheFeedWithTheReasonAndStopsPollingIt) {
  const int64_t id = AddBlogWithBaseline();
  blog_.SetFault(
      [](const HttpTestServer::Request&, HttpTestServer::Response& resp) { resp.SetStatus(410); });
  blog_.Publish();
  clock_.Advance(std::chrono::minutes(10));
  const poller::PollReport report = Poll(id);
  EXPECT_EQ(report.http_status, 410);
  const store::FeedRecord f = Feed(id);
  EXPECT_THAT(f.disabled_reason, HasSubstr("410 Gone"));
  EXPECT_TRUE(f.disabled());
  EXPECT_EQ(f.last_error, f.disabled_reason);
  EXPECT_EQ(report.error, f.disabled_reason);
  EXPECT_EQ(f.consecutive_failures, 1);
  EXPECT_EQ(f.failing_since, std::optional<TimePoint>(clock_.Now()));
  EXPECT_EQ(f.last_http_status, 410);
  EXPECT_FALSE(f.next_poll_at.has_value());
  auto scheduled = schedule_->Size();
  ASSERT_OK(scheduled);
  EXPECT_EQ(*scheduled, 0) << "a disabled feed must leave the shared schedule";
  EXPECT_EQ(Entries(id), 3);
  EXPECT_TRUE(DrainQueue().empty());

  // Polled again by hand: not fetched at all.
  const int requests = web_.RequestCount("/feed.rss");
  const poller::PollReport again = Poll(id);
  EXPECT_THAT(again.error, HasSubstr("disabled"));
  EXPECT_EQ(web_.RequestCount("/feed.rss"), requests);
}

TEST_F(PollerFaultsTest, TooManyRequestsWithRetryAfterWaitsAsToldWithoutCountingAFailure) {
  const int64_t id = AddBlogWithBaseline();
  blog_.SetFault([](const HttpTestServer::Request&, HttpTestServer::Response& resp) {
    resp.SetStatus(429);
    resp.SetHeader("Retry-After", "120");
  });
  blog_.Publish();
  clock_.Advance(std::chrono::minutes(10));
  const TimePoint now = clock_.Now();
  const poller::PollReport report = Poll(id);
  EXPECT_EQ(report.http_status, 429);
  EXPECT_EQ(report.error, "");
  EXPECT_FALSE(report.problems.empty());
  const store::FeedRecord f = Feed(id);
  EXPECT_EQ(f.last_error, "");
  EXPECT_EQ(f.consecutive_failures, 0);
  EXPECT_FALSE(f.failing_since.has_value());
  EXPECT_EQ(f.disabled_reason, "");
  EXPECT_EQ(f.last_http_status, 429);
  ASSERT_TRUE(f.next_poll_at.has_value());
  EXPECT_GE(*f.next_poll_at, now + seconds(118));
  EXPECT_LE(*f.next_poll_at, now + seconds(122));
  auto due = schedule_->CountDue(now + seconds(119));
  ASSERT_OK(due);
  EXPECT_EQ(*due, 0);
  EXPECT_EQ(Entries(id), 3);
  EXPECT_TRUE(DrainQueue().empty());
  ExpectRecoveryWithoutLossOrDuplicates(id);
}

TEST_F(PollerFaultsTest, InternalServerErrorBacksOffExponentially) {
  const int64_t id = AddBlogWithBaseline();
  const auto fault = [](const HttpTestServer::Request&, HttpTestServer::Response& resp) {
    resp.SetStatus(500);
  };
  PollThroughFault(id, fault, "500");
  const TimePoint since = *Feed(id).failing_since;
  clock_.Advance(std::chrono::minutes(10));
  const poller::PollReport second = Poll(id);
  EXPECT_THAT(second.error, HasSubstr("500"));
  ExpectFailing(id, second, 2, since);
  EXPECT_EQ(Feed(id).last_http_status, 500);
  ExpectRecoveryWithoutLossOrDuplicates(id);
}

TEST_F(PollerFaultsTest, ServiceUnavailableWithoutRetryAfterIsAFailureWithBackoff) {
  const int64_t id = AddBlogWithBaseline();
  const auto fault = [](const HttpTestServer::Request&, HttpTestServer::Response& resp) {
    resp.SetStatus(503);
  };
  PollThroughFault(id, fault, "503");
  const TimePoint since = *Feed(id).failing_since;
  clock_.Advance(std::chrono::minutes(10));
  const poller::PollReport second = Poll(id);
  EXPECT_THAT(second.error, HasSubstr("503"));
  ExpectFailing(id, second, 2, since);
  ExpectRecoveryWithoutLossOrDuplicates(id);
}

TEST_F(PollerFaultsTest, RedirectLoopIsAFailureNamingTheLoop) {
  const int64_t id = AddBlogWithBaseline();
  web_.Route("/elsewhere", [this](const HttpTestServer::Request&, HttpTestServer::Response& resp) {
    resp.SetStatus(302);
    resp.SetHeader("Location", web_.Url("/feed.rss"));
  });
  PollThroughFault(
      id,
      [this](const HttpTestServer::Request&, HttpTestServer::Response& resp) {
        resp.SetStatus(302);
        resp.SetHeader("Location", web_.Url("/elsewhere"));
      },
      "redirect loop");
  EXPECT_EQ(Feed(id).url, blog_.url());
  ExpectRecoveryWithoutLossOrDuplicates(id);
}

// ---- Bodies that are not a feed. ----

TEST_F(PollerFaultsTest, HtmlPageIsAClearNotAFeedError) {
  const int64_t id = AddBlogWithBaseline();
  const poller::PollReport report = PollThroughFault(
      id,
      [](const HttpTestServer::Request&, HttpTestServer::Response& resp) {
        resp.SetHeader("Content-Type", "text/html; charset=utf-8");
        resp.SetBody(
            "<!DOCTYPE html><html><head><title>Welcome</title></head>"
            "<body><p>Our new site!</p></body></html>");
      },
      "not a feed");
  EXPECT_EQ(report.http_status, 200);
  EXPECT_EQ(Feed(id).last_http_status, 200);
  ExpectRecoveryWithoutLossOrDuplicates(id);
}

TEST_F(PollerFaultsTest, EmptyBodyIsAFailureSayingSo) {
  const int64_t id = AddBlogWithBaseline();
  const poller::PollReport report = PollThroughFault(
      id,
      [](const HttpTestServer::Request&, HttpTestServer::Response& resp) {
        resp.SetHeader("Content-Type", "application/rss+xml");
      },
      "empty response body");
  EXPECT_EQ(report.http_status, 200);
  ExpectRecoveryWithoutLossOrDuplicates(id);
}

TEST_F(PollerFaultsTest, GzipBombIsStoppedAtTheBodyCap) {
  config::PollerOptions options;
  options.max_body_bytes = kSmallBodyCap;
  UsePoller(options);
  const int64_t id = AddBlogWithBaseline();
  PollThroughFault(
      id,
      [](const HttpTestServer::Request&, HttpTestServer::Response& resp) {
        resp.SetHeader("Content-Type", "application/rss+xml");
        resp.SetGzipBody(std::string(8u << 20, '\0'));  // 8 MiB of zeros in a few KiB.
      },
      "decompressed body over 64 KiB");
  EXPECT_THAT(Feed(id).last_error, HasSubstr("decompressed"));
  ExpectRecoveryWithoutLossOrDuplicates(id);
}

TEST_F(PollerFaultsTest, BodyOverTheCapWithContentLengthIsRefused) {
  config::PollerOptions options;
  options.max_body_bytes = kSmallBodyCap;
  UsePoller(options);
  const int64_t id = AddBlogWithBaseline();
  PollThroughFault(
      id,
      [](const HttpTestServer::Request&, HttpTestServer::Response& resp) {
        resp.SetHeader("Content-Type", "application/rss+xml");
        resp.SetBody(std::string(kSmallBodyCap + 1, 'x'));
      },
      "over " + std::to_string(kSmallBodyCap) + " bytes");
  ExpectRecoveryWithoutLossOrDuplicates(id);
}

TEST_F(PollerFaultsTest, ChunkedBodyOverTheCapIsCutOff) {
  config::PollerOptions options;
  options.max_body_bytes = kSmallBodyCap;
  UsePoller(options);
  const int64_t id = AddBlogWithBaseline();
  PollThroughFault(
      id,
      [](const HttpTestServer::Request&, HttpTestServer::Response& resp) {
        resp.SetHeader("Content-Type", "application/rss+xml");
        resp.SetFraming(HttpTestServer::Response::Framing::kChunked);  // No length announced.
        resp.SetBody(std::string(4 * kSmallBodyCap, 'x'));
      },
      "body over " + std::to_string(kSmallBodyCap) + " bytes");
  ExpectRecoveryWithoutLossOrDuplicates(id);
}

// ---- Feeds that change under the poller. ----

TEST_F(PollerFaultsTest, EntriesThatChangeIdsEveryPollAreCappedToTheNoticeLimit) {
  constexpr int kItems = 30;
  static_assert(kItems > static_cast<int>(poller::internal::kMaxNoticesPerPoll));
  std::mutex mu;
  int served = 0;  // Guarded by mu.
  web_.Route("/shifty.rss", [&](const HttpTestServer::Request&, HttpTestServer::Response& resp) {
    int generation = 0;
    {
      std::lock_guard lock(mu);
      generation = ++served;
    }
    std::string items;
    for (int i = kItems; i >= 1; --i) {
      // Same posts, but every answer gives them new ids (a broken generator).
      const std::string link = web_.Url("/post/" + std::to_string(i));
      items += "<item><title>Post " + std::to_string(i) + "</title><link>" + link +
               "</link><guid isPermaLink=\"false\">gen" + std::to_string(generation) + "-" +
               std::to_string(i) + "</guid><pubDate>Mon, " + std::to_string(i % 28 + 1) +
               " Nov 2026 " + std::to_string(10 + i % 10) + ":00:00 GMT</pubDate></item>";
    }
    resp.SetHeader("Content-Type", "application/rss+xml");
    resp.SetBody("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Shifty</title>" +
                 items + "</channel></rss>");
  });
  const int64_t id = AddFeed(web_.Url("/shifty.rss"), "shifty");
  const poller::PollReport baseline = Poll(id);
  EXPECT_EQ(baseline.new_entries, static_cast<size_t>(kItems));
  EXPECT_EQ(baseline.notices, 0u);
  EXPECT_TRUE(DrainQueue().empty());

  size_t total_notices = 0;
  for (int poll = 2; poll <= 3; ++poll) {
    SCOPED_TRACE("poll " + std::to_string(poll));
    clock_.Advance(std::chrono::minutes(10));
    const poller::PollReport report = Poll(id);
    EXPECT_EQ(report.error, "");
    EXPECT_EQ(report.new_entries, static_cast<size_t>(kItems));
    EXPECT_EQ(report.notices, poller::internal::kMaxNoticesPerPoll);
    ASSERT_FALSE(report.problems.empty());
    EXPECT_THAT(report.problems[0], HasSubstr(std::to_string(kItems) + " new entries at once"));
    const std::vector<store::Notice> notices = DrainQueue();
    EXPECT_EQ(notices.size(), poller::internal::kMaxNoticesPerPoll);
    total_notices += notices.size();
    EXPECT_EQ(Entries(id), kItems * poll);
  }
  EXPECT_EQ(total_notices, 2 * poller::internal::kMaxNoticesPerPoll);
  auto outbox = db_->notices().CountPendingOutbox();
  ASSERT_OK(outbox);
  EXPECT_EQ(*outbox, 0);
}

TEST_F(PollerFaultsTest, PersistentMovedPermanentlyUpdatesTheStoredUrl) {
  web_.Route("/old.rss", [this](const HttpTestServer::Request&, HttpTestServer::Response& resp) {
    resp.SetStatus(301);
    resp.SetHeader("Location", blog_.url());
  });
  const int64_t id = AddFeed(web_.Url("/old.rss"), "moved");
  const poller::PollReport report = Poll(id);
  EXPECT_EQ(report.error, "");
  EXPECT_EQ(report.new_entries, 3u);
  EXPECT_EQ(report.url, blog_.url());
  EXPECT_EQ(Feed(id).url, blog_.url());
  // From now on the new URL is asked directly.
  blog_.Publish();
  clock_.Advance(std::chrono::minutes(10));
  const poller::PollReport next = Poll(id);
  EXPECT_EQ(next.new_entries, 1u);
  EXPECT_EQ(next.notices, 1u);
  EXPECT_EQ(web_.RequestCount("/old.rss"), 1);
  EXPECT_EQ(DrainQueue().size(), 1u);
}

TEST_F(PollerFaultsTest, TemporaryRedirectKeepsTheStoredUrl) {
  web_.Route("/short.rss", [this](const HttpTestServer::Request&, HttpTestServer::Response& resp) {
    resp.SetStatus(302);
    resp.SetHeader("Location", blog_.url());
  });
  const int64_t id = AddFeed(web_.Url("/short.rss"), "temporary");
  const poller::PollReport report = Poll(id);
  EXPECT_EQ(report.error, "");
  EXPECT_EQ(report.new_entries, 3u);
  EXPECT_EQ(Feed(id).url, web_.Url("/short.rss"));
}

// ---- Recovery and the database going away. ----

TEST_F(PollerFaultsTest, GoodPollAfterFailuresClearsTheErrorAndTheFailingSince) {
  const int64_t id = AddBlogWithBaseline();
  PollThroughFault(
      id,
      [](const HttpTestServer::Request&, HttpTestServer::Response& resp) { resp.SetStatus(502); },
      "502");
  clock_.Advance(std::chrono::minutes(10));
  ExpectFailing(id, Poll(id), 2, *Feed(id).failing_since);
  ExpectRecoveryWithoutLossOrDuplicates(id);
  // A new failure later starts a new run: failing_since is that failure's time.
  blog_.SetFault(
      [](const HttpTestServer::Request&, HttpTestServer::Response& resp) { resp.SetStatus(500); });
  clock_.Advance(std::chrono::minutes(10));
  const TimePoint since = clock_.Now();
  ExpectFailing(id, Poll(id), 1, since);
}

// A poll whose writes cannot reach the database must say so (an error Status, or a report with
// an error), enqueue nothing and not crash.
void ExpectDatabaseFailureIsReported(const Result<poller::PollReport>& polled,
                                     const std::vector<store::Notice>& queued) {
  ::testing::Test::RecordProperty(
      "outcome", polled.ok() ? "report error: " + polled->error : polled.status().ToString());
  if (polled.ok()) {
    EXPECT_NE(polled->error, "")
        << "BUG: the poll 'succeeded' with " << polled->new_entries << " new entries and "
        << polled->notices << " notices although the database file is gone: they were written "
        << "to an unlinked file and are lost";
  } else {
    EXPECT_THAT(polled.status().code(),
                ::testing::AnyOf(Status::Code::kUnavailable, Status::Code::kInternal));
    EXPECT_THAT(polled.status().message(), HasSubstr("poller: feed"));
  }
  EXPECT_TRUE(queued.empty()) << queued.size() << " notices enqueued for entries not stored";
}

TEST_F(PollerFaultsTest, DatabaseLockedDuringAPollLosesNothingAndTheNextPollStoresIt) {
  // Another process holds the write lock past the busy timeout (a backup, a long migration).
  UsePoller(options_, "?busy_timeout_ms=100");
  const int64_t id = AddBlogWithBaseline();
  blog_.Publish();
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(DbPath().c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  clock_.Advance(std::chrono::minutes(10));
  const Result<poller::PollReport> polled = poller_->PollFeed(id);
  EXPECT_THAT(polled, testing::StatusIs(Status::Code::kUnavailable));
  EXPECT_THAT(polled.status().message(), HasSubstr("poller: feed"));
  EXPECT_THAT(polled.status().message(), HasSubstr("locked"));
  EXPECT_TRUE(DrainQueue().empty()) << "notices enqueued for entries not stored";
  ASSERT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  EXPECT_EQ(Entries(id), blog_.posts() - 1);
  ExpectRecoveryWithoutLossOrDuplicates(id);
}

TEST_F(PollerFaultsTest, DatabaseDirectoryRemovedIsAnErrorNotACrash) {
  const int64_t id = AddBlogWithBaseline();
  blog_.Publish();
  std::filesystem::remove_all(DbPath().parent_path());
  clock_.Advance(std::chrono::minutes(10));
  const Result<poller::PollReport> polled = poller_->PollFeed(id);
  ExpectDatabaseFailureIsReported(polled, DrainQueue());
}

TEST_F(PollerFaultsTest, DatabaseFileReplacedIsAnErrorNotACrash) {
  const int64_t id = AddBlogWithBaseline();
  blog_.Publish();
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(DbPath().string() + suffix);
  }
  dir_.WriteFile("db/fb.db", "this is not an SQLite database, it replaced one\n");
  clock_.Advance(std::chrono::minutes(10));
  const Result<poller::PollReport> polled = poller_->PollFeed(id);
  ExpectDatabaseFailureIsReported(polled, DrainQueue());
}

}  // namespace
}  // namespace feedbridge
