#pragma once

// The server's open connections, for two things POCO 1.11's HTTPServer cannot do: a deadline
// for a whole request (its timeout is per read, so a client sending a byte every few seconds
// holds a worker for ever: slowloris), and waking connections idle between requests when the
// server stops. Internal to web/.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <unordered_set>

namespace feedbridge::web {

// A watchdog thread checks the registered connections every `tick` and shuts the receive side
// of those past their deadline (shutdown(SHUT_RD)): the worker's blocked read returns end of
// stream at once, so the request fails and the worker is free. Thread-safe. Not copyable.
class ConnectionRegistry {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  explicit ConnectionRegistry(std::chrono::milliseconds tick);
  ~ConnectionRegistry();  // Stops the watchdog. Every Slot must be gone.
  ConnectionRegistry(const ConnectionRegistry&) = delete;
  ConnectionRegistry& operator=(const ConnectionRegistry&) = delete;

  // One connection's registration, owned by the thread serving it; unregisters when destroyed,
  // which must happen before the socket `fd` is closed (the watchdog acts on `fd` only while it
  // is registered). Arm/Idle/Busy are lock-free: they run once or twice per request.
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
    enum Phase : int { kBusy, kArmed, kIdle };

    ConnectionRegistry& registry_;
    const int fd_;
    std::atomic<int> phase_{kBusy};
    std::atomic<int64_t> deadline_ns_{0};  // steady_clock, valid while kArmed.
    std::atomic<bool> timed_out_{false};
  };

  // Wakes the connections waiting for a next request, so they close now (Stop()).
  void ShutdownIdle();
  // Shuts every registered connection down, both ways (Stop() after its grace period).
  void ShutdownAll();
  size_t size() const;  // Connections registered.

 private:
  void Watch();
  void Add(Slot* slot);
  void Remove(Slot* slot);

  const std::chrono::milliseconds tick_;
  mutable std::mutex mu_;
  std::unordered_set<Slot*> slots_;  // Guarded by mu_.
  bool stopping_ = false;            // Guarded by mu_.
  std::condition_variable wake_;
  std::thread watchdog_;  // Started last, joined first.
};

}  // namespace feedbridge::web
