#include "queue/redis_notice_queue.h"

#include <optional>

#include "queue/notice_fields.h"

namespace feedbridge::queue {

RedisNoticeQueue::RedisNoticeQueue(RedisConnection& redis, std::string prefix)
    : stream_(redis,
              StreamQueueKeys{
                  .stream = prefix + "{fb}:notices",
                  .group = std::string(kGroup),
                  .retry = prefix + "{fb}:retry",
                  .dead = prefix + "{fb}:dead",
                  .added_prefix = prefix + "{fb}:enq:",
              },
              kEnqueueMemory) {}

Status RedisNoticeQueue::Enqueue(const NoticeMessage& message) {
  if (Status s = ValidateNoticeMessage(message); !s.ok()) return s;
  return stream_.Add(NoticeKey(message), NoticeFields(message));
}

Result<std::vector<ClaimedNotice>> RedisNoticeQueue::Claim(std::string_view consumer, size_t max,
                                                           std::chrono::milliseconds block,
                                                           std::chrono::milliseconds stale_after) {
  Result<std::vector<StreamEntry>> entries = stream_.Claim(consumer, max, block, stale_after);
  if (!entries.ok()) return entries.status();
  std::vector<ClaimedNotice> out;
  for (StreamEntry& e : *entries) {
    if (std::optional<NoticeMessage> notice = NoticeFromFields(e.fields)) {
      out.push_back(ClaimedNotice{std::move(e.id), *notice, e.deliveries});
      continue;
    }
    // Entries we did not write (no notice_id): keep them visible to operators, out of the way.
    const StreamEntry malformed{e.id, {{"notice_id", ""}, {"account_id", ""}}, 0};
    if (Status s = stream_.Bury(malformed, "queue: malformed stream entry"); !s.ok()) return s;
  }
  return out;
}

Status RedisNoticeQueue::Ack(const ClaimedNotice& notice) { return stream_.Ack(notice.message_id); }

Status RedisNoticeQueue::Retry(const ClaimedNotice& notice, std::chrono::milliseconds delay) {
  return stream_.Retry(NoticeEntry(notice), delay);
}

Status RedisNoticeQueue::Bury(const ClaimedNotice& notice, std::string_view reason) {
  return stream_.Bury(NoticeEntry(notice), reason);
}

Result<size_t> RedisNoticeQueue::RequeueDueRetries(size_t max) {
  return stream_.RequeueDueRetries(max);
}

Result<QueueStats> RedisNoticeQueue::Stats() { return stream_.Stats(); }

Result<std::vector<DeadLetter>> RedisNoticeQueue::ListDead(size_t max) {
  Result<std::vector<DeadStreamEntry>> dead = stream_.ListDead(max);
  if (!dead.ok()) return dead.status();
  return NoticeDeadLetters(std::move(dead).value());
}

}  // namespace feedbridge::queue
