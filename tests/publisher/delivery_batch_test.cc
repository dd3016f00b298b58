// A delivery worker's batches (DeliveryEngine::DeliverNext): sent at once through SendEach, each
// answer settling its job, one job per blog and endpoint, requests not started put back, the
// jobs a batch holds per host.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "publisher/delivery_engine.h"
#include "tests/publisher/delivery_engine_fixture.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::publisher {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::BatchHttp;
using testing::DeliveryEngineTest;
using ::testing::ElementsAre;
using testing::kA;
using testing::kB;
using testing::kNoBlock;
using testing::Reply;
using ::testing::SizeIs;

const std::string kC = "http://c.example/post";
const std::string kD = "http://d.example/post";

TEST_F(DeliveryEngineTest, ABatchIsSentAtOnceAndEachAnswerSettlesItsJob) {
  ASSERT_NE(db_, nullptr);
  adapter_.Subscribe(1, kA, "ann");
  adapter_.Subscribe(1, kB, "bob");
  adapter_.Subscribe(1, kB, "bea");  // Behind bob, who is gone.
  adapter_.Subscribe(1, kC, "cat");
  adapter_.Subscribe(1, kD, "dan");
  http_.Answer(kA, {Reply(200, "taken")});
  http_.Answer(kB, {Reply(403, "revoked"), Reply(200, "taken")});
  http_.Answer(kC, {Reply(503, "busy")});
  http_.Answer(kD, {Reply(400, "no")});
  BatchHttp batch(http_);
  auto engine = Engine({}, &batch);
  Publish(7);
  ASSERT_OK(engine->FanOut(kNoBlock));
  Result<size_t> claimed = engine->DeliverNext(kNoBlock);
  ASSERT_OK(claimed);
  EXPECT_EQ(*claimed, 4u);
  // One SendEach of the four; bea, the next recipient behind kB, after it.
  EXPECT_THAT(batch.batches_, ElementsAre(4u));
  EXPECT_EQ(batch.single_sends_, 1);
  EXPECT_THAT(Bodies(), ElementsAre(kA + " ann 7", kB + " bob 7", kC + " cat 7", kD + " dan 7",
                                    kB + " bea 7"));
  EXPECT_TRUE(Delivered(7, kA));
  EXPECT_TRUE(Delivered(7, kB));
  EXPECT_FALSE(Delivered(7, kC));
  EXPECT_THAT(adapter_.Recipients(1, kB), ElementsAre("bea"));
  Result<queue::QueueStats> stats = deliveries_->Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->length, 0);    // A, B done; C, D off the stream:
  EXPECT_EQ(stats->retrying, 1);  // C retries,
  EXPECT_EQ(stats->dead, 1);      // D is given up on.
  Result<std::vector<store::EndpointHealth>> failing = db_->deliveries().Failing(10);
  ASSERT_OK(failing);
  EXPECT_THAT(*failing, SizeIs(2));
}

TEST_F(DeliveryEngineTest, JobsOfOneEndpointInABatchGoInTheirOrderOneAfterTheOther) {
  ASSERT_NE(db_, nullptr);
  adapter_.Subscribe(1, kA, "ann");
  adapter_.Subscribe(1, kB, "bob");
  http_.Answer(kA, {Reply(200, "taken")});
  http_.Answer(kB, {Reply(200, "taken")});
  BatchHttp batch(http_);
  auto engine = Engine({}, &batch);
  Publish(7);
  Publish(8);
  Publish(9);
  Result<size_t> fanned = engine->FanOut(kNoBlock);
  ASSERT_OK(fanned);
  EXPECT_EQ(*fanned, 3u);
  Result<size_t> claimed = engine->DeliverNext(kNoBlock);
  ASSERT_OK(claimed);
  EXPECT_EQ(*claimed, 6u);
  // Three rounds of the two lanes: notice 8 to kA once kA has taken notice 7.
  EXPECT_THAT(batch.batches_, ElementsAre(2u, 2u, 2u));
  EXPECT_THAT(Bodies(), ElementsAre(kA + " ann 7", kB + " bob 7", kA + " ann 8", kB + " bob 8",
                                    kA + " ann 9", kB + " bob 9"));
  Result<queue::QueueStats> stats = deliveries_->Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->length + stats->retrying, 0);
}

TEST_F(DeliveryEngineTest, ALaneWhoseJobFailsGoesBackInOrderAndHoldsNoOtherLane) {
  ASSERT_NE(db_, nullptr);
  adapter_.Subscribe(1, kA, "ann");
  adapter_.Subscribe(1, kB, "bob");
  http_.Answer(kA, {Reply(503, "busy"), Reply(200, "taken")});
  http_.Answer(kB, {Reply(200, "taken")});
  BatchHttp batch(http_);
  auto engine = Engine({}, &batch);
  Publish(7);
  Publish(8);
  Publish(9);
  ASSERT_OK(engine->FanOut(kNoBlock));
  ASSERT_OK(engine->DeliverNext(kNoBlock));
  // kA's notice 7 failed: its 8 and 9 were not sent and went back; kB's lane went on.
  EXPECT_THAT(batch.batches_, ElementsAre(2u, 1u, 1u));
  EXPECT_THAT(Bodies(), ElementsAre(kA + " ann 7", kB + " bob 7", kB + " bob 8", kB + " bob 9"));
  EXPECT_TRUE(Delivered(9, kB));
  EXPECT_FALSE(Delivered(8, kA));
  Result<queue::QueueStats> stats = deliveries_->Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->retrying, 3);  // Notice 7 for its backoff, 8 and 9 due at once, in order.
  clock_.Advance(milliseconds(2));
  ASSERT_OK(engine->DeliverNext(kNoBlock));
  EXPECT_THAT(batch.batches_, ElementsAre(2u, 1u, 1u, 1u, 1u));
  EXPECT_TRUE(Delivered(8, kA) && Delivered(9, kA));
  EXPECT_THAT(Bodies(), ElementsAre(kA + " ann 7", kB + " bob 7", kB + " bob 8", kB + " bob 9",
                                    kA + " ann 8", kA + " ann 9"));
}

TEST_F(DeliveryEngineTest, NoticesOfOtherBlogsToOneEndpointShareABatch) {
  ASSERT_NE(db_, nullptr);
  for (int64_t account = 1; account <= 3; ++account) {
    adapter_.Subscribe(account, kA, "ann" + std::to_string(account));
  }
  http_.Answer(kA, {Reply(200, "taken")});
  BatchHttp batch(http_);
  auto engine = Engine({}, &batch);
  Publish(7, 1);
  Publish(8, 2);
  Publish(9, 3);
  ASSERT_OK(engine->FanOut(kNoBlock));
  ASSERT_OK(engine->DeliverNext(kNoBlock));
  EXPECT_THAT(batch.batches_, ElementsAre(3u));
  EXPECT_TRUE(Delivered(7, kA) && Delivered(8, kA) && Delivered(9, kA));
}

TEST_F(DeliveryEngineTest, RequestsOfABatchNotStartedGoBackAtOnceAttemptsKept) {
  ASSERT_NE(db_, nullptr);
  for (const std::string& e : {kA, kB, kC}) {
    adapter_.Subscribe(1, e, "x");
    http_.Answer(e, {Reply(200, "taken")});
  }
  BatchHttp batch(http_);
  batch.not_sent_from_ = 1;
  auto engine = Engine({}, &batch);
  Publish(7);
  ASSERT_OK(engine->FanOut(kNoBlock));
  ASSERT_OK(engine->DeliverNext(kNoBlock));
  EXPECT_THAT(http_.sent(), SizeIs(1));
  Result<queue::QueueStats> stats = deliveries_->Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->length + stats->retrying, 2);  // Back, due now.
  EXPECT_EQ(stats->pending, 0);
  batch.not_sent_from_ = static_cast<size_t>(-1);
  Result<size_t> again = engine->DeliverNext(kNoBlock);
  ASSERT_OK(again);
  EXPECT_EQ(*again, 2u);
  EXPECT_TRUE(Delivered(7, kA) && Delivered(7, kB) && Delivered(7, kC));
  EXPECT_THAT(http_.sent(), SizeIs(3));
}

TEST_F(DeliveryEngineTest, ABatchHoldsSixteenJobsPerConnectionOfAHost) {
  ASSERT_NE(db_, nullptr);
  // 20 endpoints on one host, one connection to it: 16 go in the batch, 4 wait on the queue.
  for (int i = 0; i < 20; ++i) {
    const std::string e = "http://one.example/u/" + std::to_string(i);
    adapter_.Subscribe(1, e, "x");
    http_.Answer(e, {Reply(200, "taken")});
  }
  BatchHttp batch(http_);
  EngineOptions options;
  options.max_per_host = 1;
  auto engine = Engine(options, &batch);
  Publish(7);
  ASSERT_OK(engine->FanOut(kNoBlock));
  ASSERT_OK(engine->DeliverNext(kNoBlock));
  EXPECT_THAT(batch.batches_, ElementsAre(16u));
  Result<queue::QueueStats> stats = deliveries_->Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->retrying, 4);  // Back after busy_host_delay.
  clock_.Advance(seconds(3));
  ASSERT_OK(engine->DeliverNext(kNoBlock));
  EXPECT_THAT(batch.batches_, ElementsAre(16u, 4u));
  EXPECT_THAT(http_.sent(), SizeIs(20));
}

}  // namespace
}  // namespace feedbridge::publisher
