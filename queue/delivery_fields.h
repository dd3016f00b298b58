#pragma once

// Delivery jobs as stream-queue fields: the typed layer that RedisDeliveryQueue and
// MemoryDeliveryQueue share. Internal to queue/.

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "queue/delivery_queue.h"
#include "queue/stream_queue.h"

namespace feedbridge::queue {

// Ok, or InvalidArgument saying what is wrong with the job (DeliveryQueue::Enqueue's rules).
Status ValidateDeliveryJob(const DeliveryJob& job);
// The idempotency key of a job: protocol, kind, subject (notice or revision), account, endpoint.
std::string DeliveryKey(const DeliveryJob& job);
Fields DeliveryFields(const DeliveryJob& job);
// Empty when the fields are not a valid job's.
std::optional<DeliveryJob> DeliveryFromFields(const Fields& fields);
// The stream entry a claimed job came from, for Retry and Bury.
StreamEntry DeliveryEntry(const ClaimedDelivery& delivery);
// The dead letters as jobs (zero values for what is missing).
std::vector<DeadDelivery> DeadDeliveries(std::vector<DeadStreamEntry> dead);

}  // namespace feedbridge::queue
