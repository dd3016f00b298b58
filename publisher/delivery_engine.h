#pragma once

// The protocol-neutral delivery engine: notices off the `notices` stream fanned out into one job
// per (notice, endpoint, protocol) on the `deliveries` stream; each job claimed, checked against
// what was already delivered, held back while its host is busy or its breaker open, sent through
// its protocol's adapter, and acknowledged, retried or buried as delivery_policy.h decides. The
// engine keeps no state that a crash would lose: what it holds is pending on a stream and is
// reclaimed by another publisher after `stale_after`.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/result.h"
#include "http/http_client.h"
#include "publisher/circuit_breaker.h"
#include "publisher/protocol_adapter.h"
#include "queue/delivery_queue.h"
#include "queue/notice_queue.h"
#include "store/delivery_log.h"

namespace Poco {
class Logger;
}

namespace feedbridge::publisher {

struct EngineOptions {
  std::string consumer = "publisher";  // This process's consumer name on both streams.
  size_t fanout_batch = 32;            // Notices claimed at once.
  // Jobs a delivery worker claims at once (one round trip) and sends at once
  // (HttpClient::SendEach); their successes are recorded in one transaction and acknowledged in
  // one round trip.
  size_t delivery_batch = 32;
  // Requests of a batch not started after this long go back for other workers (a slow peer
  // holds up at most this much of its batch, and a batch never nears stale_after).
  std::chrono::milliseconds batch_time{std::chrono::seconds(10)};
  // Deliveries in flight to one host at once (the HTTP client's per-host connections, the same
  // setting). Batches hold at most 16 jobs per connection of a host, Deliver one per
  // connection; a job over that waits on the queue.
  int max_per_host = 4;
  // A claimed notice or job not acknowledged for this long is taken over by another publisher
  // (its owner died). Longer than the slowest attempt (the request timeout).
  std::chrono::milliseconds stale_after{std::chrono::minutes(2)};
  // How long a job for a busy host waits before it is claimed again.
  std::chrono::milliseconds busy_host_delay{std::chrono::seconds(1)};
  BreakerOptions breaker;
  // A job whose recipients keep being refused tries at most this many of them in one claim.
  int max_recipients_per_attempt = 20;
};

// How long a recorded delivery is kept (PruneDelivered): past the 3 days a job retries, the week
// a queue remembers what it was given (a notice fanned out again adds no job within it), and a
// margin, no job can still need it to not be sent twice.
inline constexpr std::chrono::hours kKeepDeliveredFor{24 * 7 + 24};

// What Deliver did with a job, for logs and tests.
enum class DeliveryOutcome {
  kDelivered,         // Sent and taken; recorded.
  kAlreadyDelivered,  // Recorded as delivered before (a reclaimed or replayed job): dropped.
  kNothingToSend,     // No recipient left, or the notice is gone: done.
  kRetrying,          // Failed; back on the queue at its next time.
  kDeferred,          // Not sent (host busy, breaker open); back on the queue, attempts kept.
  kBuried,            // Given up: on the dead letters with the reason.
};

// Thread-safe: FanOut and DeliverNext may run on any number of threads. Every reference must
// outlive the engine; adapters are looked up by DeliveryJob::protocol.
class DeliveryEngine {
 public:
  struct Deps {
    queue::NoticeQueue& notices;
    queue::DeliveryQueue& deliveries;
    store::DeliveryLog& log;
    http::HttpClient& http;
    Clock& clock;
    Random& random;
    Poco::Logger& logger;
  };
  DeliveryEngine(Deps deps, EngineOptions options, std::vector<ProtocolAdapter*> adapters);
  DeliveryEngine(const DeliveryEngine&) = delete;
  DeliveryEngine& operator=(const DeliveryEngine&) = delete;

  // Claims up to fanout_batch notices (waiting up to `block` for one) and enqueues every
  // adapter's jobs for each, then acknowledges it. A notice whose jobs could not all be
  // enqueued stays pending and is fanned out again (Enqueue is idempotent). Returns how many
  // notices were fanned out.
  Result<size_t> FanOut(std::chrono::milliseconds block);
  // Claims up to delivery_batch jobs (waiting up to `block` for one) and delivers them, their
  // requests at once (HttpClient::SendEach). Their successes are recorded together, then
  // acknowledged together: a job is never acknowledged before its success is recorded, so a crash
  // in between leaves jobs that are either resent (not yet recorded) or dropped unsent when
  // reclaimed (recorded). Returns how many were claimed; 0 when there was none.
  Result<size_t> DeliverNext(std::chrono::milliseconds block);
  // Delivers a claimed job and settles it on the queue.
  Result<DeliveryOutcome> Deliver(const queue::ClaimedDelivery& claimed);

  // Forgets the deliveries recorded more than kKeepDeliveredFor ago (the table would otherwise
  // grow by one row per notice per endpoint for ever). Returns how many.
  Result<int64_t> PruneDelivered();

  // The breaker state of `host` (closed if never seen), for status and tests.
  BreakerState Breaker(const std::string& host);

 private:
  struct Host {
    int in_flight = 0;
    BreakerState breaker;
  };
  // Counts a delivery in flight to a host for the length of a scope.
  class HostLease;

  // Successes of a batch, recorded and acknowledged by Flush. Null in Deliver: each success
  // is recorded and acknowledged at once.
  using Delivered = std::vector<queue::ClaimedDelivery>;

  ProtocolAdapter* AdapterFor(std::string_view protocol) const;
  // Settles a job that is not to be sent now (unknown protocol, delivered before, breaker open,
  // host at `max_in_flight`) and returns its outcome; otherwise nullopt, with its adapter and
  // host, counted in flight to the host (a HostLease must follow). `delivered_before`: what
  // the log said of the job, when the caller asked already.
  Result<std::optional<DeliveryOutcome>> AdmitJob(const queue::ClaimedDelivery& claimed,
                                                  int max_in_flight, ProtocolAdapter*& adapter,
                                                  std::string& host,
                                                  std::optional<bool> delivered_before = {});
  Result<DeliveryOutcome> DeliverInto(const queue::ClaimedDelivery& claimed, Delivered* delivered);
  // Sends an admitted job to its recipients in turn until one is not gone.
  Result<DeliveryOutcome> Attempt(const queue::ClaimedDelivery& claimed, ProtocolAdapter& adapter,
                                  const std::string& host, Delivered* delivered);
  // The adapter could not prepare the job's request: done, dead-lettered or retried.
  Result<DeliveryOutcome> PrepareFailed(const queue::ClaimedDelivery& claimed, const Status& status,
                                        Delivered* delivered);
  // Settles a job by the answer to its request; nullopt when its recipient was gone (dropped:
  // the job goes to the next one).
  std::optional<Result<DeliveryOutcome>> Conclude(const queue::ClaimedDelivery& claimed,
                                                  ProtocolAdapter& adapter, const std::string& host,
                                                  const PreparedDelivery& prepared,
                                                  const Result<http::HttpResponse>& answer,
                                                  Delivered* delivered);
  Result<DeliveryOutcome> Settle(const queue::ClaimedDelivery& claimed, const Decision& decision,
                                 const std::string& endpoint, const std::string& last_error,
                                 Delivered* delivered);
  // Records the successes in one transaction, then acknowledges them.
  Status Flush(const Delivered& delivered);
  // Enqueues the jobs at once, or one by one when one of them is refused (it is skipped).
  Status EnqueueJobs(const std::vector<queue::DeliveryJob>& jobs, size_t& enqueued);
  Result<DeliveryOutcome> PutBack(const queue::ClaimedDelivery& claimed,
                                  std::chrono::milliseconds delay);

  Deps deps_;
  const EngineOptions options_;
  std::map<std::string, ProtocolAdapter*, std::less<>> adapters_;
  std::mutex mu_;
  std::map<std::string, Host> hosts_;  // By host name. Guarded by mu_.
};

// The host part of an http(s) URL, lower-cased ("" when it has none): what per-host limits and
// the breaker count by.
std::string HostOf(std::string_view url);

}  // namespace feedbridge::publisher
