// Behaviour tests of the PollSchedule contract, run on RedisPollSchedule (real redis-server) and
// on MemoryPollSchedule.

#include "queue/redis_poll_schedule.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "queue/memory_poll_schedule.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::queue {
namespace {

using ::feedbridge::testing::RedisTestServer;
using ::feedbridge::testing::StatusIs;
using std::chrono::milliseconds;
using std::chrono::minutes;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const TimePoint kNow = TimePoint(std::chrono::seconds(1'800'000'000));

enum class Kind { kRedis, kMemory };

std::string KindName(const ::testing::TestParamInfo<Kind>& param) {
  return param.param == Kind::kRedis ? "Redis" : "Memory";
}

class PollScheduleTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (GetParam() == Kind::kMemory) {
      schedule_ = std::make_unique<MemoryPollSchedule>();
      return;
    }
    server_ = std::make_unique<RedisTestServer>();
    Result<std::unique_ptr<RedisConnection>> c = RedisConnection::Open({.url = server_->url()});
    ASSERT_OK(c);
    redis_ = std::move(c).value();
    schedule_ = std::make_unique<RedisPollSchedule>(*redis_, "fb:");
  }

  std::unique_ptr<RedisTestServer> server_;
  std::unique_ptr<RedisConnection> redis_;
  std::unique_ptr<PollSchedule> schedule_;
};

TEST_P(PollScheduleTest, ClaimDueReturnsOnlyDueFeedsMostOverdueFirst) {
  ASSERT_OK(schedule_->Schedule(1, kNow - minutes(1)));
  ASSERT_OK(schedule_->Schedule(2, kNow - minutes(10)));
  ASSERT_OK(schedule_->Schedule(3, kNow + minutes(1)));
  ASSERT_OK(schedule_->Schedule(4, kNow));
  Result<std::vector<int64_t>> due = schedule_->ClaimDue(kNow, 10, minutes(5));
  ASSERT_OK(due);
  EXPECT_THAT(*due, ElementsAre(2, 1, 4));
}

TEST_P(PollScheduleTest, ClaimDueTakesAtMostMax) {
  for (int64_t id = 1; id <= 5; ++id) ASSERT_OK(schedule_->Schedule(id, kNow - minutes(id)));
  Result<std::vector<int64_t>> due = schedule_->ClaimDue(kNow, 2, minutes(5));
  ASSERT_OK(due);
  EXPECT_THAT(*due, ElementsAre(5, 4));
}

TEST_P(PollScheduleTest, ClaimedFeedIsInvisibleUntilItsLeasePasses) {
  ASSERT_OK(schedule_->Schedule(7, kNow - minutes(1)));
  ASSERT_OK(schedule_->ClaimDue(kNow, 10, minutes(5)));
  Result<std::vector<int64_t>> again = schedule_->ClaimDue(kNow + minutes(4), 10, minutes(5));
  ASSERT_OK(again);
  EXPECT_THAT(*again, IsEmpty());
  Result<std::vector<int64_t>> after = schedule_->ClaimDue(kNow + minutes(5), 10, minutes(5));
  ASSERT_OK(after);
  EXPECT_THAT(*after, ElementsAre(7));
}

TEST_P(PollScheduleTest, ScheduleEndsTheLease) {
  ASSERT_OK(schedule_->Schedule(7, kNow - minutes(1)));
  ASSERT_OK(schedule_->ClaimDue(kNow, 10, minutes(60)));
  ASSERT_OK(schedule_->Schedule(7, kNow + minutes(1)));
  Result<std::vector<int64_t>> due = schedule_->ClaimDue(kNow + minutes(1), 10, minutes(60));
  ASSERT_OK(due);
  EXPECT_THAT(*due, ElementsAre(7));
}

TEST_P(PollScheduleTest, ScheduleManySetsEachFeedsTimeAndEndsTheirLeases) {
  ASSERT_OK(schedule_->Schedule(1, kNow - minutes(5)));
  ASSERT_OK(schedule_->Schedule(2, kNow - minutes(4)));
  Result<std::vector<int64_t>> claimed = schedule_->ClaimDue(kNow, 10, minutes(60));
  ASSERT_OK(claimed);
  ASSERT_EQ(claimed->size(), 2u);
  ASSERT_OK(schedule_->ScheduleMany({{.feed_id = 1, .when = kNow - minutes(1)},
                                     {.feed_id = 2, .when = kNow + minutes(1)},
                                     {.feed_id = 3, .when = kNow - minutes(2)}}));
  ASSERT_OK(schedule_->ScheduleMany({}));
  EXPECT_EQ(*schedule_->Size(), 3);
  // Feed 1's lease is over (due again), feed 2 is due in a minute, feed 3 is new.
  Result<std::vector<int64_t>> due = schedule_->ClaimDue(kNow, 10, minutes(60));
  ASSERT_OK(due);
  EXPECT_THAT(*due, ElementsAre(3, 1));
  Result<std::vector<int64_t>> later = schedule_->ClaimDue(kNow + minutes(1), 10, minutes(60));
  ASSERT_OK(later);
  EXPECT_THAT(*later, ElementsAre(2));
}

TEST_P(PollScheduleTest, AddMissingAddsOnlyNewFeedsAndKeepsLeases) {
  ASSERT_OK(schedule_->Schedule(1, kNow - minutes(5)));
  ASSERT_OK(schedule_->Schedule(2, kNow + minutes(30)));
  Result<std::vector<int64_t>> claimed = schedule_->ClaimDue(kNow, 10, minutes(60));
  ASSERT_OK(claimed);
  ASSERT_THAT(*claimed, ElementsAre(1));
  // Feed 1 is leased, feed 2 waits for its time; both are offered as due now, as the database
  // would after a restart. Only feed 3 is new.
  Result<size_t> added = schedule_->AddMissing({{.feed_id = 1, .when = kNow - minutes(9)},
                                                {.feed_id = 2, .when = kNow - minutes(9)},
                                                {.feed_id = 3, .when = kNow - minutes(1)}});
  ASSERT_OK(added);
  EXPECT_EQ(*added, 1u);
  Result<size_t> none = schedule_->AddMissing({});
  ASSERT_OK(none);
  EXPECT_EQ(*none, 0u);
  EXPECT_EQ(*schedule_->Size(), 3);
  Result<std::vector<int64_t>> due = schedule_->ClaimDue(kNow, 10, minutes(60));
  ASSERT_OK(due);
  EXPECT_THAT(*due, ElementsAre(3));
  Result<std::vector<int64_t>> later = schedule_->ClaimDue(kNow + minutes(30), 10, minutes(60));
  ASSERT_OK(later);
  EXPECT_THAT(*later, ElementsAre(2));
}

TEST_P(PollScheduleTest, RemoveSizeAndCountDue) {
  ASSERT_OK(schedule_->Schedule(1, kNow - minutes(1)));
  ASSERT_OK(schedule_->Schedule(2, kNow));
  ASSERT_OK(schedule_->Schedule(3, kNow + minutes(1)));
  ASSERT_OK(schedule_->Schedule(3, kNow + minutes(2)));  // Moves, does not add.
  Result<int64_t> size = schedule_->Size();
  ASSERT_OK(size);
  EXPECT_EQ(*size, 3);
  Result<int64_t> due = schedule_->CountDue(kNow);
  ASSERT_OK(due);
  EXPECT_EQ(*due, 2);
  ASSERT_OK(schedule_->Remove(1));
  ASSERT_OK(schedule_->Remove(99));  // Unknown: nothing to do.
  size = schedule_->Size();
  ASSERT_OK(size);
  EXPECT_EQ(*size, 2);
  Result<std::vector<int64_t>> claimed = schedule_->ClaimDue(kNow, 10, minutes(5));
  ASSERT_OK(claimed);
  EXPECT_THAT(*claimed, ElementsAre(2));
}

TEST_P(PollScheduleTest, ConcurrentClaimsNeverShareAFeed) {
  constexpr int kFeeds = 200;
  constexpr int kThreads = 4;
  for (int64_t id = 1; id <= kFeeds; ++id)
    ASSERT_OK(schedule_->Schedule(id, kNow - milliseconds(id)));
  std::vector<std::vector<int64_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (;;) {
        Result<std::vector<int64_t>> due = schedule_->ClaimDue(kNow, 3, minutes(5));
        if (!due.ok() || due->empty()) return;
        got[static_cast<size_t>(t)].insert(got[static_cast<size_t>(t)].end(), due->begin(),
                                           due->end());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::multiset<int64_t> all;
  for (const auto& g : got) all.insert(g.begin(), g.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kFeeds));
  EXPECT_EQ(std::set<int64_t>(all.begin(), all.end()).size(), static_cast<size_t>(kFeeds));
}

INSTANTIATE_TEST_SUITE_P(Implementations, PollScheduleTest,
                         ::testing::Values(Kind::kRedis, Kind::kMemory), KindName);

TEST(RedisPollScheduleTest, KeyPrefixMayHoldAnyBytes) {
  RedisTestServer server;
  Result<std::unique_ptr<RedisConnection>> c = RedisConnection::Open({.url = server.url()});
  ASSERT_OK(c);
  const std::string prefix("my app\n\0x:", 10);
  RedisPollSchedule schedule(**c, prefix);
  RedisPollSchedule other(**c, "fb:");
  ASSERT_OK(schedule.Schedule(5, kNow));
  Result<Reply> card = (*c)->Command({"ZCARD", prefix + "{fb}:schedule"});
  ASSERT_OK(card);
  EXPECT_EQ(card->integer, 1);
  Result<int64_t> other_size = other.Size();
  ASSERT_OK(other_size);
  EXPECT_EQ(*other_size, 0);
  Result<std::vector<int64_t>> due = schedule.ClaimDue(kNow, 10, minutes(1));
  ASSERT_OK(due);
  EXPECT_THAT(*due, ElementsAre(5));
}

TEST(RedisPollScheduleTest, ClaimWhileRedisIsDownIsUnavailableThenRecovers) {
  RedisTestServer server(RedisTestServer::Transport::kTcp);
  Result<std::unique_ptr<RedisConnection>> c =
      RedisConnection::Open({.url = server.url(), .connect_timeout = milliseconds(500)});
  ASSERT_OK(c);
  RedisPollSchedule schedule(**c, "fb:");
  ASSERT_OK(schedule.Schedule(5, kNow));
  server.Stop();
  EXPECT_THAT(schedule.ClaimDue(kNow, 10, minutes(1)), StatusIs(Status::Code::kUnavailable));
  ASSERT_OK(server.Start());
  Result<std::vector<int64_t>> due = schedule.ClaimDue(kNow, 10, minutes(1));
  ASSERT_OK(due);
  EXPECT_THAT(*due, ElementsAre(5));  // Kept by the append-only file.
}

}  // namespace
}  // namespace feedbridge::queue
