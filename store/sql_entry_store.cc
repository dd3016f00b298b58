#include "store/sql_entry_store.h"

#include <algorithm>
#include <cstdint>
#include <string>

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
        Status saved = WriteFetchState(s, sessions_, feed_id, state);
        if (!saved.ok()) return saved;
        if (state.profile_changed) {
          s << d.Native(
              "INSERT INTO profile_revisions (account_id, title, description, site_url,"
              " icon_url, created_at, enqueued) VALUES (?, ?, ?, ?, ?, ?, 0)"),
              bind(account.front()), bind(state.title), bind(state.description),
              bind(state.site_url), bind(state.icon_url), bind(ToMillis(seen)), now;
        }
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
                         // Keyset paging on id, which is also the order: newest (last stored)
                         // first. Entries that arrive meanwhile get larger ids and never shift a
                         // page, and no clock (first_seen_at) can hide one between two pages.
                         const std::string where =
                             before_id > 0 ? " WHERE feed_id = ? AND id < ?" : " WHERE feed_id = ?";
                         select << d.Native("SELECT " + std::string(kEntryColumns) + where +
                                            " ORDER BY id DESC LIMIT ?"),
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
// entry is found the way ListEntries orders (id descending), from the top of the
// entries_by_feed_id index. The one parameter is the nickname.
std::string StampSql(const SqlDialect& dialect) {
  const std::string newest = " FROM entries e WHERE e.feed_id = f.id ORDER BY e.id DESC LIMIT 1)";
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

}  // namespace

Result<MirrorStamp> SqlEntryStore::StampMirror(std::string_view nickname) {
  const std::string nick(nickname);
  return sessions_.Run("stamp mirror", [&](Session& s) -> Result<MirrorStamp> {
    if (SqliteStatements* prepared = sessions_.sqlite_statements(); prepared != nullptr) {
      // Runs for every mirror request: prepared once, where POCO Data would parse it every time
      // (6 us against 52 us per request when measured).
      static const std::string sqlite_sql = StampSql(SqlDialect::Sqlite());
      SqliteStatement select = prepared->Get(sqlite_sql);
      select.Bind(1, nick);
      if (!select.Next()) return Status::NotFound("store: no blog named " + nick);
      MirrorStamp stamp;
      SqliteRowReader reader(select);
      VisitColumns(stamp, reader);
      return stamp;
    }
    static const std::string postgres_sql = StampSql(SqlDialect::Postgres());
    std::vector<MirrorStamp> rows;
    s << postgres_sql, into(rows), bind(nick), now;
    if (rows.empty()) return Status::NotFound("store: no blog named " + nick);
    return std::move(rows.front());
  });
}

}  // namespace feedbridge::store
