#include "store/sql_entry_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "Poco/Data/SQLite/Utility.h"
#include "Poco/Data/Session.h"
#include "Poco/Data/Statement.h"
#include "store/sql_feed_store.h"
#include "store/sql_rows.h"

namespace feedbridge::store {

// The columns of StampMirror, in its SELECT order (read through RecordTypeHandler).
template <class V>
void VisitColumns(MirrorStamp& r, V& v) {
  v(r.feed_id);
  v(r.account_id);
  v(r.title);
  v(r.description);
  v(r.site_url);
  v(r.icon_url);
  v(r.last_success_at);
  v(r.created_at);
  v(r.newest_id);
  v(r.newest_seen_at);
  v(r.entries);
}

}  // namespace feedbridge::store

namespace Poco::Data {
template <>
class TypeHandler<feedbridge::store::MirrorStamp>
    : public feedbridge::store::RecordTypeHandler<feedbridge::store::MirrorStamp> {};
}  // namespace Poco::Data

namespace feedbridge::store {
namespace {

using Poco::Data::Session;
using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

// Identities per query in KnownIdentities: SQLite allows 32766 parameters, PostgreSQL 65535;
// a bounded IN list also keeps each statement small.
constexpr size_t kIdentitiesPerQuery = 500;

std::string FeedName(int64_t feed_id) { return "feed " + std::to_string(feed_id); }

}  // namespace

Result<std::vector<std::string>> SqlEntryStore::KnownIdentities(
    int64_t feed_id, const std::vector<std::string>& identities) {
  const SqlDialect& d = sessions_.dialect();
  return sessions_.Run(
      "known entries of " + FeedName(feed_id), [&](Session& s) -> Result<std::vector<std::string>> {
        std::vector<std::string> known;
        for (size_t begin = 0; begin < identities.size(); begin += kIdentitiesPerQuery) {
          const size_t end = std::min(identities.size(), begin + kIdentitiesPerQuery);
          std::string sql = "SELECT identity FROM entries WHERE feed_id = ? AND identity IN (?";
          for (size_t i = begin + 1; i < end; ++i) sql += ", ?";
          sql += ")";
          std::vector<std::string> rows;
          Poco::Data::Statement select(s);
          select << d.Native(sql), into(rows), bind(feed_id);
          for (size_t i = begin; i < end; ++i) select.addBind(bind(identities[i]));
          select.execute();
          known.insert(known.end(), rows.begin(), rows.end());
        }
        return known;
      });
}

Result<std::vector<Notice>> SqlEntryStore::RecordPoll(int64_t feed_id, const FetchState& state,
                                                      const std::vector<NewEntry>& entries) {
  const SqlDialect& d = sessions_.dialect();
  const std::string insert_entry = d.Native(
      "INSERT INTO entries (feed_id, identity, url, title, published_at, updated_at,"
      " first_seen_at, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
      " ON CONFLICT (feed_id, identity) DO NOTHING RETURNING id");
  const std::string insert_notice = d.Native(
      "INSERT INTO notices (account_id, entry_id, text, url, created_at, enqueued)"
      " VALUES (?, ?, ?, ?, ?, 0) RETURNING id");
  return sessions_.Transact(
      "record poll of " + FeedName(feed_id), [&](Session& s) -> Result<std::vector<Notice>> {
        std::vector<int64_t> account;
        s << d.Native("SELECT account_id FROM feeds WHERE id = ?"), into(account), bind(feed_id),
            now;
        if (account.empty()) return Status::NotFound("store: " + FeedName(feed_id) + " not found");
        const TimePoint seen = clock_.Now();
        std::vector<Notice> notices;
        for (const NewEntry& e : entries) {
          // Empty when the identity is already stored (also when it repeats within `entries`).
          std::vector<int64_t> entry_id;
          s << insert_entry, into(entry_id), bind(feed_id), bind(e.identity), bind(e.url),
              bind(e.title), bind(ToNullableMillis(e.published)), bind(ToNullableMillis(e.updated)),
              bind(ToMillis(seen)), bind(e.document), now;
          if (entry_id.empty() || e.notice_text.empty()) continue;
          Notice n{.account_id = account.front(),
                   .entry_id = entry_id.front(),
                   .text = e.notice_text,
                   .url = e.notice_url,
                   .created_at = seen,
                   .enqueued = false};
          s << insert_notice, into(n.id), bind(n.account_id), bind(n.entry_id), bind(n.text),
              bind(n.url), bind(ToMillis(n.created_at)), now;
          notices.push_back(std::move(n));
        }
        Status saved = WriteFetchState(s, d, feed_id, state);
        if (!saved.ok()) return saved;
        return notices;
      });
}

Result<std::vector<StoredEntry>> SqlEntryStore::ListEntries(int64_t feed_id, int64_t before_id,
                                                            size_t limit) {
  const SqlDialect& d = sessions_.dialect();
  return sessions_.Run("list entries of " + FeedName(feed_id),
                       [&](Session& s) -> Result<std::vector<StoredEntry>> {
                         std::vector<StoredEntry> rows;
                         Poco::Data::Statement select(s);
                         // Keyset paging on id: entries that arrive meanwhile get larger ids and
                         // never shift a page.
                         const std::string where =
                             before_id > 0 ? " WHERE feed_id = ? AND id < ?" : " WHERE feed_id = ?";
                         select << d.Native("SELECT " + std::string(kEntryColumns) + where +
                                            " ORDER BY first_seen_at DESC, id DESC LIMIT ?"),
                             into(rows), bind(feed_id);
                         if (before_id > 0) select.addBind(bind(before_id));
                         select.addBind(bind(static_cast<int64_t>(limit)));
                         select.execute();
                         return rows;
                       });
}

Result<StoredEntry> SqlEntryStore::GetEntry(int64_t entry_id) {
  const std::string name = "entry " + std::to_string(entry_id);
  return sessions_.Run("get " + name, [&](Session& s) -> Result<StoredEntry> {
    std::vector<StoredEntry> rows;
    s << sessions_.dialect().Native("SELECT " + std::string(kEntryColumns) + " WHERE id = ?"),
        into(rows), bind(entry_id), now;
    if (rows.empty()) return Status::NotFound("store: " + name + " not found");
    return std::move(rows.front());
  });
}

Result<int64_t> SqlEntryStore::CountEntries(int64_t feed_id) {
  return sessions_.Run("count entries of " + FeedName(feed_id), [&](Session& s) -> Result<int64_t> {
    int64_t n = 0;
    s << sessions_.dialect().Native("SELECT COUNT(*) FROM entries WHERE feed_id = ?"), into(n),
        bind(feed_id), now;
    return n;
  });
}

namespace {

// StampMirror's SQL. One statement, so the head and the stamp come from one snapshot. The newest
// entry is found the way ListEntries orders (first_seen_at, id descending), from the top of the
// entries_by_feed index. The one parameter is the nickname.
std::string StampSql(const SqlDialect& dialect) {
  const std::string newest =
      " FROM entries e WHERE e.feed_id = f.id ORDER BY e.first_seen_at DESC, e.id DESC LIMIT 1)";
  const std::string count = dialect.backend == SqlBackend::kPostgres
                                ? "(SELECT COUNT(*) FROM entries e WHERE e.feed_id = f.id)"
                                : "0";
  std::string sql =
      "SELECT f.id, f.account_id, f.title, f.description, f.site_url, f.icon_url,"
      " f.last_success_at, f.created_at";
  sql += ", COALESCE((SELECT e.id" + newest + ", 0)";
  sql += ", (SELECT e.first_seen_at" + newest;
  sql += ", " + count;
  sql += " FROM feeds f JOIN accounts a ON a.id = f.account_id WHERE a.nickname = ?";
  return dialect.Native(sql);
}

// A failed SQLite call as a Status: Unavailable for what waiting or another try can cure
// (locked past the busy timeout, I/O, full disk), Internal for the rest.
Status SqliteFailure(sqlite3* db, int rc, std::string_view what) {
  const std::string message = "store: " + std::string(what) + ": " + sqlite3_errmsg(db);
  switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_PROTOCOL:
    case SQLITE_NOMEM:
      return Status::Unavailable(message);
    default:
      return Status::Internal(message);
  }
}

std::string ColumnText(sqlite3_stmt* st, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, column));
  return text == nullptr ? std::string()
                         : std::string(text, static_cast<size_t>(sqlite3_column_bytes(st, column)));
}

std::optional<TimePoint> ColumnTime(sqlite3_stmt* st, int column) {
  if (sqlite3_column_type(st, column) == SQLITE_NULL) return std::nullopt;
  return FromMillis(sqlite3_column_int64(st, column));
}

}  // namespace

SqlEntryStore::~SqlEntryStore() = default;

Result<MirrorStamp> SqlEntryStore::StampMirror(std::string_view nickname) {
  const std::string nick(nickname);
  if (sessions_.dialect().backend == SqlBackend::kSqlite) {
    return sessions_.Run("stamp mirror", [&](Session& s) { return StampOnSqlite(s, nick); });
  }
  static const std::string postgres_sql = StampSql(SqlDialect::Postgres());
  return sessions_.Run("stamp mirror", [&](Session& s) -> Result<MirrorStamp> {
    std::vector<MirrorStamp> rows;
    s << postgres_sql, into(rows), bind(nick), now;
    if (rows.empty()) return Status::NotFound("store: no blog named " + nick);
    return std::move(rows.front());
  });
}

// This query runs for every mirror request, so on SQLite it keeps its statement prepared, and
// steps it through the C API: POCO Data 1.11 prepares a statement again at every execution
// (sqlite3_prepare_v2 under Statement::execute, even for a Statement kept and re-executed),
// which is 30 of the 50 us this query costs through POCO, against 6 us here.
Result<MirrorStamp> SqlEntryStore::StampOnSqlite(Session& session, const std::string& nick) {
  static const std::string sql = StampSql(SqlDialect::Sqlite());
  sqlite3* db = Poco::Data::SQLite::Utility::dbHandle(session);
  sqlite3_stmt* st = nullptr;
  {
    std::lock_guard<std::mutex> lock(stamp_mu_);
    SqliteStatement& kept = stamp_statements_[db];
    if (kept == nullptr) {
      sqlite3_stmt* prepared = nullptr;
      const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                        SQLITE_PREPARE_PERSISTENT, &prepared, nullptr);
      kept.reset(prepared);
      if (rc != SQLITE_OK) {
        kept.reset();
        return SqliteFailure(db, rc, "stamp mirror: prepare");
      }
    }
    st = kept.get();
  }
  // From here on `st` is used under the session's lease only (one thread per connection), and
  // reset on every way out: a statement left mid-result holds its read transaction open.
  struct Reset {
    sqlite3_stmt* st;
    ~Reset() {
      sqlite3_reset(st);
      sqlite3_clear_bindings(st);
    }
  } reset{st};
  sqlite3_bind_text(st, 1, nick.data(), static_cast<int>(nick.size()), SQLITE_STATIC);
  const int rc = sqlite3_step(st);
  if (rc == SQLITE_DONE) return Status::NotFound("store: no blog named " + nick);
  if (rc != SQLITE_ROW) return SqliteFailure(db, rc, "stamp mirror of " + nick);
  MirrorStamp stamp;
  stamp.feed_id = sqlite3_column_int64(st, 0);
  stamp.account_id = sqlite3_column_int64(st, 1);
  stamp.title = ColumnText(st, 2);
  stamp.description = ColumnText(st, 3);
  stamp.site_url = ColumnText(st, 4);
  stamp.icon_url = ColumnText(st, 5);
  stamp.last_success_at = ColumnTime(st, 6);
  stamp.created_at = FromMillis(sqlite3_column_int64(st, 7));
  stamp.newest_id = sqlite3_column_int64(st, 8);
  stamp.newest_seen_at = ColumnTime(st, 9);
  stamp.entries = sqlite3_column_int64(st, 10);
  return stamp;
}

}  // namespace feedbridge::store
