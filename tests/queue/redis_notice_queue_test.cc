// Behaviour tests of the NoticeQueue contract, run on RedisNoticeQueue (real redis-server, real
// time: short delays and polling up to a bound) and on MemoryNoticeQueue (fake clock).

#include "queue/redis_notice_queue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "queue/memory_notice_queue.h"
#include "tests/support/fake_clock.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::queue {
namespace {

using ::feedbridge::testing::FakeClock;
using ::feedbridge::testing::RedisTestServer;
using ::feedbridge::testing::StatusIs;
using std::chrono::milliseconds;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr milliseconds kNoBlock(0);
constexpr milliseconds kStale(300);
constexpr milliseconds kLongStale(60'000);
constexpr auto kPatience = std::chrono::seconds(10);  // Upper bound when polling real Redis.

enum class Kind { kRedis, kMemory };

std::string KindName(const ::testing::TestParamInfo<Kind>& param) {
  return param.param == Kind::kRedis ? "Redis" : "Memory";
}

class NoticeQueueTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (GetParam() == Kind::kMemory) {
      memory_ = std::make_unique<MemoryNoticeQueue>(clock_);
      queue_ = memory_.get();
      return;
    }
    server_ = std::make_unique<RedisTestServer>();
    Result<std::unique_ptr<RedisConnection>> c = RedisConnection::Open({.url = server_->url()});
    ASSERT_OK(c);
    redis_conn_ = std::move(c).value();
    redis_ = std::make_unique<RedisNoticeQueue>(*redis_conn_, "fb:");
    queue_ = redis_.get();
  }

  // Lets `d` pass: the fake clock moves; with Redis, real time passes.
  void Pass(milliseconds d) {
    if (GetParam() == Kind::kMemory) {
      clock_.Advance(d);
    } else {
      std::this_thread::sleep_for(d);
    }
  }

  // Claims until something comes (Redis: polling, up to kPatience).
  std::vector<ClaimedNotice> ClaimEventually(std::string_view consumer, milliseconds stale) {
    const auto deadline = std::chrono::steady_clock::now() + kPatience;
    for (;;) {
      Result<std::vector<ClaimedNotice>> r = queue_->Claim(consumer, 10, milliseconds(50), stale);
      EXPECT_OK(r);
      if (!r.ok() || !r->empty() || std::chrono::steady_clock::now() > deadline) {
        return r.ok() ? *r : std::vector<ClaimedNotice>{};
      }
    }
  }

  std::vector<ClaimedNotice> ClaimNow(std::string_view consumer, milliseconds stale = kLongStale) {
    Result<std::vector<ClaimedNotice>> r = queue_->Claim(consumer, 10, kNoBlock, stale);
    EXPECT_OK(r);
    return r.ok() ? *r : std::vector<ClaimedNotice>{};
  }

  QueueStats Stats() {
    Result<QueueStats> s = memory_ ? memory_->Stats() : redis_->Stats();
    EXPECT_OK(s);
    return s.ok() ? *s : QueueStats{};
  }

  std::vector<DeadLetter> Dead() {
    Result<std::vector<DeadLetter>> d = memory_ ? memory_->ListDead(10) : redis_->ListDead(10);
    EXPECT_OK(d);
    return d.ok() ? *d : std::vector<DeadLetter>{};
  }

  FakeClock clock_;
  std::unique_ptr<RedisTestServer> server_;
  std::unique_ptr<RedisConnection> redis_conn_;
  std::unique_ptr<RedisNoticeQueue> redis_;
  std::unique_ptr<MemoryNoticeQueue> memory_;
  NoticeQueue* queue_ = nullptr;  // One of the two above.
};

TEST_P(NoticeQueueTest, EnqueueThenClaimGetsTheMessage) {
  ASSERT_OK(queue_->Enqueue({.notice_id = 42, .account_id = 7}));
  std::vector<ClaimedNotice> got = ClaimNow("a");
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].notice.notice_id, 42);
  EXPECT_EQ(got[0].notice.account_id, 7);
  EXPECT_EQ(got[0].deliveries, 1);
  EXPECT_FALSE(got[0].message_id.empty());
  EXPECT_THAT(ClaimNow("b"), IsEmpty());
  QueueStats s = Stats();
  EXPECT_EQ(s.length, 1);
  EXPECT_EQ(s.pending, 1);
}

TEST_P(NoticeQueueTest, EnqueueTwiceWithTheSameNoticeIdAddsOneMessage) {
  ASSERT_OK(queue_->Enqueue({.notice_id = 42, .account_id = 7}));
  ASSERT_OK(queue_->Enqueue({.notice_id = 42, .account_id = 7}));
  ASSERT_OK(queue_->Enqueue({.notice_id = 43, .account_id = 7}));
  EXPECT_EQ(Stats().length, 2);
  std::vector<ClaimedNotice> got = ClaimNow("a");
  ASSERT_THAT(got, SizeIs(2));
  EXPECT_EQ(got[0].notice.notice_id, 42);
  EXPECT_EQ(got[1].notice.notice_id, 43);
  // Still a duplicate once the first was delivered and acknowledged (an outbox replay).
  ASSERT_OK(queue_->Ack(got[0]));
  ASSERT_OK(queue_->Enqueue({.notice_id = 42, .account_id = 7}));
  EXPECT_EQ(Stats().length, 1);
}

TEST_P(NoticeQueueTest, ProfileChangesComeBackAsEnqueuedOncePerRevision) {
  const NoticeMessage profile{
      .account_id = 7, .kind = NoticeMessage::Kind::kProfile, .revision = 5};
  ASSERT_OK(queue_->Enqueue({.notice_id = 5, .account_id = 7}));  // Notice 5: another message.
  ASSERT_OK(queue_->Enqueue(profile));
  ASSERT_OK(queue_->Enqueue(profile));  // The profile outbox replayed.
  ASSERT_OK(
      queue_->Enqueue({.account_id = 7, .kind = NoticeMessage::Kind::kProfile, .revision = 6}));
  std::vector<ClaimedNotice> got = ClaimNow("a");
  ASSERT_THAT(got, SizeIs(3));
  EXPECT_EQ(got[0].notice, (NoticeMessage{.notice_id = 5, .account_id = 7}));
  EXPECT_EQ(got[1].notice, profile);
  EXPECT_EQ(got[2].notice.revision, 6);
  // Buried, it is still a profile change in the dead letters.
  ASSERT_OK(queue_->Bury(got[1], "test"));
  std::vector<DeadLetter> dead = Dead();
  ASSERT_THAT(dead, SizeIs(1));
  EXPECT_EQ(dead[0].notice, profile);
}

TEST_P(NoticeQueueTest, AProfileChangeMustNameItsAccountAndRevision) {
  EXPECT_THAT(queue_->Enqueue({.account_id = 7, .kind = NoticeMessage::Kind::kProfile}),
              StatusIs(Status::Code::kInvalidArgument));
  EXPECT_THAT(queue_->Enqueue({.kind = NoticeMessage::Kind::kProfile, .revision = 3}),
              StatusIs(Status::Code::kInvalidArgument));
  EXPECT_EQ(Stats().length, 0);
}

TEST_P(NoticeQueueTest, ClaimTakesAtMostMax) {
  for (int64_t id = 1; id <= 5; ++id) ASSERT_OK(queue_->Enqueue({.notice_id = id}));
  Result<std::vector<ClaimedNotice>> r = queue_->Claim("a", 2, kNoBlock, kLongStale);
  ASSERT_OK(r);
  EXPECT_THAT(*r, SizeIs(2));
  EXPECT_THAT(ClaimNow("b"), SizeIs(3));
}

TEST_P(NoticeQueueTest, UnackedMessageIsReclaimedByAnotherConsumerAfterStaleAfter) {
  ASSERT_OK(queue_->Enqueue({.notice_id = 1, .account_id = 2}));
  std::vector<ClaimedNotice> first = ClaimNow("dies", kStale);
  ASSERT_THAT(first, SizeIs(1));
  EXPECT_THAT(ClaimNow("other", kStale), IsEmpty());  // Not stale yet.
  Pass(kStale);
  std::vector<ClaimedNotice> again = ClaimEventually("other", kStale);
  ASSERT_THAT(again, SizeIs(1));
  EXPECT_EQ(again[0].message_id, first[0].message_id);
  EXPECT_EQ(again[0].notice.notice_id, 1);
  EXPECT_EQ(again[0].deliveries, 2);
}

TEST_P(NoticeQueueTest, AckRemovesTheMessage) {
  ASSERT_OK(queue_->Enqueue({.notice_id = 1}));
  std::vector<ClaimedNotice> got = ClaimNow("a", kStale);
  ASSERT_THAT(got, SizeIs(1));
  ASSERT_OK(queue_->Ack(got[0]));
  ASSERT_OK(queue_->Ack(got[0]));  // Again: nothing to do.
  Pass(kStale);
  EXPECT_THAT(ClaimNow("b", kStale), IsEmpty());
  QueueStats s = Stats();
  EXPECT_EQ(s.length, 0);
  EXPECT_EQ(s.pending, 0);
}

TEST_P(NoticeQueueTest, RetryBringsItBackOnlyAfterTheDelay) {
  const milliseconds delay(500);
  ASSERT_OK(queue_->Enqueue({.notice_id = 9, .account_id = 3}));
  std::vector<ClaimedNotice> got = ClaimNow("a");
  ASSERT_THAT(got, SizeIs(1));
  const auto retried_at = std::chrono::steady_clock::now();
  ASSERT_OK(queue_->Retry(got[0], delay));
  EXPECT_EQ(Stats().retrying, 1);
  EXPECT_EQ(Stats().length, 0);
  std::vector<ClaimedNotice> early = ClaimNow("a");
  if (GetParam() == Kind::kMemory || std::chrono::steady_clock::now() - retried_at < delay) {
    EXPECT_THAT(early, IsEmpty());
  }
  Pass(delay);
  std::vector<ClaimedNotice> back = ClaimEventually("a", kLongStale);
  ASSERT_THAT(back, SizeIs(1));
  EXPECT_GE(std::chrono::steady_clock::now() - retried_at,
            GetParam() == Kind::kRedis ? delay : milliseconds(0));
  EXPECT_EQ(back[0].notice.notice_id, 9);
  EXPECT_EQ(back[0].notice.account_id, 3);
  EXPECT_EQ(back[0].deliveries, 2);  // Counts across retries.
  EXPECT_EQ(Stats().retrying, 0);
}

TEST_P(NoticeQueueTest, BuryMovesTheMessageToDeadWithTheReason) {
  ASSERT_OK(queue_->Enqueue({.notice_id = 5, .account_id = 6}));
  std::vector<ClaimedNotice> got = ClaimNow("a", kStale);
  ASSERT_THAT(got, SizeIs(1));
  const std::string reason("publisher: HTTP 410\n\0after", 26);
  ASSERT_OK(queue_->Bury(got[0], reason));
  Pass(kStale);
  EXPECT_THAT(ClaimNow("b", kStale), IsEmpty());
  QueueStats s = Stats();
  EXPECT_EQ(s.length, 0);
  EXPECT_EQ(s.dead, 1);
  std::vector<DeadLetter> dead = Dead();
  ASSERT_THAT(dead, SizeIs(1));
  EXPECT_EQ(dead[0].notice.notice_id, 5);
  EXPECT_EQ(dead[0].notice.account_id, 6);
  EXPECT_EQ(dead[0].deliveries, 1);
  EXPECT_EQ(dead[0].reason, reason);
}

TEST_P(NoticeQueueTest, ClaimWaitsForAMessageEnqueuedWhileBlocked) {
  std::thread producer([&] {
    std::this_thread::sleep_for(milliseconds(100));
    EXPECT_OK(queue_->Enqueue({.notice_id = 77}));
  });
  const auto deadline = std::chrono::steady_clock::now() + kPatience;
  std::vector<ClaimedNotice> got;
  while (got.empty() && std::chrono::steady_clock::now() < deadline) {
    Result<std::vector<ClaimedNotice>> r = queue_->Claim("a", 10, milliseconds(2000), kLongStale);
    ASSERT_OK(r);
    got = *r;
  }
  producer.join();
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].notice.notice_id, 77);
}

TEST_P(NoticeQueueTest, ConcurrentConsumersNeverGetTheSameMessage) {
  constexpr int kMessages = 100;
  for (int64_t id = 1; id <= kMessages; ++id) ASSERT_OK(queue_->Enqueue({.notice_id = id}));
  std::mutex mu;
  std::multiset<int64_t> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const std::string name = "c" + std::to_string(t);
      for (;;) {
        Result<std::vector<ClaimedNotice>> r = queue_->Claim(name, 3, kNoBlock, kLongStale);
        if (!r.ok() || r->empty()) return;
        for (const ClaimedNotice& n : *r) {
          EXPECT_OK(queue_->Ack(n));
          std::lock_guard lock(mu);
          seen.insert(n.notice.notice_id);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(seen.size(), static_cast<size_t>(kMessages));
  EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(), static_cast<size_t>(kMessages));
}

INSTANTIATE_TEST_SUITE_P(Implementations, NoticeQueueTest,
                         ::testing::Values(Kind::kRedis, Kind::kMemory), KindName);

// Redis only: keys, restarts, lost groups.

class RedisNoticeQueueTest : public ::testing::Test {
 protected:
  explicit RedisNoticeQueueTest(RedisTestServer::Transport t = RedisTestServer::Transport::kTcp)
      : server_(t) {
    Result<std::unique_ptr<RedisConnection>> c =
        RedisConnection::Open({.url = server_.url(), .connect_timeout = milliseconds(500)});
    EXPECT_OK(c);
    if (c.ok()) redis_ = std::move(c).value();
  }

  RedisTestServer server_;
  std::unique_ptr<RedisConnection> redis_;
};

TEST_F(RedisNoticeQueueTest, KeysCarryThePrefixAndHashTagEvenWithOddBytes) {
  ASSERT_NE(redis_, nullptr);
  const std::string prefix("my feeds\r\n\0:", 12);
  RedisNoticeQueue queue(*redis_, prefix);
  RedisNoticeQueue other(*redis_, "fb:");
  ASSERT_OK(queue.Enqueue({.notice_id = 1, .account_id = 2}));
  Result<Reply> len = redis_->Command({"XLEN", prefix + "{fb}:notices"});
  ASSERT_OK(len);
  EXPECT_EQ(len->integer, 1);
  Result<Reply> marker = redis_->Command({"TTL", prefix + "{fb}:enq:1"});
  ASSERT_OK(marker);
  EXPECT_GT(marker->integer, 604800 - 60);
  Result<std::vector<ClaimedNotice>> none = other.Claim("a", 10, kNoBlock, kLongStale);
  ASSERT_OK(none);
  EXPECT_THAT(*none, IsEmpty());
  Result<std::vector<ClaimedNotice>> got = queue.Claim("a", 10, kNoBlock, kLongStale);
  ASSERT_OK(got);
  ASSERT_THAT(*got, SizeIs(1));
  ASSERT_OK(queue.Retry((*got)[0], milliseconds(0)));
  Result<std::vector<ClaimedNotice>> back = queue.Claim("a", 10, kNoBlock, kLongStale);
  ASSERT_OK(back);
  EXPECT_THAT(*back, SizeIs(1));
}

TEST_F(RedisNoticeQueueTest, CallWhileRedisIsDownIsUnavailableAndTheNextAfterRestartSucceeds) {
  ASSERT_NE(redis_, nullptr);
  RedisNoticeQueue queue(*redis_, "fb:");
  ASSERT_OK(queue.Enqueue({.notice_id = 1}));
  Result<std::vector<ClaimedNotice>> got = queue.Claim("a", 10, kNoBlock, kLongStale);
  ASSERT_OK(got);
  ASSERT_THAT(*got, SizeIs(1));

  server_.Stop();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(queue.Enqueue({.notice_id = 2}), StatusIs(Status::Code::kUnavailable));
  EXPECT_THAT(queue.Claim("a", 10, milliseconds(100), kLongStale),
              StatusIs(Status::Code::kUnavailable));
  EXPECT_THAT(queue.Ack((*got)[0]), StatusIs(Status::Code::kUnavailable));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));

  ASSERT_OK(server_.Start());
  ASSERT_OK(queue.Ack((*got)[0]));  // Pooled connections are dead: reconnects.
  ASSERT_OK(queue.Enqueue({.notice_id = 2}));
  Result<std::vector<ClaimedNotice>> after = queue.Claim("a", 10, kNoBlock, kLongStale);
  ASSERT_OK(after);
  ASSERT_THAT(*after, SizeIs(1));
  EXPECT_EQ((*after)[0].notice.notice_id, 2);
}

TEST_F(RedisNoticeQueueTest, RestartedRedisThatLostItsDataStillDelivers) {
  ASSERT_NE(redis_, nullptr);
  RedisNoticeQueue queue(*redis_, "fb:");
  ASSERT_OK(queue.Claim("a", 10, kNoBlock, kLongStale));  // Creates the group.
  ASSERT_OK(redis_->Command({"FLUSHALL"}));               // Group and stream gone.
  ASSERT_OK(queue.Enqueue({.notice_id = 3}));
  Result<std::vector<ClaimedNotice>> got = queue.Claim("a", 10, kNoBlock, kLongStale);
  ASSERT_OK(got);
  ASSERT_THAT(*got, SizeIs(1));
  EXPECT_EQ((*got)[0].notice.notice_id, 3);
}

TEST_F(RedisNoticeQueueTest, MalformedStreamEntryGoesToDeadLetters) {
  ASSERT_NE(redis_, nullptr);
  RedisNoticeQueue queue(*redis_, "fb:");
  ASSERT_OK(redis_->Command({"XADD", "fb:{fb}:notices", "*", "junk", "x"}));
  ASSERT_OK(queue.Enqueue({.notice_id = 4}));
  Result<std::vector<ClaimedNotice>> got = queue.Claim("a", 10, kNoBlock, kLongStale);
  ASSERT_OK(got);
  ASSERT_THAT(*got, SizeIs(1));
  EXPECT_EQ((*got)[0].notice.notice_id, 4);
  Result<QueueStats> stats = queue.Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->dead, 1);
  EXPECT_EQ(stats->length, 1);
}

TEST_F(RedisNoticeQueueTest, AnEntryWrittenBeforeProfileChangesExistedIsStillANotice) {
  ASSERT_NE(redis_, nullptr);
  RedisNoticeQueue queue(*redis_, "fb:");
  ASSERT_OK(queue.Enqueue({.notice_id = 1, .account_id = 2}));  // Creates the group.
  Result<std::vector<ClaimedNotice>> first = queue.Claim("a", 10, kNoBlock, kLongStale);
  ASSERT_OK(first);
  // What an older poller wrote: no kind, no revision.
  ASSERT_OK(redis_->Command({"XADD", "fb:{fb}:notices", "*", "notice_id", "8", "account_id", "3"}));
  // A kind this version does not know is no message of it.
  ASSERT_OK(redis_->Command(
      {"XADD", "fb:{fb}:notices", "*", "notice_id", "0", "account_id", "3", "kind", "poll"}));
  Result<std::vector<ClaimedNotice>> got = queue.Claim("a", 10, kNoBlock, kLongStale);
  ASSERT_OK(got);
  ASSERT_THAT(*got, SizeIs(1));
  EXPECT_EQ((*got)[0].notice, (NoticeMessage{.notice_id = 8, .account_id = 3}));
  Result<QueueStats> stats = queue.Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->dead, 1);
}

}  // namespace
}  // namespace feedbridge::queue
