#pragma once

// The bridge side of the OMB interop and delivery-fault tests: a blog's feed on a loopback HTTP
// server, a private redis-server, a SQLite file, and the real composition root with the poller
// and publisher roles (the real POCO client delivering to tests/peers/omb_peer.py processes).
// Time can be compressed: FastForward moves the injected clock (backoff deadlines, breakers) and
// the Redis retry schedule (which counts Redis's own TIME) by the same amount.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/wiring.h"
#include "http/poco_http_client.h"
#include "omb/messages.h"
#include "queue/redis_connection.h"
#include "queue/redis_delivery_queue.h"
#include "queue/redis_notice_queue.h"
#include "store/database.h"
#include "tests/peers/omb_peer_client.h"
#include "tests/support/fake_clock.h"
#include "tests/support/http_test_server.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace feedbridge::testing {

inline constexpr std::string_view kBridgeBase = "http://bridge.example.org/";
inline constexpr std::string_view kRedisPrefix = "fb:";  // The configuration's default.

// The test blog's RSS with posts 1..posts, newest first: "Post N & more", linking to
// http://blog.example/p/N?a=1&b=x:y (a ':' in the query, which Laconica's URI rule refuses).
inline std::string BlogFeedRss(int posts, const std::string& title = "Blog") {
  std::string items;
  for (int i = posts; i >= 1; --i) {
    const std::string n = std::to_string(i);
    items += "<item><title>Post " + n + " &amp; more</title><link>http://blog.example/p/" + n +
             "?a=1&amp;b=x:y</link><guid>post-" + n + "</guid></item>";
  }
  return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>" + title +
         "</title><link>http://blog.example/</link>" + items + "</channel></rss>";
}

class OmbBridgeFixture : public ::testing::Test {
 protected:
  OmbBridgeFixture() {
    blog_.Route("/feed.rss", [this](const HttpTestServer::Request&, HttpTestServer::Response& r) {
      std::lock_guard lock(mu_);
      r.SetHeader("Content-Type", "application/rss+xml");
      r.SetBody(BlogFeedRss(posts_));
    });
  }

  // Loopback peers; short timeouts keep the slow-peer tests short.
  virtual config::Config Config() const {
    config::Config c;
    c.server.base_url = base_;
    if (web_port_ != 0) c.server.listen = "127.0.0.1:" + std::to_string(web_port_);
    c.database.url = "sqlite:" + (dir_.path() / "fb.db").string();
    c.redis.url = redis_.url();
    c.redis.prefix = std::string(kRedisPrefix);
    c.poller.allow_private_networks = true;
    c.publisher.allow_private_networks = true;
    c.publisher.timeout = std::chrono::seconds(2);
    c.publisher.max_answer_bytes = 64u << 10;
    return c;
  }

  static std::string Expected(int post) {
    const std::string n = std::to_string(post);
    return "Post " + n + " & more http://blog.example/p/" + n + "?a=1&b=x:y";
  }

  void SetPosts(int n) {
    std::lock_guard lock(mu_);
    posts_ = n;
  }

  // The real wiring with the poller and publisher roles on the fake clock, and the blog
  // bridged and polled once (its backlog is not broadcast). With `web`, the web role too, on a
  // free loopback port that is also the base URL (the peers redirect the browser to it).
  void OpenBridgedBlog(bool web = false) {
    if (web) {
      web_port_ = FreeLoopbackPort();
      base_ = "http://127.0.0.1:" + std::to_string(web_port_) + "/";
    }
    Result<std::unique_ptr<app::Services>> opened =
        app::Services::Open(Config(), {.poller = true, .publisher = true, .web = web},
                            app::Environment{.clock = &clock_});
    ASSERT_OK(opened);
    services_ = std::move(opened).value();
    Result<store::FeedRecord> feed =
        services_->database().feeds().AddFeed({.url = blog_.Url("/feed.rss"), .nickname = "blog"});
    ASSERT_OK(feed);
    feed_ = *feed;
    ASSERT_OK(services_->poller().PollFeed(feed_.id));
    Result<std::unique_ptr<queue::RedisConnection>> redis =
        queue::RedisConnection::Open({.url = redis_.url()});
    ASSERT_OK(redis);
    redis_admin_ = std::move(redis).value();
  }

  // The blog account as OMB listenee (what the bridge's subscribe flow sends).
  omb::ListeneeProfile Listenee() const {
    return {.uri = base_ + "user/" + std::to_string(feed_.account_id),
            .profile = base_ + "blog",
            .nickname = "blog",
            .license = std::string(omb::kDefaultLicense),
            .fullname = "Blog",
            .homepage = "http://blog.example/"};
  }

  // `nick` of `peer` subscribes to the blog through the peer's OAuth endpoints; stored as the
  // bridge's flow stores it.
  void Subscribe(OmbPeerProcess& peer, const std::string& nick) {
    Result<store::Subscription> sub = peer.Subscribe(nick, Listenee(), base_, base_ + "omb/finish");
    ASSERT_OK(sub) << peer.Log();
    sub->account_id = feed_.account_id;
    ASSERT_OK(services_->database().subscriptions().Subscribe(*sub));
  }

  // `nick` of `peer` subscribes the way a person does (OpenBridgedBlog(true)): the blog's
  // remote-subscribe form posted on the bridge, its 303 to the peer's authorize page followed,
  // the peer's (auto-approved) 303 back to the bridge's callback followed; the bridge does
  // discovery, request token and access token itself. Returns the bridge's last page.
  std::string SubscribeThroughTheBridge(OmbPeerProcess& peer, const std::string& nick) {
    http::HttpRequest form;
    form.method = "POST";
    form.url = base_ + "main/remotesubscribe";
    form.headers = {{"Content-Type", std::string(omb::kFormContentType)}};
    form.body = omb::FormEncode({{"nickname", "blog"}, {"profile_url", peer.ProfileUrl(nick)}});
    form.max_redirects = 0;
    form.timeout = std::chrono::seconds(20);
    Result<http::HttpResponse> r = browser_.Send(form);
    EXPECT_OK(r);
    if (!r.ok()) return "";
    EXPECT_EQ(r->status, 303) << r->body;
    const std::string authorize(r->Find("Location"));
    EXPECT_TRUE(authorize.starts_with(peer.base() + "index.php?")) << authorize;
    r = peer.Get(authorize);  // --auto-approve: the 303 to the callback.
    EXPECT_OK(r);
    if (!r.ok()) return "";
    EXPECT_EQ(r->status, 303) << r->body;
    const std::string callback(r->Find("Location"));
    EXPECT_TRUE(callback.starts_with(base_ + "main/finishremotesubscribe?")) << callback;
    r = browser_.Send({.url = callback, .timeout = std::chrono::seconds(20), .max_redirects = 3});
    EXPECT_OK(r);
    if (!r.ok()) return "";
    EXPECT_EQ(r->status, 200) << r->body;
    return r->body;
  }

  // Polls the blog once after it has `posts` posts; expects `notices` new notices.
  void Publish(int posts, size_t notices) {
    SetPosts(posts);
    Result<poller::PollReport> report = services_->poller().PollFeed(feed_.id);
    ASSERT_OK(report);
    ASSERT_EQ(report->notices, notices);
  }

  // Moves compressed time forward by `by`: the injected clock, and every job waiting in the
  // deliveries retry set comes due `by` earlier (Redis schedules retries on its own TIME).
  void FastForward(std::chrono::milliseconds by) {
    clock_.Advance(by);
    static const char* kShift = R"lua(
      local members = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
      for i = 1, #members, 2 do
        redis.call('ZADD', KEYS[1], tonumber(members[i + 1]) - tonumber(ARGV[1]), members[i])
      end
      return #members / 2)lua";
    ASSERT_OK(redis_admin_->Command({"EVAL", kShift, "1",
                                     queue::DeliveryQueueKeys(std::string(kRedisPrefix)).retry,
                                     std::to_string(by.count())}));
  }

  // Makes every message pending on the notices and deliveries streams look idle for an hour,
  // as if a dead publisher's claims had gone stale (Redis counts idle time on its own clock):
  // the next claim of any publisher takes them over at once. Returns how many there were.
  int64_t AgePendingClaims() {
    static const char* kAge = R"lua(
      local n = 0
      for i = 1, #KEYS do
        local ok, pending = pcall(redis.call, 'XPENDING', KEYS[i], ARGV[i], '-', '+', 100000)
        if ok then
          for _, e in ipairs(pending) do
            redis.call('XCLAIM', KEYS[i], ARGV[i], e[2], 0, e[1], 'IDLE', 3600000, 'JUSTID')
            n = n + 1
          end
        end
      end
      return n)lua";
    const queue::StreamQueueKeys deliveries = queue::DeliveryQueueKeys(std::string(kRedisPrefix));
    Result<queue::Reply> r = redis_admin_->Command(
        {"EVAL", kAge, "2", std::string(kRedisPrefix) + "{fb}:notices", deliveries.stream,
         std::string(queue::RedisNoticeQueue::kGroup), deliveries.group});
    EXPECT_OK(r);
    return r.ok() ? r->integer : -1;
  }

  // Runs the publisher's two steps on this thread (one delivery at a time) until `done` or
  // `limit` passes; returns done().
  bool StepPublisher(const std::function<bool()>& done,
                     std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > until) return false;
      EXPECT_OK(services_->delivery_engine().FanOut(std::chrono::milliseconds(0)));
      EXPECT_OK(services_->delivery_engine().DeliverNext(std::chrono::milliseconds(20)));
    }
    return true;
  }

  // Waits (real time) until `done` or `limit`; returns done().
  static bool WaitFor(const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }

  // The postNotices `peer` took, or none if it cannot be asked.
  static std::vector<PeerRequest> Accepted(OmbPeerProcess& peer) {
    Result<std::vector<PeerRequest>> got = peer.Accepted();
    return got.ok() ? *got : std::vector<PeerRequest>{};
  }
  static std::vector<PeerRequest> Received(OmbPeerProcess& peer) {
    Result<std::vector<PeerRequest>> got = peer.Received();
    return got.ok() ? *got : std::vector<PeerRequest>{};
  }

  // Deliveries still queued, retrying or dead.
  int64_t Outstanding() {
    Result<queue::QueueStats> stats = services_->delivery_inspector().Stats();
    return stats.ok() ? stats->length + stats->retrying + stats->dead : -1;
  }

  TempDir dir_;
  std::string base_ = std::string(kBridgeBase);  // server.base_url.
  int web_port_ = 0;                             // With the web role.
  http::PocoHttpClient browser_{http::PocoHttpClientOptions{.allow_private_networks = true}};
  RedisTestServer redis_;
  HttpTestServer blog_;
  FakeClock clock_{TimePoint(std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch()))};
  std::mutex mu_;
  int posts_ = 1;  // Guarded by mu_.
  std::unique_ptr<queue::RedisConnection> redis_admin_;
  std::unique_ptr<app::Services> services_;  // Declared last: stops before the servers.
  store::FeedRecord feed_;
};

}  // namespace feedbridge::testing
