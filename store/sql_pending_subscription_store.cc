#include "store/sql_pending_subscription_store.h"

#include <string>
#include <vector>

#include "Poco/Data/Session.h"
#include "Poco/Data/Statement.h"
#include "store/sql_rows.h"

namespace feedbridge::store {
namespace {

using Poco::Data::Session;
using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

}  // namespace

Status SqlPendingSubscriptionStore::Put(const PendingSubscription& p) {
  if (p.request_token.empty()) {
    return Status::InvalidArgument("store: pending subscription without a request token");
  }
  const SqlDialect& d = sessions_.dialect();
  return sessions_.Transact("remember subscribe flow of " + p.listener_uri, [&](Session& s) {
    int64_t accounts = 0;
    s << d.Native("SELECT COUNT(*) FROM accounts WHERE id = ?"), into(accounts), bind(p.account_id),
        now;
    if (accounts == 0) {
      return Status::NotFound("store: account " + std::to_string(p.account_id) + " not found");
    }
    s << d.Native("DELETE FROM pending_subscriptions WHERE expires_at < ? OR request_token = ?"),
        bind(ToMillis(p.created_at)), bind(p.request_token), now;
    s << d.Native(
        "INSERT INTO pending_subscriptions (request_token, token_secret, account_id, nickname,"
        " listener_uri, access_token_url, post_notice_url, update_profile_url, created_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        bind(p.request_token), bind(p.token_secret), bind(p.account_id), bind(p.nickname),
        bind(p.listener_uri),
        bind(p.access_token_url), bind(p.post_notice_url), bind(p.update_profile_url),
        bind(ToMillis(p.created_at)), bind(ToMillis(p.expires_at)), now;
    return Status::Ok();
  });
}

Result<std::optional<PendingSubscription>> SqlPendingSubscriptionStore::Take(
    std::string_view request_token) {
  const std::string token(request_token);
  const SqlDialect& d = sessions_.dialect();
  return sessions_.Transact(
      "take subscribe flow", [&](Session& s) -> Result<std::optional<PendingSubscription>> {
        std::vector<PendingSubscription> rows;
        s << d.Native("SELECT " + std::string(kPendingSubscriptionColumns) +
                      " WHERE request_token = ?"),
            into(rows), bind(token), now;
        if (rows.empty()) return std::optional<PendingSubscription>();
        Poco::Data::Statement del(s);
        del << d.Native("DELETE FROM pending_subscriptions WHERE request_token = ?"), bind(token);
        // Another taker deleted it between our read and our delete: it is theirs.
        if (del.execute() == 0) return std::optional<PendingSubscription>();
        return std::optional<PendingSubscription>(std::move(rows.front()));
      });
}

}  // namespace feedbridge::store
