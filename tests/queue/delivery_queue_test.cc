// The deliveries queue's contract, run against both implementations (Redis, memory): the same
// cases, so the two cannot drift apart.

#include "queue/delivery_queue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "queue/memory_delivery_queue.h"
#include "queue/redis_delivery_queue.h"
#include "queue/redis_notice_queue.h"
#include "tests/support/fake_clock.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::queue {
namespace {

using ::feedbridge::testing::FakeClock;
using ::feedbridge::testing::RedisTestServer;
using std::chrono::milliseconds;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr milliseconds kNoBlock(0);
constexpr milliseconds kLongStale(60'000);

DeliveryJob NoticeJob(int64_t notice_id, std::string endpoint) {
  DeliveryJob job;
  job.protocol = "omb";
  job.endpoint = std::move(endpoint);
  job.account_id = 3;
  job.notice_id = notice_id;
  job.first_queued_ms = 1'700'000'000'000;
  return job;
}

DeliveryJob ProfileJob(int64_t revision, std::string endpoint) {
  DeliveryJob job;
  job.kind = DeliveryJob::Kind::kProfile;
  job.protocol = "omb";
  job.endpoint = std::move(endpoint);
  job.account_id = 3;
  job.revision = revision;
  job.first_queued_ms = 1'700'000'000'000;
  return job;
}

// Each harness makes one queue; the tests see only the interfaces.
struct MemoryHarness {
  MemoryHarness() : queue(MakeMemoryDeliveryQueue(clock)) {}
  RedisConnection* redis() { return nullptr; }
  FakeClock clock;
  std::unique_ptr<MemoryDeliveryQueue> queue;
};

struct RedisHarness {
  RedisHarness() {
    Result<std::unique_ptr<RedisConnection>> c = RedisConnection::Open({.url = server.url()});
    EXPECT_OK(c);
    if (!c.ok()) return;
    connection = std::move(c).value();
    queue = MakeRedisDeliveryQueue(*connection, "t:", clock);
  }
  RedisConnection* redis() { return connection.get(); }
  FakeClock clock;  // Only ReviveDead reads it; Redis measures retry delays itself.
  RedisTestServer server;
  std::unique_ptr<RedisConnection> connection;
  std::unique_ptr<RedisDeliveryQueue> queue;
};

template <class Harness>
class DeliveryQueueTest : public ::testing::Test {
 protected:
  DeliveryQueue& q() { return *h_.queue; }
  DeliveryInspector& inspector() { return *h_.queue; }

  std::vector<ClaimedDelivery> ClaimNow(milliseconds stale_after = kLongStale) {
    Result<std::vector<ClaimedDelivery>> r = q().Claim("worker-1", 100, kNoBlock, stale_after);
    EXPECT_OK(r);
    return r.ok() ? *r : std::vector<ClaimedDelivery>{};
  }

  QueueStats StatsNow() {
    Result<QueueStats> s = inspector().Stats();
    EXPECT_OK(s);
    return s.ok() ? *s : QueueStats{};
  }

  std::vector<DeadDelivery> DeadNow() {
    Result<std::vector<DeadDelivery>> d = inspector().ListDead(100);
    EXPECT_OK(d);
    return d.ok() ? *d : std::vector<DeadDelivery>{};
  }

  Harness h_;
};

using Harnesses = ::testing::Types<MemoryHarness, RedisHarness>;
class HarnessNames {
 public:
  template <class T>
  static std::string GetName(int) {
    return std::is_same_v<T, MemoryHarness> ? "Memory" : "Redis";
  }
};
TYPED_TEST_SUITE(DeliveryQueueTest, Harnesses, HarnessNames);

TYPED_TEST(DeliveryQueueTest, JobComesBackAsItWasEnqueued) {
  ASSERT_NE(this->h_.queue, nullptr);
  const DeliveryJob notice = NoticeJob(7, "https://peer.example/omb/postnotice?x=1&y=%20");
  const DeliveryJob profile = ProfileJob(2, "https://peer.example/omb/updateprofile");
  ASSERT_OK(this->q().Enqueue(notice));
  ASSERT_OK(this->q().Enqueue(profile));
  const std::vector<ClaimedDelivery> got = this->ClaimNow();
  ASSERT_THAT(got, SizeIs(2));
  EXPECT_EQ(got[0].job, notice);
  EXPECT_EQ(got[0].deliveries, 1);
  EXPECT_EQ(got[1].job, profile);
}

TYPED_TEST(DeliveryQueueTest, TheSameJobTwiceIsOneDelivery) {
  ASSERT_NE(this->h_.queue, nullptr);
  // A publisher that died before acknowledging its notice fans it out again.
  ASSERT_OK(this->q().Enqueue(NoticeJob(7, "https://a.example/post")));
  ASSERT_OK(this->q().Enqueue(NoticeJob(7, "https://a.example/post")));
  EXPECT_THAT(this->ClaimNow(), SizeIs(1));
}

TYPED_TEST(DeliveryQueueTest, JobsDifferingInOnePartAreEachDelivered) {
  ASSERT_NE(this->h_.queue, nullptr);
  ASSERT_OK(this->q().Enqueue(NoticeJob(7, "https://a.example/post")));
  ASSERT_OK(this->q().Enqueue(NoticeJob(8, "https://a.example/post")));  // Another notice.
  ASSERT_OK(this->q().Enqueue(NoticeJob(7, "https://b.example/post")));  // Another endpoint.
  DeliveryJob ap = NoticeJob(7, "https://a.example/post");
  ap.protocol = "activitypub";
  ASSERT_OK(this->q().Enqueue(ap));  // Another protocol.
  ASSERT_OK(
      this->q().Enqueue(ProfileJob(7, "https://a.example/post")));  // A profile, not notice 7.
  ASSERT_OK(this->q().Enqueue(ProfileJob(8, "https://a.example/post")));  // A later revision.
  EXPECT_THAT(this->ClaimNow(), SizeIs(6));
}

TYPED_TEST(DeliveryQueueTest, EnqueueAllAddsEachJobOnceInOrder) {
  ASSERT_NE(this->h_.queue, nullptr);
  ASSERT_OK(this->q().Enqueue(NoticeJob(7, "https://a.example/post")));
  // More jobs than one Redis script takes, one of them enqueued before.
  std::vector<DeliveryJob> jobs;
  for (int i = 0; i < 300; ++i) {
    jobs.push_back(
        NoticeJob(7, "https://" + std::string(i == 0 ? "a" : std::to_string(i)) + ".example/post"));
  }
  jobs.push_back(ProfileJob(2, "https://a.example/profile"));
  ASSERT_OK(this->q().EnqueueAll(jobs));
  ASSERT_OK(this->q().EnqueueAll(jobs));  // A notice fanned out again adds nothing.
  const std::vector<ClaimedDelivery> first = this->ClaimNow();
  ASSERT_THAT(first, SizeIs(100));
  EXPECT_EQ(first[0].job, NoticeJob(7, "https://a.example/post"));
  EXPECT_EQ(first[1].job, jobs[1]);
  EXPECT_EQ(first[99].job, jobs[99]);
  std::vector<ClaimedDelivery> all = first;
  for (int round = 0; round < 3; ++round) {
    for (ClaimedDelivery& c : this->ClaimNow()) all.push_back(std::move(c));
  }
  ASSERT_THAT(all, SizeIs(301));
  EXPECT_EQ(all[299].job, jobs[299]);
  EXPECT_EQ(all[300].job, jobs[300]);
}

TYPED_TEST(DeliveryQueueTest, EnqueueAllWithAnInvalidJobAddsNothing) {
  ASSERT_NE(this->h_.queue, nullptr);
  const std::vector<DeliveryJob> jobs = {NoticeJob(7, "https://a.example/post"), NoticeJob(7, "")};
  EXPECT_EQ(this->q().EnqueueAll(jobs).code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(this->ClaimNow(), IsEmpty());
  ASSERT_OK(this->q().EnqueueAll(std::vector<DeliveryJob>{}));
  EXPECT_THAT(this->ClaimNow(), IsEmpty());
}

TYPED_TEST(DeliveryQueueTest, AckAllTakesEveryJobOff) {
  ASSERT_NE(this->h_.queue, nullptr);
  ASSERT_OK(this->q().Enqueue(NoticeJob(7, "https://a.example/post")));
  ASSERT_OK(this->q().Enqueue(NoticeJob(7, "https://b.example/post")));
  ASSERT_OK(this->q().Enqueue(NoticeJob(7, "https://c.example/post")));
  std::vector<ClaimedDelivery> got = this->ClaimNow();
  ASSERT_THAT(got, SizeIs(3));
  const ClaimedDelivery kept = got[1];
  got.erase(got.begin() + 1);
  ASSERT_OK(this->q().AckAll(got));
  ASSERT_OK(this->q().AckAll(got));  // No longer pending: nothing happens.
  ASSERT_OK(this->q().AckAll(std::vector<ClaimedDelivery>{}));
  EXPECT_EQ(this->StatsNow().length, 1);
  EXPECT_EQ(this->StatsNow().pending, 1);
  // Only the one left out comes back to a consumer that reclaims stale work.
  Result<std::vector<ClaimedDelivery>> again =
      this->q().Claim("worker-2", 100, kNoBlock, milliseconds(0));
  ASSERT_OK(again);
  ASSERT_THAT(*again, SizeIs(1));
  EXPECT_EQ((*again)[0].job, kept.job);
}

TYPED_TEST(DeliveryQueueTest, InvalidJobsAreRefusedAndNothingIsAdded) {
  ASSERT_NE(this->h_.queue, nullptr);
  struct Case {
    const char* name;
    DeliveryJob job;
  };
  DeliveryJob no_endpoint = NoticeJob(1, "");
  DeliveryJob huge_endpoint = NoticeJob(1, "https://a.example/" + std::string(5000, 'x'));
  DeliveryJob no_protocol = NoticeJob(1, "https://a.example/");
  no_protocol.protocol = "";
  DeliveryJob bad_protocol = NoticeJob(1, "https://a.example/");
  bad_protocol.protocol = "OMB 0.1";
  DeliveryJob no_notice = NoticeJob(0, "https://a.example/");
  DeliveryJob no_account = NoticeJob(1, "https://a.example/");
  no_account.account_id = 0;
  const Case cases[] = {
      {"no endpoint", no_endpoint},         {"endpoint over 4 KiB", huge_endpoint},
      {"no protocol", no_protocol},         {"protocol with space", bad_protocol},
      {"notice job, no notice", no_notice}, {"no account", no_account}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(this->q().Enqueue(c.job).code(), Status::Code::kInvalidArgument);
  }
  EXPECT_EQ(this->StatsNow().length, 0);
}

TYPED_TEST(DeliveryQueueTest, RetriedJobComesBackWithItsClaimCount) {
  ASSERT_NE(this->h_.queue, nullptr);
  ASSERT_OK(this->q().Enqueue(NoticeJob(7, "https://a.example/post")));
  std::vector<ClaimedDelivery> got = this->ClaimNow();
  ASSERT_THAT(got, SizeIs(1));
  ClaimedDelivery tried = got[0];
  tried.job.attempts = 1;  // The engine counts the attempt before it retries.
  ASSERT_OK(this->q().Retry(tried, milliseconds(0)));
  got = this->ClaimNow();
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].job, tried.job);
  EXPECT_EQ(got[0].job.attempts, 1);
  EXPECT_EQ(got[0].deliveries, 2);
}

TYPED_TEST(DeliveryQueueTest, JobOfADeadConsumerIsClaimedByAnother) {
  ASSERT_NE(this->h_.queue, nullptr);
  ASSERT_OK(this->q().Enqueue(NoticeJob(7, "https://a.example/post")));
  Result<std::vector<ClaimedDelivery>> first = this->q().Claim("dies", 10, kNoBlock, kLongStale);
  ASSERT_OK(first);
  ASSERT_THAT(*first, SizeIs(1));
  // Not stale yet: nobody else gets it.
  Result<std::vector<ClaimedDelivery>> early = this->q().Claim("other", 10, kNoBlock, kLongStale);
  ASSERT_OK(early);
  EXPECT_THAT(*early, IsEmpty());
  Result<std::vector<ClaimedDelivery>> late =
      this->q().Claim("other", 10, kNoBlock, milliseconds(0));
  ASSERT_OK(late);
  ASSERT_THAT(*late, SizeIs(1));
  EXPECT_EQ((*late)[0].job.notice_id, 7);
  EXPECT_EQ((*late)[0].deliveries, 2);
  ASSERT_OK(this->q().Ack((*late)[0]));
  ASSERT_OK(this->q().Ack((*first)[0]));  // The dead consumer's late Ack is harmless.
  EXPECT_EQ(this->StatsNow().length, 0);
}

TYPED_TEST(DeliveryQueueTest, BuriedJobIsListedWithReasonAndCanBeRevived) {
  ASSERT_NE(this->h_.queue, nullptr);
  ASSERT_OK(this->q().Enqueue(NoticeJob(7, "https://a.example/post")));
  std::vector<ClaimedDelivery> got = this->ClaimNow();
  ASSERT_THAT(got, SizeIs(1));
  got[0].job.attempts = 20;
  ASSERT_OK(this->q().Bury(got[0], "gave up after 3 days: HTTP 500"));
  EXPECT_THAT(this->ClaimNow(), IsEmpty());
  std::vector<DeadDelivery> dead = this->DeadNow();
  ASSERT_THAT(dead, SizeIs(1));
  DeliveryJob buried = NoticeJob(7, "https://a.example/post");
  buried.attempts = 20;
  EXPECT_EQ(dead[0].job, buried);
  EXPECT_EQ(dead[0].deliveries, 1);
  EXPECT_EQ(dead[0].reason, "gave up after 3 days: HTTP 500");
  EXPECT_EQ(this->StatsNow().dead, 1);

  ASSERT_OK(this->inspector().ReviveDead(dead[0].id));
  EXPECT_THAT(this->DeadNow(), IsEmpty());
  got = this->ClaimNow();
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].job.notice_id, 7);
  EXPECT_EQ(got[0].deliveries, 1);  // A fresh start: counts and deadline begin again.
  EXPECT_EQ(got[0].job.attempts, 0);
  EXPECT_EQ(got[0].job.first_queued_ms, this->h_.clock.Now().time_since_epoch().count());
  // Reviving it again finds nothing.
  EXPECT_EQ(this->inspector().ReviveDead(dead[0].id).code(), Status::Code::kNotFound);
}

TYPED_TEST(DeliveryQueueTest, DroppedDeadLetterIsGone) {
  ASSERT_NE(this->h_.queue, nullptr);
  ASSERT_OK(this->q().Enqueue(NoticeJob(7, "https://a.example/post")));
  std::vector<ClaimedDelivery> got = this->ClaimNow();
  ASSERT_THAT(got, SizeIs(1));
  ASSERT_OK(this->q().Bury(got[0], "HTTP 400"));
  std::vector<DeadDelivery> dead = this->DeadNow();
  ASSERT_THAT(dead, SizeIs(1));
  ASSERT_OK(this->inspector().DropDead(dead[0].id));
  EXPECT_THAT(this->DeadNow(), IsEmpty());
  EXPECT_THAT(this->ClaimNow(), IsEmpty());
  EXPECT_EQ(this->inspector().DropDead(dead[0].id).code(), Status::Code::kNotFound);
}

TYPED_TEST(DeliveryQueueTest, UnknownDeadLetterIdsAreNotFound) {
  ASSERT_NE(this->h_.queue, nullptr);
  for (const char* id : {"1-0", "999999-0", "", "not-an-id", "1", "-1-0"}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(this->inspector().ReviveDead(id).code(), Status::Code::kNotFound);
    EXPECT_EQ(this->inspector().DropDead(id).code(), Status::Code::kNotFound);
  }
}

// Only Redis can hold entries another writer put there.
class RedisDeliveryQueueTest : public DeliveryQueueTest<RedisHarness> {};

TEST_F(RedisDeliveryQueueTest, ForeignStreamEntryIsBuriedAndCannotBeRevived) {
  ASSERT_NE(h_.redis(), nullptr);
  ASSERT_OK(h_.redis()->Command({"XADD", "t:{fb}:deliveries", "*", "kind", "telegram"}));
  ASSERT_OK(q().Enqueue(NoticeJob(7, "https://a.example/post")));
  const std::vector<ClaimedDelivery> got = ClaimNow();
  ASSERT_THAT(got, SizeIs(1));  // The valid job; the foreign entry is out of the way.
  EXPECT_EQ(got[0].job.notice_id, 7);
  std::vector<DeadDelivery> dead = DeadNow();
  ASSERT_THAT(dead, SizeIs(1));
  EXPECT_EQ(dead[0].reason, "queue: malformed delivery job");
  EXPECT_EQ(inspector().ReviveDead(dead[0].id).code(), Status::Code::kFailedPrecondition);
  EXPECT_THAT(DeadNow(), SizeIs(1));  // Still there for the operator.
}

TEST_F(RedisDeliveryQueueTest, DeliveriesAndNoticesKeepApartOnOneRedis) {
  ASSERT_NE(h_.redis(), nullptr);
  RedisNoticeQueue notices(*h_.redis(), "t:");
  ASSERT_OK(notices.Enqueue({.notice_id = 7, .account_id = 3}));
  ASSERT_OK(q().Enqueue(NoticeJob(7, "https://a.example/post")));
  std::vector<ClaimedDelivery> got = ClaimNow();
  ASSERT_THAT(got, SizeIs(1));
  ASSERT_OK(q().Bury(got[0], "HTTP 400"));
  Result<QueueStats> notice_stats = notices.Stats();
  ASSERT_OK(notice_stats);
  EXPECT_EQ(notice_stats->dead, 0);
  EXPECT_EQ(notice_stats->length, 1);
  EXPECT_EQ(StatsNow().dead, 1);
}

}  // namespace
}  // namespace feedbridge::queue
