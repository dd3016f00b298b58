#pragma once

// The stream-queue mechanism in memory, for orchestration tests: the semantics of
// RedisStreamQueue, with time from a Clock (stale claims, retry delays, the idempotency window).
// Typed queues (MemoryNoticeQueue, the coming deliveries queue) convert their messages to and
// from fields.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "queue/notice_queue.h"
#include "queue/stream_queue.h"

namespace feedbridge::queue {

// Thread-safe. `clock` must outlive this queue. Claim's `block` waits in real time (only an Add
// ends it early); pass 0 with a fake clock.
class MemoryStreamQueue {
 public:
  // Adding the same idempotency key again within `add_memory` adds nothing.
  MemoryStreamQueue(Clock& clock, std::chrono::milliseconds add_memory);
  MemoryStreamQueue(const MemoryStreamQueue&) = delete;
  MemoryStreamQueue& operator=(const MemoryStreamQueue&) = delete;

  // As RedisStreamQueue's.
  Status Add(std::string_view idempotency_key, const Fields& fields);
  Status AddAll(std::span<const NewStreamMessage> messages);
  Result<std::vector<StreamEntry>> Claim(std::string_view consumer, size_t max,
                                         std::chrono::milliseconds block,
                                         std::chrono::milliseconds stale_after);
  // Ack, Retry and Bury do nothing (and succeed) when the entry is no longer pending.
  Status Ack(std::string_view id);
  Status AckAll(std::span<const std::string> ids);
  Status Retry(const StreamEntry& entry, std::chrono::milliseconds delay);
  Status Bury(const StreamEntry& entry, std::string_view reason);
  Result<size_t> RequeueDueRetries(size_t max);
  Result<QueueStats> Stats();
  Result<std::vector<DeadStreamEntry>> ListDead(size_t max);
  Result<std::optional<DeadStreamEntry>> GetDead(std::string_view id);
  Result<bool> ReviveDead(std::string_view id, const Fields& fields);
  Result<bool> DropDead(std::string_view id);

 private:
  struct Entry {
    Fields fields;
    int prior = 0;      // Deliveries before the last Retry.
    int delivered = 0;  // Claims of this entry; 0: new.
    TimePoint claimed_at;
  };
  struct Waiting {
    Fields fields;
    int prior = 0;
  };

  size_t RequeueLocked(size_t max);
  void AddLocked(Fields fields, int prior);
  // The pending entry `id` names, or stream_.end().
  std::map<uint64_t, Entry>::iterator FindPendingLocked(std::string_view id);

  Clock& clock_;
  const std::chrono::milliseconds add_memory_;
  std::mutex mu_;
  std::condition_variable added_;
  uint64_t next_id_ = 1;              // Guarded by mu_.
  uint64_t next_dead_id_ = 1;         // Dead-letter ids are never reused. Guarded by mu_.
  std::map<uint64_t, Entry> stream_;  // By entry id. Guarded by mu_.
  std::map<std::string, TimePoint, std::less<>>
      added_until_;                             // Key -> dedup until. Guarded by mu_.
  std::multimap<TimePoint, Waiting> retrying_;  // By due time. Guarded by mu_.
  std::vector<DeadStreamEntry> dead_;           // Oldest first. Guarded by mu_.
};

}  // namespace feedbridge::queue
