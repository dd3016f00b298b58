// What the OMB adapter makes of each answer a Laconica or StatusNet postNotice gives
// (omb-0.1.md §5.3, §5.4, §8 items 7-10). Signing and sending are proven end to end in
// tests/integration/omb_publish_test.cc.

#include "publisher/omb_adapter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "omb/messages.h"
#include "omb/oauth.h"
#include "store/database.h"
#include "tests/support/fake_clock.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace feedbridge::publisher {
namespace {

using ::feedbridge::testing::StatusIs;
using Kind = AttemptResult::Kind;

class ZeroRandom final : public Random {
 public:
  uint64_t Next() override { return 0; }
};

http::HttpResponse Answer(int status, std::string body, std::vector<http::Header> headers = {}) {
  http::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(OmbAdapterTest, EachAnswerMeansWhatThePeersMeantByIt) {
  testing::FakeClock clock;
  ZeroRandom random;
  testing::TempDir dir;
  Result<std::unique_ptr<store::Database>> db =
      store::OpenDatabase("sqlite:" + (dir.path() / "fb.db").string(), clock);
  ASSERT_OK(db);
  OmbAdapter adapter((*db)->subscriptions(), (*db)->notices(), (*db)->profiles(), clock, random,
                     {.base_url = "http://bridge.example.org/"});
  struct Case {
    const char* name;
    Result<http::HttpResponse> answer;
    Kind kind;
    bool host_failing;
    std::string reason;
  };
  const Case cases[] = {
      {"success body", Answer(200, "omb_version=http://openmicroblogging.org/protocol/0.1"),
       Kind::kDelivered, false, ""},
      {"success body, URL-encoded",
       Answer(200, "omb_version=http%3A%2F%2Fopenmicroblogging.org%2Fprotocol%2F0.1\n"),
       Kind::kDelivered, false, ""},
      {"StatusNet's duplicate", Answer(500, "Duplicate notice."), Kind::kDelivered, false,
       "HTTP 500 Internal Server Error: Duplicate notice."},
      {"200 without the body", Answer(200, "<html>Welcome to the hotel wifi</html>"),
       Kind::kRetryLater, false, "HTTP 200 OK: <html>Welcome to the hotel wifi</html>"},
      {"unsubscribed", Answer(403, "No such subscription"), Kind::kRecipientGone, false,
       "HTTP 403 Forbidden: No such subscription"},
      {"refused parameters", Answer(400, "Invalid notice content"), Kind::kGiveUp, false,
       "HTTP 400 Bad Request: Invalid notice content"},
      {"Laconica's OAuth failure", Answer(500, "Bad signature"), Kind::kRetryLater, true,
       "HTTP 500 Internal Server Error: Bad signature"},
      {"not found", Answer(404, ""), Kind::kRetryLater, false, "HTTP 404 Not Found"},
      {"refused connection", Status::Unavailable("http: http://x/: connection refused"),
       Kind::kRetryLater, true, "http: http://x/: connection refused"},
      {"timeout", Status::DeadlineExceeded("http: http://x/: timed out after 30s"),
       Kind::kRetryLater, true, "http: http://x/: timed out after 30s"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const AttemptResult r = adapter.Interpret(PreparedDelivery{}, c.answer);
    EXPECT_EQ(r.kind, c.kind);
    EXPECT_EQ(r.host_failing, c.host_failing);
    EXPECT_EQ(r.reason, c.reason);
  }
  // A long, multi-line answer is cut and kept on one line.
  const AttemptResult noisy = adapter.Interpret(
      PreparedDelivery{}, Answer(502, "line one\nline two" + std::string(500, 'x')));
  EXPECT_EQ(noisy.reason.find('\n'), std::string::npos);
  EXPECT_LT(noisy.reason.size(), 260u);
  // A throttled peer's Retry-After is passed on.
  const AttemptResult throttled =
      adapter.Interpret(PreparedDelivery{}, Answer(429, "slow down", {{"Retry-After", "120"}}));
  EXPECT_EQ(throttled.kind, Kind::kRetryLater);
  ASSERT_TRUE(throttled.retry_after.has_value());
  EXPECT_EQ(*throttled.retry_after, std::chrono::seconds(120));
}

// Remembers every nonce (a test lasts seconds).
class SetNonces final : public omb::NonceChecker {
 public:
  Status CheckAndRemember(std::string_view, std::string_view, int64_t,
                          std::string_view nonce) override {
    if (!seen_.insert(std::string(nonce)).second) return Status::AlreadyExists("replayed nonce");
    return Status::Ok();
  }

 private:
  std::set<std::string> seen_;
};

// A profile job against a real SQLite store: a blog whose profile changed twice, two
// subscribers behind one updateProfile URL and one behind another.
class OmbAdapterProfileTest : public ::testing::Test {
 protected:
  static constexpr std::string_view kBase = "http://bridge.example.org/";
  static constexpr std::string_view kShared =
      "http://laconica.example/index.php?action=updateprofile";
  static constexpr std::string_view kOther = "http://statusnet.example/main/omb/updateprofile";

  void SetUp() override {
    Result<std::unique_ptr<store::Database>> db =
        store::OpenDatabase("sqlite:" + (dir_.path() / "fb.db").string(), clock_);
    ASSERT_OK(db);
    db_ = std::move(db).value();
    adapter_ =
        std::make_unique<OmbAdapter>(db_->subscriptions(), db_->notices(), db_->profiles(), clock_,
                                     random_, OmbAdapterOptions{.base_url = std::string(kBase)});
    Result<store::FeedRecord> feed =
        db_->feeds().AddFeed({.url = "http://blog.example/feed", .nickname = "blog"});
    ASSERT_OK(feed);
    feed_ = *feed;
    for (const auto& [who, url] : {std::pair<std::string, std::string_view>{"alice", kShared},
                                   {"bob", kShared},
                                   {"carol", kOther}}) {
      store::Subscription s;
      s.account_id = feed_.account_id;
      s.subscriber.uri = "http://peer.example/user/" + who;
      s.post_notice_url = "http://peer.example/postnotice";
      s.update_profile_url = std::string(url);
      s.token = "token-" + who;
      s.token_secret = "secret-" + who;
      ASSERT_OK(db_->subscriptions().Subscribe(s));
    }
  }

  // Records a poll that changed the profile to `title` (and the rest below); returns its revision.
  int64_t ChangeProfile(const std::string& title) {
    store::FetchState state;
    state.url = feed_.url;
    state.title = title;
    state.description = "Notes & more";
    state.site_url = "http://blog.example/?p=a:b";
    state.profile_changed = true;
    EXPECT_OK(db_->entries().RecordPoll(feed_.id, state, {}));
    Result<store::ProfileRevision> latest = db_->profiles().LatestRevision(feed_.account_id);
    EXPECT_OK(latest);
    return latest.ok() ? latest->id : 0;
  }

  queue::DeliveryJob Job(int64_t revision, std::string_view endpoint) const {
    queue::DeliveryJob job;
    job.kind = queue::DeliveryJob::Kind::kProfile;
    job.protocol = "omb";
    job.account_id = feed_.account_id;
    job.revision = revision;
    job.endpoint = std::string(endpoint);
    return job;
  }

  testing::FakeClock clock_;
  ZeroRandom random_;
  testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<OmbAdapter> adapter_;
  store::FeedRecord feed_;
};

TEST_F(OmbAdapterProfileTest, AProfileChangeGoesOnceToEachDistinctUpdateProfileUrl) {
  // One chunk, then one URL at a time: the same URLs in the same order.
  for (const size_t chunk : {size_t{256}, size_t{1}}) {
    SCOPED_TRACE(chunk);
    std::vector<std::string> endpoints;
    std::vector<size_t> chunks;
    ASSERT_OK(adapter_->ForEachEndpoint(Job(1, ""), chunk, [&](std::span<const std::string> e) {
      chunks.push_back(e.size());
      endpoints.insert(endpoints.end(), e.begin(), e.end());
      return Status::Ok();
    }));
    EXPECT_THAT(endpoints, ::testing::ElementsAre(std::string(kShared), std::string(kOther)));
    EXPECT_EQ(chunks.size(), chunk == 1 ? 2u : 1u);
  }
  // An error of the caller's stops the walk and comes back.
  int calls = 0;
  EXPECT_THAT(adapter_->ForEachEndpoint(Job(1, ""), 1,
                                        [&](std::span<const std::string>) {
                                          ++calls;
                                          return Status::Unavailable("redis down");
                                        }),
              StatusIs(Status::Code::kUnavailable));
  EXPECT_EQ(calls, 1);
}

TEST_F(OmbAdapterProfileTest, UpdateProfileCarriesEveryFieldSignedWithTheOldestToken) {
  const int64_t revision = ChangeProfile("The Blog");
  Result<PreparedDelivery> d = adapter_->Prepare(Job(revision, kShared));
  ASSERT_OK(d);
  EXPECT_EQ(d->request.method, "POST");
  EXPECT_EQ(d->request.url, "http://laconica.example/index.php");
  EXPECT_EQ(d->request.max_redirects, 0);
  EXPECT_EQ(d->recipient, "http://peer.example/user/alice");
  Result<omb::ParamList> params = omb::CollectRequestParams("", d->request.body, "");
  ASSERT_OK(params);
  const std::string account = std::to_string(feed_.account_id);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"action", "updateprofile"},
      {"omb_version", "http://openmicroblogging.org/protocol/0.1"},
      {"omb_listenee", "http://bridge.example.org/user/" + account},
      {"omb_listenee_profile", "http://bridge.example.org/blog"},
      {"omb_listenee_nickname", "blog"},
      {"omb_listenee_license", "http://creativecommons.org/licenses/by/3.0/"},
      {"omb_listenee_fullname", "The Blog"},
      {"omb_listenee_homepage", "http://blog.example/?p=a%3Ab"},
      {"omb_listenee_bio", "Notes & more"},
      // Blank fields are sent as '' (they clear the field on the peer), never left out.
      {"omb_listenee_location", ""},
      {"omb_listenee_avatar", ""},
      {"oauth_token", "token-alice"},
      {"oauth_consumer_key", "http://bridge.example.org/"},
  };
  for (const auto& [name, value] : expected) {
    SCOPED_TRACE(name);
    const std::string* got = omb::FindParam(*params, name);
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(*got, value);
  }
  Result<omb::OAuthProtocolParams> oauth = omb::ReadOAuthParams(*params);
  ASSERT_OK(oauth);
  SetNonces nonces;
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
  EXPECT_OK(
      omb::VerifyRequest({"POST", kShared, *params}, *oauth, "", "secret-alice", now, nonces));
}

TEST_F(OmbAdapterProfileTest, AnOlderRevisionIsSupersededAndNotSent) {
  const int64_t first = ChangeProfile("First title");
  const int64_t second = ChangeProfile("Second title");
  ASSERT_LT(first, second);
  Result<PreparedDelivery> old = adapter_->Prepare(Job(first, kOther));
  EXPECT_THAT(old.status(), StatusIs(Status::Code::kNotFound));
  EXPECT_THAT(old.status().message(), ::testing::HasSubstr("superseded"));
  Result<PreparedDelivery> current = adapter_->Prepare(Job(second, kOther));
  ASSERT_OK(current);
  EXPECT_THAT(current->request.body, ::testing::HasSubstr("omb_listenee_fullname=Second%20title"));
  EXPECT_EQ(current->recipient, "http://peer.example/user/carol");
}

TEST_F(OmbAdapterProfileTest, NothingIsSentWhereNobodyIsLeftOrNoProfileWasRecorded) {
  EXPECT_THAT(adapter_->Prepare(Job(1, kShared)).status(), StatusIs(Status::Code::kNotFound));
  const int64_t revision = ChangeProfile("The Blog");
  EXPECT_THAT(adapter_->Prepare(Job(revision, "http://gone.example/updateprofile")).status(),
              StatusIs(Status::Code::kNotFound));
}

}  // namespace
}  // namespace feedbridge::publisher
