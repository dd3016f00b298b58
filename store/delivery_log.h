#pragma once

// What the publisher has delivered, so nothing is resent on purpose (even after a crash, a
// reclaimed job whose success was recorded is dropped), and each endpoint's recent health.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/records.h"

namespace feedbridge::store {

// One delivery: protocol ("omb"), kind ("notice", "profile"), what was sent (a notice id, a
// profile revision), to which endpoint.
struct DeliveryRef {
  std::string_view protocol;
  std::string_view kind;
  int64_t subject = 0;
  std::string_view endpoint;
};

// Thread-safe. Errors: Unavailable when the database is down or locked past its timeout.
class DeliveryLog {
 public:
  virtual ~DeliveryLog() = default;
  // Whether RecordDelivered was called for `ref`.
  virtual Result<bool> WasDelivered(const DeliveryRef& ref) = 0;
  // WasDelivered of each of `refs` (a publisher's batch), in their order, in one call.
  virtual Result<std::vector<bool>> WasDeliveredAll(std::span<const DeliveryRef> refs) = 0;
  // Records the success, and the endpoint's health (its failures cleared). Idempotent.
  virtual Status RecordDelivered(const DeliveryRef& ref, TimePoint at) = 0;
  // RecordDelivered for each of `refs`, in one transaction: all recorded, or none.
  virtual Status RecordDeliveredAll(std::span<const DeliveryRef> refs, TimePoint at) = 0;
  // Records a failed attempt to `endpoint` (one more consecutive failure, the error kept).
  virtual Status RecordFailure(std::string_view endpoint, std::string_view error, TimePoint at) = 0;
  // The health of these endpoints (those never attempted are left out).
  virtual Result<std::vector<EndpointHealth>> Health(const std::vector<std::string>& endpoints) = 0;
  // Endpoints whose last attempt failed, failing longest first, at most `limit`.
  virtual Result<std::vector<EndpointHealth>> Failing(size_t limit) = 0;
  // Forgets the deliveries recorded before `before` (WasDelivered is false for them again) and
  // returns how many. Only safe for deliveries older than any job can be: the retry deadline,
  // the dedup window of the queues and a margin (publisher::kKeepDeliveredFor).
  virtual Result<int64_t> PruneDelivered(TimePoint before) = 0;
};

}  // namespace feedbridge::store
