#pragma once

// Test doubles for the poller's dependencies: a scripted HTTP client and a fixed random source.
// The store is the real SQL store on a temp SQLite file behind tests/support/failing_store.h;
// the queue and the schedule are queue/memory_* behind tests/support/failing_queue.h.

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/random.h"
#include "http/http_client.h"

namespace feedbridge::testing {

// Answers each URL from a script: a queue of responses or errors per URL, used in order; the last
// one repeats until another is scripted. Records every request. Thread-safe.
class FakeHttpClient final : public http::HttpClient {
 public:
  void Script(const std::string& url, http::SendResult answer);
  // Runs `hook` (outside the client's lock) at every Send, before it answers: a slow server.
  void OnSend(std::function<void()> hook);
  http::SendResult Send(const http::HttpRequest& request) override;

  std::vector<http::HttpRequest> requests() const;
  // The value of header `name` in the `index`th request, or "" when absent.
  std::string RequestHeader(size_t index, std::string_view name) const;

  // A 200 with `body`, fetched from `url` without redirects.
  static http::HttpResponse Ok(const std::string& url, std::string body,
                               std::vector<http::Header> headers = {});
  // A response with only a status (and headers).
  static http::HttpResponse WithStatus(const std::string& url, int status,
                                       std::vector<http::Header> headers = {});

 private:
  struct Answers {
    std::deque<http::SendResult> queue;
    bool last_used = false;  // The only answer left has been given at least once.
  };
  mutable std::mutex mu_;
  std::map<std::string, Answers> script_;    // Guarded by mu_.
  std::vector<http::HttpRequest> requests_;  // Guarded by mu_.
  std::function<void()> on_send_;            // Guarded by mu_.
};

// Always returns the same value (default: 2^63, which UniformUnit makes 0.5: no jitter).
class FixedRandom final : public Random {
 public:
  explicit FixedRandom(uint64_t value = uint64_t{1} << 63) : value_(value) {}
  uint64_t Next() override { return value_; }

 private:
  const uint64_t value_;
};

}  // namespace feedbridge::testing
