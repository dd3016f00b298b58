// PocoHttpClient::Impl: batches (see poco_client_impl.h and HttpClient::SendEach).

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>
#include <variant>

#include "http/poco_client_impl.h"

namespace feedbridge::http {
namespace {

using Clock = std::chrono::steady_clock;

// SendEach: exchanges on the blocking path (https, anything unusual) at once per call, each on a
// helper thread.
constexpr size_t kBlockingPerBatch = 4;

}  // namespace

template <class Report>
void PocoHttpClient::Impl::SendBlocking(std::span<const HttpRequest> requests,
                                        const std::vector<size_t>& blocking, SteadyTime start_by,
                                        Report& report) {
  if (blocking.empty()) return;
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::pair<size_t, SendResult>> finished;  // Guarded by mu.
    size_t next = 0;                                     // Guarded by mu.
    bool stop = false;                                   // Guarded by mu.
    size_t running = 0;                                  // Guarded by mu.
  } shared;
  auto work = [&] {
    for (;;) {
      size_t i = 0;
      {
        // A new one starts only once the answers so far are reported: `report` may say stop.
        std::unique_lock lock(shared.mu);
        shared.cv.wait(lock, [&] { return shared.finished.empty() || shared.stop; });
        if (shared.stop || shared.next >= blocking.size() || Clock::now() >= start_by) break;
        i = blocking[shared.next++];
      }
      SendResult result = SendCaught(requests[i]);
      {
        std::lock_guard lock(shared.mu);
        shared.finished.emplace_back(i, std::move(result));
      }
      shared.cv.notify_all();
    }
    {
      std::lock_guard lock(shared.mu);
      --shared.running;
    }
    shared.cv.notify_all();
  };
  std::vector<std::thread> helpers;
  // Whatever happens below (even `report` throwing), the helpers stop and are joined.
  struct Joiner {
    Shared& shared;
    std::vector<std::thread>& helpers;
    ~Joiner() {
      {
        std::lock_guard lock(shared.mu);
        shared.stop = true;
      }
      shared.cv.notify_all();
      for (std::thread& t : helpers) t.join();
    }
  } joiner{shared, helpers};
  const size_t n = std::min(blocking.size(), kBlockingPerBatch);
  for (size_t k = 0; k < n; ++k) {
    {
      std::lock_guard lock(shared.mu);
      ++shared.running;
    }
    try {
      helpers.emplace_back(work);
    } catch (const std::system_error&) {
      std::lock_guard lock(shared.mu);
      --shared.running;
      if (helpers.empty()) throw;  // Not even one: reported as Internal by the caller.
      break;
    }
  }
  std::unique_lock lock(shared.mu);
  for (;;) {
    shared.cv.wait(lock, [&] { return !shared.finished.empty() || shared.running == 0; });
    if (shared.finished.empty()) break;  // All helpers are done.
    auto [i, result] = std::move(shared.finished.front());
    shared.finished.pop_front();
    lock.unlock();
    const bool go_on = report(i, std::move(result));
    lock.lock();
    if (!go_on) shared.stop = true;
    shared.cv.notify_all();  // Helpers waiting for the queue to empty.
  }
}

void PocoHttpClient::Impl::SendEach(std::span<const HttpRequest> requests, SteadyTime start_by,
                                    const HttpClient::EachDone& done) {
  std::vector<bool> reported(requests.size(), false);
  bool go_on = true;
  auto report = [&](size_t i, EachResult result) {
    reported[i] = true;
    if (!done(i, std::move(result))) go_on = false;
    return go_on;
  };
  auto not_sent = [&](size_t i) {
    report(i, NotSent{"http: " + requests[i].url + ": not sent: " +
                      (go_on ? "the batch ran out of time" : "the batch was stopped")});
  };
  try {
    // Plain-http GETs, HEADs and POSTs go to the multiplexer, all at once; the rest (https,
    // anything unusual) on the blocking path, after them.
    std::vector<PlainRequest> plain;
    std::vector<size_t> plain_of;  // plain[k] is requests[plain_of[k]].
    std::vector<size_t> blocking;
    std::map<std::string, Result<ResolvedHost>> resolved;  // Per host, this batch.
    for (size_t i = 0; i < requests.size(); ++i) {
      // DNS lookups happen here, one host after another: a resolver that hangs must not hold
      // the batch past start_by.
      if (!go_on || Clock::now() >= start_by) {
        not_sent(i);
        continue;
      }
      Result<std::optional<PlainRequest>> prepared = PreparePlain(requests[i], resolved);
      if (!prepared.ok()) {
        report(i, prepared.status().WithContext("http: " + requests[i].url));
      } else if (prepared->has_value()) {
        plain.push_back(std::move(**prepared));
        plain_of.push_back(i);
      } else {
        blocking.push_back(i);
      }
    }
    multiplexer_.Run(plain, start_by, options_.max_exchanges_per_batch,
                     [&](size_t k, PlainResult each) {
                       const size_t i = plain_of[k];
                       const HttpRequest& request = requests[i];
                       if (const NotSent* unsent = std::get_if<NotSent>(&each)) {
                         report(i, NotSent{"http: " + request.url + ": " + unsent->reason});
                         return go_on;
                       }
                       Result<PlainResponse>& result = std::get<Result<PlainResponse>>(each);
                       if (!result.ok()) {
                         report(i, SendResult(result.status().WithContext("http: " + request.url)));
                         return go_on;
                       }
                       Hop hop{result->status, std::move(result->headers), std::move(result->body),
                               std::move(result->body_error)};
                       report(i, Follow(request, result->deadline, std::move(hop)));
                       return go_on;
                     });
    if (go_on) SendBlocking(requests, blocking, start_by, report);
    for (const size_t i : blocking) {
      if (!reported[i]) not_sent(i);
    }
  } catch (const std::exception& e) {
    // Every request is reported once, whatever happened.
    for (size_t i = 0; i < requests.size(); ++i) {
      if (!reported[i]) {
        report(i, Status::Internal("http: " + requests[i].url + ": " + e.what()));
      }
    }
  }
}

}  // namespace feedbridge::http
