#include "web/connection_registry.h"

#include <sys/socket.h>

namespace feedbridge::web {

ConnectionRegistry::Slot::Slot(ConnectionRegistry& registry, int fd)
    : registry_(registry), fd_(fd) {
  registry_.Add(this);
}

ConnectionRegistry::Slot::~Slot() {
  Disarm();
  registry_.Remove(this);
}

void ConnectionRegistry::Slot::Disarm() {
  if (registry_.watch_.Disarm(ticket_)) timed_out_.store(true, std::memory_order_release);
  ticket_ = 0;
}

void ConnectionRegistry::Slot::Arm(SteadyTime deadline) {
  Disarm();
  idle_.store(false, std::memory_order_release);
  // The fd is open until the Slot is gone, and the Slot disarms before it goes. SHUT_RD only:
  // the worker's read ends at once, and a 408 can still be written.
  ticket_ = registry_.watch_.Arm(deadline, [this] {
    timed_out_.store(true, std::memory_order_release);
    ::shutdown(fd_, SHUT_RD);
  });
}

void ConnectionRegistry::Slot::Idle() {
  Disarm();
  idle_.store(true, std::memory_order_release);
}

void ConnectionRegistry::Slot::Busy() {
  Disarm();
  idle_.store(false, std::memory_order_release);
}

void ConnectionRegistry::Add(Slot* slot) {
  std::lock_guard<std::mutex> lock(mu_);
  slots_.insert(slot);
}

void ConnectionRegistry::Remove(Slot* slot) {
  std::lock_guard<std::mutex> lock(mu_);
  slots_.erase(slot);
}

void ConnectionRegistry::ShutdownIdle() {
  std::lock_guard<std::mutex> lock(mu_);
  for (Slot* slot : slots_) {
    if (slot->idle_.load(std::memory_order_acquire)) ::shutdown(slot->fd_, SHUT_RD);
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
