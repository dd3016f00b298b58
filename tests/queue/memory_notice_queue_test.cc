// MemoryNoticeQueue shares the behaviour tests in redis_notice_queue_test.cc
// (NoticeQueueTest/Memory); this file holds what needs its fake clock.

#include "queue/memory_notice_queue.h"

#include <gtest/gtest.h>

#include "tests/support/fake_clock.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::queue {
namespace {

using ::feedbridge::testing::FakeClock;
using std::chrono::milliseconds;

TEST(MemoryNoticeQueueTest, EnqueueDedupLastsAWeek) {
  FakeClock clock;
  MemoryNoticeQueue queue(clock);
  ASSERT_OK(queue.Enqueue({.notice_id = 1}));
  Result<std::vector<ClaimedNotice>> got = queue.Claim("a", 10, milliseconds(0), milliseconds(0));
  ASSERT_OK(got);
  ASSERT_EQ(got->size(), 1u);
  ASSERT_OK(queue.Ack((*got)[0]));
  clock.Advance(std::chrono::hours(24 * 7 - 1));
  ASSERT_OK(queue.Enqueue({.notice_id = 1}));
  Result<QueueStats> stats = queue.Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->length, 0);
  clock.Advance(std::chrono::hours(1));
  ASSERT_OK(queue.Enqueue({.notice_id = 1}));
  stats = queue.Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->length, 1);
}

TEST(MemoryNoticeQueueTest, RetryWaitsForTheFakeClock) {
  FakeClock clock;
  MemoryNoticeQueue queue(clock);
  ASSERT_OK(queue.Enqueue({.notice_id = 1}));
  Result<std::vector<ClaimedNotice>> got =
      queue.Claim("a", 10, milliseconds(0), std::chrono::hours(1));
  ASSERT_OK(got);
  ASSERT_EQ(got->size(), 1u);
  ASSERT_OK(queue.Retry((*got)[0], std::chrono::hours(6)));
  clock.Advance(std::chrono::hours(6) - milliseconds(1));
  Result<size_t> moved = queue.RequeueDueRetries(10);
  ASSERT_OK(moved);
  EXPECT_EQ(*moved, 0u);
  clock.Advance(milliseconds(1));
  moved = queue.RequeueDueRetries(10);
  ASSERT_OK(moved);
  EXPECT_EQ(*moved, 1u);
}

}  // namespace
}  // namespace feedbridge::queue
