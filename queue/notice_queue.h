#pragma once

// The notices work queue (Redis stream `notices`, consumer group `publisher`). The poller
// enqueues; the publisher claims, acknowledges, retries or buries.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace feedbridge::queue {

// A message of the outbox: a new notice, or a change of an account's profile.
struct NoticeMessage {
  enum class Kind {
    kNotice,   // Notice `notice_id` of account `account_id`.
    kProfile,  // Account `account_id`'s profile changed: revision `revision` (store/ id).
  };
  int64_t notice_id = 0;   // kNotice: store/ notice id (the publisher reads it from the store).
  int64_t account_id = 0;  // The blog account that posted it, or whose profile changed.
  Kind kind = Kind::kNotice;
  int64_t revision = 0;  // kProfile: the store/ ProfileRevision id. 0 for kNotice.

  bool operator==(const NoticeMessage&) const = default;
};

struct ClaimedNotice {
  std::string message_id;  // Stream entry id, for Ack/Retry/Bury.
  NoticeMessage notice;
  int deliveries = 0;  // How many times it has been claimed (1 the first time).
};

// What the queue holds, for `feedbridge status` (QueueInspector::Stats).
struct QueueStats {
  int64_t length = 0;    // Messages on the stream: new or claimed, not yet acknowledged.
  int64_t pending = 0;   // Of those, claimed and not yet acknowledged.
  int64_t retrying = 0;  // Taken off the stream by Retry, waiting for their time.
  int64_t dead = 0;      // Dead letters (Bury).
};

// One buried message (QueueInspector::ListDead).
struct DeadLetter {
  std::string id;  // Dead-letter stream entry id.
  NoticeMessage notice;
  int deliveries = 0;
  std::string reason;
};

// Thread-safe. Delivery is at-least-once.
class NoticeQueue {
 public:
  virtual ~NoticeQueue() = default;
  // Adds the message. Idempotent per (kind, notice_id or revision) for at least a week:
  // enqueueing a notice or a profile revision again (an outbox replayed after a crash) does not
  // add a second message. InvalidArgument for a kProfile without its account or revision;
  // Unavailable if Redis is down.
  virtual Status Enqueue(const NoticeMessage& message) = 0;
  // Up to `max` messages for `consumer`: new ones, and ones another consumer claimed more than
  // `stale_after` ago without acknowledging (it died). Waits up to `block` when there are none.
  virtual Result<std::vector<ClaimedNotice>> Claim(std::string_view consumer, size_t max,
                                                   std::chrono::milliseconds block,
                                                   std::chrono::milliseconds stale_after) = 0;
  virtual Status Ack(const ClaimedNotice& notice) = 0;
  // Takes the message off the stream and brings it back after `delay`.
  virtual Status Retry(const ClaimedNotice& notice, std::chrono::milliseconds delay) = 0;
  // Gives up: moves the message to the dead-letter stream with the reason.
  virtual Status Bury(const ClaimedNotice& notice, std::string_view reason) = 0;
};

}  // namespace feedbridge::queue
