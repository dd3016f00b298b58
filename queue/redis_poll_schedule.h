#pragma once

// PollSchedule on the Redis sorted set PREFIX{fb}:schedule: member = feed id in decimal,
// score = due time in ms since the epoch.

#include <chrono>
#include <string>
#include <vector>

#include "queue/poll_schedule.h"
#include "queue/redis_connection.h"

namespace feedbridge::queue {

// Thread-safe. `redis` must outlive this schedule.
class RedisPollSchedule final : public PollSchedule {
 public:
  // `prefix` starts every key ("fb:"); any bytes are allowed.
  RedisPollSchedule(RedisConnection& redis, std::string prefix);
  RedisPollSchedule(const RedisPollSchedule&) = delete;
  RedisPollSchedule& operator=(const RedisPollSchedule&) = delete;

  Status Schedule(int64_t feed_id, TimePoint when) override;
  Status ScheduleMany(const std::vector<ScheduledFeed>& feeds) override;        // One ZADD.
  Result<size_t> AddMissing(const std::vector<ScheduledFeed>& feeds) override;  // ZADD NX.
  Status Remove(int64_t feed_id) override;
  // One Lua script (ZRANGEBYSCORE + ZADD), so concurrent pollers never claim the same feed.
  Result<std::vector<int64_t>> ClaimDue(TimePoint now, size_t max,
                                        std::chrono::milliseconds lease) override;
  Result<int64_t> Size() override;
  Result<int64_t> CountDue(TimePoint now) override;

 private:
  std::vector<std::string> ZaddArgv(const std::vector<ScheduledFeed>& feeds, bool only_new) const;

  RedisConnection& redis_;
  const std::string key_;
};

}  // namespace feedbridge::queue
