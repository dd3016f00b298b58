// A remote person subscribes to a bridged blog through the real `serve` wiring (web, poller and
// publisher roles from app::Services::Open, the web server on loopback, the listener's own POCO
// client), as a browser would: the profile page and its XRDS, the form's POST, the 303 to the
// Laconica listener service (tests/listener/laconica_peer.h, verifying every OAuth signature),
// its 303 back to the callback, the success page. The stored subscription then carries the
// blog's next post to the peer with the access token the flow obtained.

#include <Poco/Logger.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "app/wiring.h"
#include "http/poco_http_client.h"
#include "omb/oauth.h"
#include "omb/xrds.h"
#include "store/database.h"
#include "tests/listener/laconica_peer.h"
#include "tests/support/http_test_server.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace feedbridge {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using testing::HttpTestServer;
using testing::LaconicaPeer;
using testing::RedisTestServer;
using testing::TempDir;

class OmbSubscribeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* module : {"feedbridge.access", "feedbridge.listener", "feedbridge.poller",
                               "feedbridge.publisher"}) {
      Poco::Logger::get(module).setLevel(Poco::Message::PRIO_ERROR);
    }
    server_.Route("/feed.rss", [this](const HttpTestServer::Request&, HttpTestServer::Response& r) {
      std::lock_guard lock(mu_);
      std::string items;
      for (int i = posts_; i >= 1; --i) {
        const std::string n = std::to_string(i);
        items += "<item><title>Post " + n + "</title><link>http://blog.example/p/" + n +
                 "</link><guid>post-" + n + "</guid></item>";
      }
      r.SetHeader("Content-Type", "application/rss+xml");
      r.SetBody(
          "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>The Blog</title>"
          "<link>http://blog.example/</link><description>Notes.</description>" +
          items + "</channel></rss>");
    });
    ASSERT_OK(StartBridge());
    peer_ = std::make_unique<LaconicaPeer>(server_, base_url_);
  }

  // The web server on a free loopback port its base URL names (the peer sends the browser back
  // there). Another process may take the port between the probe and the bind: retry.
  Status StartBridge() {
    Status last = Status::Unavailable("not started");
    for (int attempt = 0; attempt < 5; ++attempt) {
      const std::string port = std::to_string(testing::FreeLoopbackPort());
      base_url_ = "http://127.0.0.1:" + port + "/";
      config::Config c;
      c.server.base_url = base_url_;
      c.server.listen = "127.0.0.1:" + port;
      c.server.workers = 4;
      c.database.url = "sqlite:" + (dir_.path() / "fb.db").string();
      c.redis.url = redis_.url();
      c.poller.allow_private_networks = true;
      c.publisher.allow_private_networks = true;  // The listener's client follows it.
      c.publisher.timeout = std::chrono::seconds(5);
      auto services = app::Services::Open(c, {.poller = true, .publisher = true, .web = true});
      if (services.ok()) {
        services_ = std::move(services).value();
        return Status::Ok();
      }
      last = services.status();
      if (last.code() != Status::Code::kUnavailable) break;
    }
    return last;
  }

  Result<http::HttpResponse> Browse(std::string method, std::string url, std::string body = {}) {
    http::HttpRequest r{.method = std::move(method), .url = std::move(url), .max_redirects = 0};
    if (!body.empty()) {
      r.headers = {{"Content-Type", std::string(omb::kFormContentType)}};
      r.body = std::move(body);
    }
    return browser_.Send(r);
  }

  void SetPosts(int n) {
    std::lock_guard lock(mu_);
    posts_ = n;
  }

  TempDir dir_;
  RedisTestServer redis_;
  HttpTestServer server_;
  std::mutex mu_;
  int posts_ = 1;  // Guarded by mu_.
  std::string base_url_;
  http::PocoHttpClient browser_{
      http::PocoHttpClientOptions{.user_agent = "browser", .allow_private_networks = true}};
  std::unique_ptr<LaconicaPeer> peer_;
  std::unique_ptr<app::Services> services_;  // Declared last: stops before the servers.
};

TEST_F(OmbSubscribeTest, RemotePersonSubscribesThroughTheFormAndReceivesTheNextPost) {
  app::Services& s = *services_;
  Result<store::FeedRecord> feed =
      s.database().feeds().AddFeed({.url = server_.Url("/feed.rss"), .nickname = "blog"});
  ASSERT_OK(feed);
  ASSERT_OK(s.poller().PollFeed(feed->id));  // The backlog: not broadcast.

  // The profile page advertises the XRDS both ways and holds the subscribe form.
  Result<http::HttpResponse> profile = Browse("GET", base_url_ + "blog");
  ASSERT_OK(profile);
  ASSERT_EQ(profile->status, 200);
  EXPECT_EQ(profile->Find("X-XRDS-Location"), base_url_ + "blog/xrds");
  EXPECT_THAT(profile->body, HasSubstr("<meta http-equiv=\"X-XRDS-Location\" content=\"" +
                                       base_url_ + "blog/xrds\">"));
  EXPECT_THAT(profile->body, HasSubstr("0 OMB subscribers"));
  EXPECT_THAT(profile->body, HasSubstr("<form class=\"subscribe\" method=\"post\" action=\"" +
                                       base_url_ + "main/remotesubscribe\">"));
  // The identifier URI the XRDS and every OMB message name leads to the profile.
  Result<http::HttpResponse> identifier =
      Browse("GET", base_url_ + "user/" + std::to_string(feed->account_id));
  ASSERT_OK(identifier);
  EXPECT_EQ(identifier->status, 302);
  EXPECT_EQ(identifier->Find("Location"), base_url_ + "blog");
  // Discovery of the blog itself, as a peer's consumer would do it.
  Result<omb::YadisDecision> decision =
      omb::DecideYadis({profile->status, profile->Find("Content-Type"),
                        profile->Find("X-XRDS-Location"), profile->body});
  ASSERT_OK(decision);
  Result<http::HttpResponse> xrds = Browse("GET", decision->url);
  ASSERT_OK(xrds);
  EXPECT_EQ(xrds->Find("Content-Type"), "application/xrds+xml");
  Result<omb::OmbServices> services = omb::ReadXrds(xrds->body);
  ASSERT_OK(services);
  EXPECT_EQ(services->listener_id(), base_url_ + "user/" + std::to_string(feed->account_id));

  // The form, the peer's authorize page (which accepts at once), the callback.
  Result<http::HttpResponse> started =
      Browse("POST", base_url_ + "main/remotesubscribe",
             omb::FormEncode({{"nickname", "blog"}, {"profile_url", peer_->profile_url()}}));
  ASSERT_OK(started);
  ASSERT_EQ(started->status, 303) << started->body;
  const std::string authorize(started->Find("Location"));
  EXPECT_TRUE(authorize.starts_with(server_.Url("/index.php?"))) << authorize;
  Result<http::HttpResponse> authorized = Browse("GET", authorize);
  ASSERT_OK(authorized);
  ASSERT_EQ(authorized->status, 303) << authorized->body;
  const std::string callback(authorized->Find("Location"));
  EXPECT_TRUE(callback.starts_with(base_url_ + "main/finishremotesubscribe?")) << callback;
  Result<http::HttpResponse> done = Browse("GET", callback);
  ASSERT_OK(done);
  EXPECT_EQ(done->status, 200);
  EXPECT_THAT(done->body, HasSubstr("Alice Example now subscribes to"));
  EXPECT_THAT(peer_->errors(), ::testing::IsEmpty());

  // Stored, with the peer's access token and endpoints.
  Result<std::optional<store::Subscription>> sub =
      s.database().subscriptions().Find(feed->account_id, peer_->listener_uri());
  ASSERT_OK(sub);
  ASSERT_TRUE(sub->has_value());
  const auto tokens = peer_->access_tokens();
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ((*sub)->token, tokens.begin()->first);
  EXPECT_EQ((*sub)->post_notice_url, peer_->post_notice_url());
  Result<http::HttpResponse> again = Browse("GET", base_url_ + "blog");
  ASSERT_OK(again);
  EXPECT_THAT(again->body, HasSubstr("<p class=\"subscribers\">1 OMB subscriber</p>"));

  // The next post reaches the peer, signed with that token.
  SetPosts(2);
  Result<poller::PollReport> report = s.poller().PollFeed(feed->id);
  ASSERT_OK(report);
  ASSERT_EQ(report->notices, 1u);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (peer_->received().empty() && std::chrono::steady_clock::now() < until) {
    ASSERT_OK(s.delivery_engine().FanOut(milliseconds(0)));
    ASSERT_OK(s.delivery_engine().DeliverNext(milliseconds(50)));
  }
  const auto received = peer_->received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].token, tokens.begin()->first);
  EXPECT_EQ(received[0].notice.listenee, services->listener_id());
  EXPECT_EQ(received[0].notice.content, "Post 2 http://blog.example/p/2");
  EXPECT_THAT(peer_->errors(), ::testing::IsEmpty());
}

TEST_F(OmbSubscribeTest, FailurePagesComeThroughTheRealServerInTheSiteLook) {
  ASSERT_OK(
      services_->database().feeds().AddFeed({.url = server_.Url("/feed.rss"), .nickname = "blog"}));
  peer_->SetKnobs({.profile_without_xrds = true});
  Result<http::HttpResponse> page =
      Browse("POST", base_url_ + "main/remotesubscribe",
             omb::FormEncode({{"nickname", "blog"}, {"profile_url", peer_->profile_url()}}));
  ASSERT_OK(page);
  EXPECT_EQ(page->status, 400);
  EXPECT_THAT(page->body, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(page->body, HasSubstr("<h1>No OpenMicroBlogging account found there</h1>"));
  EXPECT_EQ(page->Find("Cache-Control"), "no-store");
  Result<http::HttpResponse> stale =
      Browse("GET", base_url_ + "main/finishremotesubscribe?oauth_token=nope");
  ASSERT_OK(stale);
  EXPECT_EQ(stale->status, 400);
  EXPECT_THAT(stale->body, HasSubstr("This subscription request is unknown"));
  // The form's page answers GET; only POST starts a flow.
  Result<http::HttpResponse> form = Browse("GET", base_url_ + "main/remotesubscribe?nickname=blog");
  ASSERT_OK(form);
  EXPECT_EQ(form->status, 200);
  EXPECT_EQ(server_.RequestCount("/alice"), 1);
}

}  // namespace
}  // namespace feedbridge
