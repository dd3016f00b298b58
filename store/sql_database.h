#pragma once

// Database on SQL (SQLite or PostgreSQL). Internal to store/: open it through OpenDatabase.

#include <memory>

#include "store/database.h"
#include "store/sql_delivery_log.h"
#include "store/sql_entry_store.h"
#include "store/sql_feed_store.h"
#include "store/sql_notice_store.h"
#include "store/sql_pending_subscription_store.h"
#include "store/sql_profile_store.h"
#include "store/sql_sessions.h"
#include "store/sql_subscription_store.h"

namespace feedbridge::store {

// Owns the sessions and the stores on them. Thread-safe. `clock` must outlive it.
class SqlDatabase final : public Database {
 public:
  SqlDatabase(std::unique_ptr<SqlSessions> sessions, const Clock& clock, int schema_version);
  SqlDatabase(const SqlDatabase&) = delete;
  SqlDatabase& operator=(const SqlDatabase&) = delete;

  FeedStore& feeds() override { return feeds_; }
  EntryStore& entries() override { return entries_; }
  NoticeStore& notices() override { return notices_; }
  SubscriptionStore& subscriptions() override { return subscriptions_; }
  DeliveryLog& deliveries() override { return deliveries_; }
  ProfileStore& profiles() override { return profiles_; }
  PendingSubscriptionStore& pending_subscriptions() override { return pending_subscriptions_; }
  int SchemaVersion() const override { return schema_version_; }

 private:
  std::unique_ptr<SqlSessions> sessions_;  // Outlives the stores (declared first).
  SqlFeedStore feeds_;
  SqlEntryStore entries_;
  SqlNoticeStore notices_;
  SqlSubscriptionStore subscriptions_;
  SqlDeliveryLog deliveries_;
  SqlProfileStore profiles_;
  SqlPendingSubscriptionStore pending_subscriptions_;
  const int schema_version_;
};

}  // namespace feedbridge::store
