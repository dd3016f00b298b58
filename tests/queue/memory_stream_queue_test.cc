// MemoryStreamQueue with a message type of its own (a delivery job), on a fake clock.

#include "queue/memory_stream_queue.h"

#include <gtest/gtest.h>

#include "tests/support/fake_clock.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::queue {
namespace {

using ::feedbridge::testing::FakeClock;
using std::chrono::milliseconds;
using ::testing::SizeIs;

const Fields kJob = {{"notice_id", "7"}, {"endpoint", "https://ex.org/omb"}};

TEST(MemoryStreamQueueTest, RetriedJobComesBackWithItsFieldsOnTheFakeClock) {
  FakeClock clock;
  MemoryStreamQueue q(clock, std::chrono::hours(1));
  ASSERT_OK(q.Add("7 https://ex.org/omb", kJob));
  Result<std::vector<StreamEntry>> got = q.Claim("a", 10, milliseconds(0), std::chrono::hours(1));
  ASSERT_OK(got);
  ASSERT_THAT(*got, SizeIs(1));
  EXPECT_EQ((*got)[0].fields, kJob);
  ASSERT_OK(q.Retry((*got)[0], std::chrono::minutes(1)));
  got = q.Claim("a", 10, milliseconds(0), std::chrono::hours(1));
  ASSERT_OK(got);
  EXPECT_TRUE(got->empty());
  clock.Advance(std::chrono::minutes(1));
  got = q.Claim("a", 10, milliseconds(0), std::chrono::hours(1));
  ASSERT_OK(got);
  ASSERT_THAT(*got, SizeIs(1));
  EXPECT_EQ((*got)[0].fields, kJob);
  EXPECT_EQ((*got)[0].deliveries, 2);
}

TEST(MemoryStreamQueueTest, SameKeyAddsAgainOnlyAfterTheWindow) {
  FakeClock clock;
  MemoryStreamQueue q(clock, std::chrono::hours(1));
  ASSERT_OK(q.Add("k", kJob));
  ASSERT_OK(q.Add("k", kJob));
  ASSERT_OK(q.Add("other", kJob));
  Result<QueueStats> stats = q.Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->length, 2);
  clock.Advance(std::chrono::hours(1));
  ASSERT_OK(q.Add("k", kJob));
  stats = q.Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->length, 3);
}

TEST(MemoryStreamQueueTest, BuriedJobListsItsFieldsAndReason) {
  FakeClock clock;
  MemoryStreamQueue q(clock, std::chrono::hours(1));
  ASSERT_OK(q.Add("k", kJob));
  Result<std::vector<StreamEntry>> got = q.Claim("a", 10, milliseconds(0), std::chrono::hours(1));
  ASSERT_OK(got);
  ASSERT_THAT(*got, SizeIs(1));
  ASSERT_OK(q.Bury((*got)[0], "HTTP 403"));
  Result<std::vector<DeadStreamEntry>> dead = q.ListDead(10);
  ASSERT_OK(dead);
  ASSERT_THAT(*dead, SizeIs(1));
  EXPECT_EQ(FieldValue((*dead)[0].fields, "endpoint"), "https://ex.org/omb");
  EXPECT_EQ((*dead)[0].reason, "HTTP 403");
  EXPECT_EQ((*dead)[0].deliveries, 1);
}

}  // namespace
}  // namespace feedbridge::queue
