#pragma once

// Internal to poller/: what an answer means to the poller (its policy over the protocol facts
// of http/classify.h) and the feed's fetch state after a poll, as pure functions of (feed,
// outcome, now, jitter draw), so poller.cc only stores what they return.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "feeds/model.h"
#include "http/classify.h"
#include "poller/schedule.h"
#include "store/records.h"

namespace feedbridge::poller::internal {

// What the poller does with an answer.
enum class FetchOutcome {
  kOk,           // 2xx with a body: parse it.
  kNotModified,  // 304: nothing new.
  kGone,         // 410: disable the feed.
  kNotFound,     // 404: an error (backs off), the feed is not disabled.
  kThrottled,    // 429, or 503 with Retry-After: not an error, wait as told.
  kClientError,  // Other 4xx, and a 1xx/3xx left over (a redirect not followed).
  kServerError,  // 5xx.
};

FetchOutcome OutcomeOf(int status, const http::Classification& c);

// A 429/503 saying "Retry-After: 0" must not make us hammer the server in a loop.
inline constexpr std::chrono::seconds kMinThrottleWait{60};

// What one poll came to, as far as the feed's fetch state is concerned.
struct PollOutcome {
  enum class Kind {
    kFetched,      // A 2xx whose body parsed: `document` is set.
    kNotModified,  // 304.
    kThrottled,    // 429, or 503 with Retry-After.
    kFailed,       // No response, an error status, an empty or unparseable body.
  };
  Kind kind = Kind::kFailed;
  int http_status = 0;  // 0: no response.
  // Non-empty: every redirect followed was permanent; the feed's URL moves here.
  std::string moved_to;
  std::string etag;           // As answered (empty if none).
  std::string last_modified;  // As answered (empty if none).
  // Retry-After or freshness; for kFailed only Retry-After and caching headers of an error
  // status (none for a body that would not parse).
  std::optional<TimePoint> not_before;
  const feeds::Feed* document = nullptr;  // kFetched: the parsed feed; must outlive the call.
  // kNotModified, for a feed without a saved rhythm (fetched before it was saved): the times of
  // its stored entries (RecentEntryTimes). Ignored when the feed has one.
  std::vector<TimePoint> stored_entry_times;
  std::string error;    // kFailed: what went wrong.
  std::string disable;  // kFailed: non-empty disables the feed, with this reason (410).
};

// The feed's fetch state after `outcome`, polled at `now`; `unit` is a uniform draw in [0, 1)
// for the jitter (NextPollTime). next_poll_at is unset only for a feed being disabled.
//   kFetched      validators, metadata the feed gave (what it stopped giving is kept), rhythm
//                 from its entries; failures cleared.
//   kNotModified  validators the 304 repeated (RFC 9110 §15.4.5: the old ones otherwise), the
//                 saved rhythm; failures cleared.
//   kThrottled    status and poll time only: the server asked us to wait, which is no failure;
//                 at Retry-After (at least kMinThrottleWait), else as after one more failure.
//   kFailed       the error recorded, one more failure, backoff (never before not_before).
store::FetchState NextFetchState(const store::FeedRecord& feed, const PollOutcome& outcome,
                                 const ScheduleOptions& options, TimePoint now, double unit);

}  // namespace feedbridge::poller::internal
