#include "http/address_policy.h"

#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace feedbridge::http {
namespace {

bool InV4Range(uint32_t addr, uint32_t network, int prefix) {
  const uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  return (addr & mask) == (network & mask);
}

constexpr uint32_t V4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

// `addr` in host byte order.
bool IsPublicV4(uint32_t addr) {
  struct Range {
    uint32_t network;
    int prefix;
  };
  // RFC 6890 special-purpose registry, minus the globally reachable entries.
  static constexpr std::array<Range, 16> kRefused = {{
      {V4(0, 0, 0, 0), 8},        // "This network", includes the unspecified 0.0.0.0.
      {V4(10, 0, 0, 0), 8},       // Private.
      {V4(100, 64, 0, 0), 10},    // Carrier-grade NAT (RFC 6598).
      {V4(127, 0, 0, 0), 8},      // Loopback.
      {V4(169, 254, 0, 0), 16},   // Link-local, where cloud metadata services live.
      {V4(172, 16, 0, 0), 12},    // Private.
      {V4(192, 0, 0, 0), 24},     // IETF protocol assignments.
      {V4(192, 0, 2, 0), 24},     // Documentation.
      {V4(192, 88, 99, 0), 24},   // 6to4 relay anycast (deprecated).
      {V4(192, 168, 0, 0), 16},   // Private.
      {V4(198, 18, 0, 0), 15},    // Benchmarking.
      {V4(198, 51, 100, 0), 24},  // Documentation.
      {V4(203, 0, 113, 0), 24},   // Documentation.
      {V4(224, 0, 0, 0), 4},      // Multicast.
      {V4(240, 0, 0, 0), 4},      // Reserved, includes broadcast 255.255.255.255.
      {V4(255, 255, 255, 255), 32},
  }};
  for (const Range& r : kRefused) {
    if (InV4Range(addr, r.network, r.prefix)) return false;
  }
  return true;
}

uint32_t V4FromBytes(const uint8_t* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

bool IsPublicV6(const uint8_t* b) {
  static constexpr std::array<uint8_t, 12> kZero12 = {};
  static constexpr std::array<uint8_t, 12> kMapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr std::array<uint8_t, 12> kNat64 = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  // ::/96 covers the unspecified ::, loopback ::1 and the deprecated IPv4-compatible form; none
  // is a legitimate destination.
  if (std::memcmp(b, kZero12.data(), 12) == 0) return false;
  // An IPv4-mapped or NAT64 address reaches the embedded IPv4 address: judge that one.
  if (std::memcmp(b, kMapped.data(), 12) == 0 || std::memcmp(b, kNat64.data(), 12) == 0) {
    return IsPublicV4(V4FromBytes(b + 12));
  }
  if (b[0] == 0x20 && b[1] == 0x02) return IsPublicV4(V4FromBytes(b + 2));         // 6to4.
  if ((b[0] & 0xfe) == 0xfc) return false;                                         // fc00::/7 ULA.
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;                         // fe80::/10.
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return false;                         // fec0::/10.
  if (b[0] == 0xff) return false;                                                  // Multicast.
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return false;  // Docs.
  if (b[0] == 0x01 && b[1] == 0x00 && std::memcmp(b + 2, kZero12.data(), 6) == 0) {
    return false;  // 100::/64 discard-only.
  }
  return true;
}

}  // namespace

bool IsPublicAddress(const Poco::Net::IPAddress& address) {
  if (address.family() == Poco::Net::IPAddress::IPv4) {
    uint32_t net_order = 0;
    std::memcpy(&net_order, address.addr(), sizeof(net_order));
    return IsPublicV4(ntohl(net_order));
  }
  std::array<uint8_t, 16> bytes{};
  if (address.length() != bytes.size()) return false;
  std::memcpy(bytes.data(), address.addr(), bytes.size());
  return IsPublicV6(bytes.data());
}

}  // namespace feedbridge::http
