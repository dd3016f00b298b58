#pragma once

// PendingSubscriptionStore on SQL (SQLite or PostgreSQL). Internal to store/: open it through
// OpenDatabase.

#include "store/pending_subscription_store.h"
#include "store/sql_sessions.h"

namespace feedbridge::store {

// Thread-safe. `sessions` must outlive this store.
class SqlPendingSubscriptionStore final : public PendingSubscriptionStore {
 public:
  explicit SqlPendingSubscriptionStore(SqlSessions& sessions) : sessions_(sessions) {}

  Status Put(const PendingSubscription& p) override;
  Result<std::optional<PendingSubscription>> Take(std::string_view request_token) override;

 private:
  SqlSessions& sessions_;
};

}  // namespace feedbridge::store
