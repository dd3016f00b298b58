#include "poller/schedule.h"

#include <algorithm>
#include <cmath>

namespace feedbridge::poller {
namespace {

using std::chrono::duration;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr seconds kWeek{7 * 24 * 3600};

// The rhythm of a healthy feed: one week / entries published in the last week, clamped, and at
// least its ttl. The ttl only counts up to interval_max, so a feed claiming a ttl of a year is
// still polled daily.
duration<double> HealthyInterval(const ScheduleInput& input, const ScheduleOptions& options,
                                 TimePoint now) {
  const TimePoint week_ago = now - kWeek;
  const auto recent = std::count_if(input.recent_entries.begin(), input.recent_entries.end(),
                                    [&](TimePoint t) { return t >= week_ago; });
  duration<double> interval = recent == 0 ? duration<double>(options.interval_max)
                                          : duration<double>(kWeek) / static_cast<double>(recent);
  if (input.ttl) interval = std::max(interval, duration<double>(*input.ttl));
  const double lo = static_cast<double>(options.interval_min.count());
  const double hi = std::max(lo, static_cast<double>(options.interval_max.count()));
  return duration<double>(std::clamp(interval.count(), lo, hi));
}

// error_backoff_min doubled per failure after the first, up to error_backoff_max.
duration<double> BackoffInterval(int failures, const ScheduleOptions& options) {
  const double cap = static_cast<double>(options.error_backoff_max.count());
  double interval = static_cast<double>(options.error_backoff_min.count());
  for (int i = 1; i < failures && interval < cap; ++i) interval *= 2;
  return duration<double>(std::min(interval, std::max(cap, 0.0)));
}

}  // namespace

TimePoint NextPollTime(const ScheduleInput& input, const ScheduleOptions& options, TimePoint now,
                       double unit) {
  const duration<double> base = input.consecutive_failures > 0
                                    ? BackoffInterval(input.consecutive_failures, options)
                                    : HealthyInterval(input, options, now);
  // Jitter spreads feeds that were added together (an import) so they do not all fall due in
  // the same second forever.
  const double u = std::clamp(unit, 0.0, 1.0);
  const double factor = 1.0 + options.jitter * (2.0 * u - 1.0);
  const auto jittered = std::chrono::duration_cast<milliseconds>(base * std::max(factor, 0.0));
  const TimePoint next = now + jittered;
  // The server's own word (Retry-After, max-age, Expires) is obeyed exactly, without jitter.
  if (input.not_before && *input.not_before > next) return *input.not_before;
  return next;
}

}  // namespace feedbridge::poller
