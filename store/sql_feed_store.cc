#include "store/sql_feed_store.h"

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

constexpr size_t kMaxNicknameLength = 64;

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

}  // namespace

bool IsValidNickname(std::string_view nickname) {
  if (nickname.empty() || nickname.size() > kMaxNicknameLength) return false;
  for (char c : nickname) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) return false;
  }
  return true;
}

Status WriteFetchState(Session& s, const SqlDialect& d, int64_t feed_id, const FetchState& state) {
  Poco::Data::Statement update(s);
  update << d.Native(
      "UPDATE feeds SET url = ?, title = ?, description = ?, site_url = ?, icon_url = ?,"
      " etag = ?, last_modified = ?, last_http_status = ?, last_error = ?,"
      " consecutive_failures = ?, last_polled_at = ?, last_success_at = ?,"
      " failing_since = ?, next_poll_at = ?, disabled_reason = ? WHERE id = ?"),
      bind(state.url), bind(state.title), bind(state.description), bind(state.site_url),
      bind(state.icon_url), bind(state.etag), bind(state.last_modified),
      bind(int64_t{state.last_http_status}), bind(state.last_error),
      bind(int64_t{state.consecutive_failures}), bind(ToNullableMillis(state.last_polled_at)),
      bind(ToNullableMillis(state.last_success_at)), bind(ToNullableMillis(state.failing_since)),
      bind(ToNullableMillis(state.next_poll_at)), bind(state.disabled_reason), bind(feed_id);
  if (update.execute() == 0) return Status::NotFound("store: " + FeedName(feed_id) + " not found");
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
  return sessions_.Run("save fetch state of " + FeedName(feed_id), [&](Session& s) {
    return WriteFetchState(s, sessions_.dialect(), feed_id, state);
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
