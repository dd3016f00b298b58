#include "store/migrations.h"

#include <string>

#include "Poco/Data/Session.h"
#include "store/sql_rows.h"

namespace feedbridge::store {
namespace {

using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

// Key of the PostgreSQL advisory lock held while migrating ("fbmg").
constexpr int64_t kMigrationLockKey = 0x66626d67;

std::string Expand(std::string_view statement, const SqlDialect& d) {
  std::string out(statement);
  constexpr std::string_view kId = "{id}";
  for (size_t at = out.find(kId); at != std::string::npos; at = out.find(kId, at)) {
    out.replace(at, kId.size(), d.auto_id);
    at += d.auto_id.size();
  }
  return out;
}

// Inside a transaction: waits for other migrators, then makes sure the bookkeeping table exists.
void LockAndPrepare(Poco::Data::Session& s, const SqlDialect& d) {
  if (d.backend == SqlBackend::kPostgres) {
    // Transaction-scoped: released by COMMIT or ROLLBACK. SQLite needs nothing more: its
    // BEGIN IMMEDIATE already excludes every other writer.
    int64_t locked = 0;
    s << d.Native("SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock(?)) AS l"), into(locked),
        bind(kMigrationLockKey), now;
    // Keeps "relation already exists, skipping" off the console.
    s << "SET LOCAL client_min_messages = warning", now;
  }
  s << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
       "name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
      now;
}

int64_t CurrentVersion(Poco::Data::Session& s) {
  int64_t version = 0;
  s << "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", into(version), now;
  return version;
}

}  // namespace

const std::vector<Migration>& Migrations() {
  // Accounts: blogs bridged in and readers; both are OMB profiles (BASE/<nickname>). Later
  // migrations add subscriptions, tokens, nonces and inbound notices.
  static const std::vector<Migration> migrations = {
      {1,
       "accounts, feeds, entries, notices",
       {
           "CREATE TABLE accounts ("
           " id {id},"
           " kind TEXT NOT NULL CHECK (kind IN ('blog', 'reader')),"
           " nickname TEXT NOT NULL UNIQUE,"
           " created_at BIGINT NOT NULL)",
           "CREATE TABLE feeds ("
           " id {id},"
           " account_id BIGINT NOT NULL UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,"
           " url TEXT NOT NULL UNIQUE,"
           " title TEXT NOT NULL DEFAULT '',"
           " description TEXT NOT NULL DEFAULT '',"
           " site_url TEXT NOT NULL DEFAULT '',"
           " icon_url TEXT NOT NULL DEFAULT '',"
           " etag TEXT NOT NULL DEFAULT '',"
           " last_modified TEXT NOT NULL DEFAULT '',"
           " last_http_status INTEGER NOT NULL DEFAULT 0,"
           " last_error TEXT NOT NULL DEFAULT '',"
           " consecutive_failures INTEGER NOT NULL DEFAULT 0,"
           " last_polled_at BIGINT,"
           " last_success_at BIGINT,"
           " failing_since BIGINT,"
           " next_poll_at BIGINT,"
           " disabled_reason TEXT NOT NULL DEFAULT '',"
           " created_at BIGINT NOT NULL)",
           "CREATE TABLE entries ("
           " id {id},"
           " feed_id BIGINT NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,"
           " identity TEXT NOT NULL CHECK (identity <> ''),"
           " url TEXT NOT NULL DEFAULT '',"
           " title TEXT NOT NULL DEFAULT '',"
           " published_at BIGINT,"
           " updated_at BIGINT,"
           " first_seen_at BIGINT NOT NULL,"
           " document TEXT NOT NULL DEFAULT '',"
           " UNIQUE (feed_id, identity))",
           "CREATE INDEX entries_by_feed ON entries (feed_id, first_seen_at, id)",
           // entry_id is NULL for notices that come from no entry (later: profile updates).
           "CREATE TABLE notices ("
           " id {id},"
           " account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
           " entry_id BIGINT REFERENCES entries (id) ON DELETE CASCADE,"
           " text TEXT NOT NULL,"
           " url TEXT NOT NULL DEFAULT '',"
           " created_at BIGINT NOT NULL,"
           " enqueued SMALLINT NOT NULL DEFAULT 0)",
           "CREATE INDEX notices_by_account ON notices (account_id, id)",
           "CREATE INDEX notices_outbox ON notices (id) WHERE enqueued = 0",
       }},
      // The feed's rhythm kept on its row (times in ms, comma-separated; NULL: not known yet),
      // so a 304 reschedules without reading entries.
      {2, "feeds.recent_entries", {"ALTER TABLE feeds ADD COLUMN recent_entries TEXT"}},
      // Entries are listed and paged by id (the order they were stored), not first_seen_at.
      {3,
       "entries by feed and id",
       {"CREATE INDEX entries_by_feed_id ON entries (feed_id, id)", "DROP INDEX entries_by_feed"}},
      // The publisher: who subscribes to a blog over OMB, what was delivered where (so nothing
      // is resent on purpose), and each endpoint's health for operators.
      {4,
       "subscriptions, deliveries_done, endpoint_health",
       {
           "CREATE TABLE subscriptions ("
           " id {id},"
           " account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
           " subscriber_uri TEXT NOT NULL CHECK (subscriber_uri <> ''),"
           " profile_url TEXT NOT NULL DEFAULT '',"
           " nickname TEXT NOT NULL DEFAULT '',"
           " fullname TEXT NOT NULL DEFAULT '',"
           " homepage TEXT NOT NULL DEFAULT '',"
           " bio TEXT NOT NULL DEFAULT '',"
           " location TEXT NOT NULL DEFAULT '',"
           " avatar_url TEXT NOT NULL DEFAULT '',"
           " license TEXT NOT NULL DEFAULT '',"
           " post_notice_url TEXT NOT NULL,"
           " update_profile_url TEXT NOT NULL,"
           " token TEXT NOT NULL,"
           " token_secret TEXT NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " UNIQUE (account_id, subscriber_uri))",
           "CREATE INDEX subscriptions_by_post_notice_url"
           " ON subscriptions (account_id, post_notice_url, id)",
           // subject: a notice id or a profile revision, as kind says; not a foreign key.
           "CREATE TABLE deliveries_done ("
           " protocol TEXT NOT NULL,"
           " kind TEXT NOT NULL,"
           " subject BIGINT NOT NULL,"
           " endpoint TEXT NOT NULL,"
           " delivered_at BIGINT NOT NULL,"
           " PRIMARY KEY (protocol, kind, subject, endpoint))",
           "CREATE TABLE endpoint_health ("
           " endpoint TEXT PRIMARY KEY,"
           " last_success_at BIGINT,"
           " last_failure_at BIGINT,"
           " failing_since BIGINT,"
           " consecutive_failures INTEGER NOT NULL DEFAULT 0,"
           " last_error TEXT NOT NULL DEFAULT '')",
       }},
      // The bridge as OMB consumer: a remote-subscribe flow between its request token and the
      // authorize callback, keyed by the request token (the callback names nothing else).
      {5,
       "pending_subscriptions",
       {
           "CREATE TABLE pending_subscriptions ("
           " request_token TEXT PRIMARY KEY,"
           " token_secret TEXT NOT NULL,"
           " account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
           " nickname TEXT NOT NULL,"
           " listener_uri TEXT NOT NULL,"
           " access_token_url TEXT NOT NULL,"
           " post_notice_url TEXT NOT NULL,"
           " update_profile_url TEXT NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " expires_at BIGINT NOT NULL)",
           "CREATE INDEX pending_subscriptions_by_expiry ON pending_subscriptions (expires_at)",
       }},
      // Profile changes of blog accounts (updateProfile sends the newest revision; the ones not
      // yet on the Redis stream are an outbox, as notices are); the lookup of the subscribers
      // behind one updateProfile URL; and deliveries_done pruned by age.
      {6,
       "profile_revisions, subscriptions by updateProfile URL, deliveries_done by time",
       {
           "CREATE TABLE profile_revisions ("
           " id {id},"
           " account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
           " title TEXT NOT NULL DEFAULT '',"
           " description TEXT NOT NULL DEFAULT '',"
           " site_url TEXT NOT NULL DEFAULT '',"
           " icon_url TEXT NOT NULL DEFAULT '',"
           " created_at BIGINT NOT NULL,"
           " enqueued SMALLINT NOT NULL DEFAULT 0)",
           "CREATE INDEX profile_revisions_by_account ON profile_revisions (account_id, id)",
           "CREATE INDEX profile_revisions_outbox ON profile_revisions (id) WHERE enqueued = 0",
           "CREATE INDEX subscriptions_by_update_profile_url"
           " ON subscriptions (account_id, update_profile_url, id)",
           "CREATE INDEX deliveries_done_by_time ON deliveries_done (delivered_at)",
       }},
  };
  return migrations;
}

Result<int> ApplyMigrations(SqlSessions& sessions, const Clock& clock) {
  const SqlDialect& d = sessions.dialect();
  Result<int64_t> current = sessions.Transact("migrate", [&](Poco::Data::Session& s) {
    LockAndPrepare(s, d);
    return Result<int64_t>(CurrentVersion(s));
  });
  if (!current.ok()) return current.status();
  const int latest = Migrations().empty() ? 0 : Migrations().back().version;
  if (*current > latest) {
    return Status::FailedPrecondition("store: database schema version " + std::to_string(*current) +
                                      " is newer than this binary's " + std::to_string(latest));
  }
  for (const Migration& m : Migrations()) {
    if (m.version <= *current) continue;
    const std::string what =
        "migration " + std::to_string(m.version) + " (" + std::string(m.name) + ")";
    Status applied = sessions.Transact(what, [&](Poco::Data::Session& s) {
      LockAndPrepare(s, d);
      if (CurrentVersion(s) >= m.version) return Status::Ok();  // Another opener was first.
      for (std::string_view statement : m.statements) s << Expand(statement, d), now;
      s << d.Native("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
          bind(m.version), bind(std::string(m.name)), bind(ToMillis(clock.Now())), now;
      return Status::Ok();
    });
    if (!applied.ok()) {
      // Whatever the database said, a migration that does not apply is not retryable as is.
      return applied.IsRetryable() ? applied : Status::Internal(applied.message());
    }
  }
  return latest;
}

}  // namespace feedbridge::store
