// bench/deliver: the publisher role (the real composition root: SQLite store, a private
// redis-server, the POCO HTTP client, the OMB adapter signing every request) fanning one notice
// out to N distinct postNotice URLs on a loopback sink of its own, and the sink itself.
//
//   deliver_bench sink --addresses 127.0.0.10,127.0.0.11,... --port-file FILE
//       An epoll HTTP/1.1 server, one thread per address (port 0 each), that answers every
//       request with 200 and the OMB success body (keep-alive); GET /_count answers how many
//       POSTs it took and how many of them went to a path that had one already (a duplicate
//       delivery). Writes "ADDRESS:PORT" lines to FILE when listening.
//   deliver_bench body --sink-file FILE
//       Prints one signed postNotice body as the publisher sends it (for wrk's script).
//   deliver_bench run --dir DIR --sink-file FILE --subscribers N [--workers W]
//       N subscribers, subscriber i at http://ADDR_(i mod
//       K):PORT/rPID/u/i/index.php?action=postnotice; one notice enqueued; the publisher started;
//       timed until the sink has N more POSTs. Prints "key=value ..." lines: setup, then result
//       (seconds, deliveries/s, CPU µs per delivery, resident memory before and at the end, peak).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "app/wiring.h"
#include "common/log.h"
#include "config/config.h"
#include "http/poco_http_client.h"
#include "omb/messages.h"
#include "omb/oauth.h"
#include "store/database.h"

namespace fb = feedbridge;
using Seconds = std::chrono::duration<double>;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kBase = "http://bridge.example.org/";

[[noreturn]] void Die(const std::string& why) {
  std::cerr << "deliver_bench: " << why << "\n";
  std::exit(1);
}

std::map<std::string, std::string> Flags(int argc, char** argv, int from) {
  std::map<std::string, std::string> out;
  for (int i = from; i + 1 < argc; i += 2) out[argv[i]] = argv[i + 1];
  return out;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// ---- The sink ----

std::atomic<int64_t> posts{0};
std::atomic<int64_t> repeats{0};  // POSTs to a path that had one already.

struct Connection {
  std::string in;
};

// Handles what `c` has buffered: every complete request gets its answer appended to `out`.
void Serve(Connection& c, std::string& out, std::unordered_set<std::string>& seen) {
  static const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                                 std::to_string(fb::omb::kOmbSuccessBody.size()) + "\r\n\r\n" +
                                 std::string(fb::omb::kOmbSuccessBody);
  size_t pos = 0;
  for (;;) {
    const size_t end = c.in.find("\r\n\r\n", pos);
    if (end == std::string::npos) break;
    size_t length = 0;
    const std::string_view head(c.in.data() + pos, end - pos);
    for (size_t at = 0; (at = head.find("\r\n", at)) != std::string_view::npos;) {
      at += 2;
      if (head.size() - at > 15 && strncasecmp(head.data() + at, "content-length:", 15) == 0) {
        length = std::strtoul(head.data() + at + 15, nullptr, 10);
      }
    }
    if (c.in.size() < end + 4 + length) break;
    if (head.starts_with("GET /_count")) {
      const std::string n = std::to_string(posts.load()) + " " + std::to_string(repeats.load());
      out += "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(n.size()) + "\r\n\r\n" + n;
    } else {
      if (head.starts_with("POST")) {
        posts.fetch_add(1);
        const std::string_view target = head.substr(5, head.find(' ', 5) - 5);
        if (!seen.emplace(target).second) repeats.fetch_add(1);
      }
      out += kOk;
    }
    pos = end + 4 + length;
  }
  c.in.erase(0, pos);
}

void SinkLoop(int listener) {
  const int ep = epoll_create1(0);
  epoll_event ev{.events = EPOLLIN, .data = {.fd = listener}};
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  std::map<int, Connection> connections;
  std::unordered_set<std::string> seen;
  std::vector<epoll_event> events(256);
  char buf[65536];
  for (;;) {
    const int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), -1);
    for (int i = 0; i < n; ++i) {
      const int fd = events[static_cast<size_t>(i)].data.fd;
      if (fd == listener) {
        for (;;) {
          const int c = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK);
          if (c < 0) break;
          const int one = 1;
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event cev{.events = EPOLLIN, .data = {.fd = c}};
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
          connections[c];
        }
        continue;
      }
      Connection& conn = connections[fd];
      bool closed = false;
      for (;;) {
        const ssize_t got = read(fd, buf, sizeof buf);
        if (got > 0) {
          conn.in.append(buf, static_cast<size_t>(got));
          continue;
        }
        if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) closed = true;
        break;
      }
      std::string out;
      Serve(conn, out, seen);
      // Answers are small: a blocking-style loop is enough on loopback.
      for (size_t sent = 0; sent < out.size();) {
        const ssize_t w = write(fd, out.data() + sent, out.size() - sent);
        if (w > 0) {
          sent += static_cast<size_t>(w);
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          std::this_thread::yield();
        } else {
          closed = true;
          break;
        }
      }
      if (closed) {
        epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
        close(fd);
        connections.erase(fd);
      }
    }
  }
}

int Sink(const std::map<std::string, std::string>& flags) {
  const auto addresses = flags.find("--addresses");
  const auto port_file = flags.find("--port-file");
  if (addresses == flags.end() || port_file == flags.end()) Die("sink: --addresses, --port-file");
  std::vector<std::thread> threads;
  std::ostringstream lines;
  std::stringstream list(addresses->second);
  for (std::string address; std::getline(list, address, ',');) {
    if (!address.starts_with("127.")) Die("sink: loopback addresses only: " + address);
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || listen(fd, 1024) != 0) {
      Die("sink: cannot listen on " + address + ": " + std::strerror(errno));
    }
    socklen_t len = sizeof sa;
    getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    lines << address << ":" << ntohs(sa.sin_port) << "\n";
    threads.emplace_back(SinkLoop, fd);
  }
  {
    std::ofstream out(port_file->second + ".tmp");
    out << lines.str();
  }
  std::rename((port_file->second + ".tmp").c_str(), port_file->second.c_str());
  for (std::thread& t : threads) t.join();
  return 0;
}

// ---- The publisher run ----

// Subscriber i's postNotice URL; `run` keeps the paths of one run apart from another's on the
// same sink (the sink counts a second POST to a path as a duplicate).
std::string SubscriberUrl(const std::vector<std::string>& sinks, int64_t i,
                          const std::string& run = "r") {
  return "http://" + sinks[static_cast<size_t>(i) % sinks.size()] + "/" + run + "/u/" +
         std::to_string(i) + "/index.php?action=postnotice";
}

int64_t StatusKib(const char* field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(field)) return std::atoll(line.c_str() + std::strlen(field));
  }
  return -1;
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

int Body(const std::map<std::string, std::string>& flags) {
  const auto sink_file = flags.find("--sink-file");
  if (sink_file == flags.end()) Die("body: --sink-file");
  const std::vector<std::string> sinks = ReadLines(sink_file->second);
  fb::Result<fb::omb::ParamList> params = fb::omb::PostNoticeParams(
      {.listenee = std::string(kBase) + "user/1",
       .notice = std::string(kBase) + "notice/1",
       .content = "A new post on the benchmark blog, with a title of ordinary length "
                  "http://blog.example/2026/12/a-new-post",
       .url = "http://blog.example/2026/12/a-new-post",
       .license = std::string(fb::omb::kDefaultLicense)});
  if (!params.ok()) Die(params.status().ToString());
  fb::Result<fb::omb::SignedRequest> signed_request = fb::omb::SignRequest(
      {.method = "POST", .endpoint_url = SubscriberUrl(sinks, 0), .params = *params},
      {.consumer_key = std::string(kBase),
       .token = "0123456789abcdef0123456789abcdef",
       .token_secret = "fedcba9876543210fedcba9876543210"},
      "00112233445566778899aabbccddeeff", 1800000000);
  if (!signed_request.ok()) Die(signed_request.status().ToString());
  std::cout << signed_request->body;
  return 0;
}

struct SinkCounts {
  int64_t posts = 0;
  int64_t repeats = 0;
};

// The sink process's counts (over all its addresses: one asked is enough).
SinkCounts Count(fb::http::HttpClient& http, const std::string& sink) {
  fb::Result<fb::http::HttpResponse> r = http.Send({.url = "http://" + sink + "/_count"});
  if (!r.ok() || r->status != 200) {
    Die("sink /_count: " + (r.ok() ? r->body : r.status().ToString()));
  }
  SinkCounts c;
  std::istringstream(r->body) >> c.posts >> c.repeats;
  return c;
}

int Run(const std::map<std::string, std::string>& flags) {
  const auto get = [&](const std::string& name, const std::string& fallback) {
    const auto it = flags.find(name);
    return it == flags.end() ? fallback : it->second;
  };
  const std::string dir = get("--dir", "");
  if (dir.empty()) Die("run: --dir");
  const std::vector<std::string> sinks = ReadLines(get("--sink-file", ""));
  if (sinks.empty()) Die("run: --sink-file lists no sink");
  const int64_t subscribers = std::atoll(get("--subscribers", "10000").c_str());
  fb::config::Config config;
  config.server.base_url = std::string(kBase);
  config.database.url = "sqlite:" + dir + "/fb.db";
  config.publisher.allow_private_networks = true;
  config.publisher.workers = std::atoi(get("--workers", "8").c_str());
  config.log.level = "warning";
  if (fb::Status st = fb::SetUpLogging(config.log); !st.ok()) Die(st.ToString());
  auto opened = fb::app::Services::Open(config, {.publisher = true});
  if (!opened.ok()) Die(opened.status().ToString());
  fb::app::Services& s = **opened;

  const std::string run_name = "r" + std::to_string(getpid());
  const auto setup_start = SteadyClock::now();
  auto feed =
      s.database().feeds().AddFeed({.url = "http://blog.example/feed.rss", .nickname = "blog"});
  if (!feed.ok()) Die(feed.status().ToString());
  for (int64_t i = 0; i < subscribers; ++i) {
    fb::store::Subscription sub;
    sub.account_id = feed->account_id;
    sub.subscriber.uri = "http://peer" + std::to_string(i) + ".example/user/1";
    sub.subscriber.nickname = "u" + std::to_string(i);
    sub.post_notice_url = SubscriberUrl(sinks, i, run_name);
    sub.update_profile_url =
        "http://" + sinks[0] + "/u/" + std::to_string(i) + "/index.php?action=updateprofile";
    sub.token = "token" + std::to_string(i);
    sub.token_secret = "secret" + std::to_string(i);
    if (auto r = s.database().subscriptions().Subscribe(sub); !r.ok()) Die(r.status().ToString());
  }
  fb::store::FetchState state;
  state.url = feed->url;
  state.last_http_status = 200;
  auto notices = s.database().entries().RecordPoll(
      feed->id, state,
      {{.identity = "post-1",
        .url = "http://blog.example/2026/12/a-new-post",
        .title = "A new post",
        .notice_text = "A new post on the benchmark blog, with a title of ordinary length "
                       "http://blog.example/2026/12/a-new-post",
        .notice_url = "http://blog.example/2026/12/a-new-post"}});
  if (!notices.ok() || notices->size() != 1) Die("RecordPoll");
  const double setup_s = Seconds(SteadyClock::now() - setup_start).count();

  fb::http::PocoHttpClient counter(fb::http::PocoHttpClientOptions{.allow_private_networks = true});
  const SinkCounts before = Count(counter, sinks[0]);
  const int64_t rss_before = StatusKib("VmRSS:");
  std::cout << "setup subscribers=" << subscribers << " seconds=" << setup_s
            << " rss_kib=" << rss_before << std::endl;

  const double cpu0 = CpuSeconds();
  const auto t0 = SteadyClock::now();
  if (auto st =
          s.notice_queue().Enqueue({.notice_id = (*notices)[0].id, .account_id = feed->account_id});
      !st.ok()) {
    Die(st.ToString());
  }
  s.publisher().Start();
  double first_s = -1;
  int64_t done = 0;
  int64_t rss_peak_during = rss_before;
  const auto limit = t0 + std::chrono::seconds(std::atoi(get("--timeout", "120").c_str()));
  while (done < subscribers) {
    if (SteadyClock::now() > limit) {
      std::cout << "timeout delivered=" << done << std::endl;
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    done = Count(counter, sinks[0]).posts - before.posts;
    if (done > 0 && first_s < 0) first_s = Seconds(SteadyClock::now() - t0).count();
    rss_peak_during = std::max(rss_peak_during, StatusKib("VmRSS:"));
  }
  const double all_s = Seconds(SteadyClock::now() - t0).count();
  const double cpu = CpuSeconds() - cpu0;
  const int64_t repeated = Count(counter, sinks[0]).repeats - before.repeats;
  s.publisher().Stop();
  std::cout << "result subscribers=" << subscribers << " delivered=" << done
            << " duplicates=" << repeated << " seconds=" << all_s << " first_delivery_s=" << first_s
            << " deliveries_per_s=" << static_cast<double>(done) / all_s
            << " cpu_us_per_delivery=" << cpu * 1e6 / static_cast<double>(done)
            << " rss_before_kib=" << rss_before << " rss_peak_kib=" << rss_peak_during
            << " rss_end_kib=" << StatusKib("VmRSS:") << " hwm_kib=" << StatusKib("VmHWM:")
            << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) Die("usage: deliver_bench sink|body|run [flags]");
  const std::string mode = argv[1];
  const auto flags = Flags(argc, argv, 2);
  if (mode == "sink") return Sink(flags);
  if (mode == "body") return Body(flags);
  if (mode == "run") return Run(flags);
  Die("unknown mode " + mode);
}
