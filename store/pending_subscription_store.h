#pragma once

// Remote-subscribe flows waiting for their authorize callback (the bridge as OMB consumer).

#include <optional>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "common/status.h"
#include "store/records.h"

namespace feedbridge::store {

// Thread-safe. Errors: Unavailable when the database is down or locked past its timeout.
class PendingSubscriptionStore {
 public:
  virtual ~PendingSubscriptionStore() = default;
  // Stores `p` (keyed by its request token; a second Put of the same token replaces it) and
  // deletes the flows that expired before `p.created_at`, so abandoned flows do not pile up.
  // InvalidArgument for an empty request token; NotFound when the account does not exist.
  virtual Status Put(const PendingSubscription& p) = 0;
  // Removes and returns the flow of `request_token`, expired or not (the caller tells the two
  // apart, to say which); nullopt when there is none. Of two concurrent takers one gets it.
  virtual Result<std::optional<PendingSubscription>> Take(std::string_view request_token) = 0;
};

}  // namespace feedbridge::store
