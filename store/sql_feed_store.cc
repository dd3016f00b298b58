#include "store/sql_feed_store.h"

#include <algorithm>
#include <span>
#include <string>

#include "Poco/Data/Session.h"
#include "Poco/Data/Statement.h"
#include "common/nickname.h"
#include "store/sql_rows.h"

namespace feedbridge::store {
namespace {

using Poco::Data::Session;
using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

// Ids per query in GetFeeds (a bounded IN list; the poller asks for a few dozen).
constexpr size_t kFeedsPerQuery = 500;
// Feeds per UPDATE in WriteFetchStates: 17 parameters each, far below both databases' limits.
constexpr size_t kStatesPerUpdate = 64;

std::string FeedName(int64_t feed_id) { return "feed " + std::to_string(feed_id); }

Result<FeedRecord> LoadFeed(Session& s, const SqlDialect& d, int64_t feed_id) {
  std::vector<FeedRecord> rows;
  s << d.Native("SELECT " + std::string(kFeedColumns) + " WHERE f.id = ?"), into(rows),
      bind(feed_id), now;
  if (rows.empty()) return Status::NotFound("store: " + FeedName(feed_id) + " not found");
  return std::move(rows.front());
}

int64_t Count(Session& s, const SqlDialect& d, std::string_view sql, const std::string& value) {
  int64_t n = 0;
  s << d.Native(sql), into(n), bind(value), now;
  return n;
}

// One UPDATE for many feeds: their states as a VALUES list joined on the id (SQLite >= 3.33 and
// PostgreSQL both have UPDATE ... FROM). Every value is CAST, so PostgreSQL types each column of
// the list the same whatever the first row holds (a NULL, say).
std::string UpdateStatesSql(const SqlDialect& d, size_t rows) {
  std::string sql =
      "WITH v (id, url, title, description, site_url, icon_url, etag, last_modified,"
      " last_http_status, last_error, consecutive_failures, last_polled_at, last_success_at,"
      " failing_since, next_poll_at, disabled_reason, recent_entries) AS (VALUES ";
  for (size_t i = 0; i < rows; ++i) {
    if (i > 0) sql += ", ";
    sql +=
        "(CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT),"
        " CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT),"
        " CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT),"
        " CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT))";
  }
  sql +=
      ") UPDATE feeds SET url = COALESCE(v.url, feeds.url), title = v.title, description = "
      "v.description,"
      " site_url = v.site_url, icon_url = v.icon_url, etag = v.etag,"
      " last_modified = v.last_modified, last_http_status = v.last_http_status,"
      " last_error = v.last_error, consecutive_failures = v.consecutive_failures,"
      " last_polled_at = v.last_polled_at, last_success_at = v.last_success_at,"
      " failing_since = v.failing_since, next_poll_at = v.next_poll_at,"
      " disabled_reason = v.disabled_reason, recent_entries = v.recent_entries"
      " FROM v WHERE feeds.id = v.id";
  return d.Native(sql);
}

}  // namespace

size_t WriteFetchStates(Session& s, SqlSessions& sessions, std::span<const FeedFetchState> states) {
  const SqlDialect& d = sessions.dialect();
  size_t changed = 0;
  if (SqliteStatements* prepared = sessions.sqlite_statements(); prepared != nullptr) {
    // SQLite: one prepared UPDATE run per feed (no round trips to save). The URL is written
    // only when it may have changed: setting it, even to the same value, rewrites its UNIQUE
    // index entry, which costs more than the rest of the row (about 4x per 304 at 100,000
    // feeds).
    static const std::string kSet =
        "UPDATE feeds SET title = ?1, description = ?2, site_url = ?3, icon_url = ?4,"
        " etag = ?5, last_modified = ?6, last_http_status = ?7, last_error = ?8,"
        " consecutive_failures = ?9, last_polled_at = ?10, last_success_at = ?11,"
        " failing_since = ?12, next_poll_at = ?13, disabled_reason = ?14, recent_entries = ?15";
    static const std::string kUpdate = kSet + ", url = ?17 WHERE id = ?16";
    static const std::string kUpdateKeepingUrl = kSet + " WHERE id = ?16";
    for (const FeedFetchState& one : states) {
      const FetchState& f = one.state;
      SqliteStatement update = prepared->Get(one.url_changed ? kUpdate : kUpdateKeepingUrl);
      update.Bind(1, f.title);
      update.Bind(2, f.description);
      update.Bind(3, f.site_url);
      update.Bind(4, f.icon_url);
      update.Bind(5, f.etag);
      update.Bind(6, f.last_modified);
      update.Bind(7, int64_t{f.last_http_status});
      update.Bind(8, f.last_error);
      update.Bind(9, int64_t{f.consecutive_failures});
      update.Bind(10, ToNullableMillis(f.last_polled_at));
      update.Bind(11, ToNullableMillis(f.last_success_at));
      update.Bind(12, ToNullableMillis(f.failing_since));
      update.Bind(13, ToNullableMillis(f.next_poll_at));
      update.Bind(14, f.disabled_reason);
      update.Bind(15, ToNullableTimeList(f.recent_entries));
      update.Bind(16, one.feed_id);
      if (one.url_changed) update.Bind(17, f.url);
      changed += static_cast<size_t>(update.Execute());
    }
    return changed;
  }
  // PostgreSQL: one statement (one round trip) per kStatesPerUpdate feeds.
  for (size_t begin = 0; begin < states.size(); begin += kStatesPerUpdate) {
    const size_t end = std::min(states.size(), begin + kStatesPerUpdate);
    Poco::Data::Statement update(s);
    update << UpdateStatesSql(d, end - begin);
    for (size_t i = begin; i < end; ++i) {
      const FetchState& f = states[i].state;
      update.addBind(bind(states[i].feed_id));
      // NULL keeps the stored URL (see FeedFetchState::url_changed).
      update.addBind(bind(states[i].url_changed ? Poco::Nullable<std::string>(f.url)
                                                : Poco::Nullable<std::string>()));
      update.addBind(bind(f.title));
      update.addBind(bind(f.description));
      update.addBind(bind(f.site_url));
      update.addBind(bind(f.icon_url));
      update.addBind(bind(f.etag));
      update.addBind(bind(f.last_modified));
      update.addBind(bind(int64_t{f.last_http_status}));
      update.addBind(bind(f.last_error));
      update.addBind(bind(int64_t{f.consecutive_failures}));
      update.addBind(bind(ToNullableMillis(f.last_polled_at)));
      update.addBind(bind(ToNullableMillis(f.last_success_at)));
      update.addBind(bind(ToNullableMillis(f.failing_since)));
      update.addBind(bind(ToNullableMillis(f.next_poll_at)));
      update.addBind(bind(f.disabled_reason));
      update.addBind(bind(ToNullableTimeList(f.recent_entries)));
    }
    changed += update.execute();
  }
  return changed;
}

Status WriteFetchState(Session& s, SqlSessions& sessions, int64_t feed_id,
                       const FetchState& state) {
  const FeedFetchState one{.feed_id = feed_id, .state = state};
  if (WriteFetchStates(s, sessions, std::span(&one, 1)) == 0) {
    return Status::NotFound("store: " + FeedName(feed_id) + " not found");
  }
  return Status::Ok();
}

Result<FeedRecord> SqlFeedStore::AddFeed(const NewFeed& feed) {
  if (!IsValidNickname(feed.nickname)) {
    return Status::InvalidArgument("store: nickname \"" + feed.nickname +
                                   "\" does not match [0-9a-z]{1,64}");
  }
  if (feed.url.empty()) return Status::InvalidArgument("store: feed URL is empty");
  const SqlDialect& d = sessions_.dialect();
  return sessions_.Transact("add feed " + feed.url, [&](Session& s) -> Result<FeedRecord> {
    // Checked first for a clear message; the unique constraints still catch a race, and the
    // error they raise maps to AlreadyExists as well.
    if (Count(s, d, "SELECT COUNT(*) FROM accounts WHERE nickname = ?", feed.nickname) > 0) {
      return Status::AlreadyExists("store: nickname " + feed.nickname + " is taken");
    }
    if (Count(s, d, "SELECT COUNT(*) FROM feeds WHERE url = ?", feed.url) > 0) {
      return Status::AlreadyExists("store: feed " + feed.url + " is already bridged");
    }
    const int64_t created_at = ToMillis(clock_.Now());
    int64_t account_id = 0;
    s << d.Native(
        "INSERT INTO accounts (kind, nickname, created_at) VALUES ('blog', ?, ?)"
        " RETURNING id"),
        into(account_id), bind(feed.nickname), bind(created_at), now;
    int64_t feed_id = 0;
    s << d.Native(
        "INSERT INTO feeds (account_id, url, title, description, site_url, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id"),
        into(feed_id), bind(account_id), bind(feed.url), bind(feed.title), bind(feed.description),
        bind(feed.site_url), bind(created_at), now;
    return LoadFeed(s, d, feed_id);
  });
}

Result<FeedRecord> SqlFeedStore::GetFeed(int64_t feed_id) {
  return sessions_.Run("get " + FeedName(feed_id),
                       [&](Session& s) { return LoadFeed(s, sessions_.dialect(), feed_id); });
}

Result<std::vector<FeedRecord>> SqlFeedStore::GetFeeds(const std::vector<int64_t>& feed_ids) {
  return sessions_.Run("get feeds", [&](Session& s) -> Result<std::vector<FeedRecord>> {
    std::vector<FeedRecord> found;
    found.reserve(feed_ids.size());
    if (SqliteStatements* prepared = sessions_.sqlite_statements(); prepared != nullptr) {
      // SQLite: one prepared query for any number of ids, given as a JSON array.
      static const std::string kSelect = "SELECT " + std::string(kFeedColumns) +
                                         " WHERE f.id IN (SELECT value FROM json_each(?1))";
      std::string ids = "[";
      for (const int64_t id : feed_ids) {
        if (ids.size() > 1) ids += ',';
        ids += std::to_string(id);
      }
      ids += ']';
      SqliteStatement select = prepared->Get(kSelect);
      select.Bind(1, ids);
      while (select.Next()) {
        SqliteRowReader reader(select);
        VisitColumns(found.emplace_back(), reader);
      }
      return found;
    }
    for (size_t begin = 0; begin < feed_ids.size(); begin += kFeedsPerQuery) {
      const size_t end = std::min(feed_ids.size(), begin + kFeedsPerQuery);
      std::string sql = "SELECT " + std::string(kFeedColumns) + " WHERE f.id IN (?";
      for (size_t i = begin + 1; i < end; ++i) sql += ", ?";
      sql += ")";
      std::vector<FeedRecord> rows;
      Poco::Data::Statement select(s);
      select << sessions_.dialect().Native(sql), into(rows);
      for (size_t i = begin; i < end; ++i) select.addBind(bind(feed_ids[i]));
      select.execute();
      for (FeedRecord& row : rows) found.push_back(std::move(row));
    }
    return found;
  });
}

Result<FeedRecord> SqlFeedStore::FindFeed(std::string_view url_or_nickname) {
  const std::string key(url_or_nickname);
  return sessions_.Run("find feed " + key, [&](Session& s) -> Result<FeedRecord> {
    std::vector<FeedRecord> rows;
    s << sessions_.dialect().Native("SELECT " + std::string(kFeedColumns) +
                                    " WHERE f.url = ? OR a.nickname = ? ORDER BY f.id LIMIT 1"),
        into(rows), bind(key), bind(key), now;
    if (rows.empty()) return Status::NotFound("store: no feed with URL or nickname " + key);
    return std::move(rows.front());
  });
}

Result<FeedRecord> SqlFeedStore::FindFeedByAccount(int64_t account_id) {
  const std::string name = "account " + std::to_string(account_id);
  return sessions_.Run("find feed of " + name, [&](Session& s) -> Result<FeedRecord> {
    std::vector<FeedRecord> rows;
    s << sessions_.dialect().Native("SELECT " + std::string(kFeedColumns) +
                                    " WHERE f.account_id = ? ORDER BY f.id LIMIT 1"),
        into(rows), bind(account_id), now;
    if (rows.empty()) return Status::NotFound("store: no feed of " + name);
    return std::move(rows.front());
  });
}

Result<std::vector<FeedRecord>> SqlFeedStore::ListFeeds(int64_t after_id, size_t limit) {
  return sessions_.Run("list feeds", [&](Session& s) -> Result<std::vector<FeedRecord>> {
    std::vector<FeedRecord> rows;
    s << sessions_.dialect().Native("SELECT " + std::string(kFeedColumns) +
                                    " WHERE f.id > ? ORDER BY f.id LIMIT ?"),
        into(rows), bind(after_id), bind(static_cast<int64_t>(limit)), now;
    return rows;
  });
}

Result<int64_t> SqlFeedStore::CountFeeds() {
  return sessions_.Run("count feeds", [&](Session& s) -> Result<int64_t> {
    int64_t n = 0;
    s << "SELECT COUNT(*) FROM feeds", into(n), now;
    return n;
  });
}

Status SqlFeedStore::SaveFetchState(int64_t feed_id, const FetchState& state) {
  return sessions_.Run("save fetch state of " + FeedName(feed_id),
                       [&](Session& s) { return WriteFetchState(s, sessions_, feed_id, state); });
}

Status SqlFeedStore::SaveFetchStates(const std::vector<FeedFetchState>& states) {
  if (states.empty()) return Status::Ok();
  return sessions_.Transact("save fetch state of " + std::to_string(states.size()) + " feeds",
                            [&](Session& s) {
                              WriteFetchStates(s, sessions_, states);
                              return Status::Ok();
                            });
}

Status SqlFeedStore::RemoveFeed(int64_t feed_id) {
  const SqlDialect& d = sessions_.dialect();
  return sessions_.Transact("remove " + FeedName(feed_id), [&](Session& s) {
    std::vector<int64_t> account;
    s << d.Native("SELECT account_id FROM feeds WHERE id = ?"), into(account), bind(feed_id), now;
    if (account.empty()) return Status::NotFound("store: " + FeedName(feed_id) + " not found");
    // Explicit, child tables first, rather than trusting ON DELETE CASCADE alone: SQLite
    // enforces foreign keys only on connections that turned them on.
    s << d.Native("DELETE FROM notices WHERE account_id = ?"), bind(account.front()), now;
    s << d.Native("DELETE FROM entries WHERE feed_id = ?"), bind(feed_id), now;
    s << d.Native("DELETE FROM feeds WHERE id = ?"), bind(feed_id), now;
    s << d.Native("DELETE FROM accounts WHERE id = ?"), bind(account.front()), now;
    return Status::Ok();
  });
}

}  // namespace feedbridge::store
