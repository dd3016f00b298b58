// The delivery engine one job at a time (DeliveryEngine::Deliver): fan-out, each answer's fate,
// no resend after a recorded success, the breaker, busy hosts and recipients refused.

#include "publisher/delivery_engine.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/publisher/delivery_engine_fixture.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::publisher {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::DeliveryEngineTest;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::kA;
using testing::kB;
using testing::kNoBlock;
using testing::Reply;
using ::testing::SizeIs;

TEST_F(DeliveryEngineTest, NoticeGoesOnceToEachDistinctEndpoint) {
  ASSERT_NE(db_, nullptr);
  adapter_.Subscribe(1, kA, "alice");
  adapter_.Subscribe(1, kA, "bob");  // Same endpoint: one delivery, with alice's token.
  adapter_.Subscribe(1, kB, "carol");
  adapter_.Subscribe(2, kB, "dave");  // Another blog's subscriber.
  http_.Answer(kA, {Reply(200, "taken")});
  http_.Answer(kB, {Reply(200, "taken")});
  auto engine = Engine();
  Publish(7);
  Result<size_t> fanned = engine->FanOut(kNoBlock);
  ASSERT_OK(fanned);
  EXPECT_EQ(*fanned, 1u);
  EXPECT_THAT(DeliverAll(*engine),
              ElementsAre(DeliveryOutcome::kDelivered, DeliveryOutcome::kDelivered));
  EXPECT_THAT(Bodies(), ElementsAre(kA + " alice 7", kB + " carol 7"));
  Result<queue::QueueStats> notice_stats = notices_.Stats();
  ASSERT_OK(notice_stats);
  EXPECT_EQ(notice_stats->length, 0);  // The notice was acknowledged.
  Result<queue::QueueStats> stats = deliveries_->Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->length, 0);
}

TEST_F(DeliveryEngineTest, AProfileChangeBecomesOneProfileJobPerEndpoint) {
  ASSERT_NE(db_, nullptr);
  adapter_.Subscribe(1, kA, "alice");
  adapter_.Subscribe(1, kB, "carol");
  auto engine = Engine();
  ASSERT_OK(notices_.Enqueue(
      {.account_id = 1, .kind = queue::NoticeMessage::Kind::kProfile, .revision = 4}));
  Result<size_t> fanned = engine->FanOut(kNoBlock);
  ASSERT_OK(fanned);
  EXPECT_EQ(*fanned, 1u);
  Result<std::vector<queue::ClaimedDelivery>> jobs =
      deliveries_->Claim("t", 10, kNoBlock, minutes(10));
  ASSERT_OK(jobs);
  ASSERT_THAT(*jobs, SizeIs(2));
  for (const queue::ClaimedDelivery& j : *jobs) {
    EXPECT_EQ(j.job.kind, queue::DeliveryJob::Kind::kProfile);
    EXPECT_EQ(j.job.revision, 4);
    EXPECT_EQ(j.job.notice_id, 0);
    EXPECT_EQ(j.job.account_id, 1);
  }
  EXPECT_EQ((*jobs)[0].job.endpoint, kA);
  EXPECT_EQ((*jobs)[1].job.endpoint, kB);
}

TEST_F(DeliveryEngineTest, DeliveryRecordsArePrunedOnlyOnceNoJobCanNeedThem) {
  ASSERT_NE(db_, nullptr);
  auto engine = Engine();
  const store::DeliveryRef old{"test", "notice", 1, kA};
  const store::DeliveryRef recent{"test", "notice", 2, kA};
  ASSERT_OK(db_->deliveries().RecordDelivered(old, clock_.Now()));
  clock_.Advance(std::chrono::hours(24 * 3));
  ASSERT_OK(db_->deliveries().RecordDelivered(recent, clock_.Now()));
  // Past the 3-day retry deadline and the week of queue dedup: still kept (the margin).
  clock_.Advance(kKeepDeliveredFor - std::chrono::hours(24 * 3) - seconds(1));
  Result<int64_t> pruned = engine->PruneDelivered();
  ASSERT_OK(pruned);
  EXPECT_EQ(*pruned, 0);
  clock_.Advance(seconds(2));
  pruned = engine->PruneDelivered();
  ASSERT_OK(pruned);
  EXPECT_EQ(*pruned, 1);
  Result<bool> was_old = db_->deliveries().WasDelivered(old);
  ASSERT_OK(was_old);
  EXPECT_FALSE(*was_old);
  Result<bool> was_recent = db_->deliveries().WasDelivered(recent);
  ASSERT_OK(was_recent);
  EXPECT_TRUE(*was_recent);
}

TEST_F(DeliveryEngineTest, ADeliveredJobIsNotSentAgainWhenReplayed) {
  ASSERT_NE(db_, nullptr);
  adapter_.Subscribe(1, kA, "alice");
  http_.Answer(kA, {Reply(200, "taken")});
  auto engine = Engine();
  Publish(7);
  ASSERT_OK(engine->FanOut(kNoBlock));
  EXPECT_THAT(DeliverAll(*engine), ElementsAre(DeliveryOutcome::kDelivered));
  // A publisher that died after sending and before acknowledging: the job comes back.
  queue::DeliveryJob again;
  again.protocol = "test";
  again.endpoint = kA;
  again.account_id = 1;
  again.notice_id = 7;
  clock_.Advance(std::chrono::hours(24 * 8));  // Past the queue's own dedup window.
  ASSERT_OK(deliveries_->Enqueue(again));
  EXPECT_THAT(DeliverAll(*engine), ElementsAre(DeliveryOutcome::kAlreadyDelivered));
  EXPECT_THAT(http_.sent(), SizeIs(1));
}

TEST_F(DeliveryEngineTest, FailuresRetryWithBackoffUntilThePeerTakesIt) {
  ASSERT_NE(db_, nullptr);
  adapter_.Subscribe(1, kA, "alice");
  http_.Answer(
      kA, {Reply(502, "bad gateway"), Status::Unavailable("http: refused"), Reply(200, "taken")});
  auto engine = Engine();
  Publish(7);
  ASSERT_OK(engine->FanOut(kNoBlock));
  EXPECT_THAT(DeliverAll(*engine), ElementsAre(DeliveryOutcome::kRetrying));
  Result<std::vector<store::EndpointHealth>> failing = db_->deliveries().Failing(10);
  ASSERT_OK(failing);
  ASSERT_THAT(*failing, SizeIs(1));
  EXPECT_EQ((*failing)[0].last_error, "HTTP 502");
  EXPECT_THAT(DeliverAll(*engine), IsEmpty());  // Not due for a minute.
  clock_.Advance(minutes(1));
  EXPECT_THAT(DeliverAll(*engine), ElementsAre(DeliveryOutcome::kRetrying));
  clock_.Advance(minutes(1));
  EXPECT_THAT(DeliverAll(*engine), IsEmpty());  // The second wait is two minutes.
  clock_.Advance(minutes(1));
  EXPECT_THAT(DeliverAll(*engine), ElementsAre(DeliveryOutcome::kDelivered));
  failing = db_->deliveries().Failing(10);
  ASSERT_OK(failing);
  EXPECT_THAT(*failing, IsEmpty());
}

TEST_F(DeliveryEngineTest, RefusedRecipientIsDroppedAndTheNextOneIsTriedAtOnce) {
  ASSERT_NE(db_, nullptr);
  adapter_.Subscribe(1, kA, "alice");
  adapter_.Subscribe(1, kA, "bob");
  http_.Answer(kA, {Reply(403, "revoked"), Reply(200, "taken")});
  auto engine = Engine();
  Publish(7);
  ASSERT_OK(engine->FanOut(kNoBlock));
  EXPECT_THAT(DeliverAll(*engine), ElementsAre(DeliveryOutcome::kDelivered));
  EXPECT_THAT(Bodies(), ElementsAre(kA + " alice 7", kA + " bob 7"));
  EXPECT_THAT(adapter_.Recipients(1, kA), ElementsAre("bob"));
}

TEST_F(DeliveryEngineTest, WhenEveryRecipientIsRefusedTheJobIsDone) {
  ASSERT_NE(db_, nullptr);
  adapter_.Subscribe(1, kA, "alice");
  http_.Answer(kA, {Reply(403, "no such subscription")});
  auto engine = Engine();
  Publish(7);
  ASSERT_OK(engine->FanOut(kNoBlock));
  EXPECT_THAT(DeliverAll(*engine), ElementsAre(DeliveryOutcome::kNothingToSend));
  EXPECT_THAT(adapter_.Recipients(1, kA), IsEmpty());
  Result<queue::QueueStats> stats = deliveries_->Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->dead, 0);
  EXPECT_EQ(stats->retrying, 0);
}

TEST_F(DeliveryEngineTest, APermanentRefusalIsDeadLetteredWithTheReason) {
  ASSERT_NE(db_, nullptr);
  adapter_.Subscribe(1, kA, "alice");
  http_.Answer(kA, {Reply(400, "Invalid notice content")});
  auto engine = Engine();
  Publish(7);
  ASSERT_OK(engine->FanOut(kNoBlock));
  EXPECT_THAT(DeliverAll(*engine), ElementsAre(DeliveryOutcome::kBuried));
  Result<std::vector<queue::DeadDelivery>> dead = deliveries_->ListDead(10);
  ASSERT_OK(dead);
  ASSERT_THAT(*dead, SizeIs(1));
  EXPECT_EQ((*dead)[0].reason, "HTTP 400");
  EXPECT_EQ((*dead)[0].job.endpoint, kA);
  EXPECT_EQ((*dead)[0].job.attempts, 1);
}

TEST_F(DeliveryEngineTest, APeerDownForThreeDaysIsGivenUpOn) {
  ASSERT_NE(db_, nullptr);
  adapter_.Subscribe(1, kA, "alice");  // Nothing scripted: every attempt is refused.
  EngineOptions options;
  options.breaker.failures_to_open = 1000;  // This test is about the retry deadline.
  auto engine = Engine(options);
  Publish(7);
  ASSERT_OK(engine->FanOut(kNoBlock));
  int attempts = 0;
  for (int hour = 0; hour < 80; ++hour) {
    for (DeliveryOutcome o : DeliverAll(*engine)) {
      ++attempts;
      if (o == DeliveryOutcome::kBuried) hour = 80;
    }
    clock_.Advance(minutes(60));
  }
  Result<std::vector<queue::DeadDelivery>> dead = deliveries_->ListDead(10);
  ASSERT_OK(dead);
  ASSERT_THAT(*dead, SizeIs(1));
  EXPECT_EQ(attempts, 19);  // Hourly polling of the queue rounds the backoff up.
  EXPECT_NE((*dead)[0].reason.find("gave up after 19 attempts over"), std::string::npos)
      << (*dead)[0].reason;
}

TEST_F(DeliveryEngineTest, OpenBreakerHoldsJobsForItsHostAndNotOthers) {
  ASSERT_NE(db_, nullptr);
  for (int i = 0; i < 6; ++i) adapter_.Subscribe(1, kA + "/" + std::to_string(i), "a");
  adapter_.Subscribe(1, kB, "b");
  http_.Answer(kB, {Reply(200, "taken")});
  EngineOptions options;
  options.breaker.failures_to_open = 3;
  auto engine = Engine(options);
  Publish(7);
  ASSERT_OK(engine->FanOut(kNoBlock));
  std::vector<DeliveryOutcome> got = DeliverAll(*engine);
  // Three failures open a.example's breaker; its other jobs are deferred unsent; b gets its own.
  int deferred = 0, retrying = 0, delivered = 0;
  for (DeliveryOutcome o : got) {
    deferred += o == DeliveryOutcome::kDeferred;
    retrying += o == DeliveryOutcome::kRetrying;
    delivered += o == DeliveryOutcome::kDelivered;
  }
  EXPECT_EQ(retrying, 3);
  EXPECT_EQ(deferred, 3);
  EXPECT_EQ(delivered, 1);
  EXPECT_EQ(engine->Breaker("a.example").phase, BreakerState::Phase::kOpen);
  int sent_to_a = 0;
  for (const http::HttpRequest& r : http_.sent()) sent_to_a += HostOf(r.url) == "a.example";
  EXPECT_EQ(sent_to_a, 3);
  // Deferred jobs keep their attempt count.
  clock_.Advance(minutes(5));
  http_.Answer(kA + "/0", {Reply(200, "taken")});
  for (int i = 1; i < 6; ++i) http_.Answer(kA + "/" + std::to_string(i), {Reply(200, "taken")});
  got = DeliverAll(*engine);
  EXPECT_EQ(engine->Breaker("a.example").phase, BreakerState::Phase::kClosed);
  EXPECT_THAT(got, SizeIs(6));
}

TEST_F(DeliveryEngineTest, AJobOfAnUnknownProtocolIsDeadLettered) {
  ASSERT_NE(db_, nullptr);
  queue::DeliveryJob job;
  job.protocol = "carrier-pigeon";
  job.endpoint = kA;
  job.account_id = 1;
  job.notice_id = 7;
  ASSERT_OK(deliveries_->Enqueue(job));
  auto engine = Engine();
  EXPECT_THAT(DeliverAll(*engine), ElementsAre(DeliveryOutcome::kBuried));
  Result<std::vector<queue::DeadDelivery>> dead = deliveries_->ListDead(10);
  ASSERT_OK(dead);
  ASSERT_THAT(*dead, SizeIs(1));
  EXPECT_EQ((*dead)[0].reason, "publisher: no adapter for protocol carrier-pigeon");
  EXPECT_THAT(http_.sent(), IsEmpty());
}

TEST(HostOfTest, NamesTheHostOfAUrl) {
  EXPECT_EQ(HostOf("http://Identi.Example:8080/index.php?action=postnotice"),
            "identi.example:8080");
  EXPECT_EQ(HostOf("https://user:pw@x.example/p"), "x.example");
  EXPECT_EQ(HostOf("https://x.example?q=1"), "x.example");
  EXPECT_EQ(HostOf("not a url"), "");
}

}  // namespace
}  // namespace feedbridge::publisher
