#pragma once

// The server's open connections, for two things POCO 1.11's HTTPServer cannot do: a deadline
// for a whole request (its timeout is per read, so a client sending a byte every few seconds
// holds a worker for ever: slowloris), and waking connections idle between requests when the
// server stops. Internal to web/.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_set>

#include "common/deadline_watch.h"

namespace feedbridge::web {

// The deadlines are kept by one DeadlineWatch (common/deadline_watch.h): at a request's deadline
// its connection's receive side is shut down (shutdown(SHUT_RD)), so the worker's blocked read
// returns end of stream at once, the request fails and the worker is free. Thread-safe. Not
// copyable.
class ConnectionRegistry {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  ConnectionRegistry() = default;
  ~ConnectionRegistry() = default;  // Every Slot must be gone.
  ConnectionRegistry(const ConnectionRegistry&) = delete;
  ConnectionRegistry& operator=(const ConnectionRegistry&) = delete;

  // One connection's registration, owned by the thread serving it; unregisters (and disarms its
  // deadline) when destroyed, which must happen before the socket `fd` is closed (the registry
  // and the watch act on `fd` only while it is registered). Not thread-safe itself: only the
  // serving thread calls Arm/Idle/Busy (once or twice per request; each takes one short lock).
  class Slot {
   public:
    Slot(ConnectionRegistry& registry, int fd);
    ~Slot();
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

    // A request is being read; cut it at `deadline`.
    void Arm(SteadyTime deadline);
    // Waiting for the connection's next request (keep-alive): Stop() may wake it.
    void Idle();
    // The request is read; a handler runs or the answer is written: no deadline.
    void Busy();
    // True once the watchdog cut this connection's request.
    bool timed_out() const { return timed_out_.load(std::memory_order_acquire); }

   private:
    friend class ConnectionRegistry;
    void Disarm();

    ConnectionRegistry& registry_;
    const int fd_;
    uint64_t ticket_ = 0;  // The armed deadline, 0 if none.
    std::atomic<bool> idle_{false};
    std::atomic<bool> timed_out_{false};
  };

  // Wakes the connections waiting for a next request, so they close now (Stop()).
  void ShutdownIdle();
  // Shuts every registered connection down, both ways (Stop() after its grace period).
  void ShutdownAll();
  size_t size() const;  // Connections registered.

 private:
  void Add(Slot* slot);
  void Remove(Slot* slot);

  mutable std::mutex mu_;
  std::unordered_set<Slot*> slots_;  // Guarded by mu_.
  DeadlineWatch watch_;              // Declared last: its thread stops first.
};

}  // namespace feedbridge::web
