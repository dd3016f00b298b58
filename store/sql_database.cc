#include "store/sql_database.h"

#include <utility>

#include "store/migrations.h"

namespace feedbridge::store {

SqlDatabase::SqlDatabase(std::unique_ptr<SqlSessions> sessions, const Clock& clock,
                         int schema_version)
    : sessions_(std::move(sessions)),
      feeds_(*sessions_, clock),
      entries_(*sessions_, clock),
      notices_(*sessions_),
      subscriptions_(*sessions_, clock),
      deliveries_(*sessions_),
      profiles_(*sessions_),
      pending_subscriptions_(*sessions_),
      schema_version_(schema_version) {}

Result<std::unique_ptr<Database>> OpenDatabase(std::string_view url, Clock& clock) {
  Result<SqlTarget> target = ParseDatabaseUrl(url);
  if (!target.ok()) return target.status();
  Result<std::unique_ptr<SqlSessions>> sessions = SqlSessions::Open(*target);
  if (!sessions.ok()) return sessions.status();
  Result<int> version = ApplyMigrations(**sessions, clock);
  if (!version.ok()) return version.status();
  return std::unique_ptr<Database>(
      std::make_unique<SqlDatabase>(std::move(*sessions), clock, *version));
}

}  // namespace feedbridge::store
