#include "publisher/delivery_engine.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <map>
#include <span>
#include <string_view>
#include <utility>
#include <variant>

#include "common/ascii.h"

namespace feedbridge::publisher {

namespace {

using std::chrono::milliseconds;

constexpr size_t kEnqueueChunk = 256;  // Jobs enqueued at once by FanOut.

// A batch may hold this many jobs per connection of a host (EngineOptions::max_per_host): the
// HTTP client sends them over the host's connections one after another, and the excess waits
// on the queue. (Deliver, one job at a time, holds max_per_host.)
constexpr int kHeldPerConnection = 16;

// An outcome settled without a request, as AdmitJob returns it.
Result<std::optional<DeliveryOutcome>> Settled(Result<DeliveryOutcome> outcome) {
  if (!outcome.ok()) return outcome.status();
  return std::optional(*outcome);
}

store::DeliveryRef RefOf(const queue::DeliveryJob& job) {
  return store::DeliveryRef{job.protocol, job.kind_name(), job.subject(), job.endpoint};
}

std::string JobName(const queue::DeliveryJob& job) {
  return job.protocol + " " + std::string(job.kind_name()) + " " + std::to_string(job.subject()) +
         " to " + job.endpoint;
}

// The job (protocol and endpoint still to be set) that a message of the notices stream becomes:
// a notice, or an account's profile change.
queue::DeliveryJob JobFor(const queue::NoticeMessage& message) {
  queue::DeliveryJob job;
  job.account_id = message.account_id;
  if (message.kind == queue::NoticeMessage::Kind::kProfile) {
    job.kind = queue::DeliveryJob::Kind::kProfile;
    job.revision = message.revision;
  } else {
    job.kind = queue::DeliveryJob::Kind::kNotice;
    job.notice_id = message.notice_id;
  }
  return job;
}

// "notice 12", "profile 3": what a fanned-out message was, for the log.
std::string MessageName(const queue::DeliveryJob& job) {
  return std::string(job.kind_name()) + " " + std::to_string(job.subject());
}

TimePoint FirstQueued(const queue::DeliveryJob& job) {
  return TimePoint(milliseconds(job.first_queued_ms));
}

}  // namespace

std::string HostOf(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  return AsciiLower(rest);
}

class DeliveryEngine::HostLease {
 public:
  HostLease(DeliveryEngine& engine, std::string host) : engine_(engine), host_(std::move(host)) {}
  ~HostLease() {
    std::lock_guard lock(engine_.mu_);
    --engine_.hosts_[host_].in_flight;
  }
  HostLease(const HostLease&) = delete;
  HostLease& operator=(const HostLease&) = delete;

 private:
  DeliveryEngine& engine_;
  std::string host_;
};

DeliveryEngine::DeliveryEngine(Deps deps, EngineOptions options,
                               std::vector<ProtocolAdapter*> adapters)
    : deps_(deps), options_(std::move(options)) {
  for (ProtocolAdapter* a : adapters) adapters_.emplace(std::string(a->protocol()), a);
}

ProtocolAdapter* DeliveryEngine::AdapterFor(std::string_view protocol) const {
  const auto it = adapters_.find(protocol);
  return it == adapters_.end() ? nullptr : it->second;
}

BreakerState DeliveryEngine::Breaker(const std::string& host) {
  std::lock_guard lock(mu_);
  const auto it = hosts_.find(host);
  return it == hosts_.end() ? BreakerState{} : it->second.breaker;
}

Result<size_t> DeliveryEngine::FanOut(milliseconds block) {
  auto claimed =
      deps_.notices.Claim(options_.consumer, options_.fanout_batch, block, options_.stale_after);
  if (!claimed.ok()) return claimed.status().WithContext("publisher: notices");
  size_t done = 0;
  for (const queue::ClaimedNotice& notice : *claimed) {
    queue::DeliveryJob job = JobFor(notice.notice);
    job.first_queued_ms = deps_.clock.Now().time_since_epoch().count();
    Status failed;
    size_t jobs = 0;
    std::vector<queue::DeliveryJob> batch;
    for (const auto& [name, adapter] : adapters_) {
      job.protocol = name;
      // A chunk at a time: the publisher's memory stays flat in the number of subscribers.
      failed =
          adapter->ForEachEndpoint(job, kEnqueueChunk, [&](std::span<const std::string> endpoints) {
            batch.assign(endpoints.size(), job);
            for (size_t i = 0; i < endpoints.size(); ++i) {
              batch[i].endpoint = endpoints[i];
            }
            return EnqueueJobs(batch, jobs);
          });
      if (!failed.ok()) break;
    }
    if (!failed.ok()) {
      // Left pending: this or another publisher fans it out again after stale_after, and the
      // jobs already enqueued are not added twice.
      deps_.logger.warning("publisher: " + MessageName(job) +
                           ": fan-out failed, will retry: " + failed.message());
      continue;
    }
    if (Status s = deps_.notices.Ack(notice); !s.ok()) {
      return s.WithContext("publisher: notices");
    }
    deps_.logger.debug("publisher: " + MessageName(job) + " of account " +
                       std::to_string(job.account_id) + ": " + std::to_string(jobs) +
                       " deliveries");
    ++done;
  }
  return done;
}

Status DeliveryEngine::EnqueueJobs(const std::vector<queue::DeliveryJob>& jobs, size_t& enqueued) {
  Status all = deps_.deliveries.EnqueueAll(jobs);
  if (all.ok()) {
    enqueued += jobs.size();
    return all;
  }
  if (all.code() != Status::Code::kInvalidArgument) return all;
  // One of them cannot be a job: the others one by one (Enqueue adds none twice).
  for (const queue::DeliveryJob& job : jobs) {
    if (Status s = deps_.deliveries.Enqueue(job); !s.ok()) {
      if (s.code() == Status::Code::kInvalidArgument) {
        // An endpoint no job can hold (over 4 KiB, say): nothing would ever reach it.
        deps_.logger.warning("publisher: " + MessageName(job) +
                             ": skipped endpoint: " + s.message());
        continue;
      }
      return s;
    }
    ++enqueued;
  }
  return Status::Ok();
}

Result<int64_t> DeliveryEngine::PruneDelivered() {
  Result<int64_t> pruned = deps_.log.PruneDelivered(deps_.clock.Now() - kKeepDeliveredFor);
  if (!pruned.ok()) return pruned.status().WithContext("publisher: prune deliveries");
  return pruned;
}

Result<size_t> DeliveryEngine::DeliverNext(milliseconds block) {
  auto claimed = deps_.deliveries.Claim(
      options_.consumer, std::max<size_t>(options_.delivery_batch, 1), block, options_.stale_after);
  if (!claimed.ok()) return claimed.status().WithContext("publisher: deliveries");
  const auto start_by = std::chrono::steady_clock::now() + options_.batch_time;
  Delivered delivered;
  Status failed;

  // Each job checked and admitted (or settled without a request), its request prepared.
  struct Sending {
    const queue::ClaimedDelivery* claimed;
    ProtocolAdapter* adapter;
    std::string host;
    PreparedDelivery prepared;
    std::unique_ptr<HostLease> lease;  // Held until its answer is in.
  };
  std::vector<Sending> sending;
  const int held_per_host = options_.max_per_host * kHeldPerConnection;
  // What was delivered before (reclaimed or replayed jobs), asked for the batch at once.
  std::vector<store::DeliveryRef> refs;
  refs.reserve(claimed->size());
  for (const queue::ClaimedDelivery& c : *claimed) refs.push_back(RefOf(c.job));
  Result<std::vector<bool>> delivered_before = deps_.log.WasDeliveredAll(refs);
  if (!delivered_before.ok()) {
    deps_.logger.warning("publisher: " + std::to_string(claimed->size()) +
                         " deliveries: " + delivered_before.status().message());
  }
  for (size_t i = 0; i < claimed->size(); ++i) {
    const queue::ClaimedDelivery& c = (*claimed)[i];
    ProtocolAdapter* adapter = nullptr;
    std::string host;
    if (!delivered_before.ok()) {
      // The store is down: the batch waits a minute (WasDelivered would fail alike).
      if (Result<DeliveryOutcome> put = PutBack(c, std::chrono::minutes(1)); !put.ok()) {
        failed = put.status();
        break;
      }
      continue;
    }
    Result<std::optional<DeliveryOutcome>> settled =
        AdmitJob(c, held_per_host, adapter, host, (*delivered_before)[i]);
    if (!settled.ok()) {
      failed = settled.status();
      break;
    }
    if (settled->has_value()) continue;
    auto lease = std::make_unique<HostLease>(*this, host);
    Result<PreparedDelivery> prepared = adapter->Prepare(c.job);
    if (!prepared.ok()) {
      if (Result<DeliveryOutcome> o = PrepareFailed(c, prepared.status(), &delivered); !o.ok()) {
        failed = o.status();
        break;
      }
      continue;
    }
    sending.push_back({&c, adapter, std::move(host), std::move(*prepared), std::move(lease)});
  }

  // The requests at once (HttpClient::SendEach: the client's per-host connections carry them);
  // each answer settled as it comes. Those not started by start_by go back for other workers.
  //
  // A blog's jobs to one endpoint (its notices to one peer) form a lane and go in claim order,
  // one round each: the n-th of a lane in the n-th round, once the one before it was delivered
  // (a batch's requests run at once, and two to one endpoint could overtake each other). When
  // one is not delivered, the rest of its lane go back at once instead of waiting, so a slow or
  // failing peer holds no other lane's later rounds for long. Other blogs' notices to the same
  // endpoint need no order among them: they are other lanes.
  std::vector<std::vector<size_t>> lanes;  // Indices into `sending`, in claim order.
  {
    std::map<std::pair<int64_t, std::string_view>, size_t> lane_of;
    for (size_t k = 0; k < sending.size(); ++k) {
      const queue::DeliveryJob& job = sending[k].claimed->job;
      const auto [it, added] = lane_of.try_emplace({job.account_id, job.endpoint}, lanes.size());
      if (added) lanes.emplace_back();
      lanes[it->second].push_back(k);
    }
  }
  std::vector<char> taken(sending.size(), 0);  // Delivered: its lane goes on.
  std::vector<size_t> unsent;                  // Back at once, due in `unsent_delay`.
  std::vector<milliseconds> unsent_delay;
  std::vector<size_t> next_recipient;  // Their recipient was gone: the next one is tried below.
  std::vector<size_t> round;
  std::vector<http::HttpRequest> round_requests;
  for (size_t r = 0; failed.ok(); ++r) {
    round.clear();
    for (const std::vector<size_t>& lane : lanes) {
      if (r >= lane.size()) continue;
      if (r == 0 || taken[lane[r - 1]]) {
        round.push_back(lane[r]);
      } else if (r == 1 || taken[lane[r - 2]]) {
        // Its job r - 1 was not delivered (just now): the rest of the lane go back, in order.
        for (size_t j = r; j < lane.size(); ++j) {
          sending[lane[j]].lease.reset();
          unsent.push_back(lane[j]);
          unsent_delay.push_back(milliseconds(j - r + 1));
        }
      }
    }
    if (round.empty()) break;
    round_requests.clear();
    for (const size_t k : round) round_requests.push_back(sending[k].prepared.request);
    deps_.http.SendEach(round_requests, start_by, [&](size_t j, http::EachResult result) {
      const size_t k = round[j];
      Sending& s = sending[k];
      if (std::holds_alternative<http::NotSent>(result)) {
        s.lease.reset();
        unsent.push_back(k);
        unsent_delay.push_back(milliseconds(0));
        return true;
      }
      const http::SendResult answer = std::get<http::SendResult>(std::move(result));
      std::optional<Result<DeliveryOutcome>> done =
          Conclude(*s.claimed, *s.adapter, s.host, s.prepared, answer, &delivered);
      if (!done) {
        next_recipient.push_back(k);
        return true;
      }
      s.lease.reset();
      if (!done->ok()) {
        failed = done->status();
        return false;  // The rest stay claimed: they come back after stale_after.
      }
      taken[k] = **done == DeliveryOutcome::kDelivered;
      return true;
    });
  }
  for (const size_t k : next_recipient) {
    if (!failed.ok()) break;
    Sending& s = sending[k];
    if (Result<DeliveryOutcome> o = Attempt(*s.claimed, *s.adapter, s.host, &delivered); !o.ok()) {
      failed = o.status();
    }
    s.lease.reset();
  }
  // The unsent go back at once for other workers (their attempts kept). A failure leaves them
  // claimed: they come back after stale_after.
  for (size_t u = 0; u < unsent.size() && failed.ok(); ++u) {
    if (Result<DeliveryOutcome> put = PutBack(*sending[unsent[u]].claimed, unsent_delay[u]);
        !put.ok()) {
      failed = put.status();
    }
  }
  if (Status s = Flush(delivered); !s.ok()) return s;
  if (!failed.ok()) return failed;
  return claimed->size();
}

Status DeliveryEngine::Flush(const Delivered& delivered) {
  if (delivered.empty()) return Status::Ok();
  std::vector<store::DeliveryRef> refs;
  refs.reserve(delivered.size());
  for (const queue::ClaimedDelivery& d : delivered) refs.push_back(RefOf(d.job));
  // Recorded before the Ack: a crash between them leaves jobs that the log then drops.
  if (Status s = deps_.log.RecordDeliveredAll(refs, deps_.clock.Now()); !s.ok()) {
    deps_.logger.warning("publisher: " + std::to_string(delivered.size()) +
                         " deliveries (the first " + JobName(delivered.front().job) +
                         "): delivered, not recorded: " + s.message());
  }
  if (Status s = deps_.deliveries.AckAll(delivered); !s.ok()) return s;
  if (deps_.logger.debug()) {
    for (const queue::ClaimedDelivery& d : delivered) {
      deps_.logger.debug("publisher: " + JobName(d.job) + ": delivered");
    }
  }
  return Status::Ok();
}

Result<DeliveryOutcome> DeliveryEngine::PutBack(const queue::ClaimedDelivery& claimed,
                                                milliseconds delay) {
  if (Status s = deps_.deliveries.Retry(claimed, delay); !s.ok()) {
    return s.WithContext("publisher: deliveries");
  }
  return DeliveryOutcome::kDeferred;
}

Result<DeliveryOutcome> DeliveryEngine::Deliver(const queue::ClaimedDelivery& claimed) {
  return DeliverInto(claimed, nullptr);
}

Result<std::optional<DeliveryOutcome>> DeliveryEngine::AdmitJob(
    const queue::ClaimedDelivery& claimed, int max_in_flight, ProtocolAdapter*& adapter,
    std::string& host, std::optional<bool> delivered_before) {
  const queue::DeliveryJob& job = claimed.job;
  adapter = AdapterFor(job.protocol);
  if (adapter == nullptr) {
    // A job of a protocol this build does not speak: kept for the operator, not retried.
    if (Status s =
            deps_.deliveries.Bury(claimed, "publisher: no adapter for protocol " + job.protocol);
        !s.ok()) {
      return s;
    }
    return std::optional(DeliveryOutcome::kBuried);
  }
  Result<bool> was_delivered =
      delivered_before ? Result<bool>(*delivered_before) : deps_.log.WasDelivered(RefOf(job));
  if (!was_delivered.ok()) {
    deps_.logger.warning("publisher: " + JobName(job) + ": " + was_delivered.status().message());
    return Settled(PutBack(claimed, std::chrono::minutes(1)));
  }
  if (*was_delivered) {
    if (Status s = deps_.deliveries.Ack(claimed); !s.ok()) return s;
    return std::optional(DeliveryOutcome::kAlreadyDelivered);
  }

  host = HostOf(job.endpoint);
  const TimePoint now = deps_.clock.Now();
  std::unique_lock lock(mu_);
  Host& h = hosts_[host];
  const Admitted admitted = Admit(h.breaker, now, options_.breaker);
  if (admitted.admission == Admission::kDefer) {
    const TimePoint until = RetryAfter(h.breaker, options_.breaker);
    lock.unlock();
    const Decision d = DecideDeferred(adapter->retry_policy(), FirstQueued(job), until, now,
                                      UniformUnit(deps_.random));
    if (const auto* retry = std::get_if<RetryAt>(&d)) {
      return Settled(PutBack(claimed, retry->delay));
    }
    return Settled(Settle(claimed, d, job.endpoint, "", nullptr));
  }
  if (h.in_flight >= max_in_flight && admitted.admission == Admission::kSend) {
    lock.unlock();
    const auto spread = milliseconds(static_cast<int64_t>(
        UniformUnit(deps_.random) * static_cast<double>(options_.busy_host_delay.count())));
    return Settled(PutBack(claimed, options_.busy_host_delay + spread));
  }
  h.breaker = admitted.state;
  ++h.in_flight;  // The caller's HostLease gives it back.
  return std::optional<DeliveryOutcome>();
}

Result<DeliveryOutcome> DeliveryEngine::DeliverInto(const queue::ClaimedDelivery& claimed,
                                                    Delivered* delivered) {
  ProtocolAdapter* adapter = nullptr;
  std::string host;
  Result<std::optional<DeliveryOutcome>> settled =
      AdmitJob(claimed, options_.max_per_host, adapter, host);
  if (!settled.ok()) return settled.status();
  if (settled->has_value()) return **settled;
  HostLease lease(*this, host);
  return Attempt(claimed, *adapter, host, delivered);
}

Result<DeliveryOutcome> DeliveryEngine::Attempt(const queue::ClaimedDelivery& claimed,
                                                ProtocolAdapter& adapter, const std::string& host,
                                                Delivered* delivered) {
  for (int recipient = 0; recipient < options_.max_recipients_per_attempt; ++recipient) {
    Result<PreparedDelivery> prepared = adapter.Prepare(claimed.job);
    if (!prepared.ok()) return PrepareFailed(claimed, prepared.status(), delivered);
    const http::SendResult answer = deps_.http.Send(prepared->request);
    if (std::optional<Result<DeliveryOutcome>> done =
            Conclude(claimed, adapter, host, *prepared, answer, delivered)) {
      return std::move(*done);
    }
  }
  // Every recipient tried was refused; the rest wait for the next claim.
  return PutBack(claimed, milliseconds(0));
}

Result<DeliveryOutcome> DeliveryEngine::PrepareFailed(const queue::ClaimedDelivery& claimed,
                                                      const Status& status, Delivered* delivered) {
  const queue::DeliveryJob& job = claimed.job;
  if (status.code() == Status::Code::kNotFound) {
    deps_.logger.information("publisher: " + JobName(job) +
                             ": nothing to send: " + status.message());
    if (Status s = deps_.deliveries.Ack(claimed); !s.ok()) return s;
    return DeliveryOutcome::kNothingToSend;
  }
  if (!status.IsRetryable()) {
    // A job no peer could take (the adapter cannot build a valid request for it).
    return Settle(claimed, Bury{status.message()}, job.endpoint, "", delivered);
  }
  deps_.logger.warning("publisher: " + JobName(job) + ": " + status.message());
  return PutBack(claimed, std::chrono::minutes(1));
}

std::optional<Result<DeliveryOutcome>> DeliveryEngine::Conclude(
    const queue::ClaimedDelivery& claimed, ProtocolAdapter& adapter, const std::string& host,
    const PreparedDelivery& prepared, const Result<http::HttpResponse>& answer,
    Delivered* delivered) {
  const queue::DeliveryJob& job = claimed.job;
  const AttemptResult result = adapter.Interpret(prepared, answer);
  const TimePoint now = deps_.clock.Now();
  {
    std::lock_guard lock(mu_);
    Host& h = hosts_[host];
    h.breaker = Record(h.breaker, result.host_failing, now, options_.breaker);
  }
  const Decision decision = Decide(result, adapter.retry_policy(), job.attempts + 1,
                                   FirstQueued(job), now, UniformUnit(deps_.random));
  if (const auto* drop = std::get_if<DropRecipient>(&decision)) {
    deps_.logger.information("publisher: " + JobName(job) + ": " + prepared.recipient +
                             " is gone (" + drop->reason + "); trying the next recipient");
    if (Status s = adapter.DropRecipient(prepared);
        !s.ok() && s.code() != Status::Code::kNotFound) {
      deps_.logger.warning("publisher: " + JobName(job) + ": " + s.message());
      return PutBack(claimed, std::chrono::minutes(1));
    }
    return std::nullopt;
  }
  return Settle(claimed, decision, job.endpoint, result.reason, delivered);
}

Result<DeliveryOutcome> DeliveryEngine::Settle(const queue::ClaimedDelivery& claimed,
                                               const Decision& decision,
                                               const std::string& endpoint,
                                               const std::string& last_error,
                                               Delivered* delivered) {
  const TimePoint now = deps_.clock.Now();
  const queue::DeliveryJob& job = claimed.job;
  if (std::holds_alternative<Acknowledge>(decision) && delivered != nullptr) {
    delivered->push_back(claimed);  // Recorded and acknowledged with its batch (Flush).
    return DeliveryOutcome::kDelivered;
  }
  if (std::holds_alternative<Acknowledge>(decision)) {
    // Recorded before the Ack: a crash between them leaves a job that the log then drops.
    if (Status s = deps_.log.RecordDelivered(RefOf(job), now); !s.ok()) {
      deps_.logger.warning("publisher: " + JobName(job) +
                           ": delivered, not recorded: " + s.message());
    }
    if (Status s = deps_.deliveries.Ack(claimed); !s.ok()) return s;
    deps_.logger.debug("publisher: " + JobName(job) + ": delivered");
    return DeliveryOutcome::kDelivered;
  }
  if (!last_error.empty()) {
    if (Status s = deps_.log.RecordFailure(endpoint, last_error, now); !s.ok()) {
      deps_.logger.warning("publisher: " + JobName(job) + ": " + s.message());
    }
  }
  if (const auto* retry = std::get_if<RetryAt>(&decision)) {
    queue::ClaimedDelivery tried = claimed;
    ++tried.job.attempts;
    deps_.logger.information("publisher: " + JobName(job) + ": " + last_error + "; retry in " +
                             std::to_string(retry->delay.count() / 1000) + "s");
    if (Status s = deps_.deliveries.Retry(tried, retry->delay); !s.ok()) return s;
    return DeliveryOutcome::kRetrying;
  }
  const std::string reason = std::get<Bury>(decision).reason;
  deps_.logger.warning("publisher: " + JobName(job) + ": dead-lettered: " + reason);
  queue::ClaimedDelivery tried = claimed;
  if (!last_error.empty()) ++tried.job.attempts;
  if (Status s = deps_.deliveries.Bury(tried, reason); !s.ok()) return s;
  return DeliveryOutcome::kBuried;
}

}  // namespace feedbridge::publisher
