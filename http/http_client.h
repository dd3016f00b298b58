#pragma once

// Outbound HTTP: the small interface the poller (and later the publisher) talk to, and the
// request/response values. The POCO implementation is http/poco_http_client.h.

#include <chrono>
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/result.h"

namespace feedbridge::http {

struct Header {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;                           // Absolute http:// or https:// URL.
  std::vector<Header> headers;               // Sent as given (e.g. If-None-Match, Content-Type).
  std::string body;                          // For POST.
  std::chrono::milliseconds timeout{20000};  // The whole exchange, redirects included.
  size_t max_body_bytes = 15u << 20;         // Cap on the body, checked after decompression too.
  int max_redirects = 5;                     // 0: redirects are returned as responses.
};

struct Redirect {
  int status = 0;   // 301, 302, 303, 307, 308.
  std::string url;  // Where it pointed (absolute).
};

struct HttpResponse {
  int status = 0;
  std::vector<Header> headers;      // As received from the final server.
  std::string body;                 // Decompressed (gzip, deflate).
  std::string final_url;            // After redirects.
  std::vector<Redirect> redirects;  // The redirects followed, in order.

  // The first header of that name (case-insensitive), or empty.
  std::string_view Find(std::string_view name) const;
  // True when every redirect followed was permanent (301/308) and there was at least one:
  // the feed's stored URL should move to final_url.
  bool MovedPermanently() const;
};

// What Send returns: the response, or why there is none. A failure after the server had
// answered (the body over max_body_bytes, a gzip bomb, a body cut short) also carries the status
// code of that answer, so a caller can record what the server said.
class [[nodiscard]] SendResult : public Result<HttpResponse> {
 public:
  using Result<HttpResponse>::Result;
  SendResult(Result<HttpResponse> result)  // NOLINT(google-explicit-constructor)
      : Result<HttpResponse>(std::move(result)) {}
  // A failure of the answer with status code `answered_status`. `error` must not be OK.
  SendResult(Status error, int answered_status)
      : Result<HttpResponse>(std::move(error)), answered_status_(answered_status) {}

  // On failure: the status code the server answered before the exchange failed, 0 when no
  // answer arrived. On success: the response's status.
  int answered_status() const { return ok() ? value().status : answered_status_; }

 private:
  int answered_status_ = 0;
};

// SendEach's word on a request it did not start (start_by passed, or `done` returned false):
// nothing of it reached a server.
struct NotSent {
  std::string reason;  // "http: URL: not sent: the batch ran out of time" (or "was stopped").
};

// What SendEach reports of one request: NotSent, or the result Send would have returned.
using EachResult = std::variant<NotSent, SendResult>;

// Sends requests. A non-2xx answer is a response, not an error; errors are transport failures:
//   Unavailable        connection refused or reset, DNS failure, TLS failure (untrusted chain,
//                      a certificate not naming the host).
//   DeadlineExceeded   the timeout passed, in whichever step: DNS lookup, connect, TLS
//                      handshake, headers or body (a server that trickles bytes included).
//   ResourceExhausted  the body (or its decompressed form: a gzip bomb) is over max_body_bytes.
//   PermissionDenied   the host resolves to a loopback, private or link-local address and
//                      private networks are not allowed.
//   InvalidArgument    not an http(s) URL; too many redirects or a redirect loop.
// Failures of an answer's body (ResourceExhausted, Unavailable for a body cut short or corrupt
// compressed data) carry the answer's status code: SendResult::answered_status().
// Implementations are thread-safe.
class HttpClient {
 public:
  // Told of each request of SendEach as it ends: its index and result. Returning false starts no
  // more requests.
  using EachDone = std::function<bool(size_t index, EachResult result)>;

  virtual ~HttpClient() = default;
  virtual SendResult Send(const HttpRequest& request) = 0;

  // Sends `requests`, several at once where the implementation can, and calls `done` once for
  // each, on the calling thread, as it ends (in any order). A request is started only before
  // `start_by` and while `done` returns true; the others are reported as NotSent. The results
  // of the rest are what Send would return. This default sends them one after another with Send.
  virtual void SendEach(std::span<const HttpRequest> requests,
                        std::chrono::steady_clock::time_point start_by, const EachDone& done);
};

}  // namespace feedbridge::http
