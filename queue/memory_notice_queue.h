#pragma once

// NoticeQueue in memory, for orchestration tests: the same semantics as RedisNoticeQueue, with
// time from a Clock (stale claims, retry delays, the week of Enqueue dedup). A thin typed layer
// over MemoryStreamQueue, as RedisNoticeQueue is over RedisStreamQueue.

#include <string>
#include <vector>

#include "common/clock.h"
#include "queue/memory_stream_queue.h"
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
  MemoryStreamQueue stream_;
};

}  // namespace feedbridge::queue
