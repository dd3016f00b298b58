#include "poller/fetch_state.h"

#include <algorithm>
#include <functional>

#include "poller/poll_steps.h"

namespace feedbridge::poller::internal {
namespace {

using Kind = PollOutcome::Kind;

// A good answer: the validators and the rhythm are the caller's, the failures are over.
void Succeeded(const PollOutcome& outcome, TimePoint now, store::FetchState& state) {
  if (!outcome.moved_to.empty()) state.url = outcome.moved_to;
  state.last_http_status = outcome.http_status;
  state.last_error.clear();
  state.consecutive_failures = 0;
  state.failing_since.reset();
  state.last_polled_at = now;
  state.last_success_at = now;
}

// Metadata the feed stopped giving is kept: a profile without a name helps nobody.
void TakeMetadata(const feeds::Feed& doc, store::FetchState& state) {
  if (std::string title = PlainText(doc.title); !title.empty()) state.title = title;
  if (std::string about = PlainText(doc.subtitle); !about.empty()) state.description = about;
  if (!doc.home_page_url.empty()) state.site_url = doc.home_page_url;
  for (const std::string* icon : {&doc.icon, &doc.image.url, &doc.logo}) {
    if (!icon->empty()) {
      state.icon_url = *icon;
      break;
    }
  }
}

TimePoint Fetched(const PollOutcome& outcome, const ScheduleOptions& options, TimePoint now,
                  double unit, store::FetchState& state) {
  const feeds::Feed& doc = *outcome.document;
  TakeMetadata(doc, state);
  state.etag = outcome.etag;
  state.last_modified = outcome.last_modified;
  Succeeded(outcome, now, state);
  std::vector<TimePoint> recent = RecentEntryTimes(doc, now);
  // More than a week over interval_min entries would not shorten the interval: keep the newest.
  const size_t keep = static_cast<size_t>(std::chrono::hours(24 * 7) /
                                          std::max(options.interval_min, std::chrono::seconds(1))) +
                      1;
  if (recent.size() > keep) {
    std::sort(recent.begin(), recent.end(), std::greater<>());
    recent.resize(keep);
  }
  ScheduleInput input{.recent_entries = recent, .not_before = outcome.not_before};
  if (doc.ttl_minutes && *doc.ttl_minutes > 0) input.ttl = std::chrono::minutes(*doc.ttl_minutes);
  state.recent_entries = std::move(recent);
  return NextPollTime(input, options, now, unit);
}

TimePoint NotModified(const PollOutcome& outcome, const ScheduleOptions& options, TimePoint now,
                      double unit, store::FetchState& state) {
  // The body was not sent again: the feed's rhythm is the one saved at its last 200.
  if (!state.recent_entries) state.recent_entries = outcome.stored_entry_times;
  if (!outcome.etag.empty()) state.etag = outcome.etag;
  if (!outcome.last_modified.empty()) state.last_modified = outcome.last_modified;
  Succeeded(outcome, now, state);
  const ScheduleInput input{.recent_entries = WithinWeek(*state.recent_entries, now),
                            .not_before = outcome.not_before};
  return NextPollTime(input, options, now, unit);
}

TimePoint Throttled(const store::FeedRecord& feed, const PollOutcome& outcome,
                    const ScheduleOptions& options, TimePoint now, double unit,
                    store::FetchState& state) {
  // Not an error: failures and the last error stay as they were.
  state.last_http_status = outcome.http_status;
  state.last_polled_at = now;
  if (outcome.not_before) return std::max(*outcome.not_before, now + kMinThrottleWait);
  // 429 without Retry-After: wait as after one more failure, without counting it.
  const ScheduleInput input{.consecutive_failures = feed.consecutive_failures + 1};
  return NextPollTime(input, options, now, unit);
}

std::optional<TimePoint> Failed(const store::FeedRecord& feed, const PollOutcome& outcome,
                                const ScheduleOptions& options, TimePoint now, double unit,
                                store::FetchState& state) {
  state.last_http_status = outcome.http_status;
  state.last_error = outcome.disable.empty() ? outcome.error : outcome.disable;
  state.consecutive_failures = feed.consecutive_failures + 1;
  if (!state.failing_since) state.failing_since = now;
  state.last_polled_at = now;
  if (!outcome.disable.empty()) {
    state.disabled_reason = outcome.disable;
    return std::nullopt;
  }
  const ScheduleInput input{.not_before = outcome.not_before,
                            .consecutive_failures = state.consecutive_failures};
  return NextPollTime(input, options, now, unit);
}

}  // namespace

FetchOutcome OutcomeOf(int status, const http::Classification& c) {
  if (status >= 200 && status < 300) return FetchOutcome::kOk;
  if (status == 304) return FetchOutcome::kNotModified;
  if (status == 410) return FetchOutcome::kGone;
  if (status == 404) return FetchOutcome::kNotFound;
  if (status == 429 || (status == 503 && c.retry_after)) return FetchOutcome::kThrottled;
  // A 3xx that was not followed (no Location, too many, or redirects disabled) and 1xx left
  // over are the request's problem as far as the poller is concerned.
  if (status >= 100 && status < 500) return FetchOutcome::kClientError;
  return FetchOutcome::kServerError;
}

store::FetchState NextFetchState(const store::FeedRecord& feed, const PollOutcome& outcome,
                                 const ScheduleOptions& options, TimePoint now, double unit) {
  store::FetchState state = CurrentState(feed);
  switch (outcome.kind) {
    case Kind::kFetched:
      state.next_poll_at = Fetched(outcome, options, now, unit, state);
      break;
    case Kind::kNotModified:
      state.next_poll_at = NotModified(outcome, options, now, unit, state);
      break;
    case Kind::kThrottled:
      state.next_poll_at = Throttled(feed, outcome, options, now, unit, state);
      break;
    case Kind::kFailed:
      state.next_poll_at = Failed(feed, outcome, options, now, unit, state);
      break;
  }
  return state;
}

}  // namespace feedbridge::poller::internal
