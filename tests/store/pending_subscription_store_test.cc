// Remote-subscribe flows waiting for their callback (migration 5), against SQLite and PostgreSQL.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "store/database.h"
#include "tests/store/store_fixture.h"

namespace feedbridge::store {
namespace {

using ::feedbridge::testing::StatusIs;
using std::chrono::minutes;
using Code = Status::Code;

PendingSubscription Flow(int64_t account_id, const std::string& token, TimePoint now) {
  return PendingSubscription{
      .request_token = token,
      .token_secret = "secret-" + token,
      .account_id = account_id,
      .nickname = "garden",
      .listener_uri = "http://identi.example/user/42",
      .access_token_url = "http://identi.example/index.php?action=accesstoken",
      .post_notice_url = "http://identi.example/index.php?action=postnotice",
      .update_profile_url = "http://identi.example/index.php?action=updateprofile",
      .created_at = now,
      .expires_at = now + minutes(30)};
}

class PendingSubscriptionStoreTest : public StoreFixture {};

TEST_P(PendingSubscriptionStoreTest, FlowIsTakenOnceWithEverythingItRemembered) {
  const FeedRecord blog = AddBlog("garden");
  const PendingSubscription flow = Flow(blog.account_id, "tok1", clock_.Now());
  ASSERT_OK(db_->pending_subscriptions().Put(flow));
  Result<std::optional<PendingSubscription>> got = db_->pending_subscriptions().Take("tok1");
  ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  const PendingSubscription& p = **got;
  EXPECT_EQ(p.request_token, "tok1");
  EXPECT_EQ(p.token_secret, "secret-tok1");
  EXPECT_EQ(p.account_id, blog.account_id);
  EXPECT_EQ(p.nickname, "garden");
  EXPECT_EQ(p.listener_uri, flow.listener_uri);
  EXPECT_EQ(p.access_token_url, flow.access_token_url);
  EXPECT_EQ(p.post_notice_url, flow.post_notice_url);
  EXPECT_EQ(p.update_profile_url, flow.update_profile_url);
  EXPECT_EQ(p.created_at, flow.created_at);
  EXPECT_EQ(p.expires_at, flow.expires_at);
  // One-shot: a replayed callback finds nothing.
  Result<std::optional<PendingSubscription>> again = db_->pending_subscriptions().Take("tok1");
  ASSERT_OK(again);
  EXPECT_FALSE(again->has_value());
}

TEST_P(PendingSubscriptionStoreTest, UnknownTokenFindsNothing) {
  Result<std::optional<PendingSubscription>> got = db_->pending_subscriptions().Take("nope");
  ASSERT_OK(got);
  EXPECT_FALSE(got->has_value());
}

TEST_P(PendingSubscriptionStoreTest, ExpiredFlowIsStillTakenSoTheCallerCanSaySo) {
  const FeedRecord blog = AddBlog("garden");
  ASSERT_OK(db_->pending_subscriptions().Put(Flow(blog.account_id, "old", clock_.Now())));
  clock_.Advance(minutes(31));
  Result<std::optional<PendingSubscription>> got = db_->pending_subscriptions().Take("old");
  ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_LT((*got)->expires_at, clock_.Now());
}

TEST_P(PendingSubscriptionStoreTest, PutDeletesFlowsExpiredBeforeIt) {
  const FeedRecord blog = AddBlog("garden");
  ASSERT_OK(db_->pending_subscriptions().Put(Flow(blog.account_id, "old", clock_.Now())));
  clock_.Advance(minutes(10));
  ASSERT_OK(db_->pending_subscriptions().Put(Flow(blog.account_id, "recent", clock_.Now())));
  clock_.Advance(minutes(25));  // "old" expired 5 minutes ago; "recent" has 5 minutes left.
  ASSERT_OK(db_->pending_subscriptions().Put(Flow(blog.account_id, "new", clock_.Now())));
  Result<std::optional<PendingSubscription>> old = db_->pending_subscriptions().Take("old");
  ASSERT_OK(old);
  EXPECT_FALSE(old->has_value());
  Result<std::optional<PendingSubscription>> recent = db_->pending_subscriptions().Take("recent");
  ASSERT_OK(recent);
  EXPECT_TRUE(recent->has_value());
}

TEST_P(PendingSubscriptionStoreTest, SecondPutOfTheSameTokenReplacesTheFirst) {
  const FeedRecord blog = AddBlog("garden");
  PendingSubscription flow = Flow(blog.account_id, "tok", clock_.Now());
  ASSERT_OK(db_->pending_subscriptions().Put(flow));
  flow.listener_uri = "http://identi.example/user/43";
  ASSERT_OK(db_->pending_subscriptions().Put(flow));
  Result<std::optional<PendingSubscription>> got = db_->pending_subscriptions().Take("tok");
  ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->listener_uri, "http://identi.example/user/43");
}

TEST_P(PendingSubscriptionStoreTest, RefusesAnUnknownAccountAndAnEmptyToken) {
  EXPECT_THAT(db_->pending_subscriptions().Put(Flow(999, "tok", clock_.Now())),
              StatusIs(Code::kNotFound));
  const FeedRecord blog = AddBlog("garden");
  EXPECT_THAT(db_->pending_subscriptions().Put(Flow(blog.account_id, "", clock_.Now())),
              StatusIs(Code::kInvalidArgument));
}

TEST_P(PendingSubscriptionStoreTest, RemovingTheBlogDropsItsFlows) {
  const FeedRecord blog = AddBlog("garden");
  ASSERT_OK(db_->pending_subscriptions().Put(Flow(blog.account_id, "tok", clock_.Now())));
  ASSERT_OK(db_->feeds().RemoveFeed(blog.id));
  Result<std::optional<PendingSubscription>> got = db_->pending_subscriptions().Take("tok");
  ASSERT_OK(got);
  EXPECT_FALSE(got->has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, PendingSubscriptionStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace feedbridge::store
