#include "queue/memory_poll_schedule.h"

namespace feedbridge::queue {

void MemoryPollSchedule::SetLocked(int64_t feed_id, TimePoint when) {
  auto [it, inserted] = due_.try_emplace(feed_id, when);
  if (!inserted) {
    order_.erase({it->second, feed_id});
    it->second = when;
  }
  order_.insert({when, feed_id});
}

Status MemoryPollSchedule::Schedule(int64_t feed_id, TimePoint when) {
  std::lock_guard lock(mu_);
  SetLocked(feed_id, when);
  return Status::Ok();
}

Result<size_t> MemoryPollSchedule::AddMissing(const std::vector<ScheduledFeed>& feeds) {
  std::lock_guard lock(mu_);
  size_t added = 0;
  for (const ScheduledFeed& f : feeds) {
    if (due_.try_emplace(f.feed_id, f.when).second) {
      order_.insert({f.when, f.feed_id});
      ++added;
    }
  }
  return added;
}

Status MemoryPollSchedule::Remove(int64_t feed_id) {
  std::lock_guard lock(mu_);
  if (auto it = due_.find(feed_id); it != due_.end()) {
    order_.erase({it->second, feed_id});
    due_.erase(it);
  }
  return Status::Ok();
}

Result<std::vector<int64_t>> MemoryPollSchedule::ClaimDue(TimePoint now, size_t max,
                                                          std::chrono::milliseconds lease) {
  std::lock_guard lock(mu_);
  std::vector<int64_t> out;
  for (auto it = order_.begin(); it != order_.end() && it->first <= now && out.size() < max; ++it) {
    out.push_back(it->second);
  }
  for (int64_t id : out) SetLocked(id, now + lease);
  return out;
}

Result<int64_t> MemoryPollSchedule::Size() {
  std::lock_guard lock(mu_);
  return static_cast<int64_t>(due_.size());
}

Result<int64_t> MemoryPollSchedule::CountDue(TimePoint now) {
  std::lock_guard lock(mu_);
  int64_t n = 0;
  for (auto it = order_.begin(); it != order_.end() && it->first <= now; ++it) ++n;
  return n;
}

std::map<int64_t, TimePoint> MemoryPollSchedule::Entries() const {
  std::lock_guard lock(mu_);
  return due_;
}

}  // namespace feedbridge::queue
