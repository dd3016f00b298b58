// RedisStreamQueue with a message type of its own (a delivery job, as the coming deliveries
// queue carries): the mechanism does not depend on notices, and queues with different keys on
// one Redis stay apart.

#include "queue/redis_stream_queue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "queue/redis_notice_queue.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::queue {
namespace {

using ::feedbridge::testing::RedisTestServer;
using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::SizeIs;

constexpr milliseconds kNoBlock(0);
constexpr milliseconds kLongStale(60'000);

StreamQueueKeys Keys(const std::string& name) {
  return StreamQueueKeys{.stream = "t:{fb}:" + name,
                         .group = "deliverer",
                         .retry = "t:{fb}:" + name + ":retry",
                         .dead = "t:{fb}:" + name + ":dead",
                         .added_prefix = "t:{fb}:" + name + ":added:"};
}

const Fields kJob = {{"notice_id", "7"}, {"endpoint", "https://ex.org/omb/post notice"}};

class RedisStreamQueueTest : public ::testing::Test {
 protected:
  RedisStreamQueueTest() {
    Result<std::unique_ptr<RedisConnection>> c = RedisConnection::Open({.url = server_.url()});
    EXPECT_OK(c);
    if (!c.ok()) return;
    redis_ = std::move(c).value();
    deliveries_ =
        std::make_unique<RedisStreamQueue>(*redis_, Keys("deliveries"), std::chrono::seconds(60));
  }

  std::vector<StreamEntry> ClaimNow(RedisStreamQueue& q) {
    Result<std::vector<StreamEntry>> r = q.Claim("a", 10, kNoBlock, kLongStale);
    EXPECT_OK(r);
    return r.ok() ? *r : std::vector<StreamEntry>{};
  }

  std::vector<StreamEntry> AddAndClaim(RedisStreamQueue& q) {
    EXPECT_OK(q.Add("k", kJob));
    return ClaimNow(q);
  }

  RedisTestServer server_;
  std::unique_ptr<RedisConnection> redis_;
  std::unique_ptr<RedisStreamQueue> deliveries_;
};

TEST_F(RedisStreamQueueTest, FieldsComeBackAsTheyWereAdded) {
  ASSERT_NE(deliveries_, nullptr);
  RedisStreamQueue& q = *deliveries_;
  ASSERT_OK(q.Add("7 https://ex.org/omb", kJob));
  const std::vector<StreamEntry> got = ClaimNow(q);
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].fields, kJob);
  EXPECT_EQ(got[0].deliveries, 1);
}

TEST_F(RedisStreamQueueTest, AddingTheSameKeyTwiceAddsOneMessage) {
  ASSERT_NE(deliveries_, nullptr);
  RedisStreamQueue& q = *deliveries_;
  ASSERT_OK(q.Add("k", kJob));
  ASSERT_OK(q.Add("k", kJob));
  EXPECT_THAT(ClaimNow(q), SizeIs(1));
}

TEST_F(RedisStreamQueueTest, QueuesWithDifferentKeysDoNotSeeEachOthersMessages) {
  ASSERT_NE(redis_, nullptr);
  RedisStreamQueue& deliveries = *deliveries_;
  RedisStreamQueue other(*redis_, Keys("other"), std::chrono::seconds(60));
  RedisNoticeQueue notices(*redis_, "t:");
  ASSERT_OK(deliveries.Add("same", kJob));
  ASSERT_OK(other.Add("same", {{"x", "1"}}));  // The same idempotency key, another queue.
  ASSERT_OK(notices.Enqueue({.notice_id = 7, .account_id = 1}));

  const std::vector<StreamEntry> got = ClaimNow(deliveries);
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].fields, kJob);
  const std::vector<StreamEntry> theirs = ClaimNow(other);
  ASSERT_THAT(theirs, SizeIs(1));
  EXPECT_THAT(theirs[0].fields, ElementsAre(Pair("x", "1")));
  Result<std::vector<ClaimedNotice>> claimed = notices.Claim("a", 10, kNoBlock, kLongStale);
  ASSERT_OK(claimed);
  ASSERT_THAT(*claimed, SizeIs(1));
  EXPECT_EQ((*claimed)[0].notice.notice_id, 7);

  ASSERT_OK(deliveries.Bury(got[0], "gone"));
  Result<QueueStats> stats = other.Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->dead, 0);
  EXPECT_EQ(stats->pending, 1);
}

TEST_F(RedisStreamQueueTest, RetriedMessageComesBackWithItsFieldsAndDeliveries) {
  ASSERT_NE(deliveries_, nullptr);
  RedisStreamQueue& q = *deliveries_;
  std::vector<StreamEntry> got = AddAndClaim(q);
  ASSERT_THAT(got, SizeIs(1));
  ASSERT_OK(q.Retry(got[0], milliseconds(0)));
  got = ClaimNow(q);
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].fields, kJob);
  EXPECT_EQ(got[0].deliveries, 2);
}

TEST_F(RedisStreamQueueTest, BuriedMessageListsItsFieldsDeliveriesAndReason) {
  ASSERT_NE(deliveries_, nullptr);
  RedisStreamQueue& q = *deliveries_;
  std::vector<StreamEntry> got = AddAndClaim(q);
  ASSERT_THAT(got, SizeIs(1));
  ASSERT_OK(q.Bury(got[0], "HTTP 403"));
  Result<std::vector<DeadStreamEntry>> dead = q.ListDead(10);
  ASSERT_OK(dead);
  ASSERT_THAT(*dead, SizeIs(1));
  EXPECT_EQ(FieldValue((*dead)[0].fields, "endpoint"), "https://ex.org/omb/post notice");
  EXPECT_EQ((*dead)[0].deliveries, 1);
  EXPECT_EQ((*dead)[0].reason, "HTTP 403");
  EXPECT_THAT(ClaimNow(q), IsEmpty());
}

TEST_F(RedisStreamQueueTest, MalformedRetryMemberGoesToDeadLetters) {
  ASSERT_NE(deliveries_, nullptr);
  RedisStreamQueue& q = *deliveries_;
  ASSERT_OK(redis_->Command({"ZADD", "t:{fb}:deliveries:retry", "0", "not json"}));
  Result<size_t> moved = q.RequeueDueRetries(10);
  ASSERT_OK(moved);
  EXPECT_EQ(*moved, 1u);
  Result<QueueStats> stats = q.Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->dead, 1);
  EXPECT_EQ(stats->retrying, 0);
  EXPECT_EQ(stats->length, 0);
}

}  // namespace
}  // namespace feedbridge::queue
