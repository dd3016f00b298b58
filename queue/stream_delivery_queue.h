#pragma once

// DeliveryQueue and DeliveryInspector over a stream-queue mechanism (RedisStreamQueue or
// MemoryStreamQueue, which have the same methods): this layer only converts jobs to and from the
// stream's fields, so the Redis and the in-memory deliveries queue cannot drift apart.

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "queue/delivery_fields.h"
#include "queue/delivery_queue.h"
#include "queue/stream_queue.h"

namespace feedbridge::queue {

// Thread-safe as `Stream` is. `clock` (used only to restart a revived job's retry deadline) must
// outlive the queue.
template <class Stream>
class StreamDeliveryQueue final : public DeliveryQueue, public DeliveryInspector {
 public:
  // Adding the same job again within this adds nothing (DeliveryQueue::Enqueue).
  static constexpr std::chrono::hours kEnqueueMemory{24 * 7};

  // `stream_args` construct the Stream.
  template <class... StreamArgs>
  explicit StreamDeliveryQueue(Clock& clock, StreamArgs&&... stream_args)
      : clock_(clock), stream_(std::forward<StreamArgs>(stream_args)...) {}
  StreamDeliveryQueue(const StreamDeliveryQueue&) = delete;
  StreamDeliveryQueue& operator=(const StreamDeliveryQueue&) = delete;

  Status Enqueue(const DeliveryJob& job) override {
    if (Status s = ValidateDeliveryJob(job); !s.ok()) return s;
    return stream_.Add(DeliveryKey(job), DeliveryFields(job));
  }

  Status EnqueueAll(std::span<const DeliveryJob> jobs) override {
    std::vector<NewStreamMessage> messages;
    messages.reserve(jobs.size());
    for (const DeliveryJob& job : jobs) {
      if (Status s = ValidateDeliveryJob(job); !s.ok()) return s;
      messages.push_back(NewStreamMessage{DeliveryKey(job), DeliveryFields(job)});
    }
    return stream_.AddAll(messages);
  }

  Result<std::vector<ClaimedDelivery>> Claim(std::string_view consumer, size_t max,
                                             std::chrono::milliseconds block,
                                             std::chrono::milliseconds stale_after) override {
    Result<std::vector<StreamEntry>> entries = stream_.Claim(consumer, max, block, stale_after);
    if (!entries.ok()) return entries.status();
    std::vector<ClaimedDelivery> out;
    out.reserve(entries->size());
    for (StreamEntry& e : *entries) {
      if (std::optional<DeliveryJob> job = DeliveryFromFields(e.fields)) {
        out.push_back(ClaimedDelivery{std::move(e.id), std::move(*job), e.deliveries});
        continue;
      }
      // An entry Enqueue did not write: kept for the operator, out of the workers' way.
      if (Status s = stream_.Bury(e, "queue: malformed delivery job"); !s.ok()) return s;
    }
    return out;
  }

  Status Ack(const ClaimedDelivery& delivery) override { return stream_.Ack(delivery.message_id); }

  Status AckAll(std::span<const ClaimedDelivery> deliveries) override {
    std::vector<std::string> ids;
    ids.reserve(deliveries.size());
    for (const ClaimedDelivery& d : deliveries) ids.push_back(d.message_id);
    return stream_.AckAll(ids);
  }

  Status Retry(const ClaimedDelivery& delivery, std::chrono::milliseconds delay) override {
    return stream_.Retry(DeliveryEntry(delivery), delay);
  }

  Status Bury(const ClaimedDelivery& delivery, std::string_view reason) override {
    return stream_.Bury(DeliveryEntry(delivery), reason);
  }

  Result<QueueStats> Stats() override { return stream_.Stats(); }

  Result<std::vector<DeadDelivery>> ListDead(size_t max) override {
    Result<std::vector<DeadStreamEntry>> dead = stream_.ListDead(max);
    if (!dead.ok()) return dead.status();
    return DeadDeliveries(std::move(dead).value());
  }

  Status ReviveDead(std::string_view id) override {
    Result<std::optional<DeadStreamEntry>> dead = stream_.GetDead(id);
    if (!dead.ok()) return dead.status();
    if (!dead->has_value()) return NoSuchDeadLetter(id);
    std::optional<DeliveryJob> job = DeliveryFromFields((*dead)->fields);
    if (!job) {
      return Status::FailedPrecondition("queue: dead letter " + std::string(id) +
                                        " is not a delivery job (" + (*dead)->reason + ")");
    }
    job->first_queued_ms = clock_.Now().time_since_epoch().count();
    job->attempts = 0;
    Result<bool> revived = stream_.ReviveDead(id, DeliveryFields(*job));
    if (!revived.ok()) return revived.status();
    return *revived ? Status::Ok() : NoSuchDeadLetter(id);
  }

  Status DropDead(std::string_view id) override {
    Result<bool> dropped = stream_.DropDead(id);
    if (!dropped.ok()) return dropped.status();
    return *dropped ? Status::Ok() : NoSuchDeadLetter(id);
  }

  // Moves up to `max` retries whose time has come back onto the stream (Claim does it too).
  Result<size_t> RequeueDueRetries(size_t max) { return stream_.RequeueDueRetries(max); }

 private:
  static Status NoSuchDeadLetter(std::string_view id) {
    return Status::NotFound("queue: no dead delivery with id " + std::string(id));
  }

  Clock& clock_;
  Stream stream_;
};

}  // namespace feedbridge::queue
