#pragma once

// Internal to http/: cuts connections whose exchange outlives its deadline. A socket read is
// bounded only by its own timeout, so a peer sending one byte every half second (status line,
// headers, a TLS record) keeps a blocking read going for ever; shutting the socket down from
// another thread when the deadline passes ends any read blocked on it, wherever it is (POCO's
// header parser, OpenSSL's handshake, the body reader).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

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

  // Watches the socket `fd` until Disarm: at `deadline` it is shut down for reading (a read
  // blocked on it, or any later one, sees the end of the stream). The watch keeps its
  // own duplicate of `fd`, so the caller may close `fd` at any time without another socket that
  // reuses the number being cut. Returns a ticket, or 0 if `fd` could not be duplicated (the
  // socket is then bounded by its read timeouts only).
  uint64_t Arm(int fd, Deadline deadline);

  // Stops watching. True if the deadline had cut the socket. Disarm(0) returns false.
  bool Disarm(uint64_t ticket);

 private:
  struct Entry {
    int fd = -1;  // Our duplicate; closed by Disarm.
    Deadline deadline;
    bool fired = false;
  };

  void Run();

  std::mutex mu_;
  std::condition_variable wake_;
  std::map<uint64_t, Entry> entries_;  // Guarded by mu_.
  uint64_t next_ticket_ = 1;           // Guarded by mu_.
  bool stopping_ = false;              // Guarded by mu_.
  std::thread thread_;                 // Started last, in the constructor.
};

}  // namespace feedbridge::http
