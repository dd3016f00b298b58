#include "web/connection_registry.h"

#include <sys/socket.h>

namespace feedbridge::web {
namespace {

int64_t Nanos(ConnectionRegistry::SteadyTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

ConnectionRegistry::ConnectionRegistry(std::chrono::milliseconds tick)
    : tick_(tick), watchdog_([this] { Watch(); }) {}

ConnectionRegistry::~ConnectionRegistry() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  watchdog_.join();
}

ConnectionRegistry::Slot::Slot(ConnectionRegistry& registry, int fd)
    : registry_(registry), fd_(fd) {
  registry_.Add(this);
}

ConnectionRegistry::Slot::~Slot() { registry_.Remove(this); }

void ConnectionRegistry::Slot::Arm(SteadyTime deadline) {
  deadline_ns_.store(Nanos(deadline), std::memory_order_relaxed);
  phase_.store(kArmed, std::memory_order_release);
}

void ConnectionRegistry::Slot::Idle() { phase_.store(kIdle, std::memory_order_release); }

void ConnectionRegistry::Slot::Busy() { phase_.store(kBusy, std::memory_order_release); }

void ConnectionRegistry::Add(Slot* slot) {
  std::lock_guard<std::mutex> lock(mu_);
  slots_.insert(slot);
}

void ConnectionRegistry::Remove(Slot* slot) {
  std::lock_guard<std::mutex> lock(mu_);
  slots_.erase(slot);
}

void ConnectionRegistry::Watch() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, tick_);
    const int64_t now = Nanos(std::chrono::steady_clock::now());
    for (Slot* slot : slots_) {
      if (slot->phase_.load(std::memory_order_acquire) != Slot::kArmed) continue;
      if (slot->deadline_ns_.load(std::memory_order_relaxed) > now) continue;
      if (slot->timed_out_.exchange(true, std::memory_order_acq_rel)) continue;  // Cut already.
      // The fd is open: its Slot is registered (we hold mu_) and is removed before the close.
      // SHUT_RD only: the worker's read ends at once, and a 408 can still be written.
      ::shutdown(slot->fd_, SHUT_RD);
    }
  }
}

void ConnectionRegistry::ShutdownIdle() {
  std::lock_guard<std::mutex> lock(mu_);
  for (Slot* slot : slots_) {
    if (slot->phase_.load(std::memory_order_acquire) == Slot::kIdle) ::shutdown(slot->fd_, SHUT_RD);
  }
}

void ConnectionRegistry::ShutdownAll() {
  std::lock_guard<std::mutex> lock(mu_);
  for (Slot* slot : slots_) ::shutdown(slot->fd_, SHUT_RDWR);
}

size_t ConnectionRegistry::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return slots_.size();
}

}  // namespace feedbridge::web
