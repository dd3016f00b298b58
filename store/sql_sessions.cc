#include "store/sql_sessions.h"

#include <sys/stat.h>

#include <charconv>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include "Poco/Data/DataException.h"
#include "Poco/Data/PostgreSQL/Connector.h"
#include "Poco/Data/PostgreSQL/PostgreSQLException.h"
#include "Poco/Data/SQLite/Connector.h"
#include "Poco/Data/SQLite/SQLiteException.h"
#include "Poco/Data/SQLite/Utility.h"

namespace feedbridge::store {
namespace {

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

constexpr std::string_view kSqlitePrefix = "sqlite:";
constexpr std::string_view kPostgresPrefix = "postgresql:";
constexpr int kConnectTimeoutSeconds = 10;
constexpr int kMaxPooledSessions = 16;
constexpr int kPoolIdleSeconds = 60;

void RegisterConnectors() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
  });
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

Result<SqlTarget> ParseSqlite(std::string_view rest, std::string_view url) {
  SqlTarget t;
  t.dialect = &SqlDialect::Sqlite();
  if (rest.starts_with("//")) rest.remove_prefix(2);  // sqlite:///abs/path
  const size_t q = rest.find('?');
  std::string_view path = rest.substr(0, q);
  if (q != std::string_view::npos) {
    std::string_view query = rest.substr(q + 1);
    constexpr std::string_view kBusy = "busy_timeout_ms=";
    if (!query.starts_with(kBusy)) {
      return Status::InvalidArgument("store: " + std::string(url) +
                                     ": unknown option (known: busy_timeout_ms)");
    }
    query.remove_prefix(kBusy.size());
    const auto [end, ec] =
        std::from_chars(query.data(), query.data() + query.size(), t.busy_timeout_ms);
    if (ec != std::errc() || end != query.data() + query.size() || t.busy_timeout_ms < 0) {
      return Status::InvalidArgument("store: " + std::string(url) + ": bad busy_timeout_ms");
    }
  }
  if (path.empty()) return Status::InvalidArgument("store: " + std::string(url) + ": no path");
  t.connection = std::string(path);
  return t;
}

// %XX escapes of a URI component.
Result<std::string> PercentDecode(std::string_view in, std::string_view url) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    unsigned value = 0;
    if (i + 3 > in.size() ||
        std::from_chars(in.data() + i + 1, in.data() + i + 3, value, 16).ptr != in.data() + i + 3) {
      return Status::InvalidArgument("store: " + std::string(url) + ": bad %-escape");
    }
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

// libpq key=value syntax: quoted when empty or holding spaces, quotes or backslashes.
std::string KeyValue(std::string_view key, std::string_view value) {
  std::string out(key);
  out += '=';
  if (!value.empty() && value.find_first_of(" '\\") == std::string_view::npos) {
    out += value;
    return out;
  }
  out += '\'';
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

// POCO's PostgreSQL connector takes only key=value strings, so the URI form
// postgresql://[user[:password]@][host][:port][/dbname][?key=value&...] (libpq 34.1.1.2) is
// turned into one here.
Result<std::string> PostgresUriToKeyValue(std::string_view url) {
  std::string_view rest = url.substr(url.find("://") + 3);
  std::vector<std::pair<std::string, std::string_view>> parts;  // Percent-decoded later.
  std::string_view query;
  if (const size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view authority = rest.substr(0, rest.find('/'));
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) {
    if (slash + 1 < rest.size()) parts.emplace_back("dbname", rest.substr(slash + 1));
  }
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const size_t colon = userinfo.find(':');
    parts.emplace_back("user", userinfo.substr(0, colon));
    if (colon != std::string_view::npos) parts.emplace_back("password", userinfo.substr(colon + 1));
  }
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {  // [IPv6]:port
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("store: " + std::string(url) + ": unclosed [");
    }
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      port = authority.substr(close + 2);
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (!host.empty()) parts.emplace_back("host", host);
  if (!port.empty()) parts.emplace_back("port", port);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Status::InvalidArgument("store: " + std::string(url) + ": bad parameter " +
                                     std::string(pair));
    }
    parts.emplace_back(std::string(pair.substr(0, eq)), pair.substr(eq + 1));
  }
  std::string out;
  for (const auto& [key, raw] : parts) {
    Result<std::string> value = PercentDecode(raw, url);
    if (!value.ok()) return value.status();
    if (!out.empty()) out += ' ';
    out += KeyValue(key, *value);
  }
  return out;
}

}  // namespace

Result<SqlTarget> ParseDatabaseUrl(std::string_view url) {
  if (url.starts_with(kSqlitePrefix)) return ParseSqlite(url.substr(kSqlitePrefix.size()), url);
  const bool uri = url.starts_with("postgresql://") || url.starts_with("postgres://");
  if (!uri && !url.starts_with(kPostgresPrefix)) {
    return Status::InvalidArgument("store: unsupported database URL \"" + std::string(url) +
                                   "\" (want sqlite:PATH or postgresql://...)");
  }
  SqlTarget t;
  t.dialect = &SqlDialect::Postgres();
  if (uri) {
    Result<std::string> key_value = PostgresUriToKeyValue(url);
    if (!key_value.ok()) return key_value.status();
    t.connection = std::move(*key_value);
  } else {
    t.connection = std::string(url.substr(kPostgresPrefix.size()));
  }
  if (t.connection.empty()) {
    return Status::InvalidArgument("store: " + std::string(url) + ": empty connection string");
  }
  // Otherwise POCO adds its own (60 s).
  if (!Contains(t.connection, "connect_timeout")) {
    t.connection += " connect_timeout=" + std::to_string(kConnectTimeoutSeconds);
  }
  return t;
}

Result<std::unique_ptr<SqlSessions>> SqlSessions::Open(const SqlTarget& target) {
  RegisterConnectors();
  const SqlDialect& d = *target.dialect;
  if (d.backend == SqlBackend::kSqlite) {
    const std::filesystem::path path(target.connection);
    std::unique_ptr<SqlSessions> db(new SqlSessions(d, "SQLite database " + path.string()));
    if (path.has_parent_path()) {
      std::error_code ec;
      std::filesystem::create_directories(path.parent_path(), ec);
      if (ec) {
        return Status::Unavailable("store: cannot create directory " + path.parent_path().string() +
                                   ": " + ec.message());
      }
    }
    if (std::filesystem::is_directory(path)) {
      return Status::Unavailable("store: open: " + path.string() + " is a directory, not a file");
    }
    try {
      // POCO's own timeout is whole seconds (and 60 by default): keep it near ours; the
      // busy_timeout pragma below sets the exact value.
      const size_t poco_timeout_s = static_cast<size_t>(target.busy_timeout_ms / 1000 + 1);
      auto session = std::make_unique<Poco::Data::Session>(std::string(d.connector), path.string(),
                                                           poco_timeout_s);
      std::string mode;
      *session << "PRAGMA journal_mode = WAL", into(mode), now;
      int timeout = 0;
      *session << "PRAGMA busy_timeout = " + std::to_string(target.busy_timeout_ms), into(timeout),
          now;
      *session << "PRAGMA foreign_keys = ON", now;
      // WAL with synchronous=NORMAL: a committed transaction survives a crash of the process
      // (the poller's crash-safety promise), only an OS crash or power loss may lose the last
      // commits; the database is never corrupted. FULL would fsync on every poll.
      *session << "PRAGMA synchronous = NORMAL", now;
      db->sqlite_statements_ =
          std::make_unique<SqliteStatements>(Poco::Data::SQLite::Utility::dbHandle(*session));
      db->sqlite_ = std::move(session);
      struct stat st {};
      if (stat(path.c_str(), &st) != 0) {
        return Status::Unavailable("store: open: SQLite database " + path.string() +
                                   " was not created");
      }
      db->sqlite_path_ = path.string();
      db->sqlite_device_ = st.st_dev;
      db->sqlite_inode_ = st.st_ino;
    } catch (const Poco::Exception& e) {
      return db->MapError(e, "open", false);
    }
    return db;
  }
  std::unique_ptr<SqlSessions> db(new SqlSessions(d, "PostgreSQL database"));
  try {
    db->pool_ = std::make_unique<Poco::Data::SessionPool>(
        std::string(d.connector), target.connection, 1, kMaxPooledSessions, kPoolIdleSeconds);
    Poco::Data::Session probe = db->pool_->get();  // Fail now, not at the first query.
  } catch (const Poco::Exception& e) {
    return db->MapError(e, "open", false);
  }
  return db;
}

SqlSessions::SqlSessions(const SqlDialect& dialect, std::string description)
    : dialect_(dialect), description_(std::move(description)) {}

SqlSessions::~SqlSessions() {
  if (pool_) pool_->shutdown();
}

SqlSessions::Lease SqlSessions::Acquire() {
  if (pool_) return Lease(std::unique_lock<std::mutex>(), pool_->get());
  std::unique_lock<std::mutex> lock(mu_);
  Poco::Data::Session s = *sqlite_;
  return Lease(std::move(lock), std::move(s));
}

void SqlSessions::Begin(Poco::Data::Session& s) {
  if (sqlite_statements_ != nullptr) {
    sqlite_statements_->Get(std::string(dialect_.begin)).Execute();  // Parsed once.
  } else if (dialect_.begin.empty()) {
    s.begin();
  } else {
    s << std::string(dialect_.begin), now;
  }
}

void SqlSessions::Commit(Poco::Data::Session& s) {
  if (sqlite_statements_ != nullptr) {
    sqlite_statements_->Get("COMMIT").Execute();
  } else if (dialect_.begin.empty()) {
    s.commit();
  } else {
    s << "COMMIT", now;
  }
}

void SqlSessions::Rollback(Poco::Data::Session& s) noexcept {
  // The error that made us roll back is the one reported. A failing rollback means the
  // connection is gone (the server ends the transaction) or SQLite already rolled back.
  try {
    if (dialect_.begin.empty()) {
      s.rollback();
    } else {
      s << "ROLLBACK", now;
    }
  } catch (const Poco::Exception&) {
  }
}

Status SqlSessions::CheckFile(std::string_view what) const {
  if (sqlite_path_.empty()) return Status::Ok();
  struct stat st {};
  if (stat(sqlite_path_.c_str(), &st) != 0 || st.st_dev != sqlite_device_ ||
      st.st_ino != sqlite_inode_) {
    return Status::Unavailable("store: " + std::string(what) + ": SQLite database " + sqlite_path_ +
                               " was deleted or replaced after it was opened");
  }
  return Status::Ok();
}

bool SqlSessions::IsConnected(Poco::Data::Session& s) noexcept {
  try {
    return s.isConnected();
  } catch (const Poco::Exception&) {
    return false;
  }
}

Status SqlSessions::MapError(const Poco::Exception& e, std::string_view what,
                             bool connected) const {
  namespace sqlite = Poco::Data::SQLite;
  namespace pg = Poco::Data::PostgreSQL;
  const std::string prefix = "store: " + std::string(what) + ": ";
  const std::string text = e.displayText();
  if (dynamic_cast<const sqlite::DBLockedException*>(&e) != nullptr ||
      dynamic_cast<const sqlite::TableLockedException*>(&e) != nullptr) {
    return Status::Unavailable(prefix + description_ + " is locked past the busy timeout: " + text);
  }
  if (dynamic_cast<const sqlite::ReadOnlyException*>(&e) != nullptr) {
    return Status::Unavailable(prefix + description_ +
                               " is read-only, or its file was moved or deleted: " + text);
  }
  if (dynamic_cast<const sqlite::CantOpenDBFileException*>(&e) != nullptr ||
      dynamic_cast<const sqlite::IOErrorException*>(&e) != nullptr ||
      dynamic_cast<const sqlite::DatabaseFullException*>(&e) != nullptr ||
      dynamic_cast<const sqlite::DBAccessDeniedException*>(&e) != nullptr) {
    return Status::Unavailable(prefix + description_ + " cannot be used: " + text);
  }
  // Unique violations: SQLite says "UNIQUE constraint failed", PostgreSQL "duplicate key value
  // violates unique constraint" (SQLSTATE 23505).
  if (Contains(text, "UNIQUE constraint failed") || Contains(text, "duplicate key value") ||
      Contains(text, "23505")) {
    return Status::AlreadyExists(prefix + text);
  }
  if (dynamic_cast<const pg::ConnectionException*>(&e) != nullptr ||
      dynamic_cast<const Poco::Data::ConnectionFailedException*>(&e) != nullptr ||
      dynamic_cast<const Poco::Data::NotConnectedException*>(&e) != nullptr ||
      dynamic_cast<const Poco::Data::SessionUnavailableException*>(&e) != nullptr ||
      dynamic_cast<const Poco::Data::SessionPoolExhaustedException*>(&e) != nullptr ||
      (dialect_.backend == SqlBackend::kPostgres && !connected)) {
    return Status::Unavailable(prefix + description_ + " unreachable: " + text);
  }
  return Status::Internal(prefix + text);
}

}  // namespace feedbridge::store
