#include "common/deadline_watch.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace feedbridge {
namespace {

using std::chrono::steady_clock;
using namespace std::chrono_literals;

// Counts the runs of an action and lets a test wait for the first one.
class Counter {
 public:
  DeadlineWatch::Action Action() {
    return [this] {
      std::lock_guard lock(mu_);
      ++runs_;
      ran_.notify_all();
    };
  }
  // True once the action ran, false if it has not within `limit` (a bound, never a target).
  bool WaitForRun(std::chrono::milliseconds limit) {
    std::unique_lock lock(mu_);
    return ran_.wait_for(lock, limit, [this] { return runs_ > 0; });
  }
  int runs() {
    std::lock_guard lock(mu_);
    return runs_;
  }

 private:
  std::mutex mu_;
  std::condition_variable ran_;
  int runs_ = 0;
};

TEST(DeadlineWatchTest, DeadlineRunsTheActionOnce) {
  DeadlineWatch watch;
  Counter counter;
  const uint64_t ticket = watch.Arm(steady_clock::now() + 20ms, counter.Action());
  EXPECT_NE(ticket, 0u);
  ASSERT_TRUE(counter.WaitForRun(10s));
  // A later deadline wakes the thread again; the fired entry must not run a second time.
  Counter other;
  const uint64_t later = watch.Arm(steady_clock::now(), other.Action());
  ASSERT_TRUE(other.WaitForRun(10s));
  EXPECT_EQ(counter.runs(), 1);
  EXPECT_TRUE(watch.Disarm(ticket));
  EXPECT_TRUE(watch.Disarm(later));
  EXPECT_FALSE(watch.Disarm(ticket));  // Already forgotten.
  EXPECT_EQ(watch.size(), 0u);
}

TEST(DeadlineWatchTest, PastDeadlineRunsAtOnce) {
  DeadlineWatch watch;
  Counter counter;
  const uint64_t ticket = watch.Arm(steady_clock::now() - 1s, counter.Action());
  ASSERT_TRUE(counter.WaitForRun(10s));
  EXPECT_TRUE(watch.Disarm(ticket));
}

TEST(DeadlineWatchTest, DisarmBeforeTheDeadlinePreventsTheAction) {
  DeadlineWatch watch;
  Counter cancelled;
  Counter kept;
  const uint64_t ticket = watch.Arm(steady_clock::now() + 200ms, cancelled.Action());
  EXPECT_FALSE(watch.Disarm(ticket));
  // An entry due after the cancelled one's deadline: once it has run, the cancelled one would
  // have run too had Disarm not removed it.
  const uint64_t after = watch.Arm(steady_clock::now() + 400ms, kept.Action());
  ASSERT_TRUE(kept.WaitForRun(10s));
  EXPECT_EQ(cancelled.runs(), 0);
  EXPECT_TRUE(watch.Disarm(after));
}

TEST(DeadlineWatchTest, EarlierDeadlineIsMetWhileALaterOneWaits) {
  DeadlineWatch watch;
  Counter late;
  Counter early;
  const uint64_t late_ticket = watch.Arm(steady_clock::now() + 1h, late.Action());
  const uint64_t early_ticket = watch.Arm(steady_clock::now() + 10ms, early.Action());
  ASSERT_TRUE(early.WaitForRun(10s));
  EXPECT_EQ(late.runs(), 0);
  EXPECT_FALSE(watch.Disarm(late_ticket));
  EXPECT_TRUE(watch.Disarm(early_ticket));
}

TEST(DeadlineWatchTest, DisarmOfNoTicketIsFalse) {
  DeadlineWatch watch;
  EXPECT_FALSE(watch.Disarm(0));
  EXPECT_FALSE(watch.Disarm(12345));
}

TEST(DeadlineWatchTest, DestructionWithPendingEntriesIsSafeAndRunsNothing) {
  Counter counter;
  {
    DeadlineWatch watch;
    for (int i = 0; i < 100; ++i) watch.Arm(steady_clock::now() + 1h, counter.Action());
    EXPECT_EQ(watch.size(), 100u);
  }  // Destroyed with every entry armed: the thread stops, the actions are dropped.
  EXPECT_EQ(counter.runs(), 0);
}

TEST(DeadlineWatchTest, ConcurrentArmAndDisarmFromManyThreads) {
  DeadlineWatch watch;
  std::atomic<int> runs{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        // Half already due, half far away: both paths race with the watcher.
        const auto deadline = steady_clock::now() + (i % 2 == 0 ? -1ms : 1h);
        const uint64_t ticket = watch.Arm(deadline, [&runs] { runs.fetch_add(1); });
        const bool fired = watch.Disarm(ticket);
        if (i % 2 == 1) {
          EXPECT_FALSE(fired);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(watch.size(), 0u);
  EXPECT_LE(runs.load(), 2000);
}

}  // namespace
}  // namespace feedbridge
