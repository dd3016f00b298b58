#pragma once

// The stream-queue mechanism on Redis, for any message type: a stream with one consumer group,
// a sorted set of retries (score: due time in ms, server clock), a dead-letter stream, and
// markers that make Add idempotent. Messages are field lists (queue/stream_queue.h); typed
// queues (RedisNoticeQueue, the coming deliveries queue) convert their messages to and from
// fields.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "queue/notice_queue.h"
#include "queue/redis_connection.h"
#include "queue/stream_queue.h"

namespace feedbridge::queue {

// Where one queue lives. Two queues with different keys on one Redis never see each other's
// messages.
struct StreamQueueKeys {
  std::string stream;        // The stream of new and claimed messages.
  std::string group;         // The consumer group on it.
  std::string retry;         // Sorted set of messages waiting for their next attempt.
  std::string dead;          // Stream of dead letters.
  std::string added_prefix;  // Prefix of the idempotency markers: added_prefix + key.
};

// Thread-safe. `redis` must outlive this queue. Delivery is at-least-once. Retry delays are
// measured with the Redis server's clock (TIME), the one clock every consumer process shares.
class RedisStreamQueue {
 public:
  // Markers made by Add live this long: adding the same key again within it adds nothing.
  RedisStreamQueue(RedisConnection& redis, StreamQueueKeys keys, std::chrono::seconds add_memory);
  RedisStreamQueue(const RedisStreamQueue&) = delete;
  RedisStreamQueue& operator=(const RedisStreamQueue&) = delete;

  // Adds the message unless `idempotency_key` was added within add_memory. Field names must not
  // be "prior_deliveries" (the queue's own). Unavailable if Redis is down.
  Status Add(std::string_view idempotency_key, const Fields& fields);
  // Add for each message, in few round trips (a script per kAddAllChunk messages).
  Status AddAll(std::span<const NewStreamMessage> messages);
  static constexpr size_t kAddAllChunk = 256;
  // Moves due retries back onto the stream, then claims up to `max` entries for `consumer`:
  // first ones another consumer claimed more than `stale_after` ago without acknowledging (it
  // died), then new ones, waiting up to `block` when there are none (0: no wait). Recreates a
  // group the server lost.
  Result<std::vector<StreamEntry>> Claim(std::string_view consumer, size_t max,
                                         std::chrono::milliseconds block,
                                         std::chrono::milliseconds stale_after);
  // Ack, Retry and Bury do nothing (and succeed) when the entry is no longer pending: it was
  // acknowledged already, e.g. by a consumer that reclaimed it.
  Status Ack(std::string_view id);
  // Ack for each id, in one round trip.
  Status AckAll(std::span<const std::string> ids);
  // Takes the entry off the stream; it comes back with `entry.fields` after `delay`.
  Status Retry(const StreamEntry& entry, std::chrono::milliseconds delay);
  // Moves the entry to the dead letters with `entry.fields`, its deliveries and the reason.
  Status Bury(const StreamEntry& entry, std::string_view reason);

  // Moves up to `max` retries whose time has come back onto the stream; returns how many.
  Result<size_t> RequeueDueRetries(size_t max);
  Result<QueueStats> Stats();
  // The newest `max` dead letters, newest first.
  Result<std::vector<DeadStreamEntry>> ListDead(size_t max);
  // Dead letter `id`, or empty when there is none (also for an id that is not a stream id).
  Result<std::optional<DeadStreamEntry>> GetDead(std::string_view id);
  // Deletes dead letter `id` and adds `fields` to the stream as a new message, at once; false
  // (and nothing added) when there is no such dead letter.
  Result<bool> ReviveDead(std::string_view id, const Fields& fields);
  // Deletes dead letter `id`; false when there is none.
  Result<bool> DropDead(std::string_view id);

 private:
  Status EnsureGroup();
  Result<std::vector<StreamEntry>> ClaimOnce(std::string_view consumer, size_t max,
                                             std::chrono::milliseconds block,
                                             std::chrono::milliseconds stale_after);

  RedisConnection& redis_;
  const StreamQueueKeys keys_;
  const std::chrono::seconds add_memory_;
  std::atomic<bool> group_ready_{false};  // XGROUP CREATE done (reset on NOGROUP).
};

}  // namespace feedbridge::queue
