#pragma once

// What the delivery engine does after one attempt: a pure function of (what the protocol adapter
// made of the answer, how many attempts so far, when the job was first queued, now, a random
// draw), so every rule is a table test. Nothing here knows a protocol: the adapter turns an
// answer into an AttemptResult, and the engine carries out the Decision.

#include <chrono>
#include <optional>
#include <string>
#include <variant>

#include "common/clock.h"

namespace feedbridge::publisher {

// What the protocol adapter made of one attempt's answer.
struct AttemptResult {
  enum class Kind {
    kDelivered,      // Taken (OMB: the exact success body, or "Duplicate notice").
    kRecipientGone,  // The recipient behind this attempt is gone (OMB 403: the subscription;
                     // ActivityPub 410: the followers behind the inbox).
    kRetryLater,     // A failure that may pass: network error, timeout, 5xx, 429, 408.
    kGiveUp,         // A failure that will not pass (most 4xx): do not try again.
  };
  Kind kind = Kind::kRetryLater;
  std::string reason;  // For logs and dead letters: "HTTP 500", "connect: refused", ...
  // The peer's Retry-After, if it sent one.
  std::optional<std::chrono::seconds> retry_after;
  // The host itself is failing (network error, timeout, 5xx, 429), as opposed to an answer
  // about this one job: this is what the host's circuit breaker counts.
  bool host_failing = false;
};

// How long to wait between attempts and when to stop.
struct RetryPolicy {
  enum class Curve {
    // first_delay * 2^(n-1), capped at max_delay, then ± jitter (OMB's 1 min ... 6 h).
    kExponential,
    // n^4 + 15 s plus a draw of up to 10 * (n + 1) s, capped at max_delay: Mastodon's delivery
    // schedule (16 retries over about two days).
    kQuartic,
  };
  Curve curve = Curve::kExponential;
  std::chrono::seconds first_delay{60};
  std::chrono::seconds max_delay{6 * 3600};
  // Stop once the next attempt would come later than this after the job was first queued.
  std::chrono::seconds give_up_after{3 * 24 * 3600};
  int max_attempts = 0;  // Also stop after this many attempts; 0: no such limit.
  double jitter = 0.2;   // kExponential: the delay is scaled by a factor in [1 - j, 1 + j).
};

// OMB's schedule and ActivityPub's (DESIGN.md "Delivery").
RetryPolicy OmbRetryPolicy();
RetryPolicy ActivityPubRetryPolicy();

// The wait before attempt `attempts` + 1, after `attempts` (>= 1) have failed; `draw` in [0, 1).
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempts, double draw);

// What the engine does next.
struct Acknowledge {};  // Done: delivered, or refused for good with nothing to keep.
struct RetryAt {        // Try again then (on the queue's retry set).
  TimePoint when;
  std::chrono::milliseconds delay;
};
struct Bury {  // Give up: dead-letter the job with this reason.
  std::string reason;
};
// Remove the recipient the attempt was for (a subscription, the followers behind an inbox),
// then attempt the same job again at once for whoever is left behind that endpoint; with no one
// left, acknowledge.
struct DropRecipient {
  std::string reason;
};
using Decision = std::variant<Acknowledge, RetryAt, Bury, DropRecipient>;

// `attempts`: attempts made so far, this one included (>= 1). `first_queued`: when the job was
// first queued. The peer's Retry-After is honoured when it asks for more than the backoff (up to
// max_delay); a retry that would fall after the deadline, or past max_attempts, is a Bury whose
// reason says how long and how often it was tried and the last failure.
Decision Decide(const AttemptResult& result, const RetryPolicy& policy, int attempts,
                TimePoint first_queued, TimePoint now, double draw);

// The job was not attempted because its host's circuit breaker is open until `open_until`:
// retried then (plus up to `spread` of jitter, so the jobs of one host do not all return at
// once), or buried if that is past the deadline.
Decision DecideDeferred(const RetryPolicy& policy, TimePoint first_queued, TimePoint open_until,
                        TimePoint now, double draw,
                        std::chrono::milliseconds spread = std::chrono::seconds(30));

}  // namespace feedbridge::publisher
