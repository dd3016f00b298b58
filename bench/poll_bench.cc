// bench/poll: the poller against a local HTTP server (nginx, started by bench/poll), with the
// real SQLite store, a private redis-server for the schedule and the notice queue, and the POCO
// HTTP client. One process, so CPU time and resident memory are the poller's own.
//
//   poll_bench --dir DIR --url-prefix http://127.0.0.1:PORT/f/ [--feeds N] [--workers W]
//              [--connections C] [--rounds R] [--mode start|runonce] [--phase-timeout SECONDS]
//
// Feed i (1..N) has the URL PREFIX + i as six digits or more + ".xml". Steps:
//   setup     N feeds added through FeedStore::AddFeed, then Poller::ScheduleAll (all due now);
//             resident memory and Redis memory around ScheduleAll.
//   phase1    every feed polled once: 200, entries stored, no notices (first poll of a feed).
//   phase2    every feed made due again (PollSchedule::ScheduleMany, due now) and polled once
//             more: conditional GETs, mostly 304; --rounds times (default 3), each round printed
//             (phase2_round) and then the sum (phase2). The measured phase.
// Prints "key=value ..." lines on stdout (one per step), progress on stderr. Exit status 1 when a
// step fails, does not finish within the time limit, or a poll went wrong.
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "common/random.h"
#include "config/config.h"
#include "http/http_client.h"
#include "http/poco_http_client.h"
#include "poller/poller.h"
#include "queue/redis_connection.h"
#include "queue/redis_notice_queue.h"
#include "queue/redis_poll_schedule.h"
#include "queue/redis_server_process.h"
#include "store/database.h"

namespace fb = feedbridge;
using Seconds = std::chrono::duration<double>;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kPrefix = "fb:";

struct Args {
  std::string dir;
  std::string url_prefix;
  int64_t feeds = 100000;
  int workers = 8;
  int connections = 8;         // Per-host concurrency: every feed is on one host.
  int rounds = 3;              // Phase 2 runs.
  std::string mode = "start";  // start: Poller::Start()/Stop(); runonce: threads on RunOnce(50).
  double phase_timeout_s = 240;
};

// The redis-server child, killed by Die() (exit() runs no destructors of locals).
fb::queue::RedisServerProcess* g_redis_process = nullptr;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "poll_bench: %s\n", message.c_str());
  if (g_redis_process != nullptr) g_redis_process->Kill();
  std::exit(1);
}

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) Die("missing value after " + std::string(flag));
    const std::string value = argv[++i];
    if (flag == "--dir") {
      a.dir = value;
    } else if (flag == "--url-prefix") {
      a.url_prefix = value;
    } else if (flag == "--feeds") {
      a.feeds = std::stoll(value);
    } else if (flag == "--workers") {
      a.workers = std::stoi(value);
    } else if (flag == "--rounds") {
      a.rounds = std::stoi(value);
    } else if (flag == "--connections") {
      a.connections = std::stoi(value);
    } else if (flag == "--mode") {
      a.mode = value;
    } else if (flag == "--phase-timeout") {
      a.phase_timeout_s = std::stod(value);
    } else {
      Die("unknown flag " + std::string(flag));
    }
  }
  if (a.dir.empty() || a.url_prefix.empty()) Die("--dir and --url-prefix are required");
  if (a.feeds < 1 || a.workers < 1 || a.connections < 1 || a.rounds < 1) {
    Die("--feeds, --workers, --connections and --rounds must be positive");
  }
  if (a.mode != "start" && a.mode != "runonce") Die("--mode is start or runonce");
  return a;
}

template <class T>
T Check(fb::Result<T> r, std::string_view what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}

void Check(const fb::Status& s, std::string_view what) {
  if (!s.ok()) Die(std::string(what) + ": " + s.ToString());
}

long RssKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return s(u.ru_utime) + s(u.ru_stime);
}

std::string FeedUrl(const std::string& prefix, int64_t i) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%06lld", static_cast<long long>(i));
  return prefix + digits + ".xml";
}

// The field of an INFO reply ("used_memory:12345\r\n"), or -1.
int64_t InfoField(const std::string& info, std::string_view field) {
  const std::string key = std::string(field) + ":";
  const size_t at = info.find("\n" + key);
  const size_t start = at == std::string::npos ? (info.rfind(key, 0) == 0 ? 0 : at) : at + 1;
  if (start == std::string::npos) return -1;
  return std::stoll(info.substr(start + key.size()));
}

int64_t RedisUsedMemory(fb::queue::RedisConnection& redis) {
  auto r = Check(redis.Command({"INFO", "memory"}), "redis INFO memory");
  return InfoField(r.str, "used_memory");
}

// Counts what the server answered. Thread-safe, like the client it wraps.
class CountingHttpClient final : public fb::http::HttpClient {
 public:
  explicit CountingHttpClient(fb::http::HttpClient& inner) : inner_(inner) {}

  fb::http::SendResult Send(const fb::http::HttpRequest& request) override {
    auto response = inner_.Send(request);
    Count(response);
    return response;
  }

  void SendEach(std::span<const fb::http::HttpRequest> requests,
                std::chrono::steady_clock::time_point start_by, const EachDone& done) override {
    inner_.SendEach(requests, start_by, [&](size_t i, fb::http::EachResult result) {
      // "Not sent" is no exchange: the feed goes back to the schedule.
      if (const auto* response = std::get_if<fb::http::SendResult>(&result)) {
        Count(*response);
      }
      return done(i, std::move(result));
    });
  }

  struct Counts {
    int64_t ok = 0, not_modified = 0, other = 0, errors = 0;
    Counts& operator+=(const Counts& o) {
      ok += o.ok;
      not_modified += o.not_modified;
      other += o.other;
      errors += o.errors;
      return *this;
    }
  };

  void Reset() { done_ = ok_ = not_modified_ = other_ = errors_ = 0; }
  Counts counts() const {
    return {ok_.load(), not_modified_.load(), other_.load(), errors_.load()};
  }
  int64_t done() const { return done_.load(); }
  int64_t ok() const { return ok_.load(); }
  int64_t not_modified() const { return not_modified_.load(); }
  int64_t other() const { return other_.load(); }
  int64_t errors() const { return errors_.load(); }

 private:
  void Count(const fb::Result<fb::http::HttpResponse>& response) {
    if (!response.ok()) {
      errors_.fetch_add(1);
      bool expected = false;
      if (first_error_set_.compare_exchange_strong(expected, true)) {
        std::fprintf(stderr, "poll_bench: first transport error: %s\n",
                     response.status().ToString().c_str());
      }
    } else if (response->status == 200) {
      ok_.fetch_add(1);
    } else if (response->status == 304) {
      not_modified_.fetch_add(1);
    } else {
      other_.fetch_add(1);
    }
    done_.fetch_add(1);
  }

  fb::http::HttpClient& inner_;
  std::atomic<int64_t> done_{0}, ok_{0}, not_modified_{0}, other_{0}, errors_{0};
  std::atomic<bool> first_error_set_{false};
};

struct PhaseResult {
  int64_t polls = 0;
  double seconds = 0;
  double cpu_seconds = 0;
  bool finished = false;
};

// Runs the poller until `target` exchanges were answered (or failed), then stops it; the polls
// in flight finish before Stop() returns, so every counted exchange is a whole poll.
PhaseResult RunPhase(const Args& args, fb::poller::Poller& poller, CountingHttpClient& counter,
                     int64_t target, std::string_view name) {
  counter.Reset();
  PhaseResult r;
  const double cpu0 = CpuSeconds();
  const auto t0 = SteadyClock::now();
  const auto deadline =
      t0 + std::chrono::duration_cast<SteadyClock::duration>(Seconds(args.phase_timeout_s));
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  if (args.mode == "start") {
    poller.Start();
  } else {
    for (int i = 0; i < args.workers; ++i) {
      threads.emplace_back([&] {
        while (!stop.load()) {
          auto reports = poller.RunOnce(50);
          if (!reports.ok()) {
            std::fprintf(stderr, "poll_bench: RunOnce: %s\n", reports.status().ToString().c_str());
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
          } else if (reports->empty()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
          }
        }
      });
    }
  }
  auto last_progress = t0;
  while (counter.done() < target && SteadyClock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (SteadyClock::now() - last_progress > std::chrono::seconds(10)) {
      last_progress = SteadyClock::now();
      std::fprintf(stderr, "poll_bench: %.*s: %lld/%lld polls after %.0f s\n",
                   static_cast<int>(name.size()), name.data(),
                   static_cast<long long>(counter.done()), static_cast<long long>(target),
                   Seconds(last_progress - t0).count());
    }
  }
  if (args.mode == "start") {
    poller.Stop();
  } else {
    stop = true;
    for (std::thread& t : threads) t.join();
  }
  r.seconds = Seconds(SteadyClock::now() - t0).count();
  r.cpu_seconds = CpuSeconds() - cpu0;
  r.polls = counter.done();
  r.finished = r.polls >= target;
  return r;
}

// Feeds whose stored state says the last poll failed, and the stored status counts.
struct StoredStates {
  int64_t feeds = 0, failing = 0, status_200 = 0, status_304 = 0, with_validators = 0;
  std::string first_error;
};

StoredStates ReadStates(fb::store::FeedStore& feeds) {
  StoredStates s;
  int64_t after = 0;
  while (true) {
    auto page = Check(feeds.ListFeeds(after, 1000), "list feeds");
    for (const fb::store::FeedRecord& f : page) {
      after = f.id;
      ++s.feeds;
      if (!f.last_error.empty() || f.consecutive_failures > 0) {
        if (s.failing++ == 0) s.first_error = f.url + ": " + f.last_error;
      }
      if (f.last_http_status == 200) ++s.status_200;
      if (f.last_http_status == 304) ++s.status_304;
      if (!f.etag.empty() && !f.last_modified.empty()) ++s.with_validators;
    }
    if (page.size() < 1000) break;
  }
  return s;
}

void PrintPhase(std::string_view name, const PhaseResult& r, const CountingHttpClient::Counts& c,
                const StoredStates& st, int64_t notices_on_stream, int64_t outbox,
                int64_t still_due) {
  std::printf(
      "%.*s polls=%lld seconds=%.3f polls_s=%.1f cpu_s=%.3f cpu_us_per_poll=%.1f http_200=%lld "
      "http_304=%lld http_other=%lld transport_errors=%lld share_304=%.4f finished=%d "
      "stored_failing=%lld stored_200=%lld stored_304=%lld stored_with_validators=%lld "
      "notices_on_stream=%lld outbox=%lld still_due=%lld\n",
      static_cast<int>(name.size()), name.data(), static_cast<long long>(r.polls), r.seconds,
      static_cast<double>(r.polls) / r.seconds, r.cpu_seconds,
      r.polls > 0 ? r.cpu_seconds / static_cast<double>(r.polls) * 1e6 : 0.0,
      static_cast<long long>(c.ok), static_cast<long long>(c.not_modified),
      static_cast<long long>(c.other), static_cast<long long>(c.errors),
      r.polls > 0 ? static_cast<double>(c.not_modified) / static_cast<double>(r.polls) : 0.0,
      r.finished ? 1 : 0, static_cast<long long>(st.failing), static_cast<long long>(st.status_200),
      static_cast<long long>(st.status_304), static_cast<long long>(st.with_validators),
      static_cast<long long>(notices_on_stream), static_cast<long long>(outbox),
      static_cast<long long>(still_due));
  if (st.failing > 0)
    std::fprintf(stderr, "poll_bench: first failing feed: %s\n", st.first_error.c_str());
  std::fflush(stdout);
}

int64_t FileBytes(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = ParseArgs(argc, argv);
  Check(fb::SetUpLogging({.level = "warning"}), "logging");

  // The schedule and the notice queue: a private redis-server, as `feedbridge serve` starts one.
  auto redis_process =
      Check(fb::queue::RedisServerProcess::Start({.dir = args.dir + "/redis"}), "redis-server");
  g_redis_process = redis_process.get();
  auto redis = Check(fb::queue::RedisConnection::Open(
                         {.url = redis_process->url(),
                          .max_idle_connections = static_cast<size_t>(args.workers) + 2}),
                     "redis");
  Check(redis->Ping(), "redis ping");
  fb::queue::RedisNoticeQueue notice_queue(*redis, std::string(kPrefix));
  fb::queue::RedisPollSchedule schedule(*redis, std::string(kPrefix));
  const std::string schedule_key = std::string(kPrefix) + "{fb}:schedule";
  const std::string stream_key = std::string(kPrefix) + "{fb}:notices";

  fb::SystemClock clock;
  fb::SystemRandom random;
  const std::string db_path = args.dir + "/db/feedbridge.db";
  auto db = Check(fb::store::OpenDatabase("sqlite:" + db_path, clock), "database");

  fb::config::PollerOptions options;
  options.workers = args.workers;
  options.allow_private_networks = true;
  options.per_host_concurrency = args.connections;  // Every feed is on one host (127.0.0.1).
  fb::http::PocoHttpClient poco({
      .user_agent = "feedbridge-bench/poll",
      .allow_private_networks = true,
      .per_host_concurrency = args.connections,
      .max_idle_connections_per_host = static_cast<size_t>(args.connections),
  });
  CountingHttpClient http(poco);
  fb::poller::Poller poller(options, fb::config::OmbOptions{}, "http://127.0.0.1:9/",
                            {.feeds = db->feeds(),
                             .entries = db->entries(),
                             .notices = db->notices(),
                             .queue = notice_queue,
                             .schedule = schedule,
                             .http = http,
                             .clock = clock,
                             .random = random,
                             .log = fb::ModuleLogger("poller")});

  // Setup: the feeds, through the store's API (one transaction per feed, as `feeds add`).
  std::fprintf(stderr, "poll_bench: adding %lld feeds\n", static_cast<long long>(args.feeds));
  const auto add0 = SteadyClock::now();
  std::vector<int64_t> ids;
  ids.reserve(static_cast<size_t>(args.feeds));
  for (int64_t i = 1; i <= args.feeds; ++i) {
    auto added = Check(db->feeds().AddFeed({.url = FeedUrl(args.url_prefix, i),
                                            .nickname = "f" + std::to_string(i),
                                            .title = "Feed " + std::to_string(i)}),
                       "add feed");
    ids.push_back(added.id);
  }
  const double add_s = Seconds(SteadyClock::now() - add0).count();

  // What scheduling 100,000 feeds costs: this process (it keeps nothing per feed: the schedule
  // lives in Redis) and Redis (the sorted set).
  const int64_t redis_before = RedisUsedMemory(*redis);
  const long rss_before = RssKib();
  const auto sched0 = SteadyClock::now();
  const size_t scheduled = Check(poller.ScheduleAll(), "schedule all").enabled;
  const double sched_s = Seconds(SteadyClock::now() - sched0).count();
  const long rss_after = RssKib();
  const int64_t redis_after = RedisUsedMemory(*redis);
  const auto usage =
      Check(redis->Command({"MEMORY", "USAGE", schedule_key, "SAMPLES", "0"}), "MEMORY USAGE");
  std::printf(
      "setup feeds=%lld add_seconds=%.2f adds_s=%.0f scheduled=%zu schedule_all_seconds=%.2f "
      "rss_before_schedule_kib=%ld rss_after_schedule_kib=%ld redis_used_before=%lld "
      "redis_used_after=%lld redis_zset_bytes=%lld workers=%d per_host_concurrency=%d mode=%s\n",
      static_cast<long long>(args.feeds), add_s, static_cast<double>(args.feeds) / add_s, scheduled,
      sched_s, rss_before, rss_after, static_cast<long long>(redis_before),
      static_cast<long long>(redis_after), static_cast<long long>(usage.integer), args.workers,
      options.per_host_concurrency, args.mode.c_str());
  std::fflush(stdout);

  auto due_later = [&] {
    // Feeds due within 200 s: not yet polled (due now, or leased for 70 s). A polled feed is
    // rescheduled at least interval_min (5 min) less 10 % jitter ahead.
    return Check(schedule.CountDue(clock.Now() + std::chrono::seconds(200)), "count due");
  };
  auto stream_length = [&] { return Check(redis->Command({"XLEN", stream_key}), "XLEN").integer; };

  // Phase 1: first polls (200, entries stored, no notices: a new feed's backlog is not sent).
  std::fprintf(stderr, "poll_bench: phase 1 (first poll of every feed)\n");
  const PhaseResult p1 = RunPhase(args, poller, http, args.feeds, "phase1");
  const StoredStates s1 = ReadStates(db->feeds());
  PrintPhase("phase1", p1, http.counts(), s1, stream_length(),
             Check(db->notices().CountPendingOutbox(), "outbox"), due_later());
  const int64_t entries_feed1 = Check(db->entries().CountEntries(ids.front()), "count entries");
  std::printf("stored entries_of_first_feed=%lld db_bytes=%lld wal_bytes=%lld\n",
              static_cast<long long>(entries_feed1), static_cast<long long>(FileBytes(db_path)),
              static_cast<long long>(FileBytes(db_path + "-wal")));
  std::fflush(stdout);
  if (!p1.finished) Die("phase 1 did not finish within the time limit");

  // Phase 2 (measured): every feed due again, `rounds` times; conditional GETs with the stored
  // validators. Several rounds so that the measured time is about as long as wrk's 10 s.
  std::fprintf(stderr, "poll_bench: phase 2 (every feed again, conditional GET, %d rounds)\n",
               args.rounds);
  const long rss_before_p2 = RssKib();
  PhaseResult p2;
  p2.finished = true;
  CountingHttpClient::Counts c2;
  for (int round = 1; round <= args.rounds; ++round) {
    const auto now = clock.Now();
    std::vector<fb::queue::ScheduledFeed> due;
    for (const int64_t id : ids) {
      due.push_back({.feed_id = id, .when = now});
      if (due.size() == 1000) {
        Check(schedule.ScheduleMany(due), "schedule");
        due.clear();
      }
    }
    if (!due.empty()) Check(schedule.ScheduleMany(due), "schedule");
    const PhaseResult r = RunPhase(args, poller, http, args.feeds, "phase2");
    std::printf("phase2_round round=%d polls=%lld seconds=%.3f polls_s=%.1f cpu_us_per_poll=%.1f\n",
                round, static_cast<long long>(r.polls), r.seconds,
                static_cast<double>(r.polls) / r.seconds,
                r.polls > 0 ? r.cpu_seconds / static_cast<double>(r.polls) * 1e6 : 0.0);
    std::fflush(stdout);
    p2.polls += r.polls;
    p2.seconds += r.seconds;
    p2.cpu_seconds += r.cpu_seconds;
    p2.finished = p2.finished && r.finished;
    c2 += http.counts();
    if (!r.finished) break;
  }
  const StoredStates s2 = ReadStates(db->feeds());
  PrintPhase("phase2", p2, c2, s2, stream_length(),
             Check(db->notices().CountPendingOutbox(), "outbox"), due_later());
  std::printf("memory rss_before_phase2_kib=%ld rss_after_phase2_kib=%ld\n", rss_before_p2,
              RssKib());
  std::fflush(stdout);
  if (!p2.finished) Die("phase 2 did not finish within the time limit");
  const bool clean = c2.errors == 0 && c2.other == 0 && s2.failing == 0;
  return clean ? 0 : 1;
}
