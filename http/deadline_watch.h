#pragma once

// Internal to http/: cuts connections whose exchange outlives its deadline. A socket read is
// bounded only by its own timeout, so a peer sending one byte every half second (status line,
// headers, a TLS record) keeps a blocking read going for ever; shutting the socket down from
// another thread when the deadline passes ends any read blocked on it, wherever it is (POCO's
// header parser, OpenSSL's handshake, the body reader).
//
// Arm and Disarm run once per exchange on the poller's hot path: they take a short lock and
// wake the watch thread only when the new deadline is the earliest it has to meet (with equal
// timeouts, never), so most exchanges cost two uncontended lock operations and no system call.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>

namespace feedbridge::http {

// One thread that shuts down watched sockets at their deadlines. Thread-safe. The destructor
// stops the thread; every ticket must be disarmed before it runs.
class DeadlineWatch {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  DeadlineWatch();
  ~DeadlineWatch();
  DeadlineWatch(const DeadlineWatch&) = delete;
  DeadlineWatch& operator=(const DeadlineWatch&) = delete;

  // Watches the socket `fd` until Disarm: at `deadline` it is shut down for reading (the
  // caller's blocked read then sees the end of the stream). `fd` must stay open, naming the
  // same socket, until Disarm returns: callers watch a duplicate descriptor of their own (see
  // Connection), so whatever the socket library closes meanwhile cannot make the watch hit
  // another socket that reuses the number. Returns a ticket (never 0), or 0 if `fd` < 0.
  uint64_t Arm(int fd, Deadline deadline);

  // Stops watching. True if the deadline had cut the socket. Disarm(0) returns false.
  bool Disarm(uint64_t ticket);

 private:
  struct Entry {
    int fd = -1;
    Deadline deadline;
    bool fired = false;
  };

  void Run();

  std::mutex mu_;
  std::condition_variable wake_;
  std::map<uint64_t, Entry> entries_;                // Guarded by mu_.
  std::set<std::pair<Deadline, uint64_t>> pending_;  // Guarded by mu_. Not yet fired, by time.
  // When the watch thread wakes next on its own (nullopt: it waits for a notify). Guarded by mu_.
  std::optional<Deadline> wakes_at_;
  uint64_t next_ticket_ = 1;  // Guarded by mu_.
  bool stopping_ = false;     // Guarded by mu_.
  std::thread thread_;        // Started last, in the constructor.
};

}  // namespace feedbridge::http
