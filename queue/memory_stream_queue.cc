#include "queue/memory_stream_queue.h"

#include <algorithm>
#include <charconv>

namespace feedbridge::queue {

namespace {

std::string EntryId(uint64_t id) { return std::to_string(id) + "-0"; }

}  // namespace

MemoryStreamQueue::MemoryStreamQueue(Clock& clock, std::chrono::milliseconds add_memory)
    : clock_(clock), add_memory_(add_memory) {}

void MemoryStreamQueue::AddLocked(Fields fields, int prior) {
  stream_.emplace(next_id_++, Entry{std::move(fields), prior, 0, TimePoint()});
  added_.notify_all();
}

Status MemoryStreamQueue::Add(std::string_view idempotency_key, const Fields& fields) {
  std::lock_guard lock(mu_);
  const TimePoint now = clock_.Now();
  auto [it, inserted] = added_until_.try_emplace(std::string(idempotency_key), now + add_memory_);
  if (!inserted) {
    if (it->second > now) return Status::Ok();
    it->second = now + add_memory_;
  }
  AddLocked(fields, 0);
  return Status::Ok();
}

Status MemoryStreamQueue::AddAll(std::span<const NewStreamMessage> messages) {
  for (const NewStreamMessage& m : messages) {
    if (Status s = Add(m.idempotency_key, m.fields); !s.ok()) return s;
  }
  return Status::Ok();
}

size_t MemoryStreamQueue::RequeueLocked(size_t max) {
  const TimePoint now = clock_.Now();
  size_t n = 0;
  while (n < max && !retrying_.empty() && retrying_.begin()->first <= now) {
    AddLocked(std::move(retrying_.begin()->second.fields), retrying_.begin()->second.prior);
    retrying_.erase(retrying_.begin());
    ++n;
  }
  return n;
}

Result<size_t> MemoryStreamQueue::RequeueDueRetries(size_t max) {
  std::lock_guard lock(mu_);
  return RequeueLocked(max);
}

Result<std::vector<StreamEntry>> MemoryStreamQueue::Claim(std::string_view consumer, size_t max,
                                                          std::chrono::milliseconds block,
                                                          std::chrono::milliseconds stale_after) {
  if (consumer.empty()) return Status::InvalidArgument("queue: claim: empty consumer name");
  std::vector<StreamEntry> out;
  if (max == 0) return out;
  std::unique_lock lock(mu_);
  RequeueLocked(max);
  const TimePoint now = clock_.Now();
  const auto take = [&](uint64_t id, Entry& e) {
    ++e.delivered;
    e.claimed_at = now;
    out.push_back(StreamEntry{EntryId(id), e.fields, e.prior + e.delivered});
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

std::map<uint64_t, MemoryStreamQueue::Entry>::iterator MemoryStreamQueue::FindPendingLocked(
    std::string_view id_text) {
  uint64_t id = 0;
  const char* end = id_text.data() + id_text.size();
  const auto [p, ec] = std::from_chars(id_text.data(), end, id);
  if (ec != std::errc() || std::string_view(p, static_cast<size_t>(end - p)) != "-0") {
    return stream_.end();
  }
  auto it = stream_.find(id);
  if (it == stream_.end() || it->second.delivered == 0) return stream_.end();
  return it;
}

Status MemoryStreamQueue::Ack(std::string_view id) {
  std::lock_guard lock(mu_);
  if (auto it = FindPendingLocked(id); it != stream_.end()) stream_.erase(it);
  return Status::Ok();
}

Status MemoryStreamQueue::AckAll(std::span<const std::string> ids) {
  for (const std::string& id : ids) {
    if (Status s = Ack(id); !s.ok()) return s;
  }
  return Status::Ok();
}

Status MemoryStreamQueue::Retry(const StreamEntry& entry, std::chrono::milliseconds delay) {
  std::lock_guard lock(mu_);
  auto it = FindPendingLocked(entry.id);
  if (it == stream_.end()) return Status::Ok();
  retrying_.emplace(clock_.Now() + std::max(delay, std::chrono::milliseconds(0)),
                    Waiting{entry.fields, std::max(entry.deliveries, 0)});
  stream_.erase(it);
  return Status::Ok();
}

Status MemoryStreamQueue::Bury(const StreamEntry& entry, std::string_view reason) {
  std::lock_guard lock(mu_);
  auto it = FindPendingLocked(entry.id);
  if (it == stream_.end()) return Status::Ok();
  dead_.push_back(DeadStreamEntry{EntryId(next_dead_id_++), entry.fields, entry.deliveries,
                                  std::string(reason)});
  stream_.erase(it);
  return Status::Ok();
}

Result<QueueStats> MemoryStreamQueue::Stats() {
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

Result<std::vector<DeadStreamEntry>> MemoryStreamQueue::ListDead(size_t max) {
  std::lock_guard lock(mu_);
  std::vector<DeadStreamEntry> out;
  for (auto it = dead_.rbegin(); it != dead_.rend() && out.size() < max; ++it) out.push_back(*it);
  return out;
}

Result<std::optional<DeadStreamEntry>> MemoryStreamQueue::GetDead(std::string_view id) {
  std::lock_guard lock(mu_);
  for (const DeadStreamEntry& d : dead_) {
    if (d.id == id) return std::optional<DeadStreamEntry>(d);
  }
  return std::optional<DeadStreamEntry>();
}

Result<bool> MemoryStreamQueue::ReviveDead(std::string_view id, const Fields& fields) {
  std::lock_guard lock(mu_);
  for (auto it = dead_.begin(); it != dead_.end(); ++it) {
    if (it->id != id) continue;
    dead_.erase(it);
    AddLocked(fields, 0);
    return true;
  }
  return false;
}

Result<bool> MemoryStreamQueue::DropDead(std::string_view id) {
  std::lock_guard lock(mu_);
  for (auto it = dead_.begin(); it != dead_.end(); ++it) {
    if (it->id != id) continue;
    dead_.erase(it);
    return true;
  }
  return false;
}

}  // namespace feedbridge::queue
