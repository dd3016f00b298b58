#pragma once

// Name resolution for outbound HTTP. An interface so that tests can stand in for DNS (a resolver
// that hangs, one that maps a test name to 127.0.0.1) without touching the network.

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

}  // namespace feedbridge::http
