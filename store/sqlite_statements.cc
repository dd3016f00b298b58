#include "store/sqlite_statements.h"

#include <sqlite3.h>

#include "Poco/Data/SQLite/Utility.h"

namespace feedbridge::store {

SqliteStatements::~SqliteStatements() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
}

SqliteStatement SqliteStatements::Get(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      Poco::Data::SQLite::Utility::throwException(db_, rc, sql);
    }
    it = cache_.emplace(sql, stmt).first;
  }
  return SqliteStatement(db_, it->second);
}

SqliteStatement::~SqliteStatement() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void SqliteStatement::Check(int rc) const {
  if (rc != SQLITE_OK) Poco::Data::SQLite::Utility::throwException(db_, rc);
}

void SqliteStatement::Bind(int pos, int64_t value) { Check(sqlite3_bind_int64(stmt_, pos, value)); }

void SqliteStatement::Bind(int pos, std::string_view value) {
  // Copied: callers may bind temporaries.
  Check(sqlite3_bind_text64(stmt_, pos, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

void SqliteStatement::Bind(int pos, const Poco::Nullable<int64_t>& value) {
  if (value.isNull()) {
    Check(sqlite3_bind_null(stmt_, pos));
  } else {
    Bind(pos, value.value());
  }
}

void SqliteStatement::Bind(int pos, const Poco::Nullable<std::string>& value) {
  if (value.isNull()) {
    Check(sqlite3_bind_null(stmt_, pos));
  } else {
    Bind(pos, std::string_view(value.value()));
  }
}

int64_t SqliteStatement::Execute() {
  const int rc = sqlite3_step(stmt_);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) Poco::Data::SQLite::Utility::throwException(db_, rc);
  return sqlite3_changes64(db_);
}

bool SqliteStatement::Next() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Poco::Data::SQLite::Utility::throwException(db_, rc);
  return false;
}

bool SqliteStatement::IsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

int64_t SqliteStatement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string SqliteStatement::Text(int col) const {
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

}  // namespace feedbridge::store
