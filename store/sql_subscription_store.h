#pragma once

// SubscriptionStore on SQL (SQLite or PostgreSQL). Internal to store/: open it through
// OpenDatabase.

#include "common/clock.h"
#include "store/sql_sessions.h"
#include "store/subscription_store.h"

namespace feedbridge::store {

// Thread-safe. `sessions` and `clock` must outlive this store.
class SqlSubscriptionStore final : public SubscriptionStore {
 public:
  SqlSubscriptionStore(SqlSessions& sessions, const Clock& clock)
      : sessions_(sessions), clock_(clock) {}

  Result<Subscribed> Subscribe(const Subscription& s) override;
  Result<std::optional<Subscription>> Find(int64_t account_id,
                                           std::string_view subscriber_uri) override;
  Result<std::vector<Subscription>> ListByAccount(int64_t account_id) override;
  Result<std::vector<EndpointRow>> ListEndpoints(int64_t account_id, Endpoint kind,
                                                 int64_t after_id, size_t limit) override;
  Result<std::vector<Subscription>> ListByPostNoticeUrl(int64_t account_id,
                                                        std::string_view post_notice_url) override;
  Result<std::vector<Subscription>> ListByUpdateProfileUrl(
      int64_t account_id, std::string_view update_profile_url) override;
  Status Remove(int64_t subscription_id) override;
  Result<int64_t> CountByAccount(int64_t account_id) override;

 private:
  // Oldest first: the account's subscribers whose `column` (a URL column) is `url`.
  Result<std::vector<Subscription>> ListByEndpoint(int64_t account_id, std::string_view column,
                                                   std::string_view url);

  SqlSessions& sessions_;
  const Clock& clock_;
};

}  // namespace feedbridge::store
