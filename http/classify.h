#pragma once

// What a finished feed fetch means for the poller: pure functions of a response (miniflux's
// ResponseHandler as free functions). No I/O.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "http/http_client.h"

namespace feedbridge::http {

enum class FetchOutcome {
  kOk,           // 2xx with a body: parse it.
  kNotModified,  // 304: nothing new.
  kGone,         // 410: disable the feed.
  kNotFound,     // 404: an error (backs off), the feed is not disabled.
  kThrottled,    // 429, or 503 with Retry-After: not an error, wait as told.
  kClientError,  // Other 4xx.
  kServerError,  // 5xx.
};

struct Classification {
  FetchOutcome outcome = FetchOutcome::kOk;
  // Earliest time the server wants to be asked again: Retry-After (seconds or HTTP-date),
  // Cache-Control max-age / s-maxage, or Expires, whichever says so. nullopt if none.
  std::optional<TimePoint> not_before;
  std::string etag;           // ETag to send as If-None-Match next time (empty if none).
  std::string last_modified;  // Last-Modified to send as If-Modified-Since next time.
  // "HTTP 503 Service Unavailable, retry after 120s", for logs and feed health.
  std::string summary;
};

Classification ClassifyResponse(const HttpResponse& response, TimePoint now);

// The standard reason phrase of the statuses feeds answer with ("Not Found"); empty for others
// (the server's own phrase is not kept: it may say anything).
std::string_view ReasonPhrase(int status);

// Retry-After as seconds or an HTTP-date (RFC 9110 §10.2.3), relative to `now`. nullopt if absent
// or unparseable; a date in the past gives `now`.
std::optional<TimePoint> ParseRetryAfter(std::string_view value, TimePoint now);

}  // namespace feedbridge::http
