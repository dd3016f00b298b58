#pragma once

// NoticeQueue in memory, for orchestration tests: the same semantics as RedisNoticeQueue, with
// time from a Clock (stale claims, retry delays, the week of Enqueue dedup).

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "queue/notice_queue.h"
#include "queue/queue_inspector.h"

namespace feedbridge::queue {

// Thread-safe. `clock` must outlive this queue. Claim's `block` waits in real time (only an
// Enqueue ends it early); pass 0 with a fake clock.
class MemoryNoticeQueue final : public NoticeQueue, public QueueInspector {
 public:
  explicit MemoryNoticeQueue(Clock& clock);
  MemoryNoticeQueue(const MemoryNoticeQueue&) = delete;
  MemoryNoticeQueue& operator=(const MemoryNoticeQueue&) = delete;

  Status Enqueue(const NoticeMessage& message) override;
  Result<std::vector<ClaimedNotice>> Claim(std::string_view consumer, size_t max,
                                           std::chrono::milliseconds block,
                                           std::chrono::milliseconds stale_after) override;
  // Ack, Retry and Bury do nothing (and succeed) when the message is no longer pending.
  Status Ack(const ClaimedNotice& notice) override;
  Status Retry(const ClaimedNotice& notice, std::chrono::milliseconds delay) override;
  Status Bury(const ClaimedNotice& notice, std::string_view reason) override;

  // As RedisNoticeQueue's.
  Result<size_t> RequeueDueRetries(size_t max);
  Result<QueueStats> Stats() override;
  Result<std::vector<DeadLetter>> ListDead(size_t max) override;

 private:
  struct Entry {
    NoticeMessage notice;
    int prior = 0;      // Deliveries before the last Retry.
    int delivered = 0;  // Claims of this entry; 0: new.
    TimePoint claimed_at;
  };
  struct Waiting {
    NoticeMessage notice;
    int prior = 0;
  };

  size_t RequeueLocked(size_t max);
  void AddLocked(const NoticeMessage& notice, int prior);
  // The pending entry `message_id` names, or stream_.end().
  std::map<uint64_t, Entry>::iterator FindPendingLocked(const std::string& message_id);

  Clock& clock_;
  std::mutex mu_;
  std::condition_variable added_;
  uint64_t next_id_ = 1;                        // Guarded by mu_.
  std::map<uint64_t, Entry> stream_;            // By entry id. Guarded by mu_.
  std::map<int64_t, TimePoint> enqueued_;       // notice_id -> dedup until. Guarded by mu_.
  std::multimap<TimePoint, Waiting> retrying_;  // By due time. Guarded by mu_.
  std::vector<DeadLetter> dead_;                // Oldest first. Guarded by mu_.
};

}  // namespace feedbridge::queue
