#pragma once

// The deliveries queue in memory, for orchestration tests: RedisDeliveryQueue's semantics, with
// time from a Clock (stale claims, retry delays, the week of Enqueue dedup).

#include <chrono>
#include <memory>

#include "common/clock.h"
#include "queue/memory_stream_queue.h"
#include "queue/stream_delivery_queue.h"

namespace feedbridge::queue {

// Thread-safe. Claim's `block` waits in real time (only an Enqueue ends it early); pass 0 with a
// fake clock.
using MemoryDeliveryQueue = StreamDeliveryQueue<MemoryStreamQueue>;

// `clock` must outlive the queue.
inline std::unique_ptr<MemoryDeliveryQueue> MakeMemoryDeliveryQueue(Clock& clock) {
  return std::make_unique<MemoryDeliveryQueue>(
      clock, clock, std::chrono::milliseconds(MemoryDeliveryQueue::kEnqueueMemory));
}

}  // namespace feedbridge::queue
