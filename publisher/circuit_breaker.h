#pragma once

// A circuit breaker per remote host, as pure state transitions: after `failures_to_open` failing
// attempts in a row the host is left alone for a while (open), then one probe is let through
// (half-open); its success closes the breaker, its failure opens it again for twice as long, up
// to `max_open`. A host that is down then costs one request per open period, not one per job, and
// the jobs for other hosts keep flowing. Time comes in as an argument.

#include <chrono>

#include "common/clock.h"

namespace feedbridge::publisher {

struct BreakerOptions {
  int failures_to_open = 5;
  std::chrono::milliseconds first_open{std::chrono::seconds(30)};
  std::chrono::milliseconds max_open{std::chrono::minutes(30)};
  // A probe that never reports back (its worker died) stops blocking the host after this.
  std::chrono::milliseconds probe_timeout{std::chrono::minutes(2)};
};

struct BreakerState {
  enum class Phase { kClosed, kOpen, kHalfOpen };
  Phase phase = Phase::kClosed;
  int consecutive_failures = 0;
  TimePoint open_until;                  // kOpen: when a probe may go.
  std::chrono::milliseconds open_for{};  // The last open period (0 while never opened).
  TimePoint probe_sent;                  // kHalfOpen: when the probe went.

  bool operator==(const BreakerState&) const = default;
};

enum class Admission {
  kSend,   // Closed: send.
  kProbe,  // The one request that tests a host whose breaker was open: send it, then Record.
  kDefer,  // Open, or a probe is out: do not send now; try again at RetryAfter().
};

struct Admitted {
  Admission admission;
  BreakerState state;  // The state to keep (a probe marks the breaker half-open).
};

// May a request go to the host now?
Admitted Admit(const BreakerState& state, TimePoint now, const BreakerOptions& options);

// The state after an attempt's outcome: `host_failing` as AttemptResult::host_failing says.
BreakerState Record(const BreakerState& state, bool host_failing, TimePoint now,
                    const BreakerOptions& options);

// For a kDefer: when the host may be tried again.
TimePoint RetryAfter(const BreakerState& state, const BreakerOptions& options);

}  // namespace feedbridge::publisher
