// MemoryPollSchedule shares the behaviour tests in redis_poll_schedule_test.cc
// (PollScheduleTest/Memory); this file holds what only the memory variant promises.

#include "queue/memory_poll_schedule.h"

#include <gtest/gtest.h>

#include "tests/support/status_matchers.h"

namespace feedbridge::queue {
namespace {

TEST(MemoryPollScheduleTest, ClaimDueWithMaxZeroTakesNothing) {
  MemoryPollSchedule schedule;
  const TimePoint now(std::chrono::seconds(1000));
  ASSERT_OK(schedule.Schedule(1, now));
  Result<std::vector<int64_t>> due = schedule.ClaimDue(now, 0, std::chrono::minutes(1));
  ASSERT_OK(due);
  EXPECT_TRUE(due->empty());
  Result<int64_t> count = schedule.CountDue(now);
  ASSERT_OK(count);
  EXPECT_EQ(*count, 1);
}

TEST(MemoryPollScheduleTest, EntriesShowDueTimesAndLeaseEnds) {
  MemoryPollSchedule schedule;
  const TimePoint now(std::chrono::seconds(1000));
  ASSERT_OK(schedule.Schedule(1, now));
  ASSERT_OK(schedule.Schedule(2, now + std::chrono::hours(1)));
  ASSERT_OK(schedule.ClaimDue(now, 10, std::chrono::minutes(5)));
  const std::map<int64_t, TimePoint> entries = schedule.Entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries.at(1), now + std::chrono::minutes(5));
  EXPECT_EQ(entries.at(2), now + std::chrono::hours(1));
}

}  // namespace
}  // namespace feedbridge::queue
