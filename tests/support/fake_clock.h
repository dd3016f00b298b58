#pragma once

#include <mutex>

#include "common/clock.h"

namespace feedbridge::testing {

// A clock that moves only when told. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = TimePoint(std::chrono::seconds(1'800'000'000)))
      : now_(start) {}
  TimePoint Now() const override;
  void Advance(std::chrono::milliseconds by);
  void Set(TimePoint to);

 private:
  mutable std::mutex mu_;
  TimePoint now_;  // Guarded by mu_.
};

}  // namespace feedbridge::testing
