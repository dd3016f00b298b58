#include "publisher/circuit_breaker.h"

#include <algorithm>

namespace feedbridge::publisher {

namespace {

BreakerState Opened(const BreakerState& state, TimePoint now, const BreakerOptions& options) {
  BreakerState next = state;
  next.phase = BreakerState::Phase::kOpen;
  next.open_for = state.open_for.count() == 0 ? options.first_open
                                              : std::min(state.open_for * 2, options.max_open);
  next.open_until = now + next.open_for;
  return next;
}

}  // namespace

Admitted Admit(const BreakerState& state, TimePoint now, const BreakerOptions& options) {
  switch (state.phase) {
    case BreakerState::Phase::kClosed:
      return {Admission::kSend, state};
    case BreakerState::Phase::kOpen:
      if (now < state.open_until) return {Admission::kDefer, state};
      break;
    case BreakerState::Phase::kHalfOpen:
      if (now < state.probe_sent + options.probe_timeout) return {Admission::kDefer, state};
      break;  // The probe was lost: send another.
  }
  BreakerState next = state;
  next.phase = BreakerState::Phase::kHalfOpen;
  next.probe_sent = now;
  return {Admission::kProbe, next};
}

BreakerState Record(const BreakerState& state, bool host_failing, TimePoint now,
                    const BreakerOptions& options) {
  if (!host_failing) return BreakerState{};  // The host answers: closed, the count starts over.
  if (state.phase == BreakerState::Phase::kHalfOpen) return Opened(state, now, options);
  if (state.phase == BreakerState::Phase::kOpen) return state;  // Late results of earlier sends.
  BreakerState next = state;
  ++next.consecutive_failures;
  if (next.consecutive_failures >= options.failures_to_open) return Opened(next, now, options);
  return next;
}

TimePoint RetryAfter(const BreakerState& state, const BreakerOptions& options) {
  if (state.phase == BreakerState::Phase::kHalfOpen)
    return state.probe_sent + options.probe_timeout;
  return state.open_until;
}

}  // namespace feedbridge::publisher
