#pragma once

// Internal to http/: the one pool of idle keep-alive connections, used by the blocking POCO path
// (a pool of Connection, poco_http_client.cc) and by the event-driven one (a pool of bare
// sockets, multiplexer.cc).

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace feedbridge::http {

// The key of a pooled connection: requests with the same key may share one. A connection goes
// to one URL scheme, host (SNI, Host header, certificate) and port, at the address that name
// was resolved and checked to ("https://example.org:443@93.184.216.34").
std::string PoolKey(std::string_view scheme, std::string_view host, uint16_t port,
                    std::string_view address);

struct ConnectionPoolOptions {
  size_t max_idle_per_key = 4;  // Put beyond this closes the connection.
  // Servers close idle keep-alive connections after a few seconds (Apache: 5 s); reusing one
  // they are about to close would fail the request, so older ones are dropped on Take.
  std::chrono::steady_clock::duration max_idle = std::chrono::seconds(4);
};

// Open, and nothing to read: the server has neither closed the idle connection `fd` nor sent
// anything unasked. One non-blocking peek, no poll set.
bool SocketLooksReusable(int fd);

// Idle connections by key, newest taken first. `Conn` is a movable owner of one connection that
// closes it when destroyed, for which `LooksReusable(const Conn&)` is declared beside it (found
// by argument-dependent lookup): open, and nothing unasked to read. The pool owns what Put hands it
// until Take hands it back; it closes (destroys) what it drops: connections over the per-key cap,
// too old or no longer reusable, and every one left when the pool is cleared or destroyed.
// Thread-safe: Take and Put from any thread. The liveness check (a system call) runs outside the
// lock. `now` is the clock (tests pass a fake).
template <typename Conn>
class ConnectionPool {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = Clock::time_point (*)();

  explicit ConnectionPool(ConnectionPoolOptions options, Now now = &Clock::now)
      : options_(options), now_(now) {}
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // A live idle connection for `key`, or nullopt.
  std::optional<Conn> Take(const std::string& key) {
    while (true) {
      std::optional<Idle> idle;
      {
        std::lock_guard lock(mu_);
        auto it = idle_.find(key);
        if (it == idle_.end()) return std::nullopt;
        idle.emplace(std::move(it->second.back()));
        it->second.pop_back();
        if (it->second.empty()) idle_.erase(it);
      }
      // Too old, or closed (or sent junk) by the server while idle: dropped, closed here.
      if (now_() - idle->since <= options_.max_idle && LooksReusable(idle->connection)) {
        return std::move(idle->connection);
      }
    }
  }

  // Keeps `connection` for the next Take of `key`, or closes it if `key` has enough idle ones.
  void Put(const std::string& key, Conn connection) {
    std::unique_lock lock(mu_);
    std::vector<Idle>& list = idle_[key];
    if (list.size() >= options_.max_idle_per_key) {
      lock.unlock();
      return;  // `connection` closes here.
    }
    list.push_back(Idle{std::move(connection), now_()});
  }

  // Closes every idle connection.
  void Clear() {
    std::map<std::string, std::vector<Idle>> dropped;
    {
      std::lock_guard lock(mu_);
      dropped.swap(idle_);
    }
  }

  // Idle connections kept, for all keys.
  size_t size() const {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const auto& [key, list] : idle_) n += list.size();
    return n;
  }

 private:
  struct Idle {
    Conn connection;
    Clock::time_point since;
  };

  const ConnectionPoolOptions options_;
  const Now now_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<Idle>> idle_;  // Guarded by mu_.
};

// A bare socket as ConnectionPool<OwnedSocket> holds it: owns the descriptor, closes it when
// destroyed. Movable, not copyable.
class OwnedSocket {
 public:
  OwnedSocket() = default;
  explicit OwnedSocket(int fd) : fd_(fd) {}
  ~OwnedSocket();
  OwnedSocket(OwnedSocket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  OwnedSocket& operator=(OwnedSocket&& other) noexcept;
  OwnedSocket(const OwnedSocket&) = delete;
  OwnedSocket& operator=(const OwnedSocket&) = delete;

  int fd() const { return fd_; }
  // Gives the descriptor up (the caller closes it); -1 if none.
  int Release() { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

inline bool LooksReusable(const OwnedSocket& socket) { return SocketLooksReusable(socket.fd()); }

}  // namespace feedbridge::http
