#include "publisher/delivery_policy.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <variant>

namespace feedbridge::publisher {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kStart{seconds(1'800'000'000)};
constexpr double kMid = 0.5;  // Jitter factor 1 on the exponential curve.
constexpr double kTop = 0.999999;

TEST(BackoffDelayTest, OmbScheduleDoublesFromOneMinuteToSixHours) {
  struct Case {
    int attempts;
    double draw;
    milliseconds want;
  };
  const Case cases[] = {
      {1, kMid, minutes(1)},
      {2, kMid, minutes(2)},
      {3, kMid, minutes(4)},
      {9, kMid, minutes(256)},
      {10, kMid, hours(6)},
      {1000, kMid, hours(6)},
      // Jitter spreads retries, but never below the first delay or above the cap.
      {1, 0.0, minutes(1)},
      {2, 0.0, seconds(96)},
      {2, 0.75, seconds(132)},
      {10, 0.0, seconds(17'280)},
      {10, kTop, hours(6)},
      {0, kMid, minutes(1)},  // Nonsense counts as the first.
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("attempts " + std::to_string(c.attempts) + " draw " + std::to_string(c.draw));
    EXPECT_EQ(BackoffDelay(OmbRetryPolicy(), c.attempts, c.draw), c.want);
  }
}

TEST(BackoffDelayTest, ActivityPubScheduleFollowsMastodonsCurve) {
  const RetryPolicy ap = ActivityPubRetryPolicy();
  EXPECT_EQ(BackoffDelay(ap, 1, 0.0), seconds(15));
  EXPECT_EQ(BackoffDelay(ap, 2, 0.0), seconds(16));
  EXPECT_EQ(BackoffDelay(ap, 2, kMid), seconds(26));  // 1 + 15 + 0.5 * 10 * 2.
  EXPECT_EQ(BackoffDelay(ap, 16, 0.0), seconds(50'640));
}

// Runs the policy as the engine would, every attempt failing, until it gives up.
struct FailedRun {
  int attempts = 0;
  TimePoint last_attempt;
  std::string reason;
};
FailedRun FailUntilBuried(const RetryPolicy& policy, double draw) {
  FailedRun run;
  TimePoint now = kStart;
  const AttemptResult failure{AttemptResult::Kind::kRetryLater, "HTTP 503"};
  for (int attempts = 1; attempts < 1000; ++attempts) {
    const Decision d = Decide(failure, policy, attempts, kStart, now, draw);
    if (const auto* bury = std::get_if<Bury>(&d)) {
      run = {attempts, now, bury->reason};
      return run;
    }
    now = std::get<RetryAt>(d).when;
  }
  return run;
}

TEST(DecideTest, OmbJobIsRetriedForThreeDaysThenBuried) {
  const FailedRun run = FailUntilBuried(OmbRetryPolicy(), kMid);
  // 1, 2, 4 ... 256 min (8.5 h), then every 6 h up to 3 days.
  EXPECT_EQ(run.attempts, 20);
  EXPECT_LE(run.last_attempt - kStart, hours(72));
  EXPECT_GT(run.last_attempt - kStart, hours(66));
  EXPECT_EQ(run.reason, "gave up after 20 attempts over 2d 20h: HTTP 503");
}

TEST(DecideTest, ActivityPubJobIsRetriedSixteenTimesOverAboutTwoDays) {
  const FailedRun run = FailUntilBuried(ActivityPubRetryPolicy(), kMid);
  EXPECT_EQ(run.attempts, 17);  // The first and 16 retries, as Mastodon's DeliveryWorker.
  EXPECT_GE(run.last_attempt - kStart, hours(48));
  EXPECT_LE(run.last_attempt - kStart, hours(72));
}

TEST(DecideTest, EachAnswerKindHasItsDecision) {
  const RetryPolicy omb = OmbRetryPolicy();
  const TimePoint now = kStart + minutes(10);
  {
    SCOPED_TRACE("delivered");
    const Decision d = Decide({AttemptResult::Kind::kDelivered}, omb, 1, kStart, now, kMid);
    EXPECT_TRUE(std::holds_alternative<Acknowledge>(d));
  }
  {
    SCOPED_TRACE("recipient gone");
    const Decision d =
        Decide({AttemptResult::Kind::kRecipientGone, "HTTP 403"}, omb, 1, kStart, now, kMid);
    ASSERT_TRUE(std::holds_alternative<DropRecipient>(d));
    EXPECT_EQ(std::get<DropRecipient>(d).reason, "HTTP 403");
  }
  {
    SCOPED_TRACE("give up");
    const Decision d =
        Decide({AttemptResult::Kind::kGiveUp, "HTTP 400: bad request"}, omb, 1, kStart, now, kMid);
    ASSERT_TRUE(std::holds_alternative<Bury>(d));
    EXPECT_EQ(std::get<Bury>(d).reason, "HTTP 400: bad request");
  }
  {
    SCOPED_TRACE("retry later");
    const Decision d =
        Decide({AttemptResult::Kind::kRetryLater, "timeout"}, omb, 2, kStart, now, kMid);
    ASSERT_TRUE(std::holds_alternative<RetryAt>(d));
    EXPECT_EQ(std::get<RetryAt>(d).when, now + minutes(2));
    EXPECT_EQ(std::get<RetryAt>(d).delay, minutes(2));
  }
}

TEST(DecideTest, RetryAfterIsHonouredWithinTheCap) {
  const RetryPolicy omb = OmbRetryPolicy();
  AttemptResult throttled{AttemptResult::Kind::kRetryLater, "HTTP 429"};
  throttled.retry_after = seconds(600);
  Decision d = Decide(throttled, omb, 1, kStart, kStart, kMid);
  ASSERT_TRUE(std::holds_alternative<RetryAt>(d));
  EXPECT_EQ(std::get<RetryAt>(d).delay, seconds(600));

  throttled.retry_after = seconds(5);  // Shorter than the backoff: the backoff wins.
  d = Decide(throttled, omb, 1, kStart, kStart, kMid);
  ASSERT_TRUE(std::holds_alternative<RetryAt>(d));
  EXPECT_EQ(std::get<RetryAt>(d).delay, minutes(1));

  throttled.retry_after = hours(24 * 30);  // A month: no more than our own cap.
  d = Decide(throttled, omb, 1, kStart, kStart, kMid);
  ASSERT_TRUE(std::holds_alternative<RetryAt>(d));
  EXPECT_EQ(std::get<RetryAt>(d).delay, hours(6));
}

TEST(DecideTest, RetryPastTheDeadlineIsBuriedWithTheLastFailure) {
  const TimePoint now = kStart + hours(71);
  const Decision d = Decide({AttemptResult::Kind::kRetryLater, "HTTP 502"}, OmbRetryPolicy(), 17,
                            kStart, now, kMid);
  ASSERT_TRUE(std::holds_alternative<Bury>(d));
  EXPECT_EQ(std::get<Bury>(d).reason, "gave up after 17 attempts over 2d 23h: HTTP 502");
}

TEST(DecideDeferredTest, DeferredJobWaitsForTheBreakerWithSpread) {
  const RetryPolicy omb = OmbRetryPolicy();
  const TimePoint open_until = kStart + seconds(40);
  Decision d = DecideDeferred(omb, kStart, open_until, kStart + seconds(10), 0.0);
  ASSERT_TRUE(std::holds_alternative<RetryAt>(d));
  EXPECT_EQ(std::get<RetryAt>(d).when, open_until);
  d = DecideDeferred(omb, kStart, open_until, kStart + seconds(10), kMid);
  ASSERT_TRUE(std::holds_alternative<RetryAt>(d));
  EXPECT_EQ(std::get<RetryAt>(d).when, open_until + seconds(15));
  // Past the deadline.
  d = DecideDeferred(omb, kStart, kStart + hours(73), kStart + hours(72), 0.0);
  ASSERT_TRUE(std::holds_alternative<Bury>(d));
  EXPECT_EQ(std::get<Bury>(d).reason, "gave up after 3d 0h: host unavailable (circuit open)");
}

}  // namespace
}  // namespace feedbridge::publisher
