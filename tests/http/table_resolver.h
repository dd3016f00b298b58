#pragma once

// A HostResolver for http tests: answers names from a table, with no network.

#include <atomic>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "http/host_resolver.h"

namespace feedbridge::http {

// Answers names from a table (no network); other names fail. Counts lookups. Thread-safe.
class TableResolver final : public HostResolver {
 public:
  explicit TableResolver(std::map<std::string, std::vector<std::string>> table)
      : table_(std::move(table)) {}

  Result<std::vector<std::string>> Resolve(const std::string& host) override {
    ++lookups_;
    auto it = table_.find(host);
    if (it == table_.end()) return Status::Unavailable("DNS: " + host + ": not in the table");
    return it->second;
  }
  int lookups() const { return lookups_.load(); }

 private:
  const std::map<std::string, std::vector<std::string>> table_;
  std::atomic<int> lookups_{0};
};

}  // namespace feedbridge::http
