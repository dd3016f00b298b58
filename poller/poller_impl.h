#pragma once

// Internal to poller/: the state behind Poller. poller.cc polls one feed (fetch, the outcome's
// records, the notices); workers.cc claims batches and runs the worker threads.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "poller/fetch_state.h"
#include "poller/poller.h"
#include "poller/schedule.h"

namespace feedbridge::poller {

// "poller: feed 7 https://blog.test/feed", the context of a feed's errors and log lines.
std::string FeedContext(int64_t feed_id, std::string_view url);

struct Poller::Impl {
  Impl(config::PollerOptions o, config::OmbOptions m, std::string base, PollerDependencies d);

  // The fetch states and schedule times that wait to be written once per claimed batch: quiet
  // polls (304) and feeds given back unpolled. Losing them (a crash) costs nothing: the feeds
  // are still leased and come back when the lease runs out.
  struct Deferred {
    std::vector<store::FeedFetchState> states;
    std::vector<queue::ScheduledFeed> schedule;
  };

  // poller.cc: one feed.
  Result<PollReport> PollFeed(int64_t feed_id);
  // One poll of `feed`, its writes done now.
  Result<PollReport> PollOne(const store::FeedRecord& feed);
  // The report for a disabled feed, which is taken off the schedule and not fetched.
  PollReport SkipDisabled(const store::FeedRecord& feed);
  // What a fetch of `feed` (at `now`) brought: records it and schedules the next poll. With
  // `deferred`, a 304's writes are added to it instead of done now.
  Result<PollReport> Handle(const store::FeedRecord& feed, http::SendResult response, TimePoint now,
                            PollReport report, Deferred* deferred);
  // A 2xx: parse, new entries, notices; one transaction with the fetch state.
  Result<PollReport> Fetched(const store::FeedRecord& feed, const http::HttpResponse& response,
                             internal::PollOutcome outcome, TimePoint now, PollReport report);
  Result<PollReport> NotModified(const store::FeedRecord& feed, internal::PollOutcome outcome,
                                 TimePoint now, PollReport report, Deferred* deferred);
  // Throttled or failed: the fetch state saved, the feed rescheduled (or, disabled, taken off
  // the schedule).
  Result<PollReport> Recorded(const store::FeedRecord& feed, const internal::PollOutcome& outcome,
                              TimePoint now, PollReport report);
  // Enqueues the notices of a poll and marks them; a queue outage leaves them in the outbox.
  void EnqueueNotices(const std::vector<store::Notice>& notices, PollReport& report);
  // Sets the feed's next poll on the shared schedule. A failure is only a problem: the claim's
  // lease runs out and the feed is polled again.
  void Reschedule(int64_t feed_id, TimePoint when, PollReport& report);
  store::FetchState NextState(const store::FeedRecord& feed, const internal::PollOutcome& outcome,
                              TimePoint now) {
    return internal::NextFetchState(feed, outcome, schedule_options, now, UniformUnit(deps.random));
  }
  void LogReport(const PollReport& report);
  // A feed moving (state.url is not feed.url) onto a URL another feed already bridges is not
  // moved: state.url goes back to feed.url, the rest of the poll is stored as it is, and one
  // warning says so (once per feed and target, not at every poll). True when it was refused.
  // Errors: those of the store's look-up.
  Result<bool> KeepUrlIfTaken(const store::FeedRecord& feed, store::FetchState& state);
  // True when `written` failed on the URL's uniqueness: another feed took state.url after
  // KeepUrlIfTaken looked.
  static bool IsMoveTaken(const Status& written, const store::FeedRecord& feed,
                          const store::FetchState& state);
  // Ping-pong: two podcast feeds whose itunes:new-feed-url name each other would move the feed
  // back and forth at every poll. The rule: an itunes:new-feed-url is not honoured when the
  // target's answer, fetched once then (without validators), names in its own
  // itunes:new-feed-url the URL the feed is moving from (`back`). Nothing is stored, so it
  // holds whichever poller process polls the feed; the cost is one more GET per poll of a feed
  // whose podcast names another URL, only while it does. A target that does not answer with a
  // feed does not stop the move (as before). True when `target` names `back`.
  bool NamesBack(const store::FeedRecord& feed, const std::string& target, const std::string& back);
  // Logs `line` unless the last refused move of the feed logged was to `target`.
  void WarnRefusedOnce(int64_t feed_id, const std::string& target, const std::string& line);
  // The one line of a feed's URL change (a persistent 301, itunes:new-feed-url).
  void LogMove(const store::FeedRecord& feed, std::string_view to, std::string_view moved_by);
  Result<size_t> FlushOutbox();
  // profile_outbox.cc: enqueues the profile revisions not yet enqueued (none without
  // deps.profiles). Enqueue is idempotent per revision, so two flushes at once do no harm.
  Result<size_t> FlushProfiles();
  Result<ScheduleAllReport> ScheduleAll();

  // workers.cc: batches and threads.
  Result<std::vector<PollReport>> RunOnce(size_t max);
  // RunOnce with the outbox flush optional: workers flush every kFlushEvery, not every poll
  // (an outbox query per poll costs as much as the poll itself on a busy SQLite).
  Result<std::vector<PollReport>> ClaimAndPoll(size_t max, bool flush_outbox);
  // Writes what `deferred` holds: one transaction, one schedule round trip.
  Status WriteDeferred(Deferred& deferred);
  // Every kReseedEvery, one worker puts back on the schedule the enabled feeds missing from it.
  void MaybeReseed(TimePoint now);
  void WorkerLoop(int worker);
  void Start();
  void Stop();

  const config::PollerOptions options;
  const config::OmbOptions omb;
  const std::string base_url;
  PollerDependencies deps;
  ScheduleOptions schedule_options;

  // Per feed, the last target of a move refused by KeepUrlIfTaken (its warning is logged once).
  std::mutex refused_mu;
  std::unordered_map<int64_t, std::string> refused_moves;  // Guarded by refused_mu.

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

}  // namespace feedbridge::poller
