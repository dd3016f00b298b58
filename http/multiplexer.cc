#include "http/multiplexer.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "common/ascii.h"
#include "http/connection_pool.h"
#include "http/response_parser.h"

namespace feedbridge::http {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kReadBuffer = 64 * 1024;
constexpr int kMaxEvents = 64;

std::string ErrnoText(int e) {
  char buffer[128];
  // GNU strerror_r: returns the message, not necessarily in `buffer`.
  return ::strerror_r(e, buffer, sizeof buffer);
}

Status SocketError(std::string_view what, int e) {
  if (e == ECONNREFUSED) return Status::Unavailable("connection refused: " + ErrnoText(e));
  if (e == ECONNRESET) return Status::Unavailable("connection reset by the server");
  return Status::Unavailable(std::string(what) + ": " + ErrnoText(e));
}

int MillisUntil(SteadyTime when, SteadyTime now) {
  if (when <= now) return 0;
  if (when == SteadyTime::max()) return -1;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(when - now).count();
  return static_cast<int>(std::min<int64_t>(ms, INT_MAX));
}

std::string Millis(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

}  // namespace

// One Run: its epoll set, its connections ("lanes": one per slot held, carrying the exchanges of
// one host one after another) and the requests still waiting for a lane.
class Multiplexer::Session {
 public:
  Session(Multiplexer& owner, const std::vector<PlainRequest>& requests, SteadyTime start_by,
          size_t max_in_flight, const Done& done)
      : owner_(owner),
        requests_(requests),
        start_by_(start_by),
        max_in_flight_(std::max<size_t>(1, max_in_flight)),
        done_(done) {
    for (size_t i = 0; i < requests_.size(); ++i) waiting_[requests_[i].host].push_back(i);
  }

  ~Session() {
    // Normally every lane has finished; after an exception from `done`, the rest let go here.
    for (auto& lane : lanes_) {
      CloseConnection(*lane);
      if (!lane->finished) owner_.slots_.Release(lane->host);
    }
    if (watching_) owner_.slots_.Unwatch(wake_fd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void Run() {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_fd_ < 0 || wake_fd_ < 0) {
      const Status s = SocketError("epoll", errno);
      for (auto& [host, queue] : waiting_) {
        for (const size_t i : queue) Report(i, Result<PlainResponse>(s));
      }
      return;
    }
    epoll_event wake{};
    wake.events = EPOLLIN;
    wake.data.ptr = nullptr;  // The slot-release wake-up; lanes have their own pointer.
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake);

    std::array<epoll_event, kMaxEvents> events{};
    while (true) {
      SteadyTime now = Clock::now();
      if (!waiting_.empty() && (stopped_ || now >= start_by_)) GiveUpWaiting();
      StartLanes(now);
      std::erase_if(lanes_, [](const std::unique_ptr<Lane>& l) { return l->finished; });
      if (lanes_.empty() && waiting_.empty()) return;
      if (!waiting_.empty() && !watching_) {
        // A host is out of slots: wake up when another thread releases one. Registered before
        // trying again, so a release in between is not missed.
        owner_.slots_.Watch(wake_fd_);
        watching_ = true;
        continue;
      }
      SteadyTime wake_at = waiting_.empty() ? SteadyTime::max() : start_by_;
      for (const auto& lane : lanes_) wake_at = std::min(wake_at, lane->deadline);
      const int n = ::epoll_wait(epoll_fd_, events.data(), kMaxEvents, MillisUntil(wake_at, now));
      for (int k = 0; k < n; ++k) {
        auto* lane = static_cast<Lane*>(events[static_cast<size_t>(k)].data.ptr);
        if (lane == nullptr) {
          uint64_t count;
          [[maybe_unused]] const ssize_t r = ::read(wake_fd_, &count, sizeof count);
          continue;
        }
        if (!lane->finished && lane->current != kNone) Progress(*lane);
      }
      now = Clock::now();
      for (auto& lane : lanes_) {
        if (!lane->finished && lane->current != kNone && now >= lane->deadline) {
          const PlainRequest& r = requests_[lane->current];
          Complete(*lane,
                   Status::DeadlineExceeded("timed out " + std::string(lane->Phase()) + " (" +
                                            Millis(r.timeout) + " for the whole request)"),
                   /*keep=*/false);
        }
      }
    }
  }

 private:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  enum class Step { kConnecting, kSending, kReceiving };

  struct Lane {
    std::string host;      // Whose slot this lane holds.
    int fd = -1;           // The connection, -1 between connections.
    std::string pool_key;  // Of fd.
    bool reused = false;   // fd came from a previous exchange (the pool, or this lane).
    bool retried = false;  // The current exchange already moved to a new connection once.
    uint32_t interest = 0;
    size_t current = kNone;  // The request under way.
    Step step = Step::kConnecting;
    size_t sent = 0;
    std::optional<ResponseParser> parser;
    SteadyTime deadline = SteadyTime::max();
    bool finished = false;  // Slot released, connection gone: swept after the event round.

    std::string_view Phase() const {
      switch (step) {
        case Step::kConnecting:
          return "connecting";
        case Step::kSending:
          return "sending the request";
        case Step::kReceiving:
          break;
      }
      return parser ? parser->phase() : "waiting for the response headers";
    }
  };

  void Report(size_t index, PlainResult result) {
    if (!done_(index, std::move(result))) stopped_ = true;
  }

  void GiveUpWaiting() {
    const NotSent not_sent{stopped_ ? "not sent: the batch was stopped"
                                    : "not sent: the batch ran out of time"};
    auto waiting = std::move(waiting_);
    waiting_.clear();
    for (auto& [host, queue] : waiting) {
      for (const size_t i : queue) Report(i, not_sent);
    }
  }

  // Opens lanes for waiting hosts, round-robin one lane per host per round (hosts share
  // max_in_flight), as long as HostSlots gives slots.
  void StartLanes(SteadyTime now) {
    bool opened = true;
    while (opened && !waiting_.empty() && lanes_.size() < max_in_flight_) {
      opened = false;
      hosts_.clear();
      for (const auto& [host, queue] : waiting_) hosts_.push_back(host);
      for (const std::string& host : hosts_) {
        if (lanes_.size() >= max_in_flight_) return;
        // StartNext may have emptied (and erased) that host's queue in this round.
        if (!waiting_.contains(host) || !owner_.slots_.TryAcquire(host)) continue;
        auto lane = std::make_unique<Lane>();
        lane->host = host;
        lanes_.push_back(std::move(lane));
        StartNext(*lanes_.back(), now);
        opened = true;
      }
    }
  }

  // The lane's next exchange, or its end when its host has nothing left to send.
  void StartNext(Lane& lane, SteadyTime now) {
    auto it = waiting_.find(lane.host);
    if (it == waiting_.end() || stopped_ || now >= start_by_) {
      FinishLane(lane);
      return;
    }
    const size_t index = it->second.front();
    it->second.pop_front();
    if (it->second.empty()) waiting_.erase(it);
    const PlainRequest& r = requests_[index];
    lane.current = index;
    lane.deadline = now + r.timeout;
    lane.retried = false;
    if (lane.fd >= 0 && lane.pool_key != r.pool_key) ReturnConnection(lane);
    Begin(lane);
  }

  // Sends the current request: on the lane's connection, a pooled one, or a new one.
  void Begin(Lane& lane) {
    const PlainRequest& r = requests_[lane.current];
    lane.parser.emplace(r.head_request, r.max_body_bytes);
    lane.sent = 0;
    if (lane.fd < 0) {
      lane.fd = owner_.pool_->Take(r.pool_key).value_or(OwnedSocket()).Release();
      lane.reused = lane.fd >= 0;
      if (lane.fd >= 0) {
        lane.pool_key = r.pool_key;
        Watch(lane, EPOLLOUT);
      }
    } else {
      lane.reused = true;
    }
    if (lane.fd >= 0) {
      lane.step = Step::kSending;
      Send(lane);
      return;
    }
    Connect(lane);
  }

  void Connect(Lane& lane) {
    const PlainRequest& r = requests_[lane.current];
    lane.reused = false;
    lane.step = Step::kConnecting;
    const int fd =
        ::socket(r.address.family() == Poco::Net::AddressFamily::IPv6 ? AF_INET6 : AF_INET,
                 SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      Complete(lane, SocketError("socket", errno), false);
      return;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    lane.fd = fd;
    lane.pool_key = r.pool_key;
    Watch(lane, EPOLLOUT);
    if (::connect(fd, r.address.addr(), r.address.length()) == 0) {
      lane.step = Step::kSending;
      Send(lane);
    } else if (errno != EINPROGRESS) {
      Complete(lane, SocketError("connect", errno), false);
    }
    // In progress: EPOLLOUT says when it is done (Progress checks SO_ERROR).
  }

  void Progress(Lane& lane) {
    switch (lane.step) {
      case Step::kConnecting: {
        int error = 0;
        socklen_t len = sizeof error;
        if (::getsockopt(lane.fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0) error = errno;
        if (error == EINPROGRESS || error == EALREADY) return;
        if (error != 0) {
          Complete(lane, SocketError("connect", error), false);
          return;
        }
        lane.step = Step::kSending;
        Send(lane);
        return;
      }
      case Step::kSending:
        Send(lane);
        return;
      case Step::kReceiving:
        Receive(lane);
        return;
    }
  }

  void Send(Lane& lane) {
    const std::string& head = requests_[lane.current].head;
    while (lane.sent < head.size()) {
      const ssize_t n =
          ::send(lane.fd, head.data() + lane.sent, head.size() - lane.sent, MSG_NOSIGNAL);
      if (n > 0) {
        lane.sent += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        Watch(lane, EPOLLOUT);
        return;
      }
      if (n < 0 && errno == EINTR) continue;
      ConnectionFailed(lane, SocketError("sending the request", errno));
      return;
    }
    lane.step = Step::kReceiving;
    Watch(lane, EPOLLIN);
  }

  void Receive(Lane& lane) {
    const ssize_t n = ::recv(lane.fd, buffer_.data(), buffer_.size(), 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      ConnectionFailed(lane, SocketError("reading the response", errno));
      return;
    }
    ResponseParser& parser = *lane.parser;
    if (n == 0) {
      if (!parser.started()) {
        ConnectionFailed(
            lane, Status::Unavailable("connection closed by the server before any response"));
        return;
      }
      parser.End();
      Finish(lane, /*extra_bytes=*/false);
      return;
    }
    const std::string_view data(buffer_.data(), static_cast<size_t>(n));
    const size_t used = parser.Feed(data);
    if (!parser.status().ok() || parser.done()) Finish(lane, used < data.size());
  }

  // The parser reached the end of the response or an error.
  void Finish(Lane& lane, bool extra_bytes) {
    ResponseParser& parser = *lane.parser;
    const PlainRequest& r = requests_[lane.current];
    PlainResponse response;
    response.status = parser.status_code();
    response.headers = std::move(parser.headers());
    response.deadline = lane.deadline;
    if (!parser.status().ok()) {
      if (!parser.headers_done()) {
        Complete(lane, parser.status(), false);
      } else {
        response.body_error = parser.status();  // The answer came; its body failed.
        Complete(lane, std::move(response), false);
      }
      return;
    }
    std::string_view coding_name;
    for (const Header& h : response.headers) {
      if (EqualsIgnoreAsciiCase(h.name, "content-encoding")) {
        coding_name = h.value;
        break;
      }
    }
    // Bytes the server sent past the response, unasked: the connection is not to be trusted.
    const bool keep = parser.keep_alive() && !extra_bytes;
    Result<ContentCoding> coding = ParseContentCoding(coding_name);
    if (!coding.ok()) {
      response.body_error = coding.status();
      Complete(lane, std::move(response), keep);
      return;
    }
    Result<std::string> body = DecodeBody(std::move(parser.body()), *coding, r.max_body_bytes);
    if (!body.ok()) {
      response.body_error = body.status();
      Complete(lane, std::move(response), keep);
      return;
    }
    response.body = std::move(*body);
    Complete(lane, std::move(response), keep);
  }

  // The connection failed (refused, reset, closed). One that served an earlier exchange may
  // have been closed by the server meanwhile: before any answer, a GET or HEAD is sent again
  // once (PlainRequest::idempotent).
  void ConnectionFailed(Lane& lane, Status error) {
    if (lane.reused && !lane.retried && !lane.parser->started() &&
        requests_[lane.current].idempotent) {
      CloseConnection(lane);
      lane.retried = true;
      lane.parser.emplace(requests_[lane.current].head_request,
                          requests_[lane.current].max_body_bytes);
      lane.sent = 0;
      Connect(lane);
      return;
    }
    Complete(lane, std::move(error), false);
  }

  // Ends the current exchange: reports it and starts the lane's next.
  void Complete(Lane& lane, Result<PlainResponse> result, bool keep_connection) {
    const size_t index = lane.current;
    lane.current = kNone;
    lane.parser.reset();
    lane.deadline = SteadyTime::max();
    if (!keep_connection) CloseConnection(lane);
    Report(index, std::move(result));
    StartNext(lane, Clock::now());
  }

  void FinishLane(Lane& lane) {
    if (lane.fd >= 0) ReturnConnection(lane);
    owner_.slots_.Release(lane.host);
    lane.finished = true;
  }

  void Watch(Lane& lane, uint32_t events) {
    if (lane.interest == events) return;
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = &lane;
    ::epoll_ctl(epoll_fd_, lane.interest == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, lane.fd, &ev);
    lane.interest = events;
  }

  // Back to the pool (out of this run's epoll set first: the next run has its own).
  void ReturnConnection(Lane& lane) {
    if (lane.interest != 0) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, lane.fd, nullptr);
    lane.interest = 0;
    owner_.pool_->Put(lane.pool_key, OwnedSocket(lane.fd));
    lane.fd = -1;
  }

  void CloseConnection(Lane& lane) {
    if (lane.fd < 0) return;
    ::close(lane.fd);  // Also leaves the epoll set.
    lane.fd = -1;
    lane.interest = 0;
  }

  Multiplexer& owner_;
  const std::vector<PlainRequest>& requests_;
  const SteadyTime start_by_;
  const size_t max_in_flight_;
  const Done& done_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  bool watching_ = false;
  bool stopped_ = false;  // done_ said stop.
  // Requests not started yet, per host, in the order given.
  std::map<std::string, std::deque<size_t>> waiting_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::vector<std::string> hosts_;  // StartLanes' scratch list.
  std::array<char, kReadBuffer> buffer_{};
};

Multiplexer::Multiplexer(HostSlots& slots, size_t max_idle_per_key)
    : slots_(slots),
      pool_(std::make_unique<ConnectionPool<OwnedSocket>>(
          ConnectionPoolOptions{.max_idle_per_key = max_idle_per_key})) {}

Multiplexer::~Multiplexer() = default;

void Multiplexer::Run(const std::vector<PlainRequest>& requests, SteadyTime start_by,
                      size_t max_in_flight, const Done& done) {
  if (requests.empty()) return;
  Session session(*this, requests, start_by, max_in_flight, done);
  session.Run();
}

}  // namespace feedbridge::http
