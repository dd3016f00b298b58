#pragma once

// Internal to store/: SQLite statements prepared once per connection and run again and again.
// POCO Data compiles a statement anew on every execution; on the poller's hot path (the fetch
// state of every 304) that parse cost more than the write itself. Used under SqlSessions' lock,
// like the connection itself.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "Poco/Nullable.h"

struct sqlite3;
struct sqlite3_stmt;

namespace feedbridge::store {

class SqliteStatement;

// The prepared statements of one connection. Not thread-safe: SqlSessions holds its lock.
class SqliteStatements {
 public:
  explicit SqliteStatements(sqlite3* db) : db_(db) {}
  ~SqliteStatements();  // Finalizes them; the connection must still be open.
  SqliteStatements(const SqliteStatements&) = delete;
  SqliteStatements& operator=(const SqliteStatements&) = delete;

  // The statement for `sql`, ready to bind (reset, no bindings). Throws the Poco::Data::SQLite
  // exception for SQLite's error, as POCO Data would.
  SqliteStatement Get(const std::string& sql);

 private:
  sqlite3* const db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// One use of a cached statement: bind (positions from 1), then Execute. Resets the statement
// when it goes out of scope. Throws like SqliteStatements::Get.
class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void Bind(int pos, int64_t value);
  void Bind(int pos, std::string_view value);
  void Bind(int pos, const std::string& value) { Bind(pos, std::string_view(value)); }
  void Bind(int pos, const Poco::Nullable<int64_t>& value);
  void Bind(int pos, const Poco::Nullable<std::string>& value);
  // Runs a statement that returns no rows; the number of rows it changed.
  int64_t Execute();
  // Steps a query: true when a row is there to read, false when there are no more.
  bool Next();
  // Columns of the current row, from 0. NULL reads as 0 / "".
  bool IsNull(int col) const;
  int64_t Int(int col) const;
  std::string Text(int col) const;

 private:
  void Check(int rc) const;
  sqlite3* const db_;
  sqlite3_stmt* const stmt_;
};

}  // namespace feedbridge::store
