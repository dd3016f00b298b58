#pragma once

// HostResolvers for http tests, with no network: a table, and one that never answers.

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
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

// A resolver whose lookups hang until Release() (a DNS server that never answers). Thread-safe.
class HangingResolver final : public HostResolver {
 public:
  Result<std::vector<std::string>> Resolve(const std::string& host) override {
    std::unique_lock lock(mu_);
    released_cv_.wait(lock, [&] { return released_; });
    return Status::Unavailable("DNS: " + host + ": released");
  }
  void Release() {
    {
      std::lock_guard lock(mu_);
      released_ = true;
    }
    released_cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable released_cv_;
  bool released_ = false;  // Guarded by mu_.
};

}  // namespace feedbridge::http
