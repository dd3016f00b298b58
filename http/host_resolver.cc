#include "http/host_resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>

#include "common/c_ptr.h"

namespace feedbridge::http {

namespace {

// Lookups in flight at once per client. A lookup abandoned at its deadline keeps its thread
// until the system resolver gives up (glibc: timeout x attempts per server, ~10-30 s); while DNS
// is down, new lookups fail at once past this many rather than pile up threads.
constexpr int kMaxLookupsInFlight = 32;

}  // namespace

using AddrInfoPtr = CPtr<addrinfo, freeaddrinfo>;

Result<std::vector<std::string>> SystemHostResolver::Resolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  // Only families this host can reach (no IPv6 answers on an IPv4-only machine).
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* raw = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &raw);
  AddrInfoPtr list(raw);
  if (rc != 0) {
    return Status::Unavailable("DNS: " + host + ": " + ::gai_strerror(rc));
  }
  std::vector<std::string> out;
  for (const addrinfo* a = list.get(); a != nullptr; a = a->ai_next) {
    std::array<char, INET6_ADDRSTRLEN> text{};
    const void* bytes = nullptr;
    if (a->ai_family == AF_INET) {
      bytes = &reinterpret_cast<const sockaddr_in*>(a->ai_addr)->sin_addr;
    } else if (a->ai_family == AF_INET6) {
      bytes = &reinterpret_cast<const sockaddr_in6*>(a->ai_addr)->sin6_addr;
    } else {
      continue;
    }
    if (::inet_ntop(a->ai_family, bytes, text.data(), static_cast<socklen_t>(text.size())) ==
        nullptr) {
      continue;
    }
    std::string address(text.data());
    if (std::find(out.begin(), out.end(), address) == out.end()) out.push_back(std::move(address));
  }
  if (out.empty()) return Status::Unavailable("DNS: no address for " + host);
  return out;
}

BoundedResolver::BoundedResolver(std::shared_ptr<HostResolver> resolver)
    : resolver_(std::move(resolver)), in_flight_(std::make_shared<std::atomic<int>>(0)) {}

Result<std::vector<std::string>> BoundedResolver::Resolve(
    const std::string& host, std::chrono::steady_clock::time_point deadline) {
  // Shared by this call and the lookup thread, which may outlive the call and the client.
  struct Lookup {
    std::mutex mu;
    std::condition_variable done;
    std::optional<Result<std::vector<std::string>>> result;  // Guarded by mu.
  };
  if (in_flight_->fetch_add(1) >= kMaxLookupsInFlight) {
    in_flight_->fetch_sub(1);
    return Status::Unavailable("DNS: " + host + ": over " + std::to_string(kMaxLookupsInFlight) +
                               " lookups already in flight (is the resolver down?)");
  }
  auto lookup = std::make_shared<Lookup>();
  try {
    std::thread([lookup, resolver = resolver_, in_flight = in_flight_, host] {
      Result<std::vector<std::string>> r = Status::Internal("DNS: " + host + ": lookup failed");
      try {
        r = resolver->Resolve(host);
      } catch (const std::exception& e) {
        r = Status::Internal("DNS: " + host + ": " + e.what());
      }
      {
        std::lock_guard lock(lookup->mu);
        lookup->result = std::move(r);
      }
      lookup->done.notify_all();
      in_flight->fetch_sub(1);
    }).detach();
  } catch (const std::system_error& e) {
    in_flight_->fetch_sub(1);
    return Status::Unavailable("DNS: " + host + ": cannot start a lookup: " + e.what());
  }
  std::unique_lock lock(lookup->mu);
  if (!lookup->done.wait_until(lock, deadline, [&] { return lookup->result.has_value(); })) {
    return Status::DeadlineExceeded("DNS: timed out resolving " + host);
  }
  return std::move(*lookup->result);
}

}  // namespace feedbridge::http
