#include "poller/poller.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "common/text.h"
#include "feeds/discovery.h"
#include "feeds/parser.h"
#include "http/classify.h"
#include "poller/poll_steps.h"
#include "poller/schedule.h"

namespace feedbridge::poller {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr size_t kOutboxBatch = 100;
// One FlushOutbox enqueues at most this many, so a huge backlog cannot starve polling.
constexpr size_t kMaxFlushPerCall = 1000;
constexpr size_t kFeedPage = 500;
// Stored entries read after a 304 to keep the feed's rhythm (the body was not sent again).
constexpr size_t kRhythmEntries = 100;
// A 429/503 saying "Retry-After: 0" must not make us hammer the server in a loop.
constexpr seconds kMinThrottleWait{60};
constexpr milliseconds kIdlePause{500};
constexpr milliseconds kErrorPause{5000};
// How often a running poller checks that every enabled feed is on the schedule (a Redis that
// lost its data, a feed added while Redis was down); the check costs one pass over the feeds
// table and one ZADD NX per 500 feeds.
constexpr seconds kReseedEvery{300};

std::string FeedContext(int64_t feed_id, std::string_view url) {
  std::string s = "poller: feed " + std::to_string(feed_id);
  if (!url.empty()) {
    s += ' ';
    s += url;
  }
  return s;
}

}  // namespace

std::chrono::milliseconds ClaimLease(const config::PollerOptions& options) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(options.fetch_timeout * 2 +
                                                               std::chrono::seconds(30));
}

struct Poller::Impl {
  Impl(config::PollerOptions o, config::OmbOptions m, std::string base, PollerDependencies d)
      : options(std::move(o)), omb(std::move(m)), base_url(std::move(base)), deps(d) {
    schedule_options.interval_min = options.interval_min;
    schedule_options.interval_max = options.interval_max;
    schedule_options.error_backoff_min = options.interval_min;
    schedule_options.error_backoff_max = options.interval_max;
  }

  // The fetch states and schedule times that wait to be written once per claimed batch: quiet
  // polls (304) and feeds given back unpolled. Losing them (a crash) costs nothing: the feeds
  // are still leased and come back when the lease runs out.
  struct Deferred {
    std::vector<store::FeedFetchState> states;
    std::vector<queue::ScheduledFeed> schedule;
  };

  Result<PollReport> PollFeed(int64_t feed_id);
  // One poll of `feed`. With `deferred`, a 304's writes are added to it instead of done now.
  Result<PollReport> PollOne(const store::FeedRecord& feed, Deferred* deferred);
  // What a fetch of `feed` (at `now`) brought: records it and schedules the next poll.
  Result<PollReport> Handle(const store::FeedRecord& feed, Result<http::HttpResponse> response,
                            TimePoint now, PollReport report, Deferred* deferred);
  // Writes what `deferred` holds: one transaction, one schedule round trip.
  Status WriteDeferred(Deferred& deferred);
  Result<size_t> FlushOutbox();
  Result<std::vector<PollReport>> RunOnce(size_t max);
  // RunOnce with the outbox flush optional: workers flush every kFlushEvery, not every poll
  // (an outbox query per poll costs as much as the poll itself on a busy SQLite).
  Result<std::vector<PollReport>> ClaimAndPoll(size_t max, bool flush_outbox);
  Result<ScheduleAllReport> ScheduleAll();
  // Every kReseedEvery, one worker puts back on the schedule the enabled feeds missing from it.
  void MaybeReseed(TimePoint now);
  void WorkerLoop(int worker);

  // The outcomes of a fetch.
  Result<PollReport> Fetched(const store::FeedRecord& feed, const http::HttpResponse& response,
                             const http::Classification& c, TimePoint now, PollReport report);
  Result<PollReport> NotModified(const store::FeedRecord& feed, const http::HttpResponse& response,
                                 const http::Classification& c, TimePoint now, PollReport report,
                                 Deferred* deferred);
  Result<PollReport> Throttled(const store::FeedRecord& feed, const http::HttpResponse& response,
                               const http::Classification& c, TimePoint now, PollReport report);
  // A failed poll: the error is recorded on the feed and it backs off; `disable` (410) takes it
  // off the schedule for good.
  struct Failure {
    int http_status = 0;
    std::string message;
    std::optional<TimePoint> not_before;
    std::string disable;  // Non-empty: the disabled_reason.
  };
  Result<PollReport> Failed(const store::FeedRecord& feed, Failure failure, TimePoint now,
                            PollReport report);

  // Enqueues the notices of a poll and marks them; a queue outage leaves them in the outbox.
  void EnqueueNotices(const std::vector<store::Notice>& notices, PollReport& report);
  // Sets the feed's next poll on the shared schedule. A failure is only a problem: the claim's
  // lease runs out and the feed is polled again.
  void Reschedule(int64_t feed_id, TimePoint when, PollReport& report);
  double Jitter() { return UniformUnit(deps.random); }
  void LogReport(const PollReport& report);

  const config::PollerOptions options;
  const config::OmbOptions omb;
  const std::string base_url;
  PollerDependencies deps;
  ScheduleOptions schedule_options;

  // Serializes FlushOutbox: a second caller skips rather than enqueueing the same rows again.
  std::mutex flush_mu;

  std::mutex thread_mu;
  std::condition_variable wake;
  bool stopping = false;  // Guarded by thread_mu.
  // Read by batches in flight without the lock: set, they start no more fetches.
  std::atomic<bool> stop_requested{false};
  std::vector<std::thread> workers;  // Guarded by thread_mu.
  // When MaybeReseed runs next (ms since the epoch of deps.clock); set by Start().
  std::atomic<int64_t> next_reseed_ms{0};
};

Result<PollReport> Poller::Impl::PollFeed(int64_t feed_id) {
  auto loaded = deps.feeds.GetFeed(feed_id);
  if (!loaded.ok()) return loaded.status().WithContext(FeedContext(feed_id, {}));
  return PollOne(*loaded, nullptr);
}

Result<PollReport> Poller::Impl::PollOne(const store::FeedRecord& feed, Deferred* deferred) {
  const int64_t feed_id = feed.id;
  PollReport report;
  report.feed_id = feed_id;
  report.url = feed.url;
  if (feed.disabled()) {
    // A disabled feed is not polled until someone enables it (and schedules it again).
    report.error = "feed disabled: " + feed.disabled_reason;
    const Status removed = deps.schedule.Remove(feed_id);
    if (!removed.ok()) report.problems.push_back(removed.message());
    return report;
  }

  const TimePoint now = deps.clock.Now();
  return Handle(feed, deps.http.Send(internal::BuildFeedRequest(feed, options)), now,
                std::move(report), deferred);
}

Result<PollReport> Poller::Impl::Handle(const store::FeedRecord& feed,
                                        Result<http::HttpResponse> response, TimePoint now,
                                        PollReport report, Deferred* deferred) {
  if (!response.ok()) {
    return Failed(feed, {.message = response.status().message()}, now, std::move(report));
  }
  report.http_status = response->status;
  const http::Classification c = http::ClassifyResponse(*response, now);
  switch (c.outcome) {
    case http::FetchOutcome::kOk:
      return Fetched(feed, *response, c, now, std::move(report));
    case http::FetchOutcome::kNotModified:
      return NotModified(feed, *response, c, now, std::move(report), deferred);
    case http::FetchOutcome::kThrottled:
      return Throttled(feed, *response, c, now, std::move(report));
    case http::FetchOutcome::kGone:
      return Failed(
          feed,
          {.http_status = response->status,
           .message = c.summary,
           .disable = "410 Gone: the feed was removed (at " + internal::FormatTime(now) + ")"},
          now, std::move(report));
    case http::FetchOutcome::kNotFound:
    case http::FetchOutcome::kClientError:
    case http::FetchOutcome::kServerError:
      break;
  }
  return Failed(feed,
                {.http_status = response->status, .message = c.summary, .not_before = c.not_before},
                now, std::move(report));
}

Result<PollReport> Poller::Impl::Fetched(const store::FeedRecord& feed,
                                         const http::HttpResponse& response,
                                         const http::Classification& c, TimePoint now,
                                         PollReport report) {
  const Failure failure{.http_status = response.status};
  if (response.body.empty()) {
    Failure f = failure;
    f.message = "empty response body (HTTP " + std::to_string(response.status) + ")";
    return Failed(feed, std::move(f), now, std::move(report));
  }
  const std::string& fetched_url = response.final_url.empty() ? feed.url : response.final_url;
  feeds::ParseOptions parse_options;
  parse_options.base_url = fetched_url;
  parse_options.content_type = std::string(response.Find("Content-Type"));
  parse_options.max_document_bytes = options.max_body_bytes;
  auto parsed = feeds::ParseFeed(response.body, parse_options);
  if (!parsed.ok()) {
    // Discovery belongs to `feeds add`; a feed URL that now serves a page is an error to show.
    Failure f = failure;
    f.message = feeds::LooksLikeHtml(response.body) ? "not a feed (an HTML page)"
                                                    : parsed.status().message();
    return Failed(feed, std::move(f), now, std::move(report));
  }
  const feeds::Feed& doc = *parsed;

  std::vector<internal::Candidate> candidates = internal::IdentifyEntries(doc);
  report.entries_seen = candidates.size();
  std::vector<std::string> identities;
  identities.reserve(candidates.size());
  for (const auto& candidate : candidates) identities.push_back(candidate.identity);
  auto known = deps.entries.KnownIdentities(feed.id, identities);
  if (!known.ok()) return known.status().WithContext(FeedContext(feed.id, feed.url));
  const std::unordered_set<std::string> known_set(known->begin(), known->end());
  const std::vector<internal::Candidate> fresh =
      internal::NewOldestFirst(std::move(candidates), known_set);

  // Adding a feed does not broadcast its backlog: the first successful poll only stores.
  const bool first_success = !feed.last_success_at.has_value();
  size_t first_notice = first_success ? fresh.size() : 0;
  if (!first_success && fresh.size() > internal::kMaxNoticesPerPoll) {
    // The newest are what readers want to hear about; the older ones are stored silently.
    first_notice = fresh.size() - internal::kMaxNoticesPerPoll;
    report.problems.push_back(std::to_string(fresh.size()) + " new entries at once: notices for " +
                              "the newest " + std::to_string(internal::kMaxNoticesPerPoll) +
                              " only (do the entry ids change on every poll?)");
  }
  const internal::EntryContext context{
      .feed = &doc,
      .feed_url = fetched_url,
      .notice_template = omb.notice_template,
      .fallback_url = base_url + feed.nickname,
  };
  std::vector<store::NewEntry> rows;
  rows.reserve(fresh.size());
  for (size_t i = 0; i < fresh.size(); ++i) {
    rows.push_back(internal::BuildNewEntry(fresh[i], context, i >= first_notice));
  }

  store::FetchState state = internal::CurrentState(feed);
  if (response.MovedPermanently() && !response.final_url.empty()) {
    state.url = response.final_url;
  }
  // Metadata the feed stopped giving is kept: a profile without a name helps nobody.
  if (std::string title = internal::PlainText(doc.title); !title.empty()) state.title = title;
  if (std::string about = internal::PlainText(doc.subtitle); !about.empty()) {
    state.description = about;
  }
  if (!doc.home_page_url.empty()) state.site_url = doc.home_page_url;
  for (const std::string* icon : {&doc.icon, &doc.image.url, &doc.logo}) {
    if (!icon->empty()) {
      state.icon_url = *icon;
      break;
    }
  }
  state.etag = c.etag;
  state.last_modified = c.last_modified;
  state.last_http_status = response.status;
  state.last_error.clear();
  state.consecutive_failures = 0;
  state.failing_since.reset();
  state.last_polled_at = now;
  state.last_success_at = now;
  state.recent_entries = internal::RecentEntryTimes(doc, now);
  // More than a week over interval_min entries would not shorten the interval: keep the newest.
  const size_t keep =
      static_cast<size_t>(std::chrono::hours(24 * 7) / std::max(options.interval_min, seconds(1))) +
      1;
  if (state.recent_entries->size() > keep) {
    std::sort(state.recent_entries->begin(), state.recent_entries->end(), std::greater<>());
    state.recent_entries->resize(keep);
  }
  ScheduleInput input{.recent_entries = *state.recent_entries, .not_before = c.not_before};
  if (doc.ttl_minutes && *doc.ttl_minutes > 0) input.ttl = std::chrono::minutes(*doc.ttl_minutes);
  const TimePoint next = NextPollTime(input, schedule_options, now, Jitter());
  state.next_poll_at = next;

  auto notices = deps.entries.RecordPoll(feed.id, state, rows);
  if (!notices.ok()) return notices.status().WithContext(FeedContext(feed.id, feed.url));
  report.url = state.url;
  report.new_entries = rows.size();
  report.notices = notices->size();
  report.next_poll_at = next;
  EnqueueNotices(*notices, report);
  Reschedule(feed.id, next, report);
  LogReport(report);
  return report;
}

Result<PollReport> Poller::Impl::NotModified(const store::FeedRecord& feed,
                                             const http::HttpResponse& response,
                                             const http::Classification& c, TimePoint now,
                                             PollReport report, Deferred* deferred) {
  report.not_modified = true;
  store::FetchState state = internal::CurrentState(feed);
  // The body was not sent again: the feed's rhythm is the one saved at its last 200. A feed
  // last fetched before that was saved has it read from its stored entries, once.
  if (!state.recent_entries) {
    auto stored = deps.entries.ListEntries(feed.id, 0, kRhythmEntries);
    if (!stored.ok()) return stored.status().WithContext(FeedContext(feed.id, feed.url));
    state.recent_entries = internal::RecentEntryTimes(*stored, now);
  }
  if (response.MovedPermanently() && !response.final_url.empty()) {
    state.url = response.final_url;
  }
  // A 304 may repeat the validators or not (RFC 9110 §15.4.5); keep the old ones if not.
  if (!c.etag.empty()) state.etag = c.etag;
  if (!c.last_modified.empty()) state.last_modified = c.last_modified;
  state.last_http_status = response.status;
  state.last_error.clear();
  state.consecutive_failures = 0;
  state.failing_since.reset();
  state.last_polled_at = now;
  state.last_success_at = now;
  const ScheduleInput input{.recent_entries = internal::WithinWeek(*state.recent_entries, now),
                            .not_before = c.not_before};
  const TimePoint next = NextPollTime(input, schedule_options, now, Jitter());
  state.next_poll_at = next;
  report.url = state.url;
  report.next_poll_at = next;
  if (deferred != nullptr) {
    const bool url_changed = state.url != feed.url;
    deferred->states.push_back(
        {.feed_id = feed.id, .state = std::move(state), .url_changed = url_changed});
    deferred->schedule.push_back({.feed_id = feed.id, .when = next});
  } else {
    const Status saved = deps.feeds.SaveFetchState(feed.id, state);
    if (!saved.ok()) return saved.WithContext(FeedContext(feed.id, feed.url));
    Reschedule(feed.id, next, report);
  }
  LogReport(report);
  return report;
}

Result<PollReport> Poller::Impl::Throttled(const store::FeedRecord& feed,
                                           const http::HttpResponse& response,
                                           const http::Classification& c, TimePoint now,
                                           PollReport report) {
  // Not an error: the server asked us to wait. Failures and the last error stay as they were.
  store::FetchState state = internal::CurrentState(feed);
  state.last_http_status = response.status;
  state.last_polled_at = now;
  TimePoint next;
  if (c.not_before) {
    next = std::max(*c.not_before, now + kMinThrottleWait);
  } else {
    // 429 without Retry-After: wait as after one more failure, without counting it.
    const ScheduleInput input{.consecutive_failures = feed.consecutive_failures + 1};
    next = NextPollTime(input, schedule_options, now, Jitter());
  }
  state.next_poll_at = next;
  const Status saved = deps.feeds.SaveFetchState(feed.id, state);
  if (!saved.ok()) return saved.WithContext(FeedContext(feed.id, feed.url));
  report.problems.push_back(c.summary.empty() ? "throttled" : c.summary);
  report.next_poll_at = next;
  Reschedule(feed.id, next, report);
  LogReport(report);
  return report;
}

Result<PollReport> Poller::Impl::Failed(const store::FeedRecord& feed, Failure failure,
                                        TimePoint now, PollReport report) {
  store::FetchState state = internal::CurrentState(feed);
  state.last_http_status = failure.http_status;
  state.last_error = failure.disable.empty() ? failure.message : failure.disable;
  state.consecutive_failures = feed.consecutive_failures + 1;
  if (!state.failing_since) state.failing_since = now;
  state.last_polled_at = now;
  if (!failure.disable.empty()) {
    state.disabled_reason = failure.disable;
    state.next_poll_at.reset();
  } else {
    const ScheduleInput input{.not_before = failure.not_before,
                              .consecutive_failures = state.consecutive_failures};
    state.next_poll_at = NextPollTime(input, schedule_options, now, Jitter());
  }
  const Status saved = deps.feeds.SaveFetchState(feed.id, state);
  if (!saved.ok()) return saved.WithContext(FeedContext(feed.id, feed.url));
  report.error = state.last_error;
  if (state.next_poll_at) {
    report.next_poll_at = *state.next_poll_at;
    Reschedule(feed.id, *state.next_poll_at, report);
  } else {
    const Status removed = deps.schedule.Remove(feed.id);
    if (!removed.ok()) report.problems.push_back(removed.message());
  }
  LogReport(report);
  return report;
}

void Poller::Impl::EnqueueNotices(const std::vector<store::Notice>& notices, PollReport& report) {
  for (const store::Notice& notice : notices) {
    const Status queued =
        deps.queue.Enqueue({.notice_id = notice.id, .account_id = notice.account_id});
    if (!queued.ok()) {
      // The outbox keeps them; FlushOutbox (next RunOnce) enqueues them when Redis is back.
      report.problems.push_back("notices left in the outbox: " + queued.message());
      return;
    }
    // One line per notice: what the blog just said on the network.
    deps.log.information("poller: notice " + std::to_string(notice.id) + " queued: " + notice.text);
    const Status marked = deps.notices.MarkEnqueued(notice.id);
    if (!marked.ok()) {
      // Enqueued but still in the outbox: the next flush enqueues it again, which Enqueue
      // ignores (idempotent per notice id).
      report.problems.push_back("notice " + std::to_string(notice.id) +
                                " not marked enqueued: " + marked.message());
    }
  }
}

void Poller::Impl::Reschedule(int64_t feed_id, TimePoint when, PollReport& report) {
  const Status s = deps.schedule.Schedule(feed_id, when);
  if (!s.ok()) report.problems.push_back("not rescheduled: " + s.message());
}

void Poller::Impl::LogReport(const PollReport& report) {
  // A poll that found nothing new and went well is a debug line: at scale most polls are 304s.
  const bool trouble = !report.error.empty() || !report.problems.empty();
  const bool news = report.new_entries > 0;
  if (!trouble && !(news ? deps.log.information() : deps.log.debug())) return;
  std::string line = FeedContext(report.feed_id, report.url) + ": ";
  line += report.http_status == 0 ? std::string("no response")
                                  : "HTTP " + std::to_string(report.http_status);
  if (report.error.empty()) {
    line += ", " + Counted(report.new_entries, "new entry", "new entries") + ", " +
            Counted(report.notices, "notice", "notices");
  } else {
    line += ": " + report.error;
  }
  for (const std::string& problem : report.problems) line += "; " + problem;
  if (report.next_poll_at != TimePoint{}) {
    line += ", next poll " + internal::FormatTime(report.next_poll_at);
  }
  if (trouble) {
    deps.log.warning(line);
  } else if (news) {
    deps.log.information(line);
  } else {
    deps.log.debug(line);
  }
}

Result<size_t> Poller::Impl::FlushOutbox() {
  std::unique_lock lock(flush_mu, std::try_to_lock);
  if (!lock.owns_lock()) return size_t{0};  // Another thread is flushing right now.
  size_t done = 0;
  while (done < kMaxFlushPerCall) {
    const size_t batch = std::min(kOutboxBatch, kMaxFlushPerCall - done);
    auto pending = deps.notices.PendingOutbox(batch);
    if (!pending.ok()) return pending.status().WithContext("poller: outbox");
    for (const store::Notice& notice : *pending) {
      const Status queued =
          deps.queue.Enqueue({.notice_id = notice.id, .account_id = notice.account_id});
      if (!queued.ok()) return queued.WithContext("poller: outbox");
      const Status marked = deps.notices.MarkEnqueued(notice.id);
      if (!marked.ok()) return marked.WithContext("poller: outbox");
      ++done;
    }
    if (pending->size() < batch) break;
  }
  if (done > 0) deps.log.information("poller: outbox: enqueued " + std::to_string(done));
  return done;
}

Result<std::vector<PollReport>> Poller::Impl::RunOnce(size_t max) {
  return ClaimAndPoll(max, /*flush_outbox=*/true);
}

Result<std::vector<PollReport>> Poller::Impl::ClaimAndPoll(size_t max, bool flush_outbox) {
  if (flush_outbox) {
    if (auto flushed = FlushOutbox(); !flushed.ok()) {
      // Polling goes on: new notices wait in the outbox like these.
      deps.log.warning(flushed.status().message());
    }
  }
  const milliseconds lease = ClaimLease(options);
  const TimePoint claimed_at = deps.clock.Now();
  auto claimed = deps.schedule.ClaimDue(claimed_at, max, lease);
  if (!claimed.ok()) return claimed.status().WithContext("poller: schedule");
  if (claimed->empty()) return std::vector<PollReport>{};
  // One query for the batch; the feeds stay leased if it fails, and come back after the lease.
  auto loaded = deps.feeds.GetFeeds(*claimed);
  if (!loaded.ok()) return loaded.status().WithContext("poller: claimed feeds");
  std::unordered_map<int64_t, const store::FeedRecord*> by_id;
  for (const store::FeedRecord& feed : *loaded) by_id.emplace(feed.id, &feed);

  // The batch's fetches run at once (HttpClient::SendEach); each answer is handled as it
  // comes. Fetches not started by half the lease go back to the schedule, due now, before
  // another poller could take them as abandoned.
  const auto give_back_after = lease / 2;
  Deferred deferred;
  std::vector<std::pair<size_t, PollReport>> done;  // With their place in the claim.
  std::vector<const store::FeedRecord*> fetched;    // fetched[k] is requests[k]'s feed.
  std::vector<size_t> place;                        // requests[k]'s place in the claim.
  std::vector<http::HttpRequest> requests;
  Status failure;
  for (size_t i = 0; i < claimed->size(); ++i) {
    const int64_t feed_id = (*claimed)[i];
    const auto found = by_id.find(feed_id);
    if (found == by_id.end()) {
      // Removed since it was scheduled.
      if (const Status s = deps.schedule.Remove(feed_id); !s.ok()) {
        deps.log.warning(s.WithContext(FeedContext(feed_id, {})).message());
      }
      continue;
    }
    const store::FeedRecord& feed = *found->second;
    if (feed.disabled()) {
      auto report = PollOne(feed, &deferred);  // Taken off the schedule; nothing fetched.
      if (!report.ok()) {
        failure = report.status();
        break;
      }
      done.emplace_back(i, std::move(*report));
      continue;
    }
    fetched.push_back(&feed);
    place.push_back(i);
    requests.push_back(internal::BuildFeedRequest(feed, options));
  }
  if (failure.ok() && !requests.empty()) {
    const auto spent = deps.clock.Now() - claimed_at;
    const auto start_by = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::max<milliseconds>(give_back_after - spent, milliseconds(0)));
    deps.http.SendEach(requests, start_by, [&](size_t k, Result<http::HttpResponse> response) {
      if (!failure.ok()) return false;  // The store failed: the rest stay leased.
      const store::FeedRecord& feed = *fetched[k];
      const TimePoint now = deps.clock.Now();
      if (!response.ok() && response.status().code() == Status::Code::kFailedPrecondition) {
        deferred.schedule.push_back({.feed_id = feed.id, .when = now});  // Not sent.
        return true;
      }
      PollReport report;
      report.feed_id = feed.id;
      report.url = feed.url;
      auto handled = Handle(feed, std::move(response), now, std::move(report), &deferred);
      if (!handled.ok()) {
        failure = handled.status();
        return false;
      }
      done.emplace_back(place[k], std::move(*handled));
      // Stopping, or half the lease gone: the fetches not started go back to the schedule.
      return !stop_requested.load() && deps.clock.Now() - claimed_at <= give_back_after;
    });
  }
  if (!failure.ok()) {
    (void)WriteDeferred(deferred);  // What was done stays done, if the store allows.
    return failure;
  }
  if (Status written = WriteDeferred(deferred); !written.ok()) return written;
  std::sort(done.begin(), done.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<PollReport> reports;
  reports.reserve(done.size());
  for (auto& [i, report] : done) reports.push_back(std::move(report));
  return reports;
}

Status Poller::Impl::WriteDeferred(Deferred& deferred) {
  if (!deferred.states.empty()) {
    const Status saved = deps.feeds.SaveFetchStates(deferred.states);
    if (!saved.ok()) {
      // Not rescheduled either: their leases run out and they are polled again.
      return saved.WithContext("poller: fetch state of " + std::to_string(deferred.states.size()) +
                               " feeds");
    }
  }
  if (!deferred.schedule.empty()) {
    const Status s = deps.schedule.ScheduleMany(deferred.schedule);
    if (!s.ok()) {
      deps.log.warning("poller: " + std::to_string(deferred.schedule.size()) +
                       " feeds not rescheduled (their leases bring them back): " + s.message());
    }
  }
  deferred = Deferred();
  return Status::Ok();
}

Result<ScheduleAllReport> Poller::Impl::ScheduleAll() {
  const TimePoint now = deps.clock.Now();
  ScheduleAllReport report;
  int64_t after = 0;
  while (true) {
    auto page = deps.feeds.ListFeeds(after, kFeedPage);
    if (!page.ok()) return page.status().WithContext("poller: schedule all");
    std::vector<queue::ScheduledFeed> enabled;
    enabled.reserve(page->size());
    for (const store::FeedRecord& feed : *page) {
      after = feed.id;
      if (feed.disabled()) {
        if (Status s = deps.schedule.Remove(feed.id); !s.ok()) {
          return s.WithContext(FeedContext(feed.id, feed.url));
        }
        continue;
      }
      enabled.push_back({.feed_id = feed.id, .when = feed.next_poll_at.value_or(now)});
    }
    // Only the missing ones: a feed on the schedule keeps its time, and a lease another poller
    // holds on it stays (overwriting it with the stored time would let a second poller claim it).
    Result<size_t> added = deps.schedule.AddMissing(enabled);
    if (!added.ok()) {
      return added.status().WithContext("poller: schedule all: " + std::to_string(enabled.size()) +
                                        " feeds after id " +
                                        std::to_string(enabled.empty() ? 0 : enabled[0].feed_id));
    }
    report.enabled += enabled.size();
    report.added += *added;
    if (page->size() < kFeedPage) break;
  }
  return report;
}

void Poller::Impl::MaybeReseed(TimePoint now) {
  int64_t due = next_reseed_ms.load();
  const int64_t now_ms = std::chrono::duration_cast<milliseconds>(now.time_since_epoch()).count();
  if (now_ms < due) return;
  const int64_t next = now_ms + std::chrono::duration_cast<milliseconds>(kReseedEvery).count();
  // One worker of the process does it; the others go on polling.
  if (!next_reseed_ms.compare_exchange_strong(due, next)) return;
  Result<ScheduleAllReport> r = ScheduleAll();
  if (!r.ok()) {
    deps.log.warning("poller: schedule check: " + r.status().message());
  } else if (r->added > 0) {
    deps.log.warning("poller: schedule check: " + std::to_string(r->added) + " of " +
                     std::to_string(r->enabled) +
                     " feeds were not on the schedule (Redis lost its data, or they were added "
                     "while it was down); scheduled them");
  }
}

void Poller::Impl::WorkerLoop(int worker) {
  // Claimed in batches: one claim, one feed query, the fetches all at once (SendEach), one
  // transaction for the 304s and one reschedule per batch (bench/poll, 100,000 feeds, 304s:
  // 32,066 polls/s with 128, 31,265 with 64). Slow feeds cannot hold the rest: those not started
  // by half the lease go back to the schedule.
  constexpr size_t kWorkerBatch = 128;
  constexpr milliseconds kFlushEvery{5000};
  TimePoint last_flush{};
  while (true) {
    {
      std::lock_guard lock(thread_mu);
      if (stopping) return;
    }
    milliseconds pause{0};
    try {
      const TimePoint now = deps.clock.Now();
      const bool flush = now - last_flush >= kFlushEvery;
      if (flush) last_flush = now;
      MaybeReseed(now);
      auto reports = ClaimAndPoll(kWorkerBatch, flush);
      if (!reports.ok()) {
        deps.log.warning("poller: worker " + std::to_string(worker) + ": " +
                         reports.status().message());
        pause = kErrorPause;
      } else if (reports->empty()) {
        pause = kIdlePause;
      }
    } catch (const std::exception& e) {
      deps.log.error("poller: worker " + std::to_string(worker) + ": " + e.what());
      pause = kErrorPause;
    } catch (...) {
      deps.log.error("poller: worker " + std::to_string(worker) + ": unknown exception");
      pause = kErrorPause;
    }
    if (pause > milliseconds(0)) {
      std::unique_lock lock(thread_mu);
      wake.wait_for(lock, pause, [this] { return stopping; });
    }
  }
}

Poller::Poller(config::PollerOptions options, config::OmbOptions omb, std::string base_url,
               PollerDependencies deps)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(omb), std::move(base_url), deps)) {
}

Poller::~Poller() { Stop(); }

Result<PollReport> Poller::PollFeed(int64_t feed_id) { return impl_->PollFeed(feed_id); }

Result<std::vector<PollReport>> Poller::RunOnce(size_t max) { return impl_->RunOnce(max); }

Result<size_t> Poller::FlushOutbox() { return impl_->FlushOutbox(); }

Result<ScheduleAllReport> Poller::ScheduleAll() { return impl_->ScheduleAll(); }

void Poller::Start() {
  std::lock_guard lock(impl_->thread_mu);
  if (!impl_->workers.empty()) return;
  impl_->stopping = false;
  impl_->stop_requested = false;
  // Whoever starts the workers has just scheduled everything (serve) or does not need it now.
  impl_->next_reseed_ms = std::chrono::duration_cast<milliseconds>(
                              (impl_->deps.clock.Now() + kReseedEvery).time_since_epoch())
                              .count();
  const int n = std::max(1, impl_->options.workers);
  for (int i = 0; i < n; ++i) {
    impl_->workers.emplace_back([this, i] { impl_->WorkerLoop(i); });
  }
}

void Poller::RequestStop() { impl_->stop_requested = true; }

void Poller::Stop() {
  RequestStop();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(impl_->thread_mu);
    impl_->stopping = true;
    threads.swap(impl_->workers);
  }
  impl_->wake.notify_all();
  for (std::thread& t : threads) t.join();
}

}  // namespace feedbridge::poller
