#include "queue/redis_notice_queue.h"

#include <optional>

namespace feedbridge::queue {

namespace {

Fields ToFields(const NoticeMessage& m) {
  return {{"notice_id", std::to_string(m.notice_id)}, {"account_id", std::to_string(m.account_id)}};
}

// Empty when the entry is not one we wrote (no notice_id).
std::optional<NoticeMessage> FromFields(const Fields& fields) {
  const std::optional<int64_t> notice_id = FieldInt(fields, "notice_id");
  const std::optional<int64_t> account_id = FieldInt(fields, "account_id");
  if (!notice_id || !account_id) return std::nullopt;
  return NoticeMessage{*notice_id, *account_id};
}

StreamEntry ToEntry(const ClaimedNotice& notice) {
  return StreamEntry{notice.message_id, ToFields(notice.notice), notice.deliveries};
}

}  // namespace

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
  return stream_.Add(std::to_string(message.notice_id), ToFields(message));
}

Result<std::vector<ClaimedNotice>> RedisNoticeQueue::Claim(std::string_view consumer, size_t max,
                                                           std::chrono::milliseconds block,
                                                           std::chrono::milliseconds stale_after) {
  Result<std::vector<StreamEntry>> entries = stream_.Claim(consumer, max, block, stale_after);
  if (!entries.ok()) return entries.status();
  std::vector<ClaimedNotice> out;
  for (StreamEntry& e : *entries) {
    if (std::optional<NoticeMessage> notice = FromFields(e.fields)) {
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
  return stream_.Retry(ToEntry(notice), delay);
}

Status RedisNoticeQueue::Bury(const ClaimedNotice& notice, std::string_view reason) {
  return stream_.Bury(ToEntry(notice), reason);
}

Result<size_t> RedisNoticeQueue::RequeueDueRetries(size_t max) {
  return stream_.RequeueDueRetries(max);
}

Result<QueueStats> RedisNoticeQueue::Stats() { return stream_.Stats(); }

Result<std::vector<DeadLetter>> RedisNoticeQueue::ListDead(size_t max) {
  Result<std::vector<DeadStreamEntry>> dead = stream_.ListDead(max);
  if (!dead.ok()) return dead.status();
  std::vector<DeadLetter> out;
  for (DeadStreamEntry& d : *dead) {
    DeadLetter letter;
    letter.id = std::move(d.id);
    letter.notice.notice_id = FieldInt(d.fields, "notice_id").value_or(0);
    letter.notice.account_id = FieldInt(d.fields, "account_id").value_or(0);
    letter.deliveries = d.deliveries;
    letter.reason = std::move(d.reason);
    out.push_back(std::move(letter));
  }
  return out;
}

}  // namespace feedbridge::queue
