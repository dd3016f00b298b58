#include "poller/poller.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>

#include "common/text.h"
#include "http/classify.h"
#include "poller/poll_decision.h"
#include "poller/poll_steps.h"
#include "poller/poller_impl.h"

namespace feedbridge::poller {
namespace {

constexpr size_t kOutboxBatch = 100;
// One FlushOutbox enqueues at most this many, so a huge backlog cannot starve polling.
constexpr size_t kMaxFlushPerCall = 1000;
constexpr size_t kFeedPage = 500;
// Stored entries read after a 304 to keep the feed's rhythm (the body was not sent again).
constexpr size_t kRhythmEntries = 100;

using Kind = internal::PollOutcome::Kind;

}  // namespace

std::string FeedContext(int64_t feed_id, std::string_view url) {
  std::string s = "poller: feed " + std::to_string(feed_id);
  if (!url.empty()) {
    s += ' ';
    s += url;
  }
  return s;
}

std::chrono::milliseconds ClaimLease(const config::PollerOptions& options) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(options.fetch_timeout * 2 +
                                                               std::chrono::seconds(30));
}

Poller::Impl::Impl(config::PollerOptions o, config::OmbOptions m, std::string base,
                   PollerDependencies d)
    : options(std::move(o)), omb(std::move(m)), base_url(std::move(base)), deps(d) {
  schedule_options.interval_min = options.interval_min;
  schedule_options.interval_max = options.interval_max;
  schedule_options.error_backoff_min = options.interval_min;
  schedule_options.error_backoff_max = options.interval_max;
}

Result<PollReport> Poller::Impl::PollFeed(int64_t feed_id) {
  auto loaded = deps.feeds.GetFeed(feed_id);
  if (!loaded.ok()) return loaded.status().WithContext(FeedContext(feed_id, {}));
  return PollOne(*loaded);
}

Result<PollReport> Poller::Impl::PollOne(const store::FeedRecord& feed) {
  if (feed.disabled()) return SkipDisabled(feed);
  PollReport report;
  report.feed_id = feed.id;
  report.url = feed.url;
  const TimePoint now = deps.clock.Now();
  return Handle(feed, deps.http.Send(internal::BuildFeedRequest(feed, options)), now,
                std::move(report), nullptr);
}

PollReport Poller::Impl::SkipDisabled(const store::FeedRecord& feed) {
  // A disabled feed is not polled until someone enables it (and schedules it again).
  PollReport report;
  report.feed_id = feed.id;
  report.url = feed.url;
  report.error = "feed disabled: " + feed.disabled_reason;
  report.disabled = true;
  const Status removed = deps.schedule.Remove(feed.id);
  if (!removed.ok()) report.problems.push_back(removed.message());
  return report;
}

Result<PollReport> Poller::Impl::Handle(const store::FeedRecord& feed, http::SendResult response,
                                        TimePoint now, PollReport report, Deferred* deferred) {
  if (!response.ok()) {
    // What the server answered, when its body was what failed (over the cap, a gzip bomb).
    report.http_status = response.answered_status();
    return Recorded(feed,
                    {.kind = Kind::kFailed,
                     .http_status = report.http_status,
                     .error = response.status().message()},
                    now, std::move(report));
  }
  report.http_status = response->status;
  const http::Classification c = http::ClassifyResponse(*response, now);
  internal::PollOutcome outcome{.http_status = response->status,
                                .etag = c.etag,
                                .last_modified = c.last_modified,
                                .not_before = c.not_before};
  switch (internal::OutcomeOf(response->status, c)) {
    case internal::FetchOutcome::kOk:
      if (response->MovedPermanently() && !response->final_url.empty()) {
        outcome.moved_to = response->final_url;
      }
      return Fetched(feed, *response, std::move(outcome), now, std::move(report));
    case internal::FetchOutcome::kNotModified:
      if (response->MovedPermanently() && !response->final_url.empty()) {
        outcome.moved_to = response->final_url;
      }
      return NotModified(feed, std::move(outcome), now, std::move(report), deferred);
    case internal::FetchOutcome::kThrottled:
      outcome.kind = Kind::kThrottled;
      report.throttled = true;
      if (c.retry_after) {
        report.retry_after = std::chrono::ceil<std::chrono::seconds>(*c.retry_after - now);
      }
      report.problems.push_back(c.summary.empty() ? "throttled" : c.summary);
      return Recorded(feed, outcome, now, std::move(report));
    case internal::FetchOutcome::kGone:
      outcome.kind = Kind::kFailed;
      outcome.not_before.reset();
      outcome.error = c.summary;
      outcome.disable = "410 Gone: the feed was removed (at " + internal::FormatTime(now) + ")";
      return Recorded(feed, outcome, now, std::move(report));
    case internal::FetchOutcome::kNotFound:
    case internal::FetchOutcome::kClientError:
    case internal::FetchOutcome::kServerError:
      break;
  }
  outcome.kind = Kind::kFailed;
  outcome.error = c.summary;
  return Recorded(feed, outcome, now, std::move(report));
}

Result<PollReport> Poller::Impl::Fetched(const store::FeedRecord& feed,
                                         const http::HttpResponse& response,
                                         internal::PollOutcome outcome, TimePoint now,
                                         PollReport report) {
  internal::FetchedBody body = internal::ReadFetchedBody(feed, response, options.max_body_bytes);
  if (!body.document) {
    // A failure of this status (the caching headers and validators of a body that gives nothing
    // to parse do not count).
    return Recorded(feed,
                    {.kind = Kind::kFailed, .http_status = response.status, .error = body.error},
                    now, std::move(report));
  }
  std::vector<internal::Candidate> candidates = internal::IdentifyEntries(*body.document);
  std::vector<std::string> identities;
  identities.reserve(candidates.size());
  for (const auto& candidate : candidates) identities.push_back(candidate.identity);
  auto known = deps.entries.KnownIdentities(feed.id, identities);
  if (!known.ok()) return known.status().WithContext(FeedContext(feed.id, feed.url));

  // Where the document came from as far as the feed's URL goes: after a persistent 301, its target.
  const std::string from = outcome.moved_to.empty() ? feed.url : outcome.moved_to;
  const internal::NoticePolicy policy{.notice_template = omb.notice_template,
                                      .fallback_url = base_url + feed.nickname};
  internal::FetchedDecision decision = internal::DecideFetched(
      feed, *body.document, body.fetched_url, std::move(candidates), *known, std::move(outcome),
      policy, schedule_options, now, UniformUnit(deps.random));

  if (decision.moved_by == "itunes:new-feed-url" && NamesBack(feed, decision.state.url, from)) {
    WarnRefusedOnce(feed.id, decision.state.url,
                    "poller: feed " + std::to_string(feed.id) + ": itunes:new-feed-url names " +
                        decision.state.url + ", whose feed names " + from +
                        " back; not moved (the two feeds name each other)");
    decision.state.url = from;
    decision.moved_by = from == feed.url ? "" : "permanent redirect";
  }
  Result<bool> kept = KeepUrlIfTaken(feed, decision.state);
  if (!kept.ok()) return kept.status().WithContext(FeedContext(feed.id, feed.url));
  auto notices = deps.entries.RecordPoll(feed.id, decision.state, decision.rows);
  if (IsMoveTaken(notices.status(), feed, decision.state)) {
    // Another feed took the URL between the look-up and the write: look again, write once more.
    kept = KeepUrlIfTaken(feed, decision.state);
    if (!kept.ok()) return kept.status().WithContext(FeedContext(feed.id, feed.url));
    notices = deps.entries.RecordPoll(feed.id, decision.state, decision.rows);
  }
  if (!notices.ok()) return notices.status().WithContext(FeedContext(feed.id, feed.url));
  if (decision.state.url == feed.url) decision.moved_by.clear();
  if (!decision.moved_by.empty()) LogMove(feed, decision.state.url, decision.moved_by);
  const TimePoint next = *decision.state.next_poll_at;
  report.url = decision.state.url;
  report.entries_seen = decision.entries_seen;
  report.new_entries = decision.rows.size();
  report.notices = notices->size();
  report.next_poll_at = next;
  for (std::string& problem : decision.problems) report.problems.push_back(std::move(problem));
  EnqueueNotices(*notices, report);
  if (decision.state.profile_changed) {
    report.profile_changed = true;
    if (Result<size_t> queued = FlushProfiles(); !queued.ok()) {
      report.problems.push_back("profile change left in the outbox: " + queued.status().message());
    }
  }
  Reschedule(feed.id, next, report);
  LogReport(report);
  return report;
}

Result<PollReport> Poller::Impl::NotModified(const store::FeedRecord& feed,
                                             internal::PollOutcome outcome, TimePoint now,
                                             PollReport report, Deferred* deferred) {
  report.not_modified = true;
  outcome.kind = Kind::kNotModified;
  // The body was not sent again: the feed's rhythm is the one saved at its last 200. A feed
  // last fetched before that was saved has it read from its stored entries, once.
  if (!feed.recent_entries) {
    auto stored = deps.entries.ListEntries(feed.id, 0, kRhythmEntries);
    if (!stored.ok()) return stored.status().WithContext(FeedContext(feed.id, feed.url));
    outcome.stored_entry_times = internal::RecentEntryTimes(*stored, now);
  }
  store::FetchState state = NextState(feed, outcome, now);
  const TimePoint next = *state.next_poll_at;
  Result<bool> kept = KeepUrlIfTaken(feed, state);
  if (!kept.ok()) return kept.status().WithContext(FeedContext(feed.id, feed.url));
  report.url = state.url;
  report.next_poll_at = next;
  // A move is written now, not with the batch: the URL another feed may take meanwhile fails
  // this one write (looked at again and retried), not the batch's transaction.
  if (deferred != nullptr && state.url == feed.url) {
    deferred->states.push_back(
        {.feed_id = feed.id, .state = std::move(state), .url_changed = false});
    deferred->schedule.push_back({.feed_id = feed.id, .when = next});
  } else {
    Status saved = deps.feeds.SaveFetchState(feed.id, state);
    if (IsMoveTaken(saved, feed, state)) {
      kept = KeepUrlIfTaken(feed, state);
      if (!kept.ok()) return kept.status().WithContext(FeedContext(feed.id, feed.url));
      report.url = state.url;
      saved = deps.feeds.SaveFetchState(feed.id, state);
    }
    if (!saved.ok()) return saved.WithContext(FeedContext(feed.id, feed.url));
    Reschedule(feed.id, next, report);
  }
  // (A batch's states are written after it: the move is logged before it is saved.)
  if (report.url != feed.url) LogMove(feed, report.url, "permanent redirect");
  LogReport(report);
  return report;
}

Result<PollReport> Poller::Impl::Recorded(const store::FeedRecord& feed,
                                          const internal::PollOutcome& outcome, TimePoint now,
                                          PollReport report) {
  const store::FetchState state = NextState(feed, outcome, now);
  const Status saved = deps.feeds.SaveFetchState(feed.id, state);
  if (!saved.ok()) return saved.WithContext(FeedContext(feed.id, feed.url));
  if (outcome.kind == Kind::kFailed) report.error = state.last_error;
  if (state.next_poll_at) {
    report.next_poll_at = *state.next_poll_at;
    Reschedule(feed.id, *state.next_poll_at, report);
  } else {
    report.disabled = true;
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

Result<bool> Poller::Impl::KeepUrlIfTaken(const store::FeedRecord& feed, store::FetchState& state) {
  if (state.url == feed.url) return false;
  Result<store::FeedRecord> holder = deps.feeds.FindFeed(state.url);
  if (!holder.ok()) {
    if (holder.status().code() == Status::Code::kNotFound) return false;
    return holder.status();
  }
  if (holder->id == feed.id) return false;
  const std::string target = std::move(state.url);
  state.url = feed.url;
  WarnRefusedOnce(feed.id, target,
                  "poller: feed " + std::to_string(feed.id) + ": moved to " + target +
                      ", which feed " + std::to_string(holder->id) + " already bridges; not moved");
  return true;
}

bool Poller::Impl::NamesBack(const store::FeedRecord& feed, const std::string& target,
                             const std::string& back) {
  store::FeedRecord there = feed;
  there.url = target;
  there.etag.clear();  // The validators are those of `back`'s answers.
  there.last_modified.clear();
  const http::SendResult answer = deps.http.Send(internal::BuildFeedRequest(there, options));
  if (!answer.ok() || answer->status < 200 || answer->status >= 300) return false;
  const internal::FetchedBody body =
      internal::ReadFetchedBody(there, *answer, options.max_body_bytes);
  return body.document && internal::NewFeedUrl(*body.document, target) == back;
}

void Poller::Impl::WarnRefusedOnce(int64_t feed_id, const std::string& target,
                                   const std::string& line) {
  {
    std::lock_guard lock(refused_mu);
    std::string& logged = refused_moves[feed_id];
    if (logged == target) return;
    logged = target;
  }
  deps.log.warning(line);
}

bool Poller::Impl::IsMoveTaken(const Status& written, const store::FeedRecord& feed,
                               const store::FetchState& state) {
  return written.code() == Status::Code::kAlreadyExists && state.url != feed.url;
}

void Poller::Impl::LogMove(const store::FeedRecord& feed, std::string_view to,
                           std::string_view moved_by) {
  deps.log.notice(FeedContext(feed.id, feed.url) + ": moved to " + std::string(to) + " (" +
                  std::string(moved_by) + "): polled there from now on");
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
  Result<size_t> profiles = FlushProfiles();
  if (!profiles.ok()) return profiles.status();
  return done + *profiles;
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

Poller::Poller(config::PollerOptions options, config::OmbOptions omb, std::string base_url,
               PollerDependencies deps)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(omb), std::move(base_url), deps)) {
}

Poller::~Poller() { Stop(); }

Result<PollReport> Poller::PollFeed(int64_t feed_id) { return impl_->PollFeed(feed_id); }

Result<std::vector<PollReport>> Poller::RunOnce(size_t max) { return impl_->RunOnce(max); }

Result<size_t> Poller::FlushOutbox() { return impl_->FlushOutbox(); }

Result<ScheduleAllReport> Poller::ScheduleAll() { return impl_->ScheduleAll(); }

void Poller::Start() { impl_->Start(); }

void Poller::RequestStop() { impl_->stop_requested = true; }

void Poller::Stop() { impl_->Stop(); }

}  // namespace feedbridge::poller
