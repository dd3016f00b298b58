#pragma once

// The deliveries work queue (Redis stream `deliveries`, consumer group `deliverer`): one job per
// (notice or profile change, endpoint, protocol). The publisher fans each claimed notice out into
// jobs here, then its delivery workers claim, send, and acknowledge, retry or bury them. Nothing
// in a job is protocol-specific beyond the protocol's name, which picks the adapter that sends it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "queue/notice_queue.h"

namespace feedbridge::queue {

struct DeliveryJob {
  enum class Kind {
    kNotice,   // Send notice `notice_id` of account `account_id`.
    kProfile,  // Send account `account_id`'s profile as of `revision`.
  };
  // Endpoint URLs longer than this are refused by Enqueue: no peer names such a URL, and the
  // URL is part of the idempotency key.
  static constexpr size_t kMaxEndpointBytes = 4096;
  // Protocol names are this long at most, [a-z0-9-] only ("omb", "activitypub").
  static constexpr size_t kMaxProtocolBytes = 32;

  Kind kind = Kind::kNotice;
  std::string protocol;    // The adapter that sends it.
  std::string endpoint;    // Where: a postNotice/updateProfile URL, an inbox URL.
  int64_t account_id = 0;  // The local account whose notice or profile this is.
  int64_t notice_id = 0;   // kNotice: the notice (store/ id). 0 for kProfile.
  int64_t revision = 0;    // kProfile: which profile change. 0 for kNotice.
  // When the job was first enqueued (Unix ms, the publisher's clock): the retry deadline counts
  // from here, across every retry.
  int64_t first_queued_ms = 0;
  // Attempts made so far (sends that got an answer or a transport error). The engine raises it
  // before Retry; a job put back unsent (its host busy, its breaker open) or reclaimed from a
  // dead consumer keeps its count. Not part of the idempotency key.
  int attempts = 0;

  // What is sent: the notice id, or the profile revision.
  int64_t subject() const { return kind == Kind::kProfile ? revision : notice_id; }
  // "notice" or "profile": the kind's name in the queue, the delivery log and output.
  std::string_view kind_name() const { return kind == Kind::kProfile ? "profile" : "notice"; }

  bool operator==(const DeliveryJob&) const = default;
};

struct ClaimedDelivery {
  std::string message_id;  // Stream entry id, for Ack/Retry/Bury.
  DeliveryJob job;
  int deliveries = 0;  // Claims of the job across retries (1 the first time).
};

// One buried job (DeliveryInspector::ListDead).
struct DeadDelivery {
  std::string id;   // Dead-letter stream entry id: what ReviveDead and DropDead take.
  DeliveryJob job;  // Zero values for what a malformed dead letter lacks.
  int deliveries = 0;
  std::string reason;
};

// Thread-safe. Delivery is at-least-once: a job claimed by a consumer that dies is claimed again
// by another after `stale_after`, so an endpoint may see a job twice and never zero times.
class DeliveryQueue {
 public:
  virtual ~DeliveryQueue() = default;
  // Adds the job. Idempotent per (protocol, kind, notice or revision, account, endpoint) for at
  // least a week: a notice fanned out again (a publisher that died before acknowledging the
  // notice) adds no second job. InvalidArgument for a job that names no endpoint or protocol,
  // an oversized endpoint, a protocol outside [a-z0-9-], a kNotice without notice_id or a
  // kProfile without revision;
  // Unavailable if Redis is down.
  virtual Status Enqueue(const DeliveryJob& job) = 0;
  // Enqueue for each job, in few round trips. Every job is checked first: InvalidArgument (and
  // nothing added) when one breaks Enqueue's rules. Unavailable if Redis is down (some of the
  // jobs may be added: adding them again adds no second copy).
  virtual Status EnqueueAll(std::span<const DeliveryJob> jobs) = 0;
  // Up to `max` jobs for `consumer`: due retries and new ones, and ones another consumer claimed
  // more than `stale_after` ago without acknowledging (it died). Waits up to `block` when there
  // are none (0: no wait).
  virtual Result<std::vector<ClaimedDelivery>> Claim(std::string_view consumer, size_t max,
                                                     std::chrono::milliseconds block,
                                                     std::chrono::milliseconds stale_after) = 0;
  // Ack, Retry and Bury do nothing (and succeed) when the job is no longer pending: it was
  // acknowledged already, e.g. by a consumer that reclaimed it.
  virtual Status Ack(const ClaimedDelivery& delivery) = 0;
  // Ack for each, in one round trip.
  virtual Status AckAll(std::span<const ClaimedDelivery> deliveries) = 0;
  // Takes the job off the stream; it comes back, with its claim count, after `delay`.
  virtual Status Retry(const ClaimedDelivery& delivery, std::chrono::milliseconds delay) = 0;
  // Gives up: moves the job to the dead letters with the reason.
  virtual Status Bury(const ClaimedDelivery& delivery, std::string_view reason) = 0;
};

// What an operator asks of the deliveries (`feedbridge status`, `feedbridge deliveries dead`).
// Thread-safe.
class DeliveryInspector {
 public:
  virtual ~DeliveryInspector() = default;
  virtual Result<QueueStats> Stats() = 0;
  // The newest `max` dead letters, newest first.
  virtual Result<std::vector<DeadDelivery>> ListDead(size_t max) = 0;
  // Puts dead letter `id` back on the stream as a new job (claim count and retry deadline start
  // again). NotFound when no dead letter has that id; FailedPrecondition when it is not a job
  // (a malformed entry kept for inspection).
  virtual Status ReviveDead(std::string_view id) = 0;
  // Deletes dead letter `id`. NotFound when no dead letter has that id.
  virtual Status DropDead(std::string_view id) = 0;
};

}  // namespace feedbridge::queue
