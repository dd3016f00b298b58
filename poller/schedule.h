#pragma once

// When to poll a feed next: a pure function of its rhythm and of the last fetch (DESIGN.md
// "Scheduling"). No I/O, no clock: `now` and the jitter draw are passed in.

#include <chrono>
#include <optional>
#include <vector>

#include "common/clock.h"

namespace feedbridge::poller {

struct ScheduleOptions {
  std::chrono::seconds interval_min{300};
  std::chrono::seconds interval_max{86400};
  double jitter = 0.10;  // ±10 %.
  std::chrono::seconds error_backoff_min{300};
  std::chrono::seconds error_backoff_max{86400};
};

struct ScheduleInput {
  // Publication times of the feed's entries seen in the last week (any order).
  std::vector<TimePoint> recent_entries;
  std::optional<std::chrono::minutes> ttl;  // RSS <ttl>.
  std::optional<TimePoint> not_before;      // Retry-After, Cache-Control max-age, Expires.
  int consecutive_failures = 0;             // After this poll; 0 when it succeeded.
};

// now + interval, where interval is one week / entries in the last week, clamped to
// [interval_min, interval_max], at least the feed's ttl, and jittered by ±jitter (`unit` is a
// uniform draw in [0, 1)). After failures: exponential backoff from error_backoff_min. Never
// earlier than not_before (a 429/503's Retry-After is obeyed exactly, without jitter).
TimePoint NextPollTime(const ScheduleInput& input, const ScheduleOptions& options, TimePoint now,
                       double unit);

}  // namespace feedbridge::poller
