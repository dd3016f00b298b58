#pragma once

// Name resolution for outbound HTTP. An interface so that tests can stand in for DNS (a resolver
// that hangs, one that maps a test name to 127.0.0.1) without touching the network.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace feedbridge::http {

// Implementations are thread-safe.
class HostResolver {
 public:
  virtual ~HostResolver() = default;

  // The addresses of `host` (a name, never an IP literal) as text: "192.0.2.7", "2001:db8::7".
  // May block as long as the system resolver does; PocoHttpClient waits only until the request's
  // deadline and leaves the lookup to finish on its own thread. Errors: Unavailable, with a
  // message starting "DNS: ".
  virtual Result<std::vector<std::string>> Resolve(const std::string& host) = 0;
};

// getaddrinfo(3): /etc/hosts, then DNS, as nsswitch.conf says. Stateless.
class SystemHostResolver final : public HostResolver {
 public:
  Result<std::vector<std::string>> Resolve(const std::string& host) override;
};

// Runs HostResolver lookups on their own threads so that a request waits for one only until
// its deadline. A lookup the request stopped waiting for finishes (and is dropped) on its thread.
// Thread-safe.
class BoundedResolver {
 public:
  explicit BoundedResolver(std::shared_ptr<HostResolver> resolver);

  // The addresses of `host`, or DeadlineExceeded at `deadline`; Unavailable at once while too
  // many lookups are already in flight (a resolver that hangs).
  Result<std::vector<std::string>> Resolve(const std::string& host,
                                           std::chrono::steady_clock::time_point deadline);

 private:
  // Shared with lookup threads, which may outlive the client (see HostResolver).
  std::shared_ptr<HostResolver> resolver_;
  std::shared_ptr<std::atomic<int>> in_flight_;
};

}  // namespace feedbridge::http
