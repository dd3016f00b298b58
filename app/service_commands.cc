// feedbridge poll | status | serve

#include <Poco/Logger.h>
#include <signal.h>

#include <ostream>
#include <set>
#include <sstream>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/feed_display.h"
#include "app/wiring.h"
#include "common/log.h"
#include "common/text.h"
#include "omb/messages.h"
#include "queue/queue_inspector.h"

namespace feedbridge::app {
namespace {

int Fail(Io& io, std::string_view what, const Status& s) {
  io.err << "feedbridge: " << what << ": " << s.message() << "\n";
  return s.code() == Status::Code::kNotFound ? kExitNoInput
         : s.IsRetryable()                   ? kExitUnavailable
                                             : kExitSoftware;
}

// The report's error without the "http: URL: " the HTTP client puts before it when URL is the
// feed's, which the line names already.
std::string_view ErrorWithoutUrl(const poller::PollReport& r) {
  std::string_view error = r.error;
  const std::string said = "http: " + r.url + ": ";
  if (error.starts_with(said)) error.remove_prefix(said.size());
  return error;
}

void PrintReport(const poller::PollReport& r, Io& io) {
  io.out << "feed " << r.feed_id << " <" << r.url << ">: ";
  if (!r.error.empty()) {
    io.out << "failed: " << ErrorWithoutUrl(r);
  } else if (r.not_modified) {
    io.out << "HTTP 304, not modified";
  } else if (r.throttled) {
    io.out << "HTTP " << r.http_status << ", throttled";
    if (r.retry_after) io.out << ", retry after " << r.retry_after->count() << "s";
  } else {
    io.out << "HTTP " << r.http_status << ", " << Counted(r.entries_seen, "entry", "entries")
           << ", " << r.new_entries << " new, " << Counted(r.notices, "notice", "notices");
  }
  if (r.disabled) {
    io.out << "; disabled, not polled again\n";
  } else {
    io.out << "; next poll " << TimeText(r.next_poll_at) << "\n";
  }
}

}  // namespace

int RunPoll(const CommandLine& line, const config::Config& config, Io& io) {
  Result<std::unique_ptr<Services>> services = Services::Open(config, {.poller = true});
  if (!services.ok()) return Fail(io, "poll", services.status());
  Services& s = **services;
  if (!line.arguments.empty()) {
    Result<store::FeedRecord> feed = FindFeedArg(s.database().feeds(), line.arguments[0]);
    if (!feed.ok()) return Fail(io, "poll", feed.status());
    Result<poller::PollReport> report = s.poller().PollFeed(feed->id);
    if (!report.ok()) return Fail(io, "poll", report.status());
    PrintReport(*report, io);
    return report->error.empty() ? kExitOk : kExitUnavailable;
  }
  if (Result<poller::ScheduleAllReport> scheduled = s.poller().ScheduleAll(); !scheduled.ok()) {
    return Fail(io, "poll", scheduled.status());
  }
  size_t polled = 0;
  for (;;) {
    Result<std::vector<poller::PollReport>> reports = s.poller().RunOnce(50);
    if (!reports.ok()) return Fail(io, "poll", reports.status());
    if (reports->empty()) break;
    for (const poller::PollReport& r : *reports) PrintReport(r, io);
    polled += reports->size();
  }
  if (polled == 0) io.out << "no feed is due\n";
  return kExitOk;
}

int RunStatus(const CommandLine& /*line*/, const config::Config& config, Io& io) {
  Result<std::unique_ptr<Services>> services = Services::Open(config, {.redis = true});
  if (!services.ok()) return Fail(io, "status", services.status());
  Services& s = **services;
  store::Database& db = s.database();
  int64_t total = 0, failing = 0, disabled = 0, never = 0;
  std::ostringstream problems;
  int64_t after = 0;
  for (;;) {
    Result<std::vector<store::FeedRecord>> page = db.feeds().ListFeeds(after, 500);
    if (!page.ok()) return Fail(io, "status", page.status());
    if (page->empty()) break;
    for (const store::FeedRecord& f : *page) {
      ++total;
      after = f.id;
      if (f.disabled())
        ++disabled;
      else if (f.consecutive_failures > 0)
        ++failing;
      else if (!f.last_polled_at)
        ++never;
      if (f.disabled() || f.consecutive_failures > 0) {
        problems << "  " << f.id << " " << f.nickname << " <" << f.url << ">: " << Health(f)
                 << "\n";
      }
    }
  }
  io.out << "database:  " << config.database.url << " (schema " << db.SchemaVersion() << ")\n"
         << "redis:     " << s.redis_description() << "\n"
         << "feeds:     " << total << " (" << (total - failing - disabled - never) << " ok, "
         << failing << " failing, " << disabled << " disabled, " << never << " not polled yet)\n";
  const TimePoint now = s.clock().Now();
  Result<int64_t> scheduled = s.schedule().Size();
  Result<int64_t> due = s.schedule().CountDue(now);
  io.out << "schedule:  "
         << (scheduled.ok() ? Counted(static_cast<uint64_t>(*scheduled), "feed", "feeds")
                            : "? feeds")
         << " scheduled, " << (due.ok() ? std::to_string(*due) : "?") << " due now\n";
  Result<int64_t> outbox = db.notices().CountPendingOutbox();
  io.out << "outbox:    " << (outbox.ok() ? std::to_string(*outbox) : "?")
         << " notices not yet on the queue\n";
  if (queue::QueueInspector* q = s.notice_queue_inspector(); q != nullptr) {
    Result<queue::QueueStats> stats = q->Stats();
    if (stats.ok()) {
      io.out << "notices:   " << stats->length << " on the stream (" << stats->pending
             << " being delivered), " << stats->retrying << " waiting to retry, " << stats->dead
             << " dead letters\n";
    } else {
      io.out << "notices:   ? (" << stats.status().message() << ")\n";
    }
  }
  Result<queue::QueueStats> deliveries = s.delivery_inspector().Stats();
  if (deliveries.ok()) {
    io.out << "deliveries: " << deliveries->length << " on the stream (" << deliveries->pending
           << " in flight), " << deliveries->retrying << " waiting to retry, " << deliveries->dead
           << " dead letters (feedbridge deliveries dead)\n";
  } else {
    io.out << "deliveries: ? (" << deliveries.status().message() << ")\n";
  }
  const std::string failing_list = problems.str();
  if (!failing_list.empty()) io.out << "failing and disabled feeds:\n" << failing_list;
  Result<std::vector<store::EndpointHealth>> peers = db.deliveries().Failing(20);
  if (peers.ok() && !peers->empty()) {
    io.out << "failing peers:\n";
    for (const store::EndpointHealth& p : *peers) {
      io.out << "  <" << p.endpoint << ">: "
             << Counted(static_cast<uint64_t>(p.consecutive_failures), "failure", "failures")
             << " in a row since " << TimeText(p.failing_since) << ": " << p.last_error << "\n";
    }
  }
  return kExitOk;
}

int RunServe(const CommandLine& line, const config::Config& config, Io& io) {
  std::set<std::string> roles = {"poller", "publisher", "web"};
  if (auto it = line.flags.find("--roles"); it != line.flags.end()) {
    roles.clear();
    std::istringstream list(it->second);
    for (std::string role; std::getline(list, role, ',');) {
      if (role == "poller" || role == "publisher" || role == "web") {
        roles.insert(role);
      } else {
        io.err << "feedbridge: serve: unknown role '" << role
               << "' (roles: poller, publisher, web)\n";
        return kExitUsage;
      }
    }
    if (roles.empty()) {
      io.err << "feedbridge: serve: --roles needs at least one role\n";
      return kExitUsage;
    }
  }
  // Block the termination signals before any thread starts, so every thread inherits the mask
  // and sigwait() below is the one place that receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Poco::Logger& log = ModuleLogger("app");
  const bool run_poller = roles.count("poller") != 0;
  const bool run_web = roles.count("web") != 0;
  const bool run_publisher = roles.count("publisher") != 0;
  Result<std::unique_ptr<Services>> services =
      Services::Open(config, {.poller = run_poller, .publisher = run_publisher, .web = run_web});
  if (!services.ok()) return Fail(io, "serve", services.status());
  Services& s = **services;
  log.information("serve: database %s%s", config.database.url,
                  run_poller || run_publisher ? ", " + s.redis_description() : std::string());
  if (run_web) {
    log.information("serve: web server on port %hu; open %s", s.web_port(), config.server.base_url);
  }
  if (run_poller) {
    Result<poller::ScheduleAllReport> scheduled = s.poller().ScheduleAll();
    if (!scheduled.ok()) return Fail(io, "serve", scheduled.status());
    Result<size_t> flushed = s.poller().FlushOutbox();
    if (!flushed.ok()) {
      log.warning("serve: outbox not flushed yet: %s", flushed.status().message());
    }
    log.information(
        "serve: poller running with %s, %s on the schedule (%z added now from the database)",
        Counted(static_cast<uint64_t>(config.poller.workers), "worker", "workers"),
        Counted(scheduled->enabled, "feed", "feeds"), scheduled->added);
    s.poller().Start();
  }
  if (run_publisher) {
    // OMB peers refuse an identifier URI whose host is not a dotted name with an alphabetic
    // top-level domain (omb-0.1.md §8 item 2): every notice would be dead-lettered.
    if (!omb::PassesStrictUriRule(config.server.base_url + "user/1")) {
      log.warning(
          "serve: server.base_url %s is not a public http(s) URL OMB peers accept (a host like "
          "blog.example.org); notices cannot be delivered until it is",
          config.server.base_url);
    }
    log.information("serve: publisher running with %s",
                    Counted(static_cast<uint64_t>(config.publisher.workers), "delivery thread",
                            "delivery threads"));
    s.publisher().Start();
  }
  log.information("serve: running; stop with Ctrl-C (SIGINT) or SIGTERM");
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  log.information("serve: %s received, stopping",
                  std::string(signal_number == SIGINT ? "SIGINT" : "SIGTERM"));
  if (run_publisher) s.publisher().Stop();
  if (run_poller) s.poller().Stop();
  return kExitOk;
}

}  // namespace feedbridge::app
