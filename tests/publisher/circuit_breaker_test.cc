#include "publisher/circuit_breaker.h"

#include <gtest/gtest.h>

#include <chrono>

namespace feedbridge::publisher {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using Phase = BreakerState::Phase;

const TimePoint kStart{seconds(1'800'000'000)};
const BreakerOptions kOptions;  // 5 failures; open 30 s, doubling to 30 min; probe lost at 2 min.

BreakerState FailTimes(BreakerState s, int n, TimePoint now) {
  for (int i = 0; i < n; ++i) s = Record(s, true, now, kOptions);
  return s;
}

TEST(CircuitBreakerTest, FiveFailuresInARowOpenIt) {
  BreakerState s = FailTimes({}, 4, kStart);
  EXPECT_EQ(s.phase, Phase::kClosed);
  EXPECT_EQ(Admit(s, kStart, kOptions).admission, Admission::kSend);
  s = Record(s, true, kStart, kOptions);
  EXPECT_EQ(s.phase, Phase::kOpen);
  EXPECT_EQ(s.open_until, kStart + seconds(30));
  EXPECT_EQ(Admit(s, kStart + seconds(29), kOptions).admission, Admission::kDefer);
  EXPECT_EQ(RetryAfter(s, kOptions), kStart + seconds(30));
}

TEST(CircuitBreakerTest, ASuccessStartsTheCountOver) {
  BreakerState s = FailTimes({}, 4, kStart);
  s = Record(s, false, kStart, kOptions);
  s = FailTimes(s, 4, kStart);
  EXPECT_EQ(s.phase, Phase::kClosed);
  EXPECT_EQ(s.consecutive_failures, 4);
}

TEST(CircuitBreakerTest, OneProbeGoesWhenTheOpenPeriodEnds) {
  const BreakerState open = FailTimes({}, 5, kStart);
  const TimePoint later = kStart + seconds(30);
  const Admitted probe = Admit(open, later, kOptions);
  EXPECT_EQ(probe.admission, Admission::kProbe);
  EXPECT_EQ(probe.state.phase, Phase::kHalfOpen);
  // While the probe is out, nothing else goes.
  EXPECT_EQ(Admit(probe.state, later + seconds(1), kOptions).admission, Admission::kDefer);
  EXPECT_EQ(RetryAfter(probe.state, kOptions), later + minutes(2));
  // Its success closes the breaker.
  const BreakerState closed = Record(probe.state, false, later + seconds(1), kOptions);
  EXPECT_EQ(closed, BreakerState{});
  EXPECT_EQ(Admit(closed, later + seconds(1), kOptions).admission, Admission::kSend);
}

TEST(CircuitBreakerTest, FailedProbeOpensItForTwiceAsLongUpToTheCap) {
  BreakerState s = FailTimes({}, 5, kStart);
  TimePoint now = kStart;
  const seconds want[] = {seconds(60),  seconds(120),  seconds(240), seconds(480),
                          seconds(960), seconds(1800), seconds(1800)};
  for (const seconds w : want) {
    now = s.open_until;
    const Admitted probe = Admit(s, now, kOptions);
    ASSERT_EQ(probe.admission, Admission::kProbe);
    s = Record(probe.state, true, now, kOptions);
    EXPECT_EQ(s.phase, Phase::kOpen);
    EXPECT_EQ(s.open_until - now, w);
  }
}

TEST(CircuitBreakerTest, LateFailuresWhileOpenDoNotExtendIt) {
  const BreakerState open = FailTimes({}, 5, kStart);
  // Requests sent before it opened report back afterwards.
  const BreakerState after = FailTimes(open, 3, kStart + seconds(10));
  EXPECT_EQ(after, open);
}

TEST(CircuitBreakerTest, ALostProbeIsReplacedAfterItsTimeout) {
  const BreakerState open = FailTimes({}, 5, kStart);
  const Admitted probe = Admit(open, kStart + seconds(30), kOptions);
  ASSERT_EQ(probe.admission, Admission::kProbe);
  EXPECT_EQ(Admit(probe.state, kStart + seconds(149), kOptions).admission, Admission::kDefer);
  EXPECT_EQ(Admit(probe.state, kStart + seconds(150), kOptions).admission, Admission::kProbe);
}

}  // namespace
}  // namespace feedbridge::publisher
