// OMB interop: the bridge against tests/peers/omb_peer.py, an independent listener service in
// Python that checks every OAuth signature with Debian's python3-oauthlib and answers as
// Laconica 0.8 or StatusNet 0.9 did (omb-0.1.md §0, §8). A blog bridged from a loopback feed,
// two of the peer's users subscribed through the bridge's real remote-subscribe flow (the form,
// discovery, request token, the peer's authorize page, the callback, access token), new posts
// published: each notice reaches the peer's one postNotice URL once, in order, signed with the
// oldest subscriber's access token, every field right.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/omb_bridge_fixture.h"

namespace feedbridge {
namespace {

using testing::OmbPeerProcess;
using testing::PeerRequest;

class OmbInteropTest : public testing::OmbBridgeFixture,
                       public ::testing::WithParamInterface<std::string> {};

TEST_P(OmbInteropTest, EachNoticeReachesThePeerOnceInOrderVerifiedByOauthlibWithEveryField) {
  OmbPeerProcess peer({.variant = GetParam(), .users = {"alice", "bob"}, .bind = "127.0.0.2"});
  ASSERT_NO_FATAL_FAILURE(OpenBridgedBlog(/*web=*/true));
  for (const std::string nick : {"alice", "bob"}) {
    const std::string page = SubscribeThroughTheBridge(peer, nick);
    ASSERT_FALSE(::testing::Test::HasFailure()) << peer.Log();
    EXPECT_THAT(page, ::testing::HasSubstr(nick));
  }
  // What the bridge's authorize redirect told the peer about the blog (the peer validated it
  // with the variant's rules before approving).
  Result<http::HttpResponse> state = peer.Get(peer.base() + "_state");
  ASSERT_OK(state);
  const std::string listenee_uri = base_ + "user/" + std::to_string(feed_.account_id);
  EXPECT_THAT(state->body, ::testing::HasSubstr("\"omb_listenee\": \"" + listenee_uri + "\""));
  EXPECT_THAT(state->body, ::testing::HasSubstr("\"omb_listenee_profile\": \"" + base_ + "blog\""));
  EXPECT_THAT(state->body, ::testing::HasSubstr("\"omb_listenee_nickname\": \"blog\""));
  EXPECT_THAT(state->body, ::testing::HasSubstr("\"omb_listenee_license\": \"" +
                                                std::string(omb::kDefaultLicense) + "\""));
  Result<std::vector<store::Subscription>> subs =
      services_->database().subscriptions().ListByAccount(feed_.account_id);
  ASSERT_OK(subs);
  ASSERT_EQ(subs->size(), 2u);
  const store::Subscription& alice = (*subs)[0];
  EXPECT_EQ(alice.subscriber.uri, peer.UserUri("alice"));
  EXPECT_EQ(alice.subscriber.nickname, "alice");
  EXPECT_EQ(alice.post_notice_url, peer.PostNoticeUrl());

  constexpr int kNew = 4;
  ASSERT_NO_FATAL_FAILURE(Publish(1 + kNew, kNew));
  // One delivering thread: the publisher role's threads deliver one endpoint's jobs
  // concurrently, so their arrival order is not kept (see the report; omb_delivery_faults_test
  // has the threaded runs).
  ASSERT_TRUE(StepPublisher([&] { return Accepted(peer).size() >= kNew; })) << peer.Log();
  // Idle rounds: a resend would show now.
  StepPublisher([] { return false; }, std::chrono::milliseconds(500));

  const std::vector<PeerRequest> got = Received(peer);
  ASSERT_EQ(got.size(), static_cast<size_t>(kNew)) << "one request per notice: both subscribers "
                                                      "share the peer's postNotice URL";
  const std::string listenee = base_ + "user/" + std::to_string(feed_.account_id);
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE("notice " + std::to_string(i));
    const PeerRequest& r = got[i];
    EXPECT_EQ(r.action, "postnotice");
    EXPECT_TRUE(r.signature_ok) << "oauthlib rejected the signature";
    EXPECT_EQ(r.status, 200) << r.answer;
    EXPECT_EQ(r.answer, std::string(omb::kOmbSuccessBody));
    EXPECT_EQ(r.token, alice.token) << "the oldest subscriber's token";
    EXPECT_EQ(r.user, "alice");
    EXPECT_EQ(r.Param("action"), "postnotice");
    EXPECT_EQ(r.Param("oauth_consumer_key"), base_);
    EXPECT_EQ(r.Param("oauth_signature_method"), "HMAC-SHA1");
    EXPECT_EQ(r.Param("oauth_version"), "1.0");
    EXPECT_EQ(r.Param("oauth_nonce").size(), 32u);
    EXPECT_FALSE(r.Param("oauth_timestamp").empty());
    EXPECT_EQ(r.Param("omb_version"), std::string(omb::kOmbVersion));
    EXPECT_EQ(r.Param("omb_listenee"), listenee);
    EXPECT_THAT(r.Param("omb_notice"), ::testing::StartsWith(base_ + "notice/"));
    const int post = static_cast<int>(i) + 2;  // Posts 2..5, oldest first.
    EXPECT_EQ(r.Param("omb_notice_content"), Expected(post));
    EXPECT_EQ(r.Param("omb_notice_url"),
              "http://blog.example/p/" + std::to_string(post) + "?a=1&b=x%3Ay");
    EXPECT_EQ(r.Param("omb_notice_license"), std::string(omb::kDefaultLicense));
    EXPECT_EQ(r.params.size(), 14u) << "no parameter besides OAuth's, action and the notice's";
    if (i > 0) {
      EXPECT_LT(std::stoll(got[i - 1].Param("omb_notice").substr(base_.size() + 7)),
                std::stoll(r.Param("omb_notice").substr(base_.size() + 7)))
          << "arrived out of order";
    }
  }
  EXPECT_EQ(Outstanding(), 0);
}

// A listener who unsubscribed at the peer: its 403 removes that subscription and the next
// subscriber's token carries the notice.
TEST_P(OmbInteropTest, AnUnsubscribedListenerIsDroppedAndTheNextTokenCarriesTheNotice) {
  OmbPeerProcess peer({.variant = GetParam(), .users = {"alice", "bob"}});
  ASSERT_NO_FATAL_FAILURE(OpenBridgedBlog());
  ASSERT_NO_FATAL_FAILURE(Subscribe(peer, "alice"));
  ASSERT_NO_FATAL_FAILURE(Subscribe(peer, "bob"));
  Result<std::vector<store::Subscription>> subs =
      services_->database().subscriptions().ListByAccount(feed_.account_id);
  ASSERT_OK(subs);
  ASSERT_EQ(subs->size(), 2u);
  ASSERT_OK(peer.Unsubscribe("alice"));  // 403 "No such subscription" / "Revoked accesstoken".
  ASSERT_NO_FATAL_FAILURE(Publish(2, 1));
  services_->publisher().Start();
  const bool delivered = WaitFor([&] { return Accepted(peer).size() >= 1; });
  services_->publisher().Stop();
  ASSERT_TRUE(delivered) << peer.Log();
  const std::vector<PeerRequest> got = Received(peer);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].token, (*subs)[0].token);  // StatusNet deleted it: no user any more.
  EXPECT_EQ(got[0].status, 403);
  EXPECT_EQ(got[1].user, "bob");
  EXPECT_EQ(got[1].status, 200);
  EXPECT_TRUE(got[1].signature_ok);
  Result<std::vector<store::Subscription>> left =
      services_->database().subscriptions().ListByAccount(feed_.account_id);
  ASSERT_OK(left);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].subscriber.nickname, "bob");
}

// What makes signature_ok worth asserting: the peer (oauthlib) refuses a notice whose content
// was changed after signing, with the variant's status (Laconica 500, StatusNet 403), and one
// signed for another URL.
TEST_P(OmbInteropTest, ThePeerRefusesATamperedOrMisaddressedSignature) {
  OmbPeerProcess peer({.variant = GetParam()});
  ASSERT_NO_FATAL_FAILURE(OpenBridgedBlog());
  ASSERT_NO_FATAL_FAILURE(Subscribe(peer, "alice"));
  Result<std::vector<store::Subscription>> subs =
      services_->database().subscriptions().ListByAccount(feed_.account_id);
  ASSERT_OK(subs);
  ASSERT_EQ(subs->size(), 1u);
  const omb::OAuthCredentials creds{
      .consumer_key = base_, .token = (*subs)[0].token, .token_secret = (*subs)[0].token_secret};
  Result<omb::ParamList> params = omb::PostNoticeParams(
      {.listenee = Listenee().uri, .notice = base_ + "notice/77", .content = "signed text"});
  ASSERT_OK(params);
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const int refused = GetParam() == "laconica-0.8" ? 500 : 403;
  // Content changed after signing.
  Result<omb::SignedRequest> signed_request =
      omb::SignRequest({.method = "POST", .endpoint_url = peer.PostNoticeUrl(), .params = *params},
                       creds, "0123456789abcdef0123456789abcdef", now);
  ASSERT_OK(signed_request);
  std::string body = signed_request->body;
  const size_t at = body.find("signed%20text");
  ASSERT_NE(at, std::string::npos);
  body.replace(at, 13, "forged%20text");
  Result<http::HttpResponse> answer = peer.PostForm(signed_request->url, body);
  ASSERT_OK(answer);
  EXPECT_EQ(answer->status, refused) << answer->body;
  // Signed for another path on the same host.
  Result<omb::SignedRequest> elsewhere =
      omb::SignRequest({.method = "POST",
                        .endpoint_url = peer.base() + "other.php?action=postnotice",
                        .params = *params},
                       creds, "fedcba9876543210fedcba9876543210", now);
  ASSERT_OK(elsewhere);
  answer = peer.PostForm(signed_request->url, elsewhere->body);
  ASSERT_OK(answer);
  EXPECT_EQ(answer->status, refused) << answer->body;
  // And the untouched request passes.
  answer = peer.PostForm(signed_request->url, signed_request->body);
  ASSERT_OK(answer);
  EXPECT_EQ(answer->status, 200) << answer->body;
  const std::vector<PeerRequest> got = Received(peer);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_FALSE(got[0].signature_ok);
  EXPECT_FALSE(got[1].signature_ok);
  EXPECT_TRUE(got[2].signature_ok);
}

// Without --auto-approve the peer shows its authorize page (a real form: Approve and Reject
// posting back to it); Approve 303s to the callback with the variant's omb_listener_* fields,
// Reject to the bare callback.
TEST_P(OmbInteropTest, ThePeersAuthorizePageApprovesOrRejectsThroughItsForm) {
  OmbPeerProcess peer({.variant = GetParam(), .bind = "127.0.0.2", .auto_approve = false});
  ASSERT_NO_FATAL_FAILURE(OpenBridgedBlog(/*web=*/true));
  for (const bool approve : {false, true}) {
    SCOPED_TRACE(approve ? "approve" : "reject");
    http::HttpRequest form;
    form.method = "POST";
    form.url = base_ + "main/remotesubscribe";
    form.headers = {{"Content-Type", std::string(omb::kFormContentType)}};
    form.body = omb::FormEncode({{"nickname", "blog"}, {"profile_url", peer.ProfileUrl("alice")}});
    form.max_redirects = 0;
    Result<http::HttpResponse> r = browser_.Send(form);
    ASSERT_OK(r);
    ASSERT_EQ(r->status, 303) << r->body;
    r = peer.Get(std::string(r->Find("Location")));
    ASSERT_OK(r);
    ASSERT_EQ(r->status, 200);
    EXPECT_THAT(r->body, ::testing::HasSubstr("<form method=\"post\""));
    EXPECT_THAT(r->body, ::testing::HasSubstr("id=\"approve\""));
    EXPECT_THAT(r->body, ::testing::HasSubstr("id=\"reject\""));
    EXPECT_THAT(r->body, ::testing::HasSubstr(base_ + "blog"));  // The listenee's profile.
    const size_t at = r->body.find("name=\"oauth_token\" value=\"");
    ASSERT_NE(at, std::string::npos);
    const size_t from = at + std::string("name=\"oauth_token\" value=\"").size();
    const std::string token = r->body.substr(from, r->body.find('"', from) - from);
    r = peer.PostForm(
        peer.base() + "index.php?action=userauthorization",
        omb::FormEncode({{"oauth_token", token}, {approve ? "approve" : "reject", "1"}}));
    ASSERT_OK(r);
    ASSERT_EQ(r->status, 303);
    const std::string callback(r->Find("Location"));
    if (!approve) {
      EXPECT_EQ(callback, base_ + "main/finishremotesubscribe");
      continue;
    }
    EXPECT_THAT(callback, ::testing::HasSubstr("omb_listener_nickname=alice"));
    EXPECT_THAT(callback, ::testing::HasSubstr("oauth_token=" + token));
    r = browser_.Send({.url = callback, .max_redirects = 3});
    ASSERT_OK(r);
    EXPECT_EQ(r->status, 200) << r->body;
  }
  Result<std::vector<store::Subscription>> subs =
      services_->database().subscriptions().ListByAccount(feed_.account_id);
  ASSERT_OK(subs);
  ASSERT_EQ(subs->size(), 1u);
  EXPECT_EQ((*subs)[0].subscriber.uri, peer.UserUri("alice"));
}

// updateProfile as each variant checks it: StatusNet 0.9 refuses one without
// omb_listenee_license before looking at OAuth, Laconica 0.8 takes it; both take the full set.
TEST_P(OmbInteropTest, ThePeerChecksUpdateProfileAsTheVariantDid) {
  OmbPeerProcess peer({.variant = GetParam()});
  ASSERT_NO_FATAL_FAILURE(OpenBridgedBlog());
  ASSERT_NO_FATAL_FAILURE(Subscribe(peer, "alice"));
  Result<std::vector<store::Subscription>> subs =
      services_->database().subscriptions().ListByAccount(feed_.account_id);
  ASSERT_OK(subs);
  ASSERT_EQ(subs->size(), 1u);
  const omb::OAuthCredentials creds{
      .consumer_key = base_, .token = (*subs)[0].token, .token_secret = (*subs)[0].token_secret};
  Result<omb::ParamList> full = omb::UpdateProfileParams(Listenee());
  ASSERT_OK(full);
  omb::ParamList without_license;
  for (const omb::Param& p : *full) {
    if (p.name != "omb_listenee_license") without_license.push_back(p);
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  int n = 0;
  const auto send = [&](const omb::ParamList& params) {
    Result<omb::SignedRequest> signed_request = omb::SignRequest(
        {.method = "POST", .endpoint_url = peer.UpdateProfileUrl(), .params = params}, creds,
        "0123456789abcdef0123456789abcde" + std::to_string(n++), now);
    EXPECT_OK(signed_request);
    Result<http::HttpResponse> r = peer.PostForm(signed_request->url, signed_request->body);
    EXPECT_OK(r);
    return r.ok() ? r->status : 0;
  };
  EXPECT_EQ(send(without_license), GetParam() == "statusnet-0.9" ? 400 : 200);
  EXPECT_EQ(send(*full), 200);
  const std::vector<PeerRequest> got = Received(peer);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].action, "updateprofile");
  EXPECT_TRUE(got[1].signature_ok);
  EXPECT_EQ(got[1].answer, std::string(omb::kOmbSuccessBody));
}

INSTANTIATE_TEST_SUITE_P(Variants, OmbInteropTest,
                         ::testing::Values("laconica-0.8", "statusnet-0.9"),
                         [](const ::testing::TestParamInfo<std::string>& variant) {
                           return variant.param == "laconica-0.8" ? std::string("Laconica08")
                                                                  : std::string("StatusNet09");
                         });

}  // namespace
}  // namespace feedbridge
