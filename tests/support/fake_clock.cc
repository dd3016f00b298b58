#include "tests/support/fake_clock.h"

namespace feedbridge::testing {

TimePoint FakeClock::Now() const {
  std::lock_guard lock(mu_);
  return now_;
}

void FakeClock::Advance(std::chrono::milliseconds by) {
  std::lock_guard lock(mu_);
  now_ += by;
}

void FakeClock::Set(TimePoint to) {
  std::lock_guard lock(mu_);
  now_ = to;
}

}  // namespace feedbridge::testing
