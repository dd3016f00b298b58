#pragma once

#include <chrono>

namespace feedbridge {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

// The source of wall-clock time. Logic reads time only through a Clock so tests can use a fake.
// Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

// The real clock (std::chrono::system_clock). Thread-safe.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
};

}  // namespace feedbridge
