#pragma once

// The poller: claims due feeds, fetches them (conditional GET), parses, finds new entries,
// builds notices, records entries + notices (outbox) + fetch state in one transaction, enqueues
// the notices, and schedules the next poll.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/result.h"
#include "config/config.h"
#include "http/http_client.h"
#include "queue/notice_queue.h"
#include "queue/poll_schedule.h"
#include "store/entry_store.h"
#include "store/feed_store.h"
#include "store/notice_store.h"
#include "store/profile_store.h"

namespace Poco {
class Logger;
}

namespace feedbridge::poller {

// What one poll did, for `feedbridge poll` and the logs.
struct PollReport {
  int64_t feed_id = 0;
  std::string url;
  int http_status = 0;        // 0 on a transport error.
  bool not_modified = false;  // 304.
  size_t entries_seen = 0;
  size_t new_entries = 0;
  size_t notices = 0;  // Notices created (0 for the first poll of a feed: no backlog).
  std::string error;   // Empty on success.
  // Not errors, worth a warning: notices capped, throttled (429), left in the outbox (queue
  // down), not rescheduled (the claim's lease brings the feed back).
  std::vector<std::string> problems;
  // Unset (the epoch) when the feed is not polled again: it is disabled.
  TimePoint next_poll_at;
  bool disabled = false;   // The feed is disabled (410 Gone, or before): off the schedule.
  bool throttled = false;  // 429, or 503 with Retry-After: it waits as the server asked.
  // The feed's title, description, link or image changed: a profile revision was recorded, for
  // the blog's subscribers (updateProfile).
  bool profile_changed = false;
  // With `throttled`: the wait the server asked for (Retry-After), if it named one.
  std::optional<std::chrono::seconds> retry_after;
};

// What ScheduleAll did.
struct ScheduleAllReport {
  size_t enabled = 0;  // Enabled feeds, all on the schedule now.
  size_t added = 0;    // Of those, the ones that were missing from it.
};

struct PollerDependencies {
  store::FeedStore& feeds;
  store::EntryStore& entries;
  store::NoticeStore& notices;
  queue::NoticeQueue& queue;
  queue::PollSchedule& schedule;
  http::HttpClient& http;
  Clock& clock;
  Random& random;
  Poco::Logger& log;
  // Where profile changes wait for the queue (the store records them with the poll). Optional:
  // a poller without it leaves them to one that has it (every poller `serve` runs has it).
  store::ProfileStore* profiles = nullptr;
};

// How long a claim holds a feed: long enough for a fetch that runs into poller.fetch_timeout,
// started as late as half the lease, plus parsing and storing. A poller that dies holding a
// claim (killed, machine lost) has its feeds polled again, by any poller, when the lease runs
// out; a poller starting meanwhile leaves them alone, since it cannot tell a dead poller's
// lease from a live one's.
std::chrono::milliseconds ClaimLease(const config::PollerOptions& options);

// Thread-safe: PollFeed and RunOnce may be called from several threads. Every dependency must
// outlive the Poller.
class Poller {
 public:
  Poller(config::PollerOptions options, config::OmbOptions omb, std::string base_url,
         PollerDependencies deps);
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  // Polls one feed now, whatever its schedule. Errors are those of the store and the queue
  // (Unavailable); a failing feed is a report with `error` set, not an error.
  Result<PollReport> PollFeed(int64_t feed_id);
  // Claims up to `max` due feeds and polls them. Returns the reports.
  Result<std::vector<PollReport>> RunOnce(size_t max);
  // Enqueues every notice and profile change the outbox still holds (after a crash or a Redis
  // outage).
  Result<size_t> FlushOutbox();
  // Makes sure every enabled feed is on the schedule (at start: a new Redis, an import) and
  // disabled ones are not. Feeds already on it keep their time and their lease, so it is safe
  // while other pollers run. The running workers do the same every 5 minutes.
  Result<ScheduleAllReport> ScheduleAll();
  // Starts options.workers threads running RunOnce in a loop (idle: short sleeps); Stop() ends
  // them: fetches under way finish (each within poller.fetch_timeout) and are recorded, the rest
  // of their batches goes back to the schedule, due at once.
  void Start();
  void Stop();
  // The first half of Stop(), without waiting: batches in flight start no more fetches (also
  // those of RunOnce). Start() clears it.
  void RequestStop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace feedbridge::poller
