#pragma once

// The HTTP server: POCO's TCPServer on options.listen (acceptor, queue, worker pool) with our own
// connection loop (web/connection.h): POCO parses each request, a Router picks the handler, and
// the WebResponse (or the error answer for a failed Result) is written head and body at once.
// POCO types stay out of this header (web/connection.h, internal, holds them).
//
// Limits against hostile clients (each answered before any handler runs):
//   path with "." or ".." segments, NUL, '\' or an encoded '/' -> 400 (path traversal)
//   URI over 8 KiB -> 414 (also over POCO's own 16 KiB limit, which its parser enforces)
//   header block over max_header_bytes -> 431 (also a name over 256 bytes, a value over 8 KiB
//     or more than 100 fields, POCO 1.11's fixed MessageHeader limits)
//   Content-Length over max_body_bytes -> 413 without reading the body; chunked bodies are
//     counted while read and answered 413 past the cap
//   more than workers + max_queued connections -> 503 with Retry-After: 1
//   a request (line, headers, body) not received within request_timeout -> 408 and closed,
//     however slowly its bytes trickle in (slowloris); a client silent for 5 s while sending
//     its request is answered 408 and dropped, one that does not read its answer for 10 s too
// Each worker thread serves one connection at a time, keep-alive included (idle for 5 s at
// most, 100 requests at most): `workers` is also the number of clients served at once.

#include <cstdint>
#include <memory>

#include "common/result.h"
#include "common/status.h"
#include "config/config.h"
#include "web/error_pages.h"
#include "web/router.h"
#include "web/web_types.h"

namespace Poco {
class Logger;
}

namespace feedbridge::web {

struct WebServerState;

// A running server. Thread-safe. Construct with Start(); stopped by Stop() or the destructor.
class WebServer {
 public:
  // Binds options.listen ("HOST:PORT"; port 0 picks a free one) and starts serving.
  // `router`, `access_log` and `pages` must outlive the server. `pages` is optional: without
  // it error answers are "404 Not Found\n" in text/plain.
  // Failure: InvalidArgument for a bad listen address or option, Unavailable when the address
  // cannot be bound.
  static Result<std::unique_ptr<WebServer>> Start(const config::ServerOptions& options,
                                                  const Router& router, Poco::Logger& access_log,
                                                  ErrorPages* pages = nullptr);

  ~WebServer();  // Stop().
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // The port actually bound.
  uint16_t port() const;

  // Stops accepting, closes idle keep-alive connections, lets requests in flight finish for up
  // to 10 s, then aborts the connections still open. Returns when the worker threads are idle (or
  // after a further bounded wait, logged, if a handler never returns). Idempotent.
  void Stop();

 private:
  explicit WebServer(std::unique_ptr<WebServerState> state);
  std::unique_ptr<WebServerState> state_;
};

}  // namespace feedbridge::web
