#include "http/host_slots.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>

namespace feedbridge::http {

HostSlots::HostSlots(int limit) : limit_(std::max(1, limit)) {}

bool HostSlots::Acquire(const std::string& host, SteadyTime deadline) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_until(lock, deadline, [&] { return in_flight_[host] < limit_; })) {
    if (in_flight_[host] == 0) in_flight_.erase(host);
    return false;
  }
  ++in_flight_[host];
  return true;
}

bool HostSlots::TryAcquire(const std::string& host) {
  std::lock_guard lock(mu_);
  int& n = in_flight_[host];
  if (n >= limit_) return false;
  ++n;
  return true;
}

void HostSlots::Release(const std::string& host) {
  {
    std::lock_guard lock(mu_);
    if (--in_flight_[host] <= 0) in_flight_.erase(host);
    for (const int fd : watchers_) {
      const uint64_t one = 1;
      // A full counter (never, in practice) already means "wake up": nothing to do on failure.
      [[maybe_unused]] const ssize_t n = ::write(fd, &one, sizeof one);
    }
  }
  cv_.notify_all();
}

void HostSlots::Watch(int event_fd) {
  std::lock_guard lock(mu_);
  watchers_.insert(event_fd);
}

void HostSlots::Unwatch(int event_fd) {
  std::lock_guard lock(mu_);
  watchers_.erase(event_fd);
}

}  // namespace feedbridge::http
