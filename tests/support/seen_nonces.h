#pragma once

// An omb::NonceChecker for loopback OMB peers in tests: remembers every nonce for ever (a test
// lasts seconds). Header-only, so test support needs no link to omb/. Thread-safe.

#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "omb/oauth.h"

namespace feedbridge::testing {

class SeenNonces final : public omb::NonceChecker {
 public:
  Status CheckAndRemember(std::string_view consumer, std::string_view token, int64_t timestamp,
                          std::string_view nonce) override {
    std::lock_guard lock(mu_);
    std::string key = std::string(consumer) + '\n' + std::string(token) + '\n' +
                      std::to_string(timestamp) + '\n' + std::string(nonce);
    if (!seen_.insert(std::move(key)).second) return Status::AlreadyExists("replayed nonce");
    return Status::Ok();
  }

 private:
  std::mutex mu_;
  std::set<std::string> seen_;
};

}  // namespace feedbridge::testing
