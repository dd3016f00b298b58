#pragma once

// Sessions to one database, and the one place where POCO Data exceptions become a Status.
// Internal to store/.

#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "Poco/Data/Session.h"
#include "Poco/Data/SessionPool.h"
#include "Poco/Exception.h"
#include "common/result.h"
#include "store/sql_dialect.h"
#include "store/sqlite_statements.h"

namespace feedbridge::store {

// Where the database is, parsed from the URL given to OpenDatabase.
struct SqlTarget {
  const SqlDialect* dialect = nullptr;
  std::string connection;  // SQLite: a file path. PostgreSQL: a libpq connection string or URI.
  int busy_timeout_ms =
      5000;  // SQLite: how long a writer waits for the lock ("?busy_timeout_ms=").
};

// "sqlite:PATH[?busy_timeout_ms=N]", "postgresql://..." or "postgresql:" + libpq key=value.
// InvalidArgument for anything else.
Result<SqlTarget> ParseDatabaseUrl(std::string_view url);

// The Status of a Status or a Result, for code generic over both.
inline const Status& StatusOf(const Status& s) { return s; }
template <class T>
Status StatusOf(const Result<T>& r) {
  return r.status();
}

// Hands out sessions and runs work on them. Thread-safe. SQLite: one session behind a mutex (the
// file has one writer at a time anyway, and one connection keeps our own threads from meeting
// SQLITE_BUSY). PostgreSQL: a Poco::Data::SessionPool.
class SqlSessions {
 public:
  // Connects (SQLite: creates the parent directory and the file). Unavailable if it cannot.
  static Result<std::unique_ptr<SqlSessions>> Open(const SqlTarget& target);
  ~SqlSessions();
  SqlSessions(const SqlSessions&) = delete;
  SqlSessions& operator=(const SqlSessions&) = delete;

  const SqlDialect& dialect() const { return dialect_; }

  // SQLite: the connection's statements that are prepared once (see sqlite_statements.h).
  // Only inside Run/Transact, with the session they gave. Null for PostgreSQL.
  SqliteStatements* sqlite_statements() { return sqlite_statements_.get(); }

  // Runs fn(Poco::Data::Session&) -> Status or Result<T> on a session. A POCO exception becomes
  // "store: <what>: ..." with code Unavailable (connection lost, database locked past the busy
  // timeout, file unusable), AlreadyExists (unique constraint) or Internal.
  template <class Fn>
  auto Run(std::string_view what, Fn&& fn) -> std::invoke_result_t<Fn, Poco::Data::Session&> {
    return Guarded(what, false, std::forward<Fn>(fn));
  }
  // Like Run, inside one transaction: committed when fn returns OK, rolled back when it returns
  // an error or throws.
  template <class Fn>
  auto Transact(std::string_view what, Fn&& fn) -> std::invoke_result_t<Fn, Poco::Data::Session&> {
    return Guarded(what, true, std::forward<Fn>(fn));
  }

 private:
  // A session held for one call; for SQLite also the lock on the single session.
  class Lease {
   public:
    Lease(std::unique_lock<std::mutex> lock, Poco::Data::Session session)
        : lock_(std::move(lock)), session_(std::move(session)) {}
    Poco::Data::Session& session() { return session_; }

   private:
    std::unique_lock<std::mutex> lock_;
    Poco::Data::Session session_;  // Released before lock_.
  };

  SqlSessions(const SqlDialect& dialect, std::string description);

  Lease Acquire();  // Throws Poco::Exception.
  void Begin(Poco::Data::Session& s);
  void Commit(Poco::Data::Session& s);
  void Rollback(Poco::Data::Session& s) noexcept;
  Status MapError(const Poco::Exception& e, std::string_view what, bool connected) const;

  template <class Fn>
  auto Guarded(std::string_view what, bool transaction, Fn&& fn)
      -> std::invoke_result_t<Fn, Poco::Data::Session&> {
    using R = std::invoke_result_t<Fn, Poco::Data::Session&>;
    if (Status file = CheckFile(what); !file.ok()) return R(std::move(file));
    try {
      Lease lease = Acquire();
      Poco::Data::Session& s = lease.session();
      try {
        if (!transaction) return fn(s);
        Begin(s);
        R r = fn(s);
        if (StatusOf(r).ok()) {
          Commit(s);
        } else {
          Rollback(s);
        }
        return r;
      } catch (const Poco::Exception& e) {
        if (transaction) Rollback(s);
        return R(MapError(e, what, IsConnected(s)));
      } catch (const std::exception& e) {
        if (transaction) Rollback(s);
        return R(Status::Internal("store: " + std::string(what) + ": " + e.what()));
      }
    } catch (const Poco::Exception& e) {
      return R(MapError(e, what, false));
    }
  }

  static bool IsConnected(Poco::Data::Session& s) noexcept;
  // SQLite: Unavailable if the database file is gone or was replaced since it was opened
  // (SQLite would go on writing to the unlinked file and lose everything).
  Status CheckFile(std::string_view what) const;

  const SqlDialect& dialect_;
  const std::string description_;  // "SQLite database /x/y.db", "PostgreSQL database".
  std::mutex mu_;                  // SQLite: guards sqlite_.
  std::unique_ptr<Poco::Data::Session> sqlite_;    // Guarded by mu_. Null for PostgreSQL.
  std::unique_ptr<Poco::Data::SessionPool> pool_;  // Null for SQLite.
  // Guarded by mu_. Declared after sqlite_: finalized before the connection closes.
  std::unique_ptr<SqliteStatements> sqlite_statements_;
  std::string sqlite_path_;     // Empty for PostgreSQL.
  uint64_t sqlite_device_ = 0;  // Identity of the file opened.
  uint64_t sqlite_inode_ = 0;
};

}  // namespace feedbridge::store
