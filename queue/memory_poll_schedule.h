#pragma once

// PollSchedule in memory, for orchestration tests: the same semantics as RedisPollSchedule.

#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "queue/poll_schedule.h"

namespace feedbridge::queue {

// Thread-safe.
class MemoryPollSchedule final : public PollSchedule {
 public:
  MemoryPollSchedule() = default;
  MemoryPollSchedule(const MemoryPollSchedule&) = delete;
  MemoryPollSchedule& operator=(const MemoryPollSchedule&) = delete;

  Status Schedule(int64_t feed_id, TimePoint when) override;
  Result<size_t> AddMissing(const std::vector<ScheduledFeed>& feeds) override;
  Status Remove(int64_t feed_id) override;
  Result<std::vector<int64_t>> ClaimDue(TimePoint now, size_t max,
                                        std::chrono::milliseconds lease) override;
  Result<int64_t> Size() override;
  Result<int64_t> CountDue(TimePoint now) override;

  // Every scheduled feed and its due time (a claimed one: the end of its lease).
  std::map<int64_t, TimePoint> Entries() const;

 private:
  void SetLocked(int64_t feed_id, TimePoint when);

  mutable std::mutex mu_;
  std::map<int64_t, TimePoint> due_;               // Guarded by mu_.
  std::set<std::pair<TimePoint, int64_t>> order_;  // (due, feed), the sorted set. Guarded by mu_.
};

}  // namespace feedbridge::queue
