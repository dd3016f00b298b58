#include "queue/memory_notice_queue.h"

#include "queue/notice_fields.h"

namespace feedbridge::queue {

namespace {

constexpr std::chrono::hours kEnqueueMemory{24 * 7};  // As RedisNoticeQueue::kEnqueueMemory.

}  // namespace

MemoryNoticeQueue::MemoryNoticeQueue(Clock& clock) : stream_(clock, kEnqueueMemory) {}

Status MemoryNoticeQueue::Enqueue(const NoticeMessage& message) {
  if (Status s = ValidateNoticeMessage(message); !s.ok()) return s;
  return stream_.Add(NoticeKey(message), NoticeFields(message));
}

Result<std::vector<ClaimedNotice>> MemoryNoticeQueue::Claim(std::string_view consumer, size_t max,
                                                            std::chrono::milliseconds block,
                                                            std::chrono::milliseconds stale_after) {
  Result<std::vector<StreamEntry>> entries = stream_.Claim(consumer, max, block, stale_after);
  if (!entries.ok()) return entries.status();
  std::vector<ClaimedNotice> out;
  for (StreamEntry& e : *entries) {
    // Only Enqueue adds to this stream: every entry is a notice.
    out.push_back(ClaimedNotice{
        std::move(e.id), NoticeFromFields(e.fields).value_or(NoticeMessage{}), e.deliveries});
  }
  return out;
}

Status MemoryNoticeQueue::Ack(const ClaimedNotice& notice) {
  return stream_.Ack(notice.message_id);
}

Status MemoryNoticeQueue::Retry(const ClaimedNotice& notice, std::chrono::milliseconds delay) {
  return stream_.Retry(NoticeEntry(notice), delay);
}

Status MemoryNoticeQueue::Bury(const ClaimedNotice& notice, std::string_view reason) {
  return stream_.Bury(NoticeEntry(notice), reason);
}

Result<size_t> MemoryNoticeQueue::RequeueDueRetries(size_t max) {
  return stream_.RequeueDueRetries(max);
}

Result<QueueStats> MemoryNoticeQueue::Stats() { return stream_.Stats(); }

Result<std::vector<DeadLetter>> MemoryNoticeQueue::ListDead(size_t max) {
  Result<std::vector<DeadStreamEntry>> dead = stream_.ListDead(max);
  if (!dead.ok()) return dead.status();
  return NoticeDeadLetters(std::move(dead).value());
}

}  // namespace feedbridge::queue
