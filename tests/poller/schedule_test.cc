#include "poller/schedule.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace feedbridge::poller {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr TimePoint kNow = TimePoint(seconds(1'800'000'000));

// `count` entries spread evenly over the last week.
std::vector<TimePoint> EntriesInLastWeek(int count) {
  std::vector<TimePoint> out;
  for (int i = 0; i < count; ++i) {
    out.push_back(kNow - milliseconds(int64_t{7} * 24 * 3600 * 1000 * i / count));
  }
  return out;
}

struct Case {
  std::string name;
  ScheduleInput input;
  double unit;  // The jitter draw; 0.5 is no jitter.
  milliseconds expected_delay;
};

TEST(ScheduleTest, NextPollTime) {
  const ScheduleOptions options;  // 5 min .. 24 h, ±10 %, backoff 5 min .. 24 h.
  const std::vector<Case> cases = {
      {"no entries polls at interval_max", {}, 0.5, hours(24)},
      {"seven entries a week polls daily",
       {.recent_entries = EntriesInLastWeek(7)},
       0.5,
       hours(24)},
      {"fourteen entries a week polls twice a day",
       {.recent_entries = EntriesInLastWeek(14)},
       0.5,
       hours(12)},
      {"a thousand entries a week polls every 604.8 s",
       {.recent_entries = EntriesInLastWeek(1000)},
       0.5,
       milliseconds(604800)},
      {"ten thousand entries a week polls at interval_min",
       {.recent_entries = EntriesInLastWeek(10000)},
       0.5,
       minutes(5)},
      {"entries older than a week do not count",
       {.recent_entries = {kNow - hours(24 * 8), kNow - hours(24 * 30)}},
       0.5,
       hours(24)},
      {"ttl raises the interval",
       {.recent_entries = EntriesInLastWeek(1000), .ttl = minutes(60)},
       0.5,
       hours(1)},
      {"ttl below the rhythm changes nothing",
       {.recent_entries = EntriesInLastWeek(14), .ttl = minutes(60)},
       0.5,
       hours(12)},
      {"ttl above interval_max is capped", {.ttl = minutes(7 * 24 * 60)}, 0.5, hours(24)},
      {"not_before later than the interval wins exactly",
       {.recent_entries = EntriesInLastWeek(10000), .not_before = kNow + hours(2)},
       0.0,
       hours(2)},
      {"not_before earlier than the interval is ignored",
       {.recent_entries = EntriesInLastWeek(14), .not_before = kNow + minutes(1)},
       0.5,
       hours(12)},
      {"first failure waits error_backoff_min", {.consecutive_failures = 1}, 0.5, minutes(5)},
      {"second failure doubles", {.consecutive_failures = 2}, 0.5, minutes(10)},
      {"fifth failure is 16 times the minimum", {.consecutive_failures = 5}, 0.5, minutes(80)},
      {"backoff caps at error_backoff_max", {.consecutive_failures = 40}, 0.5, hours(24)},
      {"absurd failure counts still cap", {.consecutive_failures = 1 << 30}, 0.5, hours(24)},
      {"failures ignore the feed's rhythm",
       {.recent_entries = EntriesInLastWeek(10000), .consecutive_failures = 3},
       0.5,
       minutes(20)},
      {"retry-after during failures wins when later",
       {.not_before = kNow + hours(3), .consecutive_failures = 1},
       0.5,
       hours(3)},
      {"jitter low end is minus ten percent", {}, 0.0, minutes(24 * 60 * 9 / 10)},
      {"jitter high end approaches plus ten percent", {}, 0.999999, milliseconds(95039982)},
      {"jitter applies to backoff too", {.consecutive_failures = 1}, 0.0, seconds(270)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const TimePoint next = NextPollTime(c.input, options, kNow, c.unit);
    EXPECT_EQ(std::chrono::duration_cast<milliseconds>(next - kNow).count(),
              c.expected_delay.count());
  }
}

TEST(ScheduleTest, JitterStaysWithinTenPercent) {
  const ScheduleOptions options;
  const ScheduleInput input{.recent_entries = EntriesInLastWeek(7)};
  for (double unit = 0.0; unit < 1.0; unit += 0.01) {
    SCOPED_TRACE(unit);
    const auto delay = NextPollTime(input, options, kNow, unit) - kNow;
    EXPECT_GE(delay, milliseconds(hours(24)) * 9 / 10);
    EXPECT_LT(delay, milliseconds(hours(24)) * 11 / 10);
  }
}

TEST(ScheduleTest, OptionsAreHonoured) {
  ScheduleOptions options;
  options.interval_min = minutes(1);
  options.interval_max = hours(2);
  options.jitter = 0.0;
  EXPECT_EQ(NextPollTime({}, options, kNow, 0.9) - kNow, hours(2));
  EXPECT_EQ(NextPollTime({.recent_entries = EntriesInLastWeek(100000)}, options, kNow, 0.9) - kNow,
            minutes(1));
}

}  // namespace
}  // namespace feedbridge::poller
