#pragma once

// One watcher thread that runs an action when a deadline passes, unless the entry is disarmed
// first: the one mechanism behind every "cut this socket at its deadline" of the project (the
// HTTP client's exchanges in http/connection.cc, the server's whole-request deadline in
// web/connection_registry.cc). A socket read is bounded only by its own per-read timeout, so a
// peer sending one byte at a time keeps a blocking read going for ever; an action that shuts
// the socket down from this thread ends any read blocked on it, wherever it is.
//
// Contract:
// - Thread-safe: Arm and Disarm may be called from any thread, concurrently.
// - Cost: Arm and Disarm take one short lock; Arm wakes the watcher only when its deadline is
//   earlier than every other pending one (with equal timeouts, never), so most entries cost two
//   uncontended lock operations and no system call. Deadlines are met exactly (no polling tick).
// - Actions run on the watcher thread, at most once each, with the watch's lock held: they must
//   be short, must not throw and must not call back into the watch (`::shutdown(fd, SHUT_RD)`,
//   setting a flag). Because of the lock, once Disarm returns the action is neither running nor
//   will it run, so whatever the action uses (a descriptor, a flag) need only live until Disarm
//   returns.
// - Ownership: the watch owns the actions (moved in by Arm) until Disarm or destruction.
// - Destruction stops and joins the thread; entries still armed are dropped, their actions
//   never run (an action being run when destruction starts finishes first). Disarm must not be
//   called after destruction: the watch must outlive its users.
// - Time is std::chrono::steady_clock: the thread sleeps on a condition variable until the
//   earliest deadline, which an injected clock could not wake.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>

namespace feedbridge {

class DeadlineWatch {
 public:
  using Deadline = std::chrono::steady_clock::time_point;
  using Action = std::function<void()>;

  DeadlineWatch();
  ~DeadlineWatch();
  DeadlineWatch(const DeadlineWatch&) = delete;
  DeadlineWatch& operator=(const DeadlineWatch&) = delete;

  // Runs `action` once at `deadline` (at once if it has passed) unless disarmed first. Returns
  // the entry's ticket, never 0.
  uint64_t Arm(Deadline deadline, Action action);

  // Forgets the entry. True if its action ran. Disarm(0), or a ticket already disarmed, returns
  // false.
  bool Disarm(uint64_t ticket);

  // Entries armed and not yet disarmed (fired or not).
  size_t size() const;

 private:
  struct Entry {
    Deadline deadline;
    Action action;
    bool fired = false;
  };

  void Run();

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::map<uint64_t, Entry> entries_;                // Guarded by mu_.
  std::set<std::pair<Deadline, uint64_t>> pending_;  // Guarded by mu_. Not yet fired, by time.
  // When the watch thread wakes next on its own (nullopt: it waits for a notify). Guarded by mu_.
  std::optional<Deadline> wakes_at_;
  uint64_t next_ticket_ = 1;  // Guarded by mu_.
  bool stopping_ = false;     // Guarded by mu_.
  std::thread thread_;        // Started last, in the constructor.
};

}  // namespace feedbridge
