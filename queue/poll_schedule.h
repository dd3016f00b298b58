#pragma once

// When each feed is polled next (Redis sorted set `schedule`: feed id -> due time). Many poller
// processes share it: a claimed feed is leased, so no two poll it at once, and the most overdue
// feeds are claimed first, so none starves.

#include <chrono>
#include <cstdint>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace feedbridge::queue {

struct ScheduledFeed {
  int64_t feed_id = 0;
  TimePoint when;
};

// Thread-safe.
class PollSchedule {
 public:
  virtual ~PollSchedule() = default;
  // Sets (or moves) the feed's next poll time. Also ends its lease.
  virtual Status Schedule(int64_t feed_id, TimePoint when) = 0;
  // Schedule for several feeds; on Redis one round trip. The default calls Schedule for each.
  virtual Status ScheduleMany(const std::vector<ScheduledFeed>& feeds);
  // Puts on the schedule those of `feeds` that are not on it yet; a feed already there, due or
  // leased, keeps its time (so re-seeding the schedule from the database never ends a lease
  // another poller holds). Returns how many were added. On Redis one round trip.
  virtual Result<size_t> AddMissing(const std::vector<ScheduledFeed>& feeds) = 0;
  virtual Status Remove(int64_t feed_id) = 0;
  // Atomically takes up to `max` feeds due at `now` (most overdue first) and moves each to
  // now + lease, so no other poller sees it until the lease runs out (its poller died) or
  // Schedule() sets its next time.
  virtual Result<std::vector<int64_t>> ClaimDue(TimePoint now, size_t max,
                                                std::chrono::milliseconds lease) = 0;
  // Number of scheduled feeds.
  virtual Result<int64_t> Size() = 0;
  // Number of feeds due at `now` (the backlog).
  virtual Result<int64_t> CountDue(TimePoint now) = 0;
};

}  // namespace feedbridge::queue
