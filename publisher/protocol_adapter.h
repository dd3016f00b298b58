#pragma once

// What the delivery engine asks of a protocol (OMB, ActivityPub): where a notice goes, the
// signed request for one delivery, and what an answer means. The engine owns fan-out, retries,
// dead letters, per-host limits and the breaker; an adapter owns everything protocol-specific.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "http/http_client.h"
#include "publisher/delivery_policy.h"
#include "queue/delivery_queue.h"

namespace feedbridge::publisher {

// One delivery, ready to send.
struct PreparedDelivery {
  http::HttpRequest request;
  // Who it is for, as the adapter knows them (a subscription id), for DropRecipient, and a name
  // for logs.
  int64_t recipient_id = 0;
  std::string recipient;
};

// Implementations are thread-safe: the engine calls them from several workers at once.
class ProtocolAdapter {
 public:
  virtual ~ProtocolAdapter() = default;
  // The name jobs carry (DeliveryJob::protocol): [a-z0-9-]+.
  virtual std::string_view protocol() const = 0;
  virtual const RetryPolicy& retry_policy() const = 0;
  // Calls `each` with the distinct endpoints a notice of `account_id` goes to, one delivery
  // each (OMB: the postNotice URLs of the blog's subscribers; ActivityPub: shared inboxes), at
  // most `chunk` at a time, so a fan-out holds one chunk whatever the number of subscribers.
  // Stops at the first error, of the store or of `each`, and returns it.
  using EndpointChunk = std::function<Status(std::span<const std::string> endpoints)>;
  virtual Status ForEachEndpoint(const queue::DeliveryJob& job, size_t chunk,
                                 const EndpointChunk& each) = 0;
  // The signed request for `job`, for the first recipient still behind its endpoint. NotFound
  // when there is nothing to send (the notice is gone, nobody is left at that endpoint): the
  // job is done. Unavailable or DeadlineExceeded (the store is down) retry the job later; any
  // other error says the job cannot be sent at all, and it is dead-lettered with it.
  virtual Result<PreparedDelivery> Prepare(const queue::DeliveryJob& job) = 0;
  // What the answer (or transport error) to `delivery` means.
  virtual AttemptResult Interpret(const PreparedDelivery& delivery,
                                  const Result<http::HttpResponse>& answer) = 0;
  // Removes the recipient the peer said is gone (Decide's DropRecipient).
  virtual Status DropRecipient(const PreparedDelivery& delivery) = 0;
};

}  // namespace feedbridge::publisher
