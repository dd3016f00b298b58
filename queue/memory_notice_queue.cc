#include "queue/memory_notice_queue.h"

#include <algorithm>
#include <charconv>

namespace feedbridge::queue {

namespace {

constexpr std::chrono::hours kEnqueueMemory{24 * 7};  // As RedisNoticeQueue::kEnqueueMemory.

std::string EntryId(uint64_t id) { return std::to_string(id) + "-0"; }

}  // namespace

MemoryNoticeQueue::MemoryNoticeQueue(Clock& clock) : clock_(clock) {}

void MemoryNoticeQueue::AddLocked(const NoticeMessage& notice, int prior) {
  stream_.emplace(next_id_++, Entry{notice, prior, 0, TimePoint()});
  added_.notify_all();
}

Status MemoryNoticeQueue::Enqueue(const NoticeMessage& message) {
  std::lock_guard lock(mu_);
  const TimePoint now = clock_.Now();
  auto [it, inserted] = enqueued_.try_emplace(message.notice_id, now + kEnqueueMemory);
  if (!inserted) {
    if (it->second > now) return Status::Ok();
    it->second = now + kEnqueueMemory;
  }
  AddLocked(message, 0);
  return Status::Ok();
}

size_t MemoryNoticeQueue::RequeueLocked(size_t max) {
  const TimePoint now = clock_.Now();
  size_t n = 0;
  while (n < max && !retrying_.empty() && retrying_.begin()->first <= now) {
    AddLocked(retrying_.begin()->second.notice, retrying_.begin()->second.prior);
    retrying_.erase(retrying_.begin());
    ++n;
  }
  return n;
}

Result<size_t> MemoryNoticeQueue::RequeueDueRetries(size_t max) {
  std::lock_guard lock(mu_);
  return RequeueLocked(max);
}

Result<std::vector<ClaimedNotice>> MemoryNoticeQueue::Claim(std::string_view consumer, size_t max,
                                                            std::chrono::milliseconds block,
                                                            std::chrono::milliseconds stale_after) {
  if (consumer.empty()) return Status::InvalidArgument("queue: claim: empty consumer name");
  std::vector<ClaimedNotice> out;
  if (max == 0) return out;
  std::unique_lock lock(mu_);
  RequeueLocked(max);
  const TimePoint now = clock_.Now();
  const auto take = [&](uint64_t id, Entry& e) {
    ++e.delivered;
    e.claimed_at = now;
    out.push_back(ClaimedNotice{EntryId(id), e.notice, e.prior + e.delivered});
  };
  // Stale first, as XAUTOCLAIM before XREADGROUP.
  for (auto& [id, e] : stream_) {
    if (out.size() >= max) break;
    if (e.delivered > 0 && e.claimed_at + stale_after <= now) take(id, e);
  }
  const auto take_new = [&] {
    for (auto& [id, e] : stream_) {
      if (out.size() >= max) break;
      if (e.delivered == 0) take(id, e);
    }
  };
  take_new();
  if (out.empty() && block.count() > 0) {
    const uint64_t seen = next_id_;
    added_.wait_for(lock, block, [&] { return next_id_ != seen; });
    take_new();
  }
  return out;
}

std::map<uint64_t, MemoryNoticeQueue::Entry>::iterator MemoryNoticeQueue::FindPendingLocked(
    const std::string& message_id) {
  uint64_t id = 0;
  const char* end = message_id.data() + message_id.size();
  const auto [p, ec] = std::from_chars(message_id.data(), end, id);
  if (ec != std::errc() || std::string_view(p, static_cast<size_t>(end - p)) != "-0") {
    return stream_.end();
  }
  auto it = stream_.find(id);
  if (it == stream_.end() || it->second.delivered == 0) return stream_.end();
  return it;
}

Status MemoryNoticeQueue::Ack(const ClaimedNotice& notice) {
  std::lock_guard lock(mu_);
  if (auto it = FindPendingLocked(notice.message_id); it != stream_.end()) stream_.erase(it);
  return Status::Ok();
}

Status MemoryNoticeQueue::Retry(const ClaimedNotice& notice, std::chrono::milliseconds delay) {
  std::lock_guard lock(mu_);
  auto it = FindPendingLocked(notice.message_id);
  if (it == stream_.end()) return Status::Ok();
  retrying_.emplace(clock_.Now() + std::max(delay, std::chrono::milliseconds(0)),
                    Waiting{notice.notice, std::max(notice.deliveries, 0)});
  stream_.erase(it);
  return Status::Ok();
}

Status MemoryNoticeQueue::Bury(const ClaimedNotice& notice, std::string_view reason) {
  std::lock_guard lock(mu_);
  auto it = FindPendingLocked(notice.message_id);
  if (it == stream_.end()) return Status::Ok();
  dead_.push_back(
      DeadLetter{EntryId(dead_.size() + 1), notice.notice, notice.deliveries, std::string(reason)});
  stream_.erase(it);
  return Status::Ok();
}

Result<QueueStats> MemoryNoticeQueue::Stats() {
  std::lock_guard lock(mu_);
  QueueStats s;
  s.length = static_cast<int64_t>(stream_.size());
  for (const auto& [id, e] : stream_) {
    if (e.delivered > 0) ++s.pending;
  }
  s.retrying = static_cast<int64_t>(retrying_.size());
  s.dead = static_cast<int64_t>(dead_.size());
  return s;
}

Result<std::vector<DeadLetter>> MemoryNoticeQueue::ListDead(size_t max) {
  std::lock_guard lock(mu_);
  std::vector<DeadLetter> out;
  for (auto it = dead_.rbegin(); it != dead_.rend() && out.size() < max; ++it) out.push_back(*it);
  return out;
}

}  // namespace feedbridge::queue
