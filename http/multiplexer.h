#pragma once

// Internal to http/: many plain-HTTP exchanges at once on the calling thread, with non-blocking
// sockets and epoll, as a load generator runs them, instead of one blocked thread per exchange.
// Only the simple case: http (no TLS), GET or HEAD, no request body. PocoHttpClient sends
// everything else, and follows redirects, on its blocking path. Idle keep-alive connections are
// kept between runs, apart from the blocking path's (they are plain sockets, not POCO sessions).

#include <Poco/Net/SocketAddress.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "common/result.h"
#include "http/body_reader.h"
#include "http/host_slots.h"
#include "http/http_client.h"

namespace feedbridge::http {

template <typename Conn>
class ConnectionPool;  // http/connection_pool.h
class OwnedSocket;

struct PlainRequest {
  std::string host;                  // The URL's host name: HostSlots counts per host.
  std::string pool_key;              // Requests with the same key may share a connection.
  Poco::Net::SocketAddress address;  // Resolved and checked by the caller.
  // As sent: request line, header fields, the empty line, and a POST's body.
  std::string head;
  bool head_request = false;  // HEAD: the answer has no body.
  // GET, HEAD: sent again once on a new connection when a kept one fails before any answer
  // (the server closed it meanwhile). Not a POST: the server may have acted on it.
  bool idempotent = true;
  size_t max_body_bytes = 0;  // Raw and decoded.
  // The whole exchange, from the moment it starts on a connection (waiting for a free
  // connection is bounded by Run's `start_by` instead).
  std::chrono::milliseconds timeout{0};
};

struct PlainResponse {
  int status = 0;
  std::vector<Header> headers;
  std::string body;     // Decoded (gzip, deflate).
  SteadyTime deadline;  // The exchange's: a redirect followed from here keeps to it.
  Status body_error;    // Not OK: the body failed (over the cap, cut short, corrupt).
};

// What Run reports of one request: NotSent (never started: nothing reached the server), or the
// exchange's result.
using PlainResult = std::variant<NotSent, Result<PlainResponse>>;

// Thread-safe: several threads may Run at once (each on its own requests).
class Multiplexer {
 public:
  // `slots` must outlive the multiplexer.
  Multiplexer(HostSlots& slots, size_t max_idle_per_key);
  ~Multiplexer();
  Multiplexer(const Multiplexer&) = delete;
  Multiplexer& operator=(const Multiplexer&) = delete;

  // Called once per request, on the calling thread, as each ends (in any order). Returning
  // false starts no more requests; the ones already under way still end and are reported.
  using Done = std::function<bool(size_t index, PlainResult result)>;

  // Runs `requests`: at most `max_in_flight` at once, and per host no more than HostSlots allows
  // (each connection carries one exchange after another, kept alive). A request is started only
  // before `start_by` and while `done` says so; the rest are reported as NotSent ("not sent:
  // the batch ran out of time" or "... was stopped", without the URL). Errors are HttpClient's
  // (messages without the URL): Unavailable (refused, reset, closed early, malformed response,
  // unsupported coding), DeadlineExceeded ("timed out <phase> (N ms for the whole request)"),
  // ResourceExhausted (body or decoded body over the cap). A connection taken from the pool that
  // fails before any answer is retried once on a new one (GET and HEAD are safe to repeat).
  void Run(const std::vector<PlainRequest>& requests, SteadyTime start_by, size_t max_in_flight,
           const Done& done);

 private:
  class Session;

  HostSlots& slots_;
  std::unique_ptr<ConnectionPool<OwnedSocket>> pool_;
};

}  // namespace feedbridge::http
