#include "http/deadline_watch.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>

namespace feedbridge::http {

DeadlineWatch::DeadlineWatch() : thread_([this] { Run(); }) {}

DeadlineWatch::~DeadlineWatch() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  for (auto& [ticket, entry] : entries_) ::close(entry.fd);  // Only if a caller forgot Disarm.
}

uint64_t DeadlineWatch::Arm(int fd, Deadline deadline) {
  if (fd < 0) return 0;
  // A duplicate descriptor names the same socket: shutdown() through it reaches the caller's
  // connection, and it stays valid whatever the caller closes meanwhile.
  const int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return 0;
  uint64_t ticket = 0;
  {
    std::lock_guard lock(mu_);
    ticket = next_ticket_++;
    entries_.emplace(ticket, Entry{.fd = dup, .deadline = deadline});
  }
  wake_.notify_all();
  return ticket;
}

bool DeadlineWatch::Disarm(uint64_t ticket) {
  if (ticket == 0) return false;
  std::optional<Entry> entry;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(ticket);
    if (it == entries_.end()) return false;
    entry = it->second;
    entries_.erase(it);
  }
  ::close(entry->fd);
  return entry->fired;
}

void DeadlineWatch::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    std::optional<Deadline> next;
    const Deadline now = std::chrono::steady_clock::now();
    for (auto& [ticket, entry] : entries_) {
      if (entry.fired) continue;
      if (entry.deadline <= now) {
        // SHUT_RD wakes a blocked read (it sees the end of the stream; Linux wakes every
        // waiter on a shutdown). Writing stays possible, so closing the connection afterwards
        // (a TLS close_notify) cannot raise SIGPIPE; a blocked write is bounded by the socket's
        // send timeout, which the exchange sets to the time left.
        ::shutdown(entry.fd, SHUT_RD);
        entry.fired = true;
      } else if (!next || entry.deadline < *next) {
        next = entry.deadline;
      }
    }
    if (next) {
      wake_.wait_until(lock, *next);
    } else {
      wake_.wait(lock);
    }
  }
}

}  // namespace feedbridge::http
