#include "http/address_policy.h"

#include <gtest/gtest.h>

#include <string>

namespace feedbridge::http {
namespace {

struct Case {
  std::string name;
  std::string address;
  bool is_public;
};

TEST(AddressPolicyTest, RefusesNonPublicAndAllowsPublicAddresses) {
  const Case cases[] = {
      {"ipv4 loopback", "127.0.0.1", false},
      {"ipv4 loopback range", "127.9.9.9", false},
      {"private 10/8", "10.1.2.3", false},
      {"private 172.16/12", "172.16.0.1", false},
      {"private 172.31 edge", "172.31.255.255", false},
      {"private 192.168/16", "192.168.1.1", false},
      {"link-local metadata", "169.254.169.254", false},
      {"link-local", "169.254.1.1", false},
      {"cgnat", "100.64.0.1", false},
      {"unspecified v4", "0.0.0.0", false},
      {"multicast v4", "224.0.0.1", false},
      {"broadcast", "255.255.255.255", false},
      {"ipv6 loopback", "::1", false},
      {"ipv6 unspecified", "::", false},
      {"ipv6 link-local", "fe80::1", false},
      {"ipv6 unique local", "fc00::1", false},
      {"ipv6 unique local fd", "fd12:3456::1", false},
      {"ipv6 multicast", "ff02::1", false},
      {"ipv4-mapped loopback", "::ffff:127.0.0.1", false},
      {"ipv4-mapped private", "::ffff:10.0.0.1", false},
      {"nat64 private", "64:ff9b::10.0.0.1", false},
      {"6to4 loopback", "2002:7f00:1::1", false},
      {"public v4", "93.184.216.34", true},
      {"public v4 near private", "172.32.0.1", true},
      {"public v6", "2606:2800::1", true},
      {"ipv4-mapped public", "::ffff:93.184.216.34", true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(IsPublicAddress(Poco::Net::IPAddress(c.address)), c.is_public) << c.address;
  }
}

}  // namespace
}  // namespace feedbridge::http
