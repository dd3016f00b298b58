#include "queue/redis_delivery_queue.h"

#include <chrono>

namespace feedbridge::queue {

StreamQueueKeys DeliveryQueueKeys(const std::string& prefix) {
  const std::string base = prefix + "{fb}:deliveries";
  return StreamQueueKeys{
      .stream = base,
      .group = std::string(kDeliveriesGroup),
      .retry = base + ":retry",
      .dead = base + ":dead",
      .added_prefix = base + ":added:",
  };
}

std::unique_ptr<RedisDeliveryQueue> MakeRedisDeliveryQueue(RedisConnection& redis,
                                                           const std::string& prefix,
                                                           Clock& clock) {
  return std::make_unique<RedisDeliveryQueue>(
      clock, redis, DeliveryQueueKeys(prefix),
      std::chrono::duration_cast<std::chrono::seconds>(RedisDeliveryQueue::kEnqueueMemory));
}

}  // namespace feedbridge::queue
