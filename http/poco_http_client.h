#pragma once

// The HttpClient on POCO Net/NetSSL: TLS with the system CA store, keep-alive, gzip/deflate, size
// and time limits, a per-host concurrency limit and an SSRF guard.

#include <cstddef>
#include <memory>
#include <string>

#include "http/host_resolver.h"
#include "http/http_client.h"

namespace feedbridge::http {

struct PocoHttpClientOptions {
  std::string user_agent;  // Sent as User-Agent unless a request sets its own. Empty: none.
  // Allow destinations that resolve to loopback, private, link-local, CGNAT, multicast or
  // unspecified addresses. Off in production: a feed URL must not reach the bridge's own network.
  bool allow_private_networks = false;
  int per_host_concurrency = 2;  // Exchanges in flight per host name, at most.
  size_t max_idle_connections_per_host =
      4;  // Keep-alive connections kept per (scheme, host, port).
  // A PEM file of CA certificates trusted for https besides the system store (an internal CA).
  // Empty: the system store only. Unreadable: every https request fails with "TLS: ...".
  std::string ca_file;
  // SendEach: plain-http exchanges in flight at once per call (each holds its body in memory
  // until it ends), besides the per-host limit.
  size_t max_exchanges_per_batch = 16;
  // Resolves host names. Null: SystemHostResolver. Shared because a lookup still running at its
  // request's deadline is left to finish on its own thread, which may outlive this client.
  std::shared_ptr<HostResolver> resolver;
};

// Sends requests over POCO HTTPClientSession/HTTPSClientSession. The host is resolved here and the
// connection goes to the checked address (a second DNS answer cannot change it); every redirect
// hop is resolved and checked again. request.timeout bounds the whole exchange, each step
// included: DNS lookup, connect, TLS handshake, request, status line and headers, body (a server
// sending one byte at a time is cut at the deadline: DeadlineExceeded "... timed out ...").
// https: the chain must lead to a trusted CA and the certificate must name the URL's host
// (or its IP address). Error codes are those of HttpClient; messages start with "http: URL: ".
// No exception leaves Send(). Thread-safe; owns one thread (the deadline watch).
class PocoHttpClient final : public HttpClient {
 public:
  explicit PocoHttpClient(PocoHttpClientOptions options);
  ~PocoHttpClient() override;
  PocoHttpClient(const PocoHttpClient&) = delete;
  PocoHttpClient& operator=(const PocoHttpClient&) = delete;

  SendResult Send(const HttpRequest& request) override;
  // Plain-http GET, HEAD and POST requests run at once on the calling thread (non-blocking
  // sockets, epoll; at most max_exchanges_per_batch in flight, per_host_concurrency per host,
  // shared with Send), each within its own timeout from the moment it starts; redirects are
  // followed on the blocking path. A POST is not sent again when a kept connection fails under
  // it (nor by Send). Everything else (https, odd header fields) goes through Send after them,
  // four at once on helper threads; `done` still runs on the calling thread. Results as Send's.
  void SendEach(std::span<const HttpRequest> requests,
                std::chrono::steady_clock::time_point start_by, const EachDone& done) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace feedbridge::http
