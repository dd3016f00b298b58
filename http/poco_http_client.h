#pragma once

// The HttpClient on POCO Net/NetSSL: TLS with the system CA store, keep-alive, gzip/deflate, size
// and time limits, a per-host concurrency limit and an SSRF guard.

#include <cstddef>
#include <memory>
#include <string>

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
};

// Sends requests over POCO HTTPClientSession/HTTPSClientSession. The host is resolved here and the
// connection goes to the checked address (a second DNS answer cannot change it); every redirect
// hop is resolved and checked again. Error codes are those of HttpClient; messages start with
// "http: URL: ". No exception leaves Send(). Thread-safe.
class PocoHttpClient final : public HttpClient {
 public:
  explicit PocoHttpClient(PocoHttpClientOptions options);
  ~PocoHttpClient() override;
  PocoHttpClient(const PocoHttpClient&) = delete;
  PocoHttpClient& operator=(const PocoHttpClient&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace feedbridge::http
