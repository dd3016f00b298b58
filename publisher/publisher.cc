#include "publisher/publisher.h"

#include <Poco/Logger.h>

#include <exception>

namespace feedbridge::publisher {

Publisher::Publisher(DeliveryEngine& engine, PublisherOptions options, Poco::Logger& log)
    : engine_(engine), options_(options), log_(log) {}

Publisher::~Publisher() { Stop(); }

template <class Step>
void Publisher::Loop(const char* what, Step step) {
  Status last;  // Logged once per run of the same error, not once per retry.
  while (!stop_.load()) {
    Result<size_t> done = step();
    if (done.ok()) {
      if (!last.ok()) log_.information(std::string("publisher: ") + what + ": working again");
      last = Status::Ok();
      continue;
    }
    if (!(done.status() == last)) {
      log_.warning(done.status().message());
    }
    last = done.status();
    for (auto slept = std::chrono::milliseconds(0); slept < options_.error_pause && !stop_.load();
         slept += std::chrono::milliseconds(100)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

void Publisher::MaybePrune() {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_prune_) return;
  next_prune_ = now + options_.prune_every;
  Result<int64_t> pruned = engine_.PruneDelivered();
  if (!pruned.ok()) {
    log_.warning(pruned.status().message());
  } else if (*pruned > 0) {
    log_.information("publisher: forgot " + std::to_string(*pruned) +
                     " delivery records older than " +
                     std::to_string(kKeepDeliveredFor.count() / 24) + " days");
  }
}

void Publisher::Start() {
  if (!threads_.empty()) return;
  stop_.store(false);
  next_prune_ = std::chrono::steady_clock::now();
  threads_.emplace_back([this] {
    Loop("fan-out", [this] {
      MaybePrune();
      return engine_.FanOut(options_.block);
    });
  });
  for (int i = 0; i < options_.workers; ++i) {
    threads_.emplace_back(
        [this] { Loop("delivery", [this] { return engine_.DeliverNext(options_.block); }); });
  }
}

void Publisher::Stop() {
  stop_.store(true);
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

}  // namespace feedbridge::publisher
