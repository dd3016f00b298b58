#pragma once

// NoticeQueue on Redis: a RedisStreamQueue with stream PREFIX{fb}:notices and consumer group
// `publisher`, sorted set PREFIX{fb}:retry (score: due time in ms, server clock), stream
// PREFIX{fb}:dead, and markers PREFIX{fb}:enq:<notice_id> (PREFIX{fb}:enq:profile:<revision> for
// profile changes) that make Enqueue idempotent for a week.
// This class only converts notices to and from the stream's fields.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "queue/notice_queue.h"
#include "queue/queue_inspector.h"
#include "queue/redis_connection.h"
#include "queue/redis_stream_queue.h"

namespace feedbridge::queue {

// Thread-safe. `redis` must outlive this queue. Retry delays are measured with the Redis
// server's clock (TIME), the one clock every publisher process shares.
class RedisNoticeQueue final : public NoticeQueue, public QueueInspector {
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
  Result<QueueStats> Stats() override;
  Result<std::vector<DeadLetter>> ListDead(size_t max) override;

 private:
  RedisStreamQueue stream_;
};

}  // namespace feedbridge::queue
