// The remote-subscribe handlers against a real SQLite file and a Laconica listener service on
// loopback (laconica_peer.h) over the real POCO client: the whole flow ends with the stored
// subscription, and each failure has its page.

#include "listener/subscribe_handlers.h"

#include <Poco/Logger.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "http/poco_http_client.h"
#include "omb/oauth.h"
#include "omb/xrds.h"
#include "store/database.h"
#include "tests/listener/laconica_peer.h"
#include "tests/support/fake_clock.h"
#include "tests/support/http_test_server.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"
#include "web/page_handlers.h"

namespace feedbridge::listener {
namespace {

using ::feedbridge::testing::HttpTestServer;
using ::feedbridge::testing::LaconicaPeer;
using ::feedbridge::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kBase = "http://bridge.example.org/";

std::string HeaderOf(const web::WebResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return {};
}

web::WebRequest Post(std::string body) {
  web::WebRequest r;
  r.method = "POST";
  r.path = "/main/remotesubscribe";
  r.headers = {{"Content-Type", std::string(omb::kFormContentType)}};
  r.body = std::move(body);
  return r;
}

web::WebRequest Get(std::string path, std::string query = {}) {
  web::WebRequest r;
  r.method = "GET";
  r.path = std::move(path);
  r.query = std::move(query);
  return r;
}

class SubscribeHandlersTest : public ::testing::Test {
 protected:
  SubscribeHandlersTest()
      : clock_(TimePoint(std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch()))),
        peer_(server_, std::string(kBase)),
        http_(http::PocoHttpClientOptions{.user_agent = "feedbridge-test",
                                          .allow_private_networks = true}) {
    Poco::Logger::get("feedbridge.listener").setLevel(Poco::Message::PRIO_ERROR);
    Result<std::unique_ptr<store::Database>> db =
        store::OpenDatabase("sqlite:" + (dir_.path() / "fb.db").string(), clock_);
    EXPECT_OK(db);
    db_ = std::move(db).value();
    Result<store::FeedRecord> feed = db_->feeds().AddFeed({.url = "http://blog.example/feed",
                                                           .nickname = "garden",
                                                           .title = "The Garden",
                                                           .site_url = "http://blog.example/",
                                                           .description = "Plants."});
    EXPECT_OK(feed);
    blog_ = *feed;
    pages_ = std::make_unique<web::PageHandlers>(std::string(kBase), db_->feeds(), db_->entries(),
                                                 db_->notices(), clock_, &db_->subscriptions());
    handlers_ = Handlers(std::string(kBase), std::chrono::seconds(10));
  }

  std::unique_ptr<SubscribeHandlers> Handlers(std::string base, std::chrono::milliseconds timeout,
                                              http::HttpClient* client = nullptr) {
    return std::make_unique<SubscribeHandlers>(
        SubscribeOptions{.base_url = std::move(base), .timeout = timeout},
        SubscribeDeps{.feeds = db_->feeds(),
                      .subscriptions = db_->subscriptions(),
                      .pending = db_->pending_subscriptions(),
                      .http = client != nullptr ? *client : http_,
                      .clock = clock_,
                      .random = random_,
                      .pages = *pages_,
                      .log = Poco::Logger::get("feedbridge.listener")});
  }

  std::string Form(std::string_view profile_url, std::string_view nickname = "garden") {
    return omb::FormEncode(
        {{"nickname", std::string(nickname)}, {"profile_url", std::string(profile_url)}});
  }

  // POST the form, then follow the 303 to the peer's authorize URL as a browser would; the
  // peer's answer (its 303 back to the callback).
  Result<http::HttpResponse> StartAndAuthorize() {
    Result<web::WebResponse> started = handlers_->Start(Post(Form(peer_.profile_url())));
    if (!started.ok()) return started.status();
    if (started->status != 303) {
      return Status::Internal("start answered " + std::to_string(started->status) + ": " +
                              started->body);
    }
    return http_.Send({.url = HeaderOf(*started, "Location"), .max_redirects = 0});
  }

  // The whole flow; the callback's answer.
  Result<web::WebResponse> Subscribe() {
    Result<http::HttpResponse> authorized = StartAndAuthorize();
    if (!authorized.ok()) return authorized.status();
    return Callback(std::string(authorized->Find("Location")));
  }

  // GET the callback URL the peer redirected to.
  Result<web::WebResponse> Callback(const std::string& location) {
    const std::string prefix = std::string(kBase) + "main/finishremotesubscribe";
    EXPECT_TRUE(location.starts_with(prefix)) << location;
    const size_t q = location.find('?');
    return handlers_->Finish(
        Get("/main/finishremotesubscribe", q == std::string::npos ? "" : location.substr(q + 1)));
  }

  void ExpectFailurePage(const Result<web::WebResponse>& page, int status, std::string_view title) {
    ASSERT_OK(page);
    EXPECT_EQ(page->status, status);
    EXPECT_THAT(page->body, HasSubstr("<h1>" + std::string(title)));
    EXPECT_EQ(HeaderOf(*page, "Cache-Control"), "no-store");
    Result<int64_t> count = db_->subscriptions().CountByAccount(blog_.account_id);
    ASSERT_OK(count);
    EXPECT_EQ(*count, 0);
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  SystemRandom random_;
  HttpTestServer server_;
  LaconicaPeer peer_;
  http::PocoHttpClient http_;
  std::unique_ptr<store::Database> db_;
  store::FeedRecord blog_;
  std::unique_ptr<web::PageHandlers> pages_;
  std::unique_ptr<SubscribeHandlers> handlers_;
};

TEST_F(SubscribeHandlersTest, WholeFlowStoresTheSubscriptionWithTheAccessTokenAndEndpoints) {
  Result<web::WebResponse> done = Subscribe();
  ASSERT_OK(done);
  EXPECT_EQ(done->status, 200);
  EXPECT_THAT(done->body, HasSubstr("Subscribed"));
  EXPECT_THAT(done->body, HasSubstr("Alice Example now subscribes to"));
  EXPECT_THAT(done->body, HasSubstr("href=\"http://bridge.example.org/garden\""));
  EXPECT_THAT(peer_.errors(), ::testing::IsEmpty());

  Result<std::optional<store::Subscription>> sub =
      db_->subscriptions().Find(blog_.account_id, peer_.listener_uri());
  ASSERT_OK(sub);
  ASSERT_TRUE(sub->has_value());
  const store::Subscription& s = **sub;
  EXPECT_EQ(s.subscriber.nickname, "alice");
  EXPECT_EQ(s.subscriber.profile_url, peer_.profile_url());
  EXPECT_EQ(s.subscriber.fullname, "Alice Example");
  EXPECT_EQ(s.subscriber.bio, "Reads blogs.");
  EXPECT_EQ(s.post_notice_url, peer_.post_notice_url());
  EXPECT_EQ(s.update_profile_url, peer_.update_profile_url());
  const auto tokens = peer_.access_tokens();
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(s.token, tokens.begin()->first);
  EXPECT_EQ(s.token_secret, tokens.begin()->second);

  // The peer saw every listenee field Laconica wants, and no avatar.
  const std::optional<omb::AuthorizeRequest> asked = peer_.authorized();
  ASSERT_TRUE(asked.has_value());
  EXPECT_EQ(asked->listener, peer_.listener_uri());
  EXPECT_EQ(asked->listenee.uri,
            "http://bridge.example.org/user/" + std::to_string(blog_.account_id));
  EXPECT_EQ(asked->listenee.profile, "http://bridge.example.org/garden");
  EXPECT_EQ(asked->listenee.nickname, "garden");
  EXPECT_EQ(asked->listenee.license, omb::kDefaultLicense);
  EXPECT_EQ(asked->listenee.fullname, "The Garden");
  EXPECT_EQ(asked->listenee.homepage, "http://blog.example/");
  EXPECT_EQ(asked->listenee.bio, "Plants.");
  EXPECT_EQ(asked->listenee.avatar, "");
  EXPECT_EQ(asked->callback, "http://bridge.example.org/main/finishremotesubscribe");
}

TEST_F(SubscribeHandlersTest, ProfilePageShowsTheSubscriberCountAndTheSubscribeForm) {
  Result<web::WebResponse> before = pages_->Profile(Get("/garden"), "garden");
  ASSERT_OK(before);
  EXPECT_THAT(before->body, HasSubstr("<p class=\"subscribers\">0 OMB subscribers</p>"));
  EXPECT_THAT(before->body,
              HasSubstr("<form class=\"subscribe\" method=\"post\" "
                        "action=\"http://bridge.example.org/main/remotesubscribe\">\n"
                        "<input type=\"hidden\" name=\"nickname\" value=\"garden\">"));
  EXPECT_THAT(before->body,
              HasSubstr("<input type=\"url\" id=\"profile_url\" name=\"profile_url\""));
  // The form's answer is a 303 to the subscriber's service: form-action must allow it.
  EXPECT_THAT(HeaderOf(*before, "Content-Security-Policy"),
              HasSubstr("form-action 'self' http: https:;"));
  EXPECT_EQ(HeaderOf(*before, "X-XRDS-Location"), "http://bridge.example.org/garden/xrds");
  ASSERT_OK(Subscribe());
  Result<web::WebResponse> after = pages_->Profile(Get("/garden"), "garden");
  ASSERT_OK(after);
  EXPECT_THAT(after->body, HasSubstr(">1 OMB subscriber</p>"));
}

TEST_F(SubscribeHandlersTest, XrdsNamesTheBlogsIdentifierAndTheBridgesEndpoints) {
  Result<web::WebResponse> xrds = handlers_->Xrds(Get("/garden/xrds"), "garden");
  ASSERT_OK(xrds);
  EXPECT_EQ(xrds->status, 200);
  EXPECT_EQ(xrds->content_type, "application/xrds+xml");
  Result<omb::OmbServices> read = omb::ReadXrds(xrds->body);
  ASSERT_OK(read);
  const std::string id = std::to_string(blog_.account_id);
  EXPECT_EQ(read->listener_id(), "http://bridge.example.org/user/" + id);
  EXPECT_EQ(read->request_token.url, "http://bridge.example.org/omb/requesttoken");
  EXPECT_EQ(read->post_notice.url, "http://bridge.example.org/omb/" + id + "/postnotice");
  EXPECT_THAT(handlers_->Xrds(Get("/nobody/xrds"), "nobody"), StatusIs(Status::Code::kNotFound));
  EXPECT_THAT(handlers_->Xrds(Get("/Garden/xrds"), "Garden"), StatusIs(Status::Code::kNotFound));
}

TEST_F(SubscribeHandlersTest, FormPageIsFilledInFromTheQuery) {
  Result<web::WebResponse> form =
      handlers_->Form(Get("/main/remotesubscribe", "nickname=garden&profile_url=http%3A%2F%2Fx"));
  ASSERT_OK(form);
  EXPECT_EQ(form->status, 200);
  EXPECT_THAT(form->body, HasSubstr("<h1>Subscribe to The Garden</h1>"));
  EXPECT_THAT(form->body, HasSubstr("name=\"nickname\" value=\"garden\""));
  EXPECT_THAT(form->body, HasSubstr("name=\"profile_url\" value=\"http://x\""));
  EXPECT_THAT(form->body, HasSubstr("<form class=\"subscribe\" method=\"post\" "
                                    "action=\"http://bridge.example.org/main/remotesubscribe\">"));
  // The form's answer redirects to the subscriber's service: the CSP lets it.
  EXPECT_THAT(HeaderOf(*form, "Content-Security-Policy"),
              HasSubstr("form-action 'self' http: https:"));
  Result<web::WebResponse> hostile = handlers_->Form(
      Get("/main/remotesubscribe", "nickname=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E"));
  ASSERT_OK(hostile);
  EXPECT_THAT(hostile->body, Not(HasSubstr("<script>")));
}

TEST_F(SubscribeHandlersTest, DiscoveryThroughTheMetaTagAloneWorks) {
  peer_.SetKnobs({.meta_only = true});
  Result<web::WebResponse> done = Subscribe();
  ASSERT_OK(done);
  EXPECT_EQ(done->status, 200) << done->body;
}

TEST_F(SubscribeHandlersTest, UnknownBlogPage) {
  ExpectFailurePage(handlers_->Start(Post(Form(peer_.profile_url(), "nobody"))), 404,
                    "No such blog");
}

TEST_F(SubscribeHandlersTest, NotAProfileUrlPage) {
  const Result<web::WebResponse> page = handlers_->Start(Post(Form("alice@identi.example")));
  ExpectFailurePage(page, 400, "That is not a profile URL");
  // The form again, with what was entered.
  EXPECT_THAT(page->body, HasSubstr("value=\"alice@identi.example\""));
  ExpectFailurePage(handlers_->Start(Post(Form(server_.Url("/missing")))), 400,
                    "That is not a profile URL");
}

TEST_F(SubscribeHandlersTest, NoXrdsPage) {
  peer_.SetKnobs({.profile_without_xrds = true});
  ExpectFailurePage(handlers_->Start(Post(Form(peer_.profile_url()))), 400,
                    "No OpenMicroBlogging account found there");
}

TEST_F(SubscribeHandlersTest, MissingEndpointPage) {
  peer_.SetKnobs({.xrds_without_post_notice = true});
  const Result<web::WebResponse> page = handlers_->Start(Post(Form(peer_.profile_url())));
  ExpectFailurePage(page, 400, "Your service does not offer what subscribing needs");
  EXPECT_THAT(page->body, HasSubstr("postNotice"));
}

TEST_F(SubscribeHandlersTest, LocalProfilePage) {
  // A bridge whose base URL is the peer's: alice's LocalID is then one of its own.
  handlers_ = Handlers(server_.Url("/"), std::chrono::seconds(10));
  ExpectFailurePage(handlers_->Start(Post(Form(peer_.profile_url()))), 400,
                    "That profile is on this bridge");
}

TEST_F(SubscribeHandlersTest, PeerRefusedPage) {
  peer_.SetKnobs({.request_token_status = 401});
  const Result<web::WebResponse> page = handlers_->Start(Post(Form(peer_.profile_url())));
  ExpectFailurePage(page, 502, "Your service refused the subscription");
  EXPECT_THAT(page->body, HasSubstr("HTTP 401: Unknown consumer, go away"));
}

TEST_F(SubscribeHandlersTest, PeerTimedOutPage) {
  handlers_ = Handlers(std::string(kBase), std::chrono::milliseconds(500));
  peer_.SetKnobs({.hang_request_token = true});
  ExpectFailurePage(handlers_->Start(Post(Form(peer_.profile_url()))), 504,
                    "Your service did not answer in time");
}

TEST_F(SubscribeHandlersTest, PeerUnreachablePage) {
  const std::string closed =
      "http://127.0.0.1:" + std::to_string(testing::FreeLoopbackPort()) + "/alice";
  ExpectFailurePage(handlers_->Start(Post(Form(closed))), 502, "Your service could not be reached");
}

TEST_F(SubscribeHandlersTest, PrivateAddressPage) {
  // As in production: the client refuses private and local networks, so the peer on loopback
  // is never contacted, and the page says so rather than "try again later".
  http::PocoHttpClient public_only(http::PocoHttpClientOptions{.user_agent = "feedbridge-test"});
  handlers_ = Handlers(std::string(kBase), std::chrono::seconds(10), &public_only);
  ExpectFailurePage(handlers_->Start(Post(Form(peer_.profile_url()))), 400,
                    "That address is not allowed");
  EXPECT_EQ(server_.RequestCount("/alice"), 0);
}

TEST_F(SubscribeHandlersTest, AlreadySubscribedPage) {
  ASSERT_OK(Subscribe());
  const Result<web::WebResponse> page = handlers_->Start(Post(Form(peer_.profile_url())));
  ASSERT_OK(page);
  EXPECT_EQ(page->status, 409);
  EXPECT_THAT(page->body, HasSubstr("<h1>You are already subscribed"));
}

TEST_F(SubscribeHandlersTest, DeclinedOnTheirServicePage) {
  peer_.SetKnobs({.reject = true});
  Result<http::HttpResponse> authorized = StartAndAuthorize();
  ASSERT_OK(authorized);
  ExpectFailurePage(Callback(std::string(authorized->Find("Location"))), 403,
                    "Subscription declined");
}

TEST_F(SubscribeHandlersTest, ExpiredCallbackPage) {
  Result<http::HttpResponse> authorized = StartAndAuthorize();
  ASSERT_OK(authorized);
  clock_.Advance(std::chrono::minutes(31));
  ExpectFailurePage(Callback(std::string(authorized->Find("Location"))), 410,
                    "This subscription request has expired");
  EXPECT_TRUE(peer_.access_tokens().empty());
}

TEST_F(SubscribeHandlersTest, UnknownAndReplayedCallbackPage) {
  ExpectFailurePage(
      handlers_->Finish(Get("/main/finishremotesubscribe", "oauth_token=forged&omb_version=x")),
      400, "This subscription request is unknown");
  Result<http::HttpResponse> authorized = StartAndAuthorize();
  ASSERT_OK(authorized);
  const std::string location(authorized->Find("Location"));
  Result<web::WebResponse> first = Callback(location);
  ASSERT_OK(first);
  EXPECT_EQ(first->status, 200);
  Result<web::WebResponse> replay = Callback(location);
  ASSERT_OK(replay);
  EXPECT_EQ(replay->status, 400);
  EXPECT_THAT(replay->body, HasSubstr("<h1>This subscription request is unknown"));
}

TEST_F(SubscribeHandlersTest, AccessTokenRefusedPage) {
  peer_.SetKnobs({.access_token_status = 401});
  Result<http::HttpResponse> authorized = StartAndAuthorize();
  ASSERT_OK(authorized);
  ExpectFailurePage(Callback(std::string(authorized->Find("Location"))), 502,
                    "Your service refused the subscription");
}

TEST_F(SubscribeHandlersTest, BadCallbackPage) {
  Result<http::HttpResponse> authorized = StartAndAuthorize();
  ASSERT_OK(authorized);
  std::string location(authorized->Find("Location"));
  const size_t at = location.find("omb_listener_nickname=alice");
  ASSERT_NE(at, std::string::npos);
  location.replace(at, std::string_view("omb_listener_nickname=alice").size(),
                   "omb_listener_nickname=al%20ice");
  ExpectFailurePage(Callback(location), 400, "Your service sent back something unexpected");
}

}  // namespace
}  // namespace feedbridge::listener
