#pragma once

// The deliveries queue on Redis: a RedisStreamQueue with stream PREFIX{fb}:deliveries and
// consumer group `deliverer`, sorted set PREFIX{fb}:deliveries:retry (score: due time in ms,
// server clock), stream PREFIX{fb}:deliveries:dead and markers PREFIX{fb}:deliveries:added:<key>
// that make Enqueue idempotent for a week.
//
// DESIGN.md names one `retry` set and one `dead` stream; the notices queue already owns
// PREFIX{fb}:retry and PREFIX{fb}:dead, and a retry set cannot be shared by two streams (a due
// member goes back to one stream), so the deliveries have their own.

#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "queue/redis_connection.h"
#include "queue/redis_stream_queue.h"
#include "queue/stream_delivery_queue.h"

namespace feedbridge::queue {

// Thread-safe. Retry delays are measured with the Redis server's clock (TIME), the one clock
// every publisher process shares.
using RedisDeliveryQueue = StreamDeliveryQueue<RedisStreamQueue>;

inline constexpr std::string_view kDeliveriesGroup = "deliverer";

// The keys of the deliveries queue under `prefix` ("fb:"; any bytes).
StreamQueueKeys DeliveryQueueKeys(const std::string& prefix);

// `redis` and `clock` (used only to restart a revived job's retry deadline) must outlive it.
std::unique_ptr<RedisDeliveryQueue> MakeRedisDeliveryQueue(RedisConnection& redis,
                                                           const std::string& prefix, Clock& clock);

}  // namespace feedbridge::queue
