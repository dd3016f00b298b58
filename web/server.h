#pragma once

// The HTTP server: POCO's HTTPServer on options.listen, one request handler that turns each
// request into a WebRequest, routes it with a Router and writes the WebResponse (or the error
// answer for a failed Result). The POCO types stay in server.cc.
//
// Limits against hostile clients (each answered before any handler runs):
//   path with "." or ".." segments, NUL, '\' or an encoded '/' -> 400 (path traversal)
//   URI over 8 KiB -> 414 (over POCO's own 16 KiB limit, POCO answers 400 itself)
//   header block over max_header_bytes -> 431 (a single name over 256 bytes, a value over
//     8 KiB or more than 100 fields trip POCO 1.11's fixed MessageHeader limits first: 400)
//   Content-Length over max_body_bytes -> 413 without reading the body; chunked bodies are
//     counted while read and answered 413 past the cap
//   more than workers + max_queued connections -> 503 with Retry-After: 1
//   a client silent for 10 s while sending its request is dropped (slowloris)

#include <cstdint>
#include <memory>

#include "common/result.h"
#include "common/status.h"
#include "config/config.h"
#include "web/router.h"
#include "web/web_types.h"

namespace Poco {
class Logger;
}

namespace feedbridge::web {

// Renders error answers (404, 405, 500, ...) in the site's look. Called from worker threads:
// implementations must be thread-safe. `cause` is the failure behind the answer; it may name
// internals, so show it only where that is safe (4xx).
class ErrorPages {
 public:
  virtual ~ErrorPages() = default;
  // The server overrides the response's status with `status`.
  virtual WebResponse Render(int status, const Status& cause) = 0;
};

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

  // Stops accepting, lets requests in flight finish for up to 10 s, then aborts the
  // connections still open. Returns when the worker threads are idle (or after a further
  // bounded wait, logged, if a handler never returns). Idempotent.
  void Stop();

 private:
  explicit WebServer(std::unique_ptr<WebServerState> state);
  std::unique_ptr<WebServerState> state_;
};

}  // namespace feedbridge::web
