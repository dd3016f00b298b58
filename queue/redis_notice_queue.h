#pragma once

// NoticeQueue on Redis: stream PREFIX{fb}:notices with consumer group `publisher`, sorted set
// PREFIX{fb}:retry (score: due time in ms, server clock), stream PREFIX{fb}:dead, and markers
// PREFIX{fb}:enq:<notice_id> that make Enqueue idempotent for a week.

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "queue/notice_queue.h"
#include "queue/redis_connection.h"

namespace feedbridge::queue {

// Thread-safe. `redis` must outlive this queue. Retry delays are measured with the Redis
// server's clock (TIME), the one clock every publisher process shares.
class RedisNoticeQueue final : public NoticeQueue {
 public:
  static constexpr std::string_view kGroup = "publisher";
  static constexpr std::chrono::seconds kEnqueueMemory{604800};  // Enqueue dedup: one week.

  // `prefix` starts every key ("fb:"); any bytes are allowed.
  RedisNoticeQueue(RedisConnection& redis, std::string prefix);
  RedisNoticeQueue(const RedisNoticeQueue&) = delete;
  RedisNoticeQueue& operator=(const RedisNoticeQueue&) = delete;

  Status Enqueue(const NoticeMessage& message) override;
  // Also moves due retries back onto the stream first (RequeueDueRetries). `deliveries` counts
  // every claim of the notice, across retries. A `block` of 0 does not wait.
  Result<std::vector<ClaimedNotice>> Claim(std::string_view consumer, size_t max,
                                           std::chrono::milliseconds block,
                                           std::chrono::milliseconds stale_after) override;
  // Ack, Retry and Bury do nothing (and succeed) when the message is no longer pending: it was
  // acknowledged already, e.g. by a consumer that reclaimed it.
  Status Ack(const ClaimedNotice& notice) override;
  Status Retry(const ClaimedNotice& notice, std::chrono::milliseconds delay) override;
  Status Bury(const ClaimedNotice& notice, std::string_view reason) override;

  // Moves up to `max` retries whose time has come back onto the stream; returns how many.
  Result<size_t> RequeueDueRetries(size_t max);
  Result<QueueStats> Stats();
  // The newest `max` dead letters, newest first.
  Result<std::vector<DeadLetter>> ListDead(size_t max);

 private:
  Status EnsureGroup();
  Result<std::vector<ClaimedNotice>> ClaimOnce(std::string_view consumer, size_t max,
                                               std::chrono::milliseconds block,
                                               std::chrono::milliseconds stale_after);

  RedisConnection& redis_;
  const std::string stream_key_;
  const std::string retry_key_;
  const std::string dead_key_;
  const std::string enqueued_prefix_;
  std::atomic<bool> group_ready_{false};  // XGROUP CREATE done (reset on NOGROUP).
};

}  // namespace feedbridge::queue
