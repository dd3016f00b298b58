#include "common/deadline_watch.h"

namespace feedbridge {

DeadlineWatch::DeadlineWatch() : thread_([this] { Run(); }) {}

DeadlineWatch::~DeadlineWatch() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

uint64_t DeadlineWatch::Arm(Deadline deadline, Action action) {
  bool earliest = false;
  uint64_t ticket = 0;
  {
    std::lock_guard lock(mu_);
    ticket = next_ticket_++;
    entries_.emplace(ticket, Entry{.deadline = deadline, .action = std::move(action)});
    pending_.emplace(deadline, ticket);
    // The thread sleeps until wakes_at_ (or for ever): only an earlier deadline needs it now.
    earliest = !wakes_at_ || deadline < *wakes_at_;
    if (earliest) wakes_at_ = deadline;
  }
  if (earliest) wake_.notify_all();
  return ticket;
}

bool DeadlineWatch::Disarm(uint64_t ticket) {
  if (ticket == 0) return false;
  std::lock_guard lock(mu_);
  auto it = entries_.find(ticket);
  if (it == entries_.end()) return false;
  const bool fired = it->second.fired;
  if (!fired) pending_.erase({it->second.deadline, ticket});
  entries_.erase(it);
  // The thread may wake for a deadline no longer watched; it then just sleeps again.
  return fired;
}

size_t DeadlineWatch::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void DeadlineWatch::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const Deadline now = std::chrono::steady_clock::now();
    while (!pending_.empty() && pending_.begin()->first <= now) {
      Entry& entry = entries_.at(pending_.begin()->second);
      pending_.erase(pending_.begin());
      entry.fired = true;
      entry.action();
    }
    if (pending_.empty()) {
      wakes_at_.reset();
      wake_.wait(lock);
    } else {
      wakes_at_ = pending_.begin()->first;
      wake_.wait_until(lock, *wakes_at_);
    }
  }
}

}  // namespace feedbridge
