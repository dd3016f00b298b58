#pragma once

// The publisher role: threads that keep the delivery engine turning (one fanning notices out,
// `workers` delivering jobs) until Stop. All state is on the streams and in the store, so a
// publisher stopped (or killed) at any instant loses nothing: another one reclaims its work.

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "publisher/delivery_engine.h"

namespace Poco {
class Logger;
}

namespace feedbridge::publisher {

struct PublisherOptions {
  int workers = 8;  // Delivery threads: deliveries in flight at once, over all hosts.
  // How long an idle thread waits on its stream before it checks for Stop.
  std::chrono::milliseconds block{std::chrono::seconds(1)};
  // Pause after an error (Redis or the database down) before the next try.
  std::chrono::milliseconds error_pause{std::chrono::seconds(2)};
  // How often the fan-out thread prunes old delivery records (DeliveryEngine::PruneDelivered);
  // the first time right after Start.
  std::chrono::milliseconds prune_every{std::chrono::hours(1)};
};

// Start and Stop from one thread. `engine` and `log` must outlive it.
class Publisher {
 public:
  Publisher(DeliveryEngine& engine, PublisherOptions options, Poco::Logger& log);
  ~Publisher();  // Stops.
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  void Start();
  // Asks every thread to stop and joins them; a delivery in flight finishes first (at most its
  // request timeout).
  void Stop();

 private:
  template <class Step>
  void Loop(const char* what, Step step);
  // Prunes when prune_every has passed since the last time; a failure is logged, not returned
  // (fan-out goes on; the next prune catches up).
  void MaybePrune();

  DeliveryEngine& engine_;
  const PublisherOptions options_;
  Poco::Logger& log_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  // When MaybePrune prunes next. Touched only by the fan-out thread (and by Start before it).
  std::chrono::steady_clock::time_point next_prune_;
};

}  // namespace feedbridge::publisher
