#pragma once

// The facts a finished exchange states about itself: Retry-After, caching headers, validators,
// a summary for logs (miniflux's ResponseHandler as free functions). Pure: no I/O, no policy.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "http/http_client.h"

namespace feedbridge::http {

// The protocol facts of a response that a client acts on; what they mean for a feed (or a
// delivery) is the caller's policy (poller/fetch_state.h).
struct Classification {
  // Retry-After (seconds or HTTP-date), nullopt if absent or unparseable.
  std::optional<TimePoint> retry_after;
  // Earliest time the server wants to be asked again: Retry-After (seconds or HTTP-date),
  // Cache-Control max-age / s-maxage, or Expires, whichever says so. nullopt if none.
  std::optional<TimePoint> not_before;
  std::string etag;           // ETag to send as If-None-Match next time (empty if none).
  std::string last_modified;  // Last-Modified to send as If-Modified-Since next time.
  // "HTTP 503 Service Unavailable, retry after 120s", for logs and feed health.
  std::string summary;
};

Classification ClassifyResponse(const HttpResponse& response, TimePoint now);

// Retry-After as seconds or an HTTP-date (RFC 9110 §10.2.3), relative to `now`. nullopt if absent
// or unparseable; a date in the past gives `now`.
std::optional<TimePoint> ParseRetryAfter(std::string_view value, TimePoint now);

}  // namespace feedbridge::http
