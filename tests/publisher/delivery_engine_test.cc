// The delivery engine over the in-memory queues, a real SQLite delivery log, and a test protocol
// adapter whose peers are scripted behind the HttpClient interface: fan-out, each answer's
// fate, no resend after a recorded success, the breaker, busy hosts and recipients refused.

#include "publisher/delivery_engine.h"

#include <Poco/Logger.h>
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "queue/memory_delivery_queue.h"
#include "queue/memory_notice_queue.h"
#include "store/database.h"
#include "tests/support/fake_clock.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace feedbridge::publisher {
namespace {

using ::feedbridge::testing::FakeClock;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class HalfRandom final : public Random {
 public:
  uint64_t Next() override { return uint64_t{1} << 63; }  // UniformUnit: 0.5.
};

// Answers each URL from a script (the last answer repeats); records what was sent.
class ScriptedHttp final : public http::HttpClient {
 public:
  void Answer(const std::string& url, std::vector<Result<http::HttpResponse>> answers) {
    std::lock_guard lock(mu_);
    script_[url] = std::deque<Result<http::HttpResponse>>(answers.begin(), answers.end());
  }
  http::SendResult Send(const http::HttpRequest& request) override {
    std::lock_guard lock(mu_);
    sent_.push_back(request);
    auto it = script_.find(request.url);
    if (it == script_.end() || it->second.empty()) {
      return Status::Unavailable("http: " + request.url + ": connection refused");
    }
    Result<http::HttpResponse> r = it->second.front();
    if (it->second.size() > 1) it->second.pop_front();
    return r;
  }
  std::vector<http::HttpRequest> sent() {
    std::lock_guard lock(mu_);
    return sent_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::deque<Result<http::HttpResponse>>> script_;
  std::vector<http::HttpRequest> sent_;
};

// SendEach as a batch client: every request of a call recorded as one batch, answered by
// `inner`; requests from `not_sent_from` on are reported NotSent (the batch ran out of time).
class BatchHttp final : public http::HttpClient {
 public:
  explicit BatchHttp(http::HttpClient& inner) : inner_(inner) {}
  http::SendResult Send(const http::HttpRequest& request) override {
    ++single_sends_;
    return inner_.Send(request);
  }
  void SendEach(std::span<const http::HttpRequest> requests, std::chrono::steady_clock::time_point,
                const EachDone& done) override {
    batches_.push_back(requests.size());
    for (size_t i = 0; i < requests.size(); ++i) {
      if (i >= not_sent_from_) {
        done(i, http::NotSent{"not sent: the batch ran out of time"});
        continue;
      }
      if (!done(i, inner_.Send(requests[i]))) {
        for (size_t j = i + 1; j < requests.size(); ++j) done(j, http::NotSent{"stopped"});
        return;
      }
    }
  }
  std::vector<size_t> batches_;
  int single_sends_ = 0;
  size_t not_sent_from_ = static_cast<size_t>(-1);

 private:
  http::HttpClient& inner_;
};

Result<http::HttpResponse> Reply(int status, std::string body) {
  http::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// A protocol whose recipients are names behind endpoints; the request body names the
// recipient and the notice. 200 "taken" delivers, 403 removes the recipient, 5xx and transport
// errors retry, 400 gives up.
class TestAdapter final : public ProtocolAdapter {
 public:
  void Subscribe(int64_t account, const std::string& endpoint, const std::string& who) {
    std::lock_guard lock(mu_);
    recipients_[{account, endpoint}].push_back(who);
  }
  std::vector<std::string> Recipients(int64_t account, const std::string& endpoint) {
    std::lock_guard lock(mu_);
    return recipients_[{account, endpoint}];
  }

  std::string_view protocol() const override { return "test"; }
  const RetryPolicy& retry_policy() const override { return policy_; }
  Status ForEachEndpoint(const queue::DeliveryJob& job, size_t chunk,
                         const EndpointChunk& each) override {
    std::vector<std::string> out;
    {
      std::lock_guard lock(mu_);
      for (const auto& [key, who] : recipients_) {
        if (key.first == job.account_id && !who.empty()) out.push_back(key.second);
      }
    }
    for (size_t i = 0; i < out.size(); i += chunk) {
      const size_t n = std::min(chunk, out.size() - i);
      if (Status s = each(std::span<const std::string>(out).subspan(i, n)); !s.ok()) return s;
    }
    return Status::Ok();
  }
  Result<PreparedDelivery> Prepare(const queue::DeliveryJob& job) override {
    std::lock_guard lock(mu_);
    const auto& who = recipients_[{job.account_id, job.endpoint}];
    if (who.empty()) return Status::NotFound("nobody left at " + job.endpoint);
    PreparedDelivery d;
    d.request.method = "POST";
    d.request.url = job.endpoint;
    d.request.body = who.front() + " " + std::to_string(job.notice_id);
    d.recipient = who.front();
    return d;
  }
  AttemptResult Interpret(const PreparedDelivery&,
                          const Result<http::HttpResponse>& answer) override {
    if (!answer.ok()) {
      return {AttemptResult::Kind::kRetryLater, answer.status().message(), std::nullopt, true};
    }
    const int status = answer->status;
    const std::string reason = "HTTP " + std::to_string(status);
    if (status == 200 && answer->body == "taken") return {AttemptResult::Kind::kDelivered};
    if (status == 403) return {AttemptResult::Kind::kRecipientGone, reason};
    if (status >= 500) return {AttemptResult::Kind::kRetryLater, reason, std::nullopt, true};
    return {AttemptResult::Kind::kGiveUp, reason};
  }
  Status DropRecipient(const PreparedDelivery& d) override {
    std::lock_guard lock(mu_);
    for (auto& [key, who] : recipients_) {
      if (key.second == d.request.url && !who.empty() && who.front() == d.recipient) {
        who.erase(who.begin());
        return Status::Ok();
      }
    }
    return Status::NotFound("no recipient " + d.recipient);
  }

 private:
  std::mutex mu_;
  RetryPolicy policy_ = OmbRetryPolicy();
  std::map<std::pair<int64_t, std::string>, std::vector<std::string>> recipients_;
};

constexpr milliseconds kNoBlock(0);
const std::string kA = "http://a.example/post";
const std::string kB = "http://b.example/post";

class DeliveryEngineTest : public ::testing::Test {
 protected:
  DeliveryEngineTest() {
    Result<std::unique_ptr<store::Database>> db =
        store::OpenDatabase("sqlite:" + (dir_.path() / "fb.db").string(), clock_);
    EXPECT_OK(db);
    if (db.ok()) db_ = std::move(*db);
  }

  std::unique_ptr<DeliveryEngine> Engine(EngineOptions options = {},
                                         http::HttpClient* client = nullptr) {
    return std::make_unique<DeliveryEngine>(
        DeliveryEngine::Deps{notices_, *deliveries_, db_->deliveries(),
                             client != nullptr ? *client : http_, clock_, random_,
                             Poco::Logger::get("feedbridge.publisher.test")},
        options, std::vector<ProtocolAdapter*>{&adapter_});
  }

  bool Delivered(int64_t notice_id, const std::string& endpoint) {
    Result<bool> was = db_->deliveries().WasDelivered({"test", "notice", notice_id, endpoint});
    EXPECT_OK(was);
    return was.ok() && *was;
  }

  void Publish(int64_t notice_id, int64_t account = 1) {
    ASSERT_OK(notices_.Enqueue({.notice_id = notice_id, .account_id = account}));
  }

  // Claims and delivers every job due now; returns the outcomes in order.
  std::vector<DeliveryOutcome> DeliverAll(DeliveryEngine& engine) {
    std::vector<DeliveryOutcome> out;
    for (int i = 0; i < 100; ++i) {
      auto claimed = deliveries_->Claim("t", 1, kNoBlock, minutes(10));
      EXPECT_OK(claimed);
      if (!claimed.ok() || claimed->empty()) break;
      Result<DeliveryOutcome> o = engine.Deliver((*claimed)[0]);
      EXPECT_OK(o);
      if (o.ok()) out.push_back(*o);
    }
    return out;
  }

  std::vector<std::string> Bodies() {
    std::vector<std::string> out;
    for (const http::HttpRequest& r : http_.sent()) out.push_back(r.url + " " + r.body);
    return out;
  }

  FakeClock clock_;
  HalfRandom random_;
  testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  queue::MemoryNoticeQueue notices_{clock_};
  std::unique_ptr<queue::MemoryDeliveryQueue> deliveries_ = queue::MakeMemoryDeliveryQueue(clock_);
  ScriptedHttp http_;
  TestAdapter adapter_;
};

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
  // One job per endpoint in a batch; notice 8 back due in 1 ms, notice 9 in 2 ms.
  EXPECT_THAT(batch.batches_, ElementsAre(2u));
  Result<queue::QueueStats> stats = deliveries_->Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->retrying, 4);
  for (int round = 0; round < 2; ++round) {
    clock_.Advance(milliseconds(1));
    ASSERT_OK(engine->DeliverNext(kNoBlock));
  }
  EXPECT_THAT(batch.batches_, ElementsAre(2u, 2u, 2u));
  EXPECT_THAT(Bodies(), ElementsAre(kA + " ann 7", kB + " bob 7", kA + " ann 8", kB + " bob 8",
                                    kA + " ann 9", kB + " bob 9"));
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

TEST(HostOfTest, NamesTheHostOfAUrl) {
  EXPECT_EQ(HostOf("http://Identi.Example:8080/index.php?action=postnotice"),
            "identi.example:8080");
  EXPECT_EQ(HostOf("https://user:pw@x.example/p"), "x.example");
  EXPECT_EQ(HostOf("https://x.example?q=1"), "x.example");
  EXPECT_EQ(HostOf("not a url"), "");
}

}  // namespace
}  // namespace feedbridge::publisher
