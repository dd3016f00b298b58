#pragma once

// Internal to http/: which destination addresses an outbound fetch may connect to (the SSRF
// guard). Pure; exposed for tests.

#include <Poco/Net/IPAddress.h>

namespace feedbridge::http {

// True for a globally routable unicast address. False for loopback (127/8, ::1), private
// (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16, fe80::/10), CGNAT (100.64/10),
// unspecified, "this network" (0/8), multicast, broadcast, reserved (240/4), documentation and
// benchmarking ranges, and the IPv6 forms that embed one of those IPv4 addresses (IPv4-mapped
// ::ffff:0:0/96, IPv4-compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16).
bool IsPublicAddress(const Poco::Net::IPAddress& address);

}  // namespace feedbridge::http
