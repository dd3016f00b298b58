#pragma once

// Internal to http/: how many exchanges are in flight per host name, bounded (a counting
// semaphore per host), shared by the blocking path (PocoHttpClient::Send) and the event-driven
// one (Multiplexer), so a host never sees more than the limit from one client.

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "http/body_reader.h"

namespace feedbridge::http {

// Thread-safe.
class HostSlots {
 public:
  explicit HostSlots(int limit);

  // Waits for a slot. False if none freed up before `deadline`.
  bool Acquire(const std::string& host, SteadyTime deadline);
  // Takes a slot if one is free now.
  bool TryAcquire(const std::string& host);
  void Release(const std::string& host);

  // `event_fd` (an eventfd) is written to whenever a slot is released, until Unwatch: an event
  // loop waiting for a slot wakes in its own poll.
  void Watch(int event_fd);
  void Unwatch(int event_fd);

  int limit() const { return limit_; }

 private:
  const int limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> in_flight_;  // Guarded by mu_.
  std::set<int> watchers_;                // Guarded by mu_.
};

// Releases an acquired slot at the end of a scope.
class SlotGuard {
 public:
  SlotGuard(HostSlots& slots, std::string host) : slots_(slots), host_(std::move(host)) {}
  ~SlotGuard() { slots_.Release(host_); }
  SlotGuard(const SlotGuard&) = delete;
  SlotGuard& operator=(const SlotGuard&) = delete;

 private:
  HostSlots& slots_;
  std::string host_;
};

}  // namespace feedbridge::http
