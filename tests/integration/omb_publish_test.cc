// OMB publishing end to end on this machine: a blog's feed on a loopback HTTP server, polled by
// the real poller; its notices and profile changes through a real redis-server and the publisher
// role built by the real composition root; delivered by the real POCO client to a loopback peer
// that behaves like a Laconica/StatusNet listener service's postNotice and updateProfile (it
// verifies each OAuth signature, refuses unknown tokens with 403 and, as StatusNet 0.9, answers a
// repeated notice URI with 500 "Duplicate notice.").

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app/wiring.h"
#include "omb/messages.h"
#include "omb/oauth.h"
#include "store/database.h"
#include "tests/integration/omb_bridge_fixture.h"
#include "tests/support/http_test_server.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace feedbridge {
namespace {

using std::chrono::milliseconds;
using testing::HttpTestServer;
using testing::RedisTestServer;
using testing::TempDir;

constexpr std::string_view kBase = "http://bridge.example.org/";

// Remembers nonces for ever (a test lasts seconds).
class SetNonces final : public omb::NonceChecker {
 public:
  Status CheckAndRemember(std::string_view consumer, std::string_view token, int64_t ts,
                          std::string_view nonce) override {
    std::lock_guard lock(mu_);
    const std::string key = std::string(consumer) + " " + std::string(token) + " " +
                            std::to_string(ts) + " " + std::string(nonce);
    if (!seen_.insert(key).second) return Status::AlreadyExists("replayed nonce");
    return Status::Ok();
  }

 private:
  std::mutex mu_;
  std::set<std::string> seen_;
};

// The postNotice and updateProfile endpoints of a listener service at PATH?action=postnotice
// and PATH?action=updateprofile.
class OmbPeer {
 public:
  struct Received {
    std::string token;
    omb::PostNotice notice;
  };
  struct ProfileReceived {
    std::string token;
    omb::ProfileUpdate update;
  };

  OmbPeer(HttpTestServer& server, std::string path) : server_(server), path_(std::move(path)) {
    server_.Route(path_, [this](const HttpTestServer::Request& req, HttpTestServer::Response& r) {
      Handle(req, r);
    });
  }
  std::string endpoint() const { return server_.Url(path_) + "?action=postnotice"; }
  std::string profile_endpoint() const { return server_.Url(path_) + "?action=updateprofile"; }
  void AddToken(const std::string& token, const std::string& secret) {
    std::lock_guard lock(mu_);
    secrets_[token] = secret;
  }
  void RevokeToken(const std::string& token) {
    std::lock_guard lock(mu_);
    secrets_.erase(token);
  }
  std::vector<Received> received() {
    std::lock_guard lock(mu_);
    return received_;
  }
  std::vector<ProfileReceived> profiles() {
    std::lock_guard lock(mu_);
    return profiles_;
  }
  std::vector<std::string> errors() {
    std::lock_guard lock(mu_);
    return errors_;
  }

 private:
  void Handle(const HttpTestServer::Request& req, HttpTestServer::Response& r) {
    std::lock_guard lock(mu_);
    const auto fail = [&](int status, const std::string& why) {
      errors_.push_back(why);
      r.SetStatus(status);
      r.SetBody(why);
    };
    if (req.method != "POST") return fail(405, "not a POST");
    Result<omb::ParamList> params =
        omb::CollectRequestParams(req.query, req.body, req.Header("Authorization"));
    if (!params.ok()) return fail(400, params.status().message());
    const std::string* action = omb::FindParam(*params, "action");
    const bool profile = action != nullptr && *action == "updateprofile";
    if (action == nullptr || (*action != "postnotice" && !profile)) {
      return fail(400, "no action=postnotice or updateprofile");
    }
    Result<omb::OAuthProtocolParams> oauth = omb::ReadOAuthParams(*params);
    if (!oauth.ok()) return fail(400, oauth.status().message());
    if (oauth->consumer_key != kBase) return fail(400, "consumer key " + oauth->consumer_key);
    const auto secret = secrets_.find(oauth->token);
    if (secret == secrets_.end()) return fail(403, "Revoked accesstoken for " + oauth->token);
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    if (Status s = omb::VerifyRequest({"POST", profile ? profile_endpoint() : endpoint(), *params},
                                      *oauth, "", secret->second, now, nonces_);
        !s.ok()) {
      return fail(500, s.message());  // What Laconica answers an OAuth failure with.
    }
    if (profile) {
      Result<omb::ProfileUpdate> update = omb::ParseUpdateProfile(*params);
      if (!update.ok()) return fail(400, update.status().message());
      profiles_.push_back({oauth->token, *update});
      r.SetHeader("Content-Type", "text/plain");
      r.SetBody(std::string(omb::kOmbSuccessBody));
      return;
    }
    Result<omb::PostNotice> notice = omb::ParsePostNotice(*params);
    if (!notice.ok()) return fail(400, notice.status().message());
    if (!uris_.insert(notice->notice).second) {
      r.SetStatus(500);
      r.SetBody("Duplicate notice.");
      return;
    }
    received_.push_back({oauth->token, *notice});
    r.SetHeader("Content-Type", "text/plain");
    r.SetBody(std::string(omb::kOmbSuccessBody));
  }

  HttpTestServer& server_;
  const std::string path_;
  std::mutex mu_;
  SetNonces nonces_;
  std::map<std::string, std::string> secrets_;
  std::set<std::string> uris_;
  std::vector<Received> received_;
  std::vector<ProfileReceived> profiles_;
  std::vector<std::string> errors_;
};

class OmbPublishTest : public ::testing::Test {
 protected:
  OmbPublishTest() {
    server_.Route("/feed.rss", [this](const HttpTestServer::Request&, HttpTestServer::Response& r) {
      std::lock_guard lock(mu_);
      r.SetHeader("Content-Type", "application/rss+xml");
      r.SetBody(testing::BlogFeedRss(posts_, title_));
    });
  }

  config::Config Config() const {
    config::Config c;
    c.server.base_url = std::string(kBase);
    c.database.url = "sqlite:" + (dir_.path() / "fb.db").string();
    c.redis.url = redis_.url();
    c.poller.allow_private_networks = true;
    c.publisher.allow_private_networks = true;
    c.publisher.timeout = std::chrono::seconds(5);
    return c;
  }

  void SetPosts(int n) {
    std::lock_guard lock(mu_);
    posts_ = n;
  }
  void SetTitle(std::string title) {
    std::lock_guard lock(mu_);
    title_ = std::move(title);
  }

  store::Subscription Subscriber(int64_t account, const std::string& who, const OmbPeer& peer) {
    store::Subscription s;
    s.account_id = account;
    s.subscriber.uri = "http://peer.example/user/" + who;
    s.subscriber.nickname = who;
    s.post_notice_url = peer.endpoint();
    s.update_profile_url = "http://peer.example/index.php?action=updateprofile";
    s.token = "token-" + who;
    s.token_secret = "secret-" + who;
    return s;
  }

  // The real wiring with the poller and publisher roles, and the blog bridged and polled once
  // (its backlog is not broadcast).
  void OpenBridgedBlog() {
    Result<std::unique_ptr<app::Services>> opened =
        app::Services::Open(Config(), {.poller = true, .publisher = true});
    ASSERT_OK(opened);
    services_ = std::move(opened).value();
    Result<store::FeedRecord> feed = services_->database().feeds().AddFeed(
        {.url = server_.Url("/feed.rss"), .nickname = "blog"});
    ASSERT_OK(feed);
    feed_ = *feed;
    ASSERT_OK(services_->poller().PollFeed(feed_.id));
  }

  // Runs the publisher's two steps until `done` or `limit` passes.
  template <class Done>
  void Publish(app::Services& s, Done done, std::chrono::seconds limit = std::chrono::seconds(15)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < until) {
      ASSERT_OK(s.delivery_engine().FanOut(milliseconds(0)));
      ASSERT_OK(s.delivery_engine().DeliverNext(milliseconds(50)));
    }
  }

  TempDir dir_;
  RedisTestServer redis_;
  HttpTestServer server_;
  std::mutex mu_;
  int posts_ = 1;                            // Guarded by mu_.
  std::string title_ = "Blog";               // Guarded by mu_.
  std::unique_ptr<app::Services> services_;  // Declared last: stops before the servers.
  store::FeedRecord feed_;
};

TEST_F(OmbPublishTest, NewPostsReachEachPostNoticeUrlOnceInOrderSignedAndComplete) {
  OmbPeer laconica(server_, "/laconica/index.php");
  OmbPeer statusnet(server_, "/statusnet/index.php");
  ASSERT_NO_FATAL_FAILURE(OpenBridgedBlog());
  app::Services& s = *services_;
  const store::FeedRecord* feed = &feed_;
  // Two subscribers behind one URL get one delivery (alice's token: the oldest); one elsewhere.
  for (const auto& [who, peer] : {std::pair<std::string, OmbPeer*>{"alice", &laconica},
                                  {"bob", &laconica},
                                  {"carol", &statusnet}}) {
    peer->AddToken("token-" + who, "secret-" + who);
    ASSERT_OK(s.database().subscriptions().Subscribe(Subscriber(feed->account_id, who, *peer)));
  }
  SetPosts(3);
  Result<poller::PollReport> report = s.poller().PollFeed(feed->id);
  ASSERT_OK(report);
  ASSERT_EQ(report->notices, 2u);

  Publish(s, [&] { return laconica.received().size() >= 2 && statusnet.received().size() >= 2; });
  EXPECT_THAT(laconica.errors(), ::testing::IsEmpty());
  EXPECT_THAT(statusnet.errors(), ::testing::IsEmpty());
  for (OmbPeer* peer : {&laconica, &statusnet}) {
    const std::vector<OmbPeer::Received> got = peer->received();
    ASSERT_EQ(got.size(), 2u);
    for (size_t i = 0; i < got.size(); ++i) {
      SCOPED_TRACE("notice " + std::to_string(i));
      const std::string n = std::to_string(i + 2);  // Posts 2 and 3, oldest first.
      EXPECT_EQ(got[i].token, peer == &laconica ? "token-alice" : "token-carol");
      EXPECT_EQ(got[i].notice.listenee,
                std::string(kBase) + "user/" + std::to_string(feed->account_id));
      EXPECT_TRUE(got[i].notice.notice.starts_with(std::string(kBase) + "notice/"));
      EXPECT_EQ(got[i].notice.content,
                "Post " + n + " & more http://blog.example/p/" + n + "?a=1&b=x:y");
      // The permalink, encoded to pass Laconica's strict URI rule (no ':' in the query).
      EXPECT_EQ(got[i].notice.url, "http://blog.example/p/" + n + "?a=1&b=x%3Ay");
      EXPECT_EQ(got[i].notice.license, std::string(omb::kDefaultLicense));
    }
    EXPECT_LT(got[0].notice.notice, got[1].notice.notice);
  }
  // Nothing is pending, and nothing is sent again.
  Result<queue::QueueStats> stats = s.delivery_inspector().Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->length + stats->retrying + stats->dead, 0);
  // Idle rounds would resend what a bug left behind.
  Publish(
      s, [] { return false; }, std::chrono::seconds(1));
  EXPECT_EQ(laconica.received().size(), 2u);
}

TEST_F(OmbPublishTest, ARevokedTokenRemovesThatSubscriberAndTheNextOneIsUsed) {
  OmbPeer peer(server_, "/index.php");
  ASSERT_NO_FATAL_FAILURE(OpenBridgedBlog());
  app::Services& s = *services_;
  const store::FeedRecord* feed = &feed_;
  ASSERT_OK(s.database().subscriptions().Subscribe(Subscriber(feed->account_id, "alice", peer)));
  ASSERT_OK(s.database().subscriptions().Subscribe(Subscriber(feed->account_id, "bob", peer)));
  peer.AddToken("token-bob", "secret-bob");  // Alice unsubscribed there: her token is revoked.
  SetPosts(2);
  ASSERT_OK(s.poller().PollFeed(feed->id));
  Publish(s, [&] { return !peer.received().empty(); });
  const std::vector<OmbPeer::Received> got = peer.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].token, "token-bob");
  Result<std::vector<store::Subscription>> left =
      s.database().subscriptions().ListByAccount(feed->account_id);
  ASSERT_OK(left);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].subscriber.nickname, "bob");
}

// Alice and bob behind the Laconica peer's URLs, carol behind the StatusNet peer's, each with a
// token the peer knows.
void SubscribeThree(app::Services& s, int64_t account, OmbPeer& laconica, OmbPeer& statusnet) {
  for (const auto& [who, peer] : {std::pair<std::string, OmbPeer*>{"alice", &laconica},
                                  {"bob", &laconica},
                                  {"carol", &statusnet}}) {
    peer->AddToken("token-" + who, "secret-" + who);
    store::Subscription sub;
    sub.account_id = account;
    sub.subscriber.uri = "http://peer.example/user/" + who;
    sub.subscriber.nickname = who;
    sub.post_notice_url = peer->endpoint();
    sub.update_profile_url = peer->profile_endpoint();
    sub.token = "token-" + who;
    sub.token_secret = "secret-" + who;
    ASSERT_OK(s.database().subscriptions().Subscribe(sub));
  }
}

TEST_F(OmbPublishTest, AFeedTitleChangeReachesEachUpdateProfileUrlOnceSignedWithEveryField) {
  OmbPeer laconica(server_, "/laconica/index.php");
  OmbPeer statusnet(server_, "/statusnet/index.php");
  ASSERT_NO_FATAL_FAILURE(OpenBridgedBlog());
  app::Services& s = *services_;
  ASSERT_NO_FATAL_FAILURE(SubscribeThree(s, feed_.account_id, laconica, statusnet));
  SetTitle("Blog &amp; friends");
  Result<poller::PollReport> report = s.poller().PollFeed(feed_.id);
  ASSERT_OK(report);
  EXPECT_TRUE(report->profile_changed);
  EXPECT_EQ(report->notices, 0u);

  Publish(s, [&] { return !laconica.profiles().empty() && !statusnet.profiles().empty(); });
  // Idle rounds would resend what a bug left behind.
  Publish(
      s, [] { return false; }, std::chrono::seconds(1));
  EXPECT_THAT(laconica.errors(), ::testing::IsEmpty());
  EXPECT_THAT(statusnet.errors(), ::testing::IsEmpty());
  for (OmbPeer* peer : {&laconica, &statusnet}) {
    SCOPED_TRACE(peer == &laconica ? "laconica" : "statusnet");
    EXPECT_THAT(peer->received(), ::testing::IsEmpty());  // No notice: only the profile changed.
    const std::vector<OmbPeer::ProfileReceived> got = peer->profiles();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].token, peer == &laconica ? "token-alice" : "token-carol");
    const omb::ProfileUpdate& u = got[0].update;
    EXPECT_EQ(u.listenee, std::string(kBase) + "user/" + std::to_string(feed_.account_id));
    using Field = std::optional<std::string>;
    EXPECT_EQ(u.profile, Field(std::string(kBase) + "blog"));
    EXPECT_EQ(u.nickname, Field("blog"));
    EXPECT_EQ(u.license, Field(std::string(omb::kDefaultLicense)));
    EXPECT_EQ(u.fullname, Field("Blog & friends"));
    EXPECT_EQ(u.homepage, Field("http://blog.example/"));
    // Sent blank, not left out: '' clears the field on the peer.
    EXPECT_EQ(u.bio, Field(""));
    EXPECT_EQ(u.location, Field(""));
    EXPECT_EQ(u.avatar, Field(""));
  }
  Result<queue::QueueStats> stats = s.delivery_inspector().Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->length + stats->retrying + stats->dead, 0);
  // The same feed polled again changes nothing.
  Result<poller::PollReport> again = s.poller().PollFeed(feed_.id);
  ASSERT_OK(again);
  EXPECT_FALSE(again->profile_changed);
}

TEST_F(OmbPublishTest, OnlyTheNewestOfTwoQueuedProfileChangesIsSent) {
  OmbPeer laconica(server_, "/laconica/index.php");
  OmbPeer statusnet(server_, "/statusnet/index.php");
  ASSERT_NO_FATAL_FAILURE(OpenBridgedBlog());
  app::Services& s = *services_;
  ASSERT_NO_FATAL_FAILURE(SubscribeThree(s, feed_.account_id, laconica, statusnet));
  for (const char* title : {"Second title", "Third title"}) {
    SetTitle(title);
    Result<poller::PollReport> report = s.poller().PollFeed(feed_.id);
    ASSERT_OK(report);
    EXPECT_TRUE(report->profile_changed);
  }
  Publish(s, [&] { return !laconica.profiles().empty() && !statusnet.profiles().empty(); });
  Publish(
      s, [] { return false; }, std::chrono::seconds(1));
  for (OmbPeer* peer : {&laconica, &statusnet}) {
    const std::vector<OmbPeer::ProfileReceived> got = peer->profiles();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].update.fullname, std::optional<std::string>("Third title"));
  }
  Result<queue::QueueStats> stats = s.delivery_inspector().Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->length + stats->retrying + stats->dead, 0);
}

}  // namespace
}  // namespace feedbridge
