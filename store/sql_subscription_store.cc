#include "store/sql_subscription_store.h"

#include <string>

#include "Poco/Data/Session.h"
#include "Poco/Data/Statement.h"
#include "store/sql_rows.h"

namespace feedbridge::store {
namespace {

using Poco::Data::Session;
using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

std::string AccountName(int64_t account_id) { return "account " + std::to_string(account_id); }

}  // namespace

Result<SubscriptionStore::Subscribed> SqlSubscriptionStore::Subscribe(const Subscription& sub) {
  if (sub.subscriber.uri.empty()) {
    return Status::InvalidArgument("store: subscription without a subscriber URI");
  }
  if (sub.post_notice_url.empty() || sub.update_profile_url.empty()) {
    return Status::InvalidArgument("store: subscription of " + sub.subscriber.uri +
                                   " without its postNotice and updateProfile URLs");
  }
  const SqlDialect& d = sessions_.dialect();
  const RemoteProfile& p = sub.subscriber;
  return sessions_.Transact(
      "subscribe " + p.uri + " to " + AccountName(sub.account_id),
      [&](Session& s) -> Result<Subscribed> {
        int64_t accounts = 0;
        s << d.Native("SELECT COUNT(*) FROM accounts WHERE id = ?"), into(accounts),
            bind(sub.account_id), now;
        if (accounts == 0) {
          return Status::NotFound("store: " + AccountName(sub.account_id) + " not found");
        }
        std::vector<int64_t> existing;
        s << d.Native("SELECT id FROM subscriptions WHERE account_id = ? AND subscriber_uri = ?"),
            into(existing), bind(sub.account_id), bind(p.uri), now;
        if (!existing.empty()) {
          // They went through the flow again: their service issued new tokens, maybe new URLs.
          s << d.Native(
              "UPDATE subscriptions SET profile_url = ?, nickname = ?, fullname = ?,"
              " homepage = ?, bio = ?, location = ?, avatar_url = ?, license = ?,"
              " post_notice_url = ?, update_profile_url = ?, token = ?, token_secret = ?"
              " WHERE id = ?"),
              bind(p.profile_url), bind(p.nickname), bind(p.fullname), bind(p.homepage),
              bind(p.bio), bind(p.location), bind(p.avatar_url), bind(p.license),
              bind(sub.post_notice_url), bind(sub.update_profile_url), bind(sub.token),
              bind(sub.token_secret), bind(existing.front()), now;
          return Subscribed{existing.front(), false};
        }
        int64_t id = 0;
        s << d.Native(
            "INSERT INTO subscriptions (account_id, subscriber_uri, profile_url, nickname,"
            " fullname, homepage, bio, location, avatar_url, license, post_notice_url,"
            " update_profile_url, token, token_secret, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
            into(id), bind(sub.account_id), bind(p.uri), bind(p.profile_url), bind(p.nickname),
            bind(p.fullname), bind(p.homepage), bind(p.bio), bind(p.location), bind(p.avatar_url),
            bind(p.license), bind(sub.post_notice_url), bind(sub.update_profile_url),
            bind(sub.token), bind(sub.token_secret), bind(ToMillis(clock_.Now())), now;
        return Subscribed{id, true};
      });
}

Result<std::optional<Subscription>> SqlSubscriptionStore::Find(int64_t account_id,
                                                               std::string_view subscriber_uri) {
  const std::string uri(subscriber_uri);
  return sessions_.Run(
      "find subscription of " + uri + " to " + AccountName(account_id),
      [&](Session& s) -> Result<std::optional<Subscription>> {
        std::vector<Subscription> rows;
        s << sessions_.dialect().Native("SELECT " + std::string(kSubscriptionColumns) +
                                        " WHERE account_id = ? AND subscriber_uri = ?"),
            into(rows), bind(account_id), bind(uri), now;
        if (rows.empty()) return std::optional<Subscription>();
        return std::optional<Subscription>(std::move(rows.front()));
      });
}

Result<std::vector<Subscription>> SqlSubscriptionStore::ListByAccount(int64_t account_id) {
  return sessions_.Run("list subscribers of " + AccountName(account_id),
                       [&](Session& s) -> Result<std::vector<Subscription>> {
                         std::vector<Subscription> rows;
                         s << sessions_.dialect().Native("SELECT " +
                                                         std::string(kSubscriptionColumns) +
                                                         " WHERE account_id = ? ORDER BY id"),
                             into(rows), bind(account_id), now;
                         return rows;
                       });
}

Result<std::vector<SubscriptionStore::EndpointRow>> SqlSubscriptionStore::ListEndpoints(
    int64_t account_id, Endpoint kind, int64_t after_id, size_t limit) {
  const std::string column =
      kind == Endpoint::kUpdateProfile ? "update_profile_url" : "post_notice_url";
  // A subscription stands for its URL when no older one of the account has it (the index on
  // (account_id, URL, id) answers that); paged by id.
  const std::string sql = "SELECT s.id, s." + column + " FROM subscriptions s" +
                          " WHERE s.account_id = ? AND s.id > ? AND s." + column + " <> ''" +
                          " AND NOT EXISTS (SELECT 1 FROM subscriptions o" +
                          " WHERE o.account_id = s.account_id AND o." + column + " = s." + column +
                          " AND o.id < s.id) ORDER BY s.id LIMIT ?";
  return sessions_.Run("list endpoints of " + AccountName(account_id),
                       [&](Session& s) -> Result<std::vector<EndpointRow>> {
                         std::vector<int64_t> ids;
                         std::vector<std::string> urls;
                         s << sessions_.dialect().Native(sql), into(ids), into(urls),
                             bind(account_id), bind(after_id), bind(static_cast<int64_t>(limit)),
                             now;
                         std::vector<EndpointRow> rows;
                         rows.reserve(ids.size());
                         for (size_t i = 0; i < ids.size() && i < urls.size(); ++i) {
                           rows.push_back({ids[i], std::move(urls[i])});
                         }
                         return rows;
                       });
}

Result<std::vector<Subscription>> SqlSubscriptionStore::ListByEndpoint(int64_t account_id,
                                                                       std::string_view column,
                                                                       std::string_view url) {
  const std::string where = " WHERE account_id = ? AND " + std::string(column) + " = ? ORDER BY id";
  const std::string value(url);
  return sessions_.Run(
      "list subscribers of " + AccountName(account_id) + " at " + value,
      [&](Session& s) -> Result<std::vector<Subscription>> {
        std::vector<Subscription> rows;
        const std::string sql = "SELECT " + std::string(kSubscriptionColumns) + where;
        if (SqliteStatements* prepared = sessions_.sqlite_statements(); prepared != nullptr) {
          // SQLite: prepared once (the publisher asks this before every delivery).
          SqliteStatement select = prepared->Get(sql);
          select.Bind(1, account_id);
          select.Bind(2, value);
          while (select.Next()) {
            SqliteRowReader reader(select);
            VisitColumns(rows.emplace_back(), reader);
          }
          return rows;
        }
        s << sessions_.dialect().Native(sql), into(rows), bind(account_id), bind(value), now;
        return rows;
      });
}

Result<std::vector<Subscription>> SqlSubscriptionStore::ListByPostNoticeUrl(
    int64_t account_id, std::string_view post_notice_url) {
  return ListByEndpoint(account_id, "post_notice_url", post_notice_url);
}

Result<std::vector<Subscription>> SqlSubscriptionStore::ListByUpdateProfileUrl(
    int64_t account_id, std::string_view update_profile_url) {
  return ListByEndpoint(account_id, "update_profile_url", update_profile_url);
}

Status SqlSubscriptionStore::Remove(int64_t subscription_id) {
  const std::string name = "subscription " + std::to_string(subscription_id);
  return sessions_.Run("remove " + name, [&](Session& s) {
    Poco::Data::Statement del(s);
    del << sessions_.dialect().Native("DELETE FROM subscriptions WHERE id = ?"),
        bind(subscription_id);
    if (del.execute() == 0) return Status::NotFound("store: " + name + " not found");
    return Status::Ok();
  });
}

Result<int64_t> SqlSubscriptionStore::CountByAccount(int64_t account_id) {
  return sessions_.Run(
      "count subscribers of " + AccountName(account_id), [&](Session& s) -> Result<int64_t> {
        int64_t n = 0;
        s << sessions_.dialect().Native("SELECT COUNT(*) FROM subscriptions WHERE account_id = ?"),
            into(n), bind(account_id), now;
        return n;
      });
}

}  // namespace feedbridge::store
