#pragma once

// Opening the database: SQLite (embedded default) or PostgreSQL, migrated to the current schema.

#include <memory>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "store/delivery_log.h"
#include "store/entry_store.h"
#include "store/feed_store.h"
#include "store/notice_store.h"
#include "store/pending_subscription_store.h"
#include "store/profile_store.h"
#include "store/subscription_store.h"

namespace feedbridge::store {

// Owns the connections; the stores it hands out live as long as it does. Thread-safe.
class Database {
 public:
  virtual ~Database() = default;
  virtual FeedStore& feeds() = 0;
  virtual EntryStore& entries() = 0;
  virtual NoticeStore& notices() = 0;
  virtual SubscriptionStore& subscriptions() = 0;
  virtual DeliveryLog& deliveries() = 0;
  virtual ProfileStore& profiles() = 0;
  virtual PendingSubscriptionStore& pending_subscriptions() = 0;
  // The schema version after migrations (the number of the last migration applied).
  virtual int SchemaVersion() const = 0;
};

// Opens `url` ("sqlite:PATH" — the directory is created — or "postgresql://..." / a libpq
// connection string after "postgresql:") and applies the migrations not yet applied, in order,
// each in its own transaction. `clock` stamps created_at/first_seen_at and must outlive the
// Database. Errors: InvalidArgument (bad URL), Unavailable (cannot connect), Internal (a
// migration failed).
Result<std::unique_ptr<Database>> OpenDatabase(std::string_view url, Clock& clock);

}  // namespace feedbridge::store
