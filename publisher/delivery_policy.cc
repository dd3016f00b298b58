#include "publisher/delivery_policy.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace feedbridge::publisher {

namespace {

using std::chrono::milliseconds;

double Clamp01(double draw) { return std::clamp(draw, 0.0, std::nextafter(1.0, 0.0)); }

// "3d 2h", "5h 10m", "45m", "30s": how long a job was tried, for the dead letter.
std::string Span(milliseconds span) {
  const int64_t s = std::max<int64_t>(0, span.count() / 1000);
  const int64_t d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;
  if (d > 0) return std::to_string(d) + "d " + std::to_string(h) + "h";
  if (h > 0) return std::to_string(h) + "h " + std::to_string(m) + "m";
  if (m > 0) return std::to_string(m) + "m";
  return std::to_string(s) + "s";
}

Bury GiveUp(int attempts, TimePoint first_queued, TimePoint now, const std::string& reason) {
  return Bury{"gave up after " + std::to_string(attempts) +
              (attempts == 1 ? " attempt" : " attempts") + " over " + Span(now - first_queued) +
              ": " + reason};
}

}  // namespace

RetryPolicy OmbRetryPolicy() { return RetryPolicy{}; }

RetryPolicy ActivityPubRetryPolicy() {
  RetryPolicy p;
  p.curve = RetryPolicy::Curve::kQuartic;
  p.first_delay = std::chrono::seconds(15);
  p.max_delay = std::chrono::hours(24);
  p.give_up_after = std::chrono::hours(3 * 24);
  p.max_attempts = 17;  // The first attempt and 16 retries, as Mastodon's DeliveryWorker.
  return p;
}

milliseconds BackoffDelay(const RetryPolicy& policy, int attempts, double draw) {
  const double u = Clamp01(draw);
  const double n = std::max(1, attempts);
  const double cap = static_cast<double>(milliseconds(policy.max_delay).count());
  double ms = 0;
  if (policy.curve == RetryPolicy::Curve::kQuartic) {
    // Mastodon (Sidekiq): n^4 + 15 + rand(10) * (n + 1) seconds, with n counted from 0.
    const double k = n - 1;
    ms = (k * k * k * k + 15.0 + u * 10.0 * (k + 1.0)) * 1000.0;
    return milliseconds(static_cast<int64_t>(std::min(ms, cap)));
  }
  const double first = static_cast<double>(milliseconds(policy.first_delay).count());
  // 2^(n-1) overflows nothing: n is capped where the delay passes max_delay anyway.
  ms = std::min(first * std::exp2(std::min(n - 1.0, 62.0)), cap);
  const double j = std::clamp(policy.jitter, 0.0, 1.0);
  ms *= 1.0 - j + 2.0 * j * u;
  // Jitter spreads peers' retries apart but never below the first delay or above the cap.
  ms = std::clamp(ms, first, cap);
  return milliseconds(static_cast<int64_t>(ms));
}

Decision Decide(const AttemptResult& result, const RetryPolicy& policy, int attempts,
                TimePoint first_queued, TimePoint now, double draw) {
  switch (result.kind) {
    case AttemptResult::Kind::kDelivered:
      return Acknowledge{};
    case AttemptResult::Kind::kRecipientGone:
      return DropRecipient{result.reason};
    case AttemptResult::Kind::kGiveUp:
      return Bury{result.reason};
    case AttemptResult::Kind::kRetryLater:
      break;
  }
  if (policy.max_attempts > 0 && attempts >= policy.max_attempts) {
    return GiveUp(attempts, first_queued, now, result.reason);
  }
  milliseconds delay = BackoffDelay(policy, attempts, draw);
  if (result.retry_after) {
    // A peer that asks for a longer pause gets it, within our own cap.
    delay = std::max(delay, std::min<milliseconds>(*result.retry_after, policy.max_delay));
  }
  const TimePoint when = now + delay;
  if (when - first_queued > policy.give_up_after) {
    return GiveUp(attempts, first_queued, now, result.reason);
  }
  return RetryAt{when, delay};
}

Decision DecideDeferred(const RetryPolicy& policy, TimePoint first_queued, TimePoint open_until,
                        TimePoint now, double draw, milliseconds spread) {
  const milliseconds wait =
      std::max(milliseconds(0), open_until - now) +
      milliseconds(static_cast<int64_t>(Clamp01(draw) * static_cast<double>(spread.count())));
  const TimePoint when = now + wait;
  if (when - first_queued > policy.give_up_after) {
    return Bury{"gave up after " + Span(now - first_queued) + ": host unavailable (circuit open)"};
  }
  return RetryAt{when, wait};
}

}  // namespace feedbridge::publisher
