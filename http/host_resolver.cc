#include "http/host_resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>

#include "common/c_ptr.h"

namespace feedbridge::http {

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

}  // namespace feedbridge::http
