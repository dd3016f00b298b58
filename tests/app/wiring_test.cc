// The composition root with an Environment: the real wiring (SQLite file, real redis-server,
// real queue, schedule and poller) with a fake clock and a scripted HTTP client.

#include "app/wiring.h"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "http/poco_http_client.h"
#include "tests/support/fake_clock.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace feedbridge::app {
namespace {

using ::feedbridge::testing::FakeClock;
using ::feedbridge::testing::RedisTestServer;
using ::feedbridge::testing::TempDir;

// Answers every request with one small RSS feed; records the URLs asked for.
class OneFeedHttpClient final : public http::HttpClient {
 public:
  http::SendResult Send(const http::HttpRequest& request) override {
    std::lock_guard lock(mu_);
    urls_.push_back(request.url);
    http::HttpResponse r;
    r.status = 200;
    r.final_url = request.url;
    r.headers = {{"Content-Type", "application/rss+xml"}};
    r.body =
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Blog</title>"
        "<link>http://blog.example/</link><item><title>One</title>"
        "<link>http://blog.example/1</link><guid>http://blog.example/1</guid></item>"
        "</channel></rss>";
    return r;
  }
  std::vector<std::string> urls() const {
    std::lock_guard lock(mu_);
    return urls_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> urls_;  // Guarded by mu_.
};

class WiringTest : public ::testing::Test {
 protected:
  config::Config Config() const {
    config::Config c;
    c.database.url = "sqlite:" + (dir_.path() / "fb.db").string();
    c.redis.url = redis_.url();
    return c;
  }

  TempDir dir_;
  RedisTestServer redis_;
};

TEST_F(WiringTest, ThePollerRunsOnTheEnvironmentsClockAndHttpClient) {
  FakeClock clock;
  OneFeedHttpClient http;
  Result<std::unique_ptr<Services>> s =
      Services::Open(Config(), {.poller = true}, {.clock = &clock, .poller_http = &http});
  ASSERT_OK(s);
  EXPECT_EQ(&(*s)->clock(), &clock);
  EXPECT_EQ(&(*s)->poller_http(), &http);
  Result<store::FeedRecord> feed =
      (*s)->database().feeds().AddFeed({.url = "http://blog.example/feed", .nickname = "blog"});
  ASSERT_OK(feed);
  Result<poller::PollReport> report = (*s)->poller().PollFeed(feed->id);
  ASSERT_OK(report);
  EXPECT_EQ(report->http_status, 200);
  EXPECT_EQ(http.urls(), std::vector<std::string>{"http://blog.example/feed"});
  Result<store::FeedRecord> polled = (*s)->database().feeds().GetFeed(feed->id);
  ASSERT_OK(polled);
  ASSERT_TRUE(polled->last_polled_at.has_value());
  EXPECT_EQ(*polled->last_polled_at, clock.Now());
}

TEST(PollerHttpClientOptionsTest, ComeFromThePollerSection) {
  config::Config c;
  c.server.base_url = "https://bridge.example/";
  c.poller.per_host_concurrency = 3;
  c.poller.allow_private_networks = true;
  c.poller.ca_file = "/etc/ca.pem";
  const http::PocoHttpClientOptions o = PollerHttpClientOptions(c);
  EXPECT_TRUE(o.user_agent.starts_with("feedbridge/"));
  EXPECT_TRUE(o.user_agent.ends_with(" (+https://bridge.example/)"));
  EXPECT_EQ(o.per_host_concurrency, 3);
  EXPECT_TRUE(o.allow_private_networks);
  EXPECT_EQ(o.ca_file, "/etc/ca.pem");
  c.poller.user_agent = "custom/1";
  EXPECT_EQ(PollerHttpClientOptions(c).user_agent, "custom/1");
}

TEST_F(WiringTest, ThePollersNoticesReachThePublisherRole) {
  FakeClock clock;
  OneFeedHttpClient http;
  Result<std::unique_ptr<Services>> s = Services::Open(
      Config(), {.poller = true, .publisher = true}, {.clock = &clock, .poller_http = &http});
  ASSERT_OK(s);
  Result<store::FeedRecord> feed =
      (*s)->database().feeds().AddFeed({.url = "http://blog.example/feed", .nickname = "blog"});
  ASSERT_OK(feed);
  ASSERT_OK((*s)->notice_queue().Enqueue({.notice_id = 42, .account_id = feed->account_id}));
  Result<size_t> fanned = (*s)->delivery_engine().FanOut(std::chrono::milliseconds(0));
  ASSERT_OK(fanned);
  EXPECT_EQ(*fanned, 1u);  // Claimed and acknowledged: nobody subscribes yet, so no deliveries.
  Result<queue::QueueStats> notices = (*s)->notice_queue_inspector()->Stats();
  ASSERT_OK(notices);
  EXPECT_EQ(notices->length, 0);
  Result<queue::QueueStats> deliveries = (*s)->delivery_inspector().Stats();
  ASSERT_OK(deliveries);
  EXPECT_EQ(deliveries->length, 0);
  // The role's threads start and stop cleanly.
  (*s)->publisher().Start();
  (*s)->publisher().Stop();
}

TEST(PublisherHttpClientOptionsTest, ComeFromThePublisherSection) {
  config::Config c;
  c.server.base_url = "https://bridge.example/";
  c.publisher.per_host_concurrency = 7;
  c.publisher.allow_private_networks = true;
  c.publisher.ca_file = "/etc/peers.pem";
  c.poller.per_host_concurrency = 2;  // Not the poller's.
  const http::PocoHttpClientOptions o = PublisherHttpClientOptions(c);
  EXPECT_TRUE(o.user_agent.ends_with(" (+https://bridge.example/)"));
  EXPECT_EQ(o.per_host_concurrency, 7);
  EXPECT_TRUE(o.allow_private_networks);
  EXPECT_EQ(o.ca_file, "/etc/peers.pem");
}

}  // namespace
}  // namespace feedbridge::app
