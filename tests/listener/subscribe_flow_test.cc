#include "listener/subscribe_flow.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "omb/blog_profile.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::listener {
namespace {

using std::chrono::minutes;
using ::testing::HasSubstr;
using F = SubscribeFailure;

constexpr std::string_view kBridge = "http://bridge.example.org/";

// The peer of omb-0.1.md §7.6: identi.example, listener /user/42.
omb::OmbServices Identi() {
  omb::OmbServices s;
  s.request_token.url = "http://identi.example/index.php?action=requesttoken";
  s.request_token.local_id = "http://identi.example/user/42";
  s.authorize.url = "http://identi.example/index.php?action=userauthorization";
  s.access_token.url = "http://identi.example/index.php?action=accesstoken";
  s.post_notice.url = "http://identi.example/index.php?action=postnotice";
  s.update_profile.url = "http://identi.example/index.php?action=updateprofile";
  return s;
}

store::FeedRecord Blog() {
  store::FeedRecord f;
  f.id = 3;
  f.account_id = 7;
  f.nickname = "exampleblog";
  f.title = "Example Blog";
  f.site_url = "http://blog.example.com/";
  return f;
}

// The profile the flow sends for Blog() (omb::BlogProfile, as updateProfile later does).
omb::ListeneeProfile BlogListenee() {
  const store::FeedRecord f = Blog();
  return omb::BlogProfile({.account_id = f.account_id,
                           .nickname = f.nickname,
                           .title = f.title,
                           .description = f.description,
                           .site_url = f.site_url},
                          kBridge, omb::kDefaultLicense);
}

std::string Param(const omb::ParamList& params, std::string_view name) {
  const std::string* v = omb::FindParam(params, name);
  return v != nullptr ? *v : "<absent>";
}

TEST(DescribeFailureTest, EveryFailureHasItsOwnTitleAndAnErrorStatus) {
  std::set<std::string_view> titles;
  for (const F f :
       {F::kUnknownBlog, F::kNotProfileUrl, F::kNoXrds, F::kMissingEndpoint, F::kLocalProfile,
        F::kAlreadySubscribed, F::kPeerUnreachable, F::kPrivateAddress, F::kPeerTimedOut,
        F::kPeerRefused, F::kRejected, F::kBadCallback, F::kUnknownState, F::kExpiredState}) {
    const FailureText t = DescribeFailure(f);
    SCOPED_TRACE(std::string(t.title));
    EXPECT_GE(t.http_status, 400);
    EXPECT_FALSE(t.explanation.empty());
    EXPECT_TRUE(titles.insert(t.title).second) << "title used twice";
  }
  EXPECT_EQ(DescribeFailure(F::kUnknownBlog).http_status, 404);
  EXPECT_EQ(DescribeFailure(F::kAlreadySubscribed).http_status, 409);
  EXPECT_EQ(DescribeFailure(F::kPeerTimedOut).http_status, 504);
  // Not "try again later": another address is what helps.
  EXPECT_EQ(DescribeFailure(F::kPrivateAddress).http_status, 400);
  EXPECT_TRUE(DescribeFailure(F::kPrivateAddress).offer_form_again);
  EXPECT_EQ(DescribeFailure(F::kPeerRefused).http_status, 502);
  EXPECT_EQ(DescribeFailure(F::kExpiredState).http_status, 410);
  // Another URL may help after a wrong one; a finished or expired flow starts from the blog.
  EXPECT_TRUE(DescribeFailure(F::kNoXrds).offer_form_again);
  EXPECT_FALSE(DescribeFailure(F::kUnknownState).offer_form_again);
}

TEST(BlogXrdsAccountTest, ReadsBackAsTheBlogsLocalIdAndTheBridgesEndpoints) {
  Result<omb::OmbServices> read = omb::ReadXrds(omb::WriteXrds(BlogXrdsAccount(kBridge, 7)));
  ASSERT_OK(read);
  EXPECT_EQ(read->listener_id(), "http://bridge.example.org/user/7");
  EXPECT_EQ(read->request_token.url, "http://bridge.example.org/omb/requesttoken");
  EXPECT_EQ(read->authorize.url, "http://bridge.example.org/omb/userauthorization");
  EXPECT_EQ(read->access_token.url, "http://bridge.example.org/omb/accesstoken");
  EXPECT_EQ(read->post_notice.url, "http://bridge.example.org/omb/7/postnotice");
  EXPECT_EQ(read->update_profile.url, "http://bridge.example.org/omb/7/updateprofile");
}

TEST(CheckProfileUrlTest, AcceptsAbsoluteHttpUrlsOnly) {
  struct Case {
    std::string name, entered;
    bool ok;
    std::string url;
  };
  const std::vector<Case> cases = {
      {"http", "http://identi.example/alice", true, "http://identi.example/alice"},
      {"https with port and query", "https://sn.example:8443/index.php?action=showstream", true,
       "https://sn.example:8443/index.php?action=showstream"},
      {"white space around dropped", "  http://identi.example/alice\n", true,
       "http://identi.example/alice"},
      {"empty", "", false, ""},
      {"only spaces", "   ", false, ""},
      {"no scheme", "identi.example/alice", false, ""},
      {"acct: address", "acct:alice@identi.example", false, ""},
      {"javascript", "javascript:alert(1)", false, ""},
      {"ftp", "ftp://identi.example/alice", false, ""},
      {"space inside", "http://identi.example/al ice", false, ""},
      {"user info", "http://bob@identi.example/alice", false, ""},
      {"too long", "http://identi.example/" + std::string(250, 'a'), false, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::variant<std::string, Failure> got = CheckProfileUrl(c.entered);
    if (c.ok) {
      ASSERT_TRUE(std::holds_alternative<std::string>(got));
      EXPECT_EQ(std::get<std::string>(got), c.url);
    } else {
      ASSERT_TRUE(std::holds_alternative<Failure>(got));
      EXPECT_EQ(std::get<Failure>(got).kind, F::kNotProfileUrl);
      EXPECT_FALSE(std::get<Failure>(got).detail.empty());
    }
  }
}

TEST(FailureClassificationTest, EachStepsErrorsNameTheRightPage) {
  struct Case {
    std::string name;
    Failure (*classify)(const Status&);
    Status status;
    F expected;
  };
  const std::vector<Case> cases = {
      {"transport timeout", TransportFailure, Status::DeadlineExceeded("timed out"),
       F::kPeerTimedOut},
      {"transport refused", TransportFailure, Status::Unavailable("refused"), F::kPeerUnreachable},
      {"transport private address", TransportFailure, Status::PermissionDenied("private"),
       F::kPrivateAddress},
      {"transport over the cap", TransportFailure, Status::ResourceExhausted("big"),
       F::kPeerUnreachable},
      {"profile page 404", DiscoveryFailure, Status::FailedPrecondition("HTTP 404"),
       F::kNotProfileUrl},
      {"profile page advertises nothing", DiscoveryFailure, Status::NotFound("no XRDS"),
       F::kNoXrds},
      {"profile page advertises a bad location", DiscoveryFailure,
       Status::InvalidArgument("relative"), F::kNoXrds},
      {"XRDS lacks a service", XrdsFailure, Status::NotFound("no postNotice"), F::kMissingEndpoint},
      {"XRDS not XML", XrdsFailure, Status::InvalidArgument("not XML"), F::kNoXrds},
      {"XRDS location 404", XrdsFailure, Status::FailedPrecondition("HTTP 404"), F::kNoXrds},
      {"XRDS too big", XrdsFailure, Status::ResourceExhausted("big"), F::kNoXrds},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Failure f = c.classify(c.status);
    EXPECT_EQ(f.kind, c.expected);
    EXPECT_THAT(f.detail, HasSubstr(c.status.message()));
  }
}

TEST(CheckDiscoveredTest, RefusesLocalProfilesAndLocalIdsPeersWouldRefuse) {
  EXPECT_EQ(CheckDiscovered(Identi(), kBridge), std::nullopt);
  omb::OmbServices local = Identi();
  local.request_token.local_id = "http://BRIDGE.example.org/user/3";
  ASSERT_NE(CheckDiscovered(local, kBridge), std::nullopt);
  EXPECT_EQ(CheckDiscovered(local, kBridge)->kind, F::kLocalProfile);
  omb::OmbServices own_endpoint = Identi();
  own_endpoint.request_token.url = "http://bridge.example.org/omb/requesttoken";
  EXPECT_EQ(CheckDiscovered(own_endpoint, kBridge)->kind, F::kLocalProfile);
  omb::OmbServices tag = Identi();
  tag.request_token.local_id = "tag:identi.example,2008:user:42";
  ASSERT_NE(CheckDiscovered(tag, kBridge), std::nullopt);
  EXPECT_EQ(CheckDiscovered(tag, kBridge)->kind, F::kMissingEndpoint);
}

// ---- The signed requests: omb-0.1.md §7.6, byte for byte ----

TEST(RequestTokenCallTest, IsTheRequestTokenVector) {
  Result<omb::SignedRequest> r = RequestTokenCall(
      Identi(), {std::string(kBridge), "0123456789abcdef0123456789abcdef", 1230000000});
  ASSERT_OK(r);
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->url, "http://identi.example/index.php");
  EXPECT_EQ(r->body,
            "oauth_version=1.0&oauth_nonce=0123456789abcdef0123456789abcdef&oauth_timestamp="
            "1230000000&oauth_consumer_key=http%3A%2F%2Fbridge.example.org%2F&action=requesttoken&"
            "omb_listener=http%3A%2F%2Fidenti.example%2Fuser%2F42&omb_version=http%3A%2F%2F"
            "openmicroblogging.org%2Fprotocol%2F0.1&oauth_signature_method=HMAC-SHA1&oauth_"
            "signature=9AH6tRZ6xeQACORjltiwRfRvLDE%3D");
}

TEST(AuthorizeLocationTest, IsTheAuthorizeRedirectVector) {
  Result<std::string> location =
      AuthorizeLocation(Identi(), BlogListenee(), "http://bridge.example.org/omb/finishsubscribe",
                        {"5d41402abc4b2a76b9719d911017c592", "7d793037a0760186574b0282f2f435e7"},
                        {std::string(kBridge), "00112233445566778899aabbccddeeff", 1230000050});
  ASSERT_OK(location);
  EXPECT_EQ(
      *location,
      "http://identi.example/"
      "index.php?oauth_version=1.0&oauth_nonce=00112233445566778899aabbccddeeff&oauth_timestamp="
      "1230000050&oauth_consumer_key=http%3A%2F%2Fbridge.example.org%2F&action=userauthorization&"
      "oauth_token=5d41402abc4b2a76b9719d911017c592&omb_version=http%3A%2F%2Fopenmicroblogging."
      "org%2Fprotocol%2F0.1&omb_listener=http%3A%2F%2Fidenti.example%2Fuser%2F42&omb_listenee="
      "http%3A%2F%2Fbridge.example.org%2Fuser%2F7&omb_listenee_profile=http%3A%2F%2Fbridge."
      "example.org%2Fexampleblog&omb_listenee_nickname=exampleblog&omb_listenee_license=http%3A%"
      "2F%2Fcreativecommons.org%2Flicenses%2Fby%2F3.0%2F&omb_listenee_fullname=Example%20Blog&"
      "omb_listenee_homepage=http%3A%2F%2Fblog.example.com%2F&oauth_callback=http%3A%2F%2Fbridge."
      "example.org%2Fomb%2Ffinishsubscribe&oauth_signature_method=HMAC-SHA1&oauth_signature="
      "WcP8wffLw6%2FJ5DzxoQy6wUQdPZ4%3D");
}

TEST(AuthorizeLocationTest, RefusesACallbackThePeersWouldRefuse) {
  Result<std::string> location = AuthorizeLocation(Identi(), BlogListenee(), "http://[::1]/finish",
                                                   {"t", "s"}, {std::string(kBridge), "n", 1});
  EXPECT_THAT(location, testing::StatusIs(Status::Code::kInvalidArgument));
}

store::PendingSubscription Flow(TimePoint now) {
  return PendingFlow(Identi(), Blog(),
                     {"5d41402abc4b2a76b9719d911017c592", "7d793037a0760186574b0282f2f435e7"}, now,
                     std::chrono::seconds(1800));
}

TEST(AccessTokenCallTest, IsTheAccessTokenVector) {
  Result<omb::SignedRequest> r = AccessTokenCall(
      Flow(TimePoint()), {std::string(kBridge), "ffeeddccbbaa99887766554433221100", 1230000090});
  ASSERT_OK(r);
  EXPECT_EQ(r->url, "http://identi.example/index.php");
  EXPECT_EQ(Param(r->params, "oauth_signature"), "pYOoCralWTPtq2EMKcocLN+LMW0=");
  EXPECT_EQ(Param(r->params, "action"), "accesstoken");
  EXPECT_EQ(Param(r->params, "oauth_token"), "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(Param(r->params, "omb_version"), omb::kOmbVersion);
}

TEST(ReadTokenAnswerTest, OnlyA200WithBothValuesIsAToken) {
  struct Case {
    std::string name;
    int status;
    std::string body;
    bool ok;
    std::string detail;
  };
  const std::vector<Case> cases = {
      {"Laconica", 200, "oauth_token=abc&oauth_token_secret=def", true, ""},
      {"with omb_version", 200,
       "oauth_token=abc&oauth_token_secret=def&omb_version=http://openmicroblogging.org/protocol/"
       "0.1",
       true, ""},
      {"401 quotes the body", 401, "Invalid signature\n", false, "HTTP 401: Invalid signature"},
      {"500 without a body", 500, "", false, "HTTP 500"},
      {"200 without a secret", 200, "oauth_token=abc", false, "oauth_token_secret"},
      {"200 HTML page", 200, "<html>login</html>", false, "oauth_token"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::variant<omb::TokenReply, Failure> got = ReadTokenAnswer(c.status, c.body);
    if (c.ok) {
      ASSERT_TRUE(std::holds_alternative<omb::TokenReply>(got));
      EXPECT_EQ(std::get<omb::TokenReply>(got), (omb::TokenReply{"abc", "def"}));
    } else {
      ASSERT_TRUE(std::holds_alternative<Failure>(got));
      EXPECT_EQ(std::get<Failure>(got).kind, F::kPeerRefused);
      EXPECT_THAT(std::get<Failure>(got).detail, HasSubstr(c.detail));
    }
  }
  // A hostile answer is quoted short and on one line.
  const auto huge = ReadTokenAnswer(403, std::string(10000, 'x') + "\n<script>");
  EXPECT_LE(std::get<Failure>(huge).detail.size(), 220u);
}

TEST(PendingFlowTest, RemembersWhatTheCallbackLacks) {
  const TimePoint now{std::chrono::seconds(1'800'000'000)};
  const store::PendingSubscription p = Flow(now);
  EXPECT_EQ(p.request_token, "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(p.token_secret, "7d793037a0760186574b0282f2f435e7");
  EXPECT_EQ(p.account_id, 7);
  EXPECT_EQ(p.nickname, "exampleblog");
  EXPECT_EQ(p.listener_uri, "http://identi.example/user/42");
  EXPECT_EQ(p.access_token_url, "http://identi.example/index.php?action=accesstoken");
  EXPECT_EQ(p.post_notice_url, "http://identi.example/index.php?action=postnotice");
  EXPECT_EQ(p.update_profile_url, "http://identi.example/index.php?action=updateprofile");
  EXPECT_EQ(p.created_at, now);
  EXPECT_EQ(p.expires_at, now + minutes(30));
}

TEST(DecideCallbackTest, AcceptsOnlyAFreshKnownFlowWithAValidProfile) {
  const TimePoint now{std::chrono::seconds(1'800'000'000)};
  const std::optional<store::PendingSubscription> fresh = Flow(now - minutes(5));
  const std::optional<store::PendingSubscription> stale = Flow(now - minutes(31));
  const omb::ParamList laconica = {
      {"oauth_token", "5d41402abc4b2a76b9719d911017c592"},
      {"omb_version", std::string(omb::kOmbVersion)},
      {"omb_listener_nickname", "alice"},
      {"omb_listener_profile", "http://identi.example/alice"},
      {"omb_listener_fullname", "Alice"},
  };
  const auto with = [&](std::string_view name, std::string value) {
    omb::ParamList p = laconica;
    for (omb::Param& x : p) {
      if (x.name == name) x.value = value;
    }
    return p;
  };
  struct Case {
    std::string name;
    omb::ParamList params;
    std::optional<store::PendingSubscription> flow;
    std::optional<F> failure;
  };
  const std::vector<Case> cases = {
      {"Laconica's callback", laconica, fresh, std::nullopt},
      {"Reject: no parameters at all", {}, fresh, F::kRejected},
      {"empty token", with("oauth_token", ""), fresh, F::kRejected},
      {"no flow of that token", laconica, std::nullopt, F::kUnknownState},
      {"flow expired", laconica, stale, F::kExpiredState},
      {"wrong OMB version", with("omb_version", "http://openmicroblogging.org/protocol/0.2"), fresh,
       F::kBadCallback},
      {"no nickname", with("omb_listener_nickname", ""), fresh, F::kBadCallback},
      {"profile not http", with("omb_listener_profile", "javascript:alert(1)"), fresh,
       F::kBadCallback},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::variant<store::RemoteProfile, Failure> got = DecideCallback(c.params, c.flow, now);
    if (!c.failure) {
      ASSERT_TRUE(std::holds_alternative<store::RemoteProfile>(got))
          << std::get<Failure>(got).detail;
    } else {
      ASSERT_TRUE(std::holds_alternative<Failure>(got));
      EXPECT_EQ(std::get<Failure>(got).kind, *c.failure);
    }
  }
  const auto profile = std::get<store::RemoteProfile>(DecideCallback(laconica, fresh, now));
  EXPECT_EQ(profile.uri, "http://identi.example/user/42");
  EXPECT_EQ(profile.nickname, "alice");
  EXPECT_EQ(profile.profile_url, "http://identi.example/alice");
  EXPECT_EQ(profile.fullname, "Alice");
}

TEST(DecideCallbackTest, TheStoredLocalIdNamesTheSubscriberNotTheCallbacksOmbListener) {
  const TimePoint now{std::chrono::seconds(1'800'000'000)};
  omb::ParamList libomb = {{"omb_listener", "http://evil.example/user/1"},
                           {"omb_listener_profile", "http://identi.example/alice"},
                           {"omb_listener_nickname", "Alice"},
                           {"oauth_token", "5d41402abc4b2a76b9719d911017c592"},
                           {"omb_version", std::string(omb::kOmbVersion)}};
  const auto got = DecideCallback(libomb, Flow(now), now);
  ASSERT_TRUE(std::holds_alternative<store::RemoteProfile>(got));
  EXPECT_EQ(std::get<store::RemoteProfile>(got).uri, "http://identi.example/user/42");
  EXPECT_EQ(std::get<store::RemoteProfile>(got).nickname, "Alice");  // StatusNet 0.9 allows it.
}

TEST(SubscriptionOfTest, CarriesTheFlowsEndpointsAndTheAccessToken) {
  const store::PendingSubscription flow = Flow(TimePoint());
  const store::Subscription s =
      SubscriptionOf(flow, store::RemoteProfile{.uri = flow.listener_uri, .nickname = "alice"},
                     {"acc", "accsecret"});
  EXPECT_EQ(s.account_id, 7);
  EXPECT_EQ(s.subscriber.uri, "http://identi.example/user/42");
  EXPECT_EQ(s.subscriber.nickname, "alice");
  EXPECT_EQ(s.post_notice_url, flow.post_notice_url);
  EXPECT_EQ(s.update_profile_url, flow.update_profile_url);
  EXPECT_EQ(s.token, "acc");
  EXPECT_EQ(s.token_secret, "accsecret");
}

}  // namespace
}  // namespace feedbridge::listener
