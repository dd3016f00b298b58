#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <unordered_map>
#include <utility>
#include <variant>

#include "poller/poll_steps.h"
#include "poller/poller_impl.h"

namespace feedbridge::poller {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kIdlePause{500};
constexpr milliseconds kErrorPause{5000};
// How often a running poller checks that every enabled feed is on the schedule (a Redis that
// lost its data, a feed added while Redis was down); the check costs one pass over the feeds
// table and one ZADD NX per 500 feeds.
constexpr seconds kReseedEvery{300};

}  // namespace

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
      done.emplace_back(i, SkipDisabled(feed));  // Taken off the schedule; nothing fetched.
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
    deps.http.SendEach(requests, start_by, [&](size_t k, http::EachResult result) {
      if (!failure.ok()) return false;  // The store failed: the rest stay leased.
      const store::FeedRecord& feed = *fetched[k];
      const TimePoint now = deps.clock.Now();
      if (std::holds_alternative<http::NotSent>(result)) {
        deferred.schedule.push_back({.feed_id = feed.id, .when = now});  // Due again at once.
        return true;
      }
      http::SendResult response = std::get<http::SendResult>(std::move(result));
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

void Poller::Impl::Start() {
  std::lock_guard lock(thread_mu);
  if (!workers.empty()) return;
  stopping = false;
  stop_requested = false;
  // Whoever starts the workers has just scheduled everything (serve) or does not need it now.
  next_reseed_ms =
      std::chrono::duration_cast<milliseconds>((deps.clock.Now() + kReseedEvery).time_since_epoch())
          .count();
  const int n = std::max(1, options.workers);
  for (int i = 0; i < n; ++i) {
    workers.emplace_back([this, i] { WorkerLoop(i); });
  }
}

void Poller::Impl::Stop() {
  stop_requested = true;
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(thread_mu);
    stopping = true;
    threads.swap(workers);
  }
  wake.notify_all();
  for (std::thread& t : threads) t.join();
}

}  // namespace feedbridge::poller
