#pragma once

// Where the store tests get a fresh, empty database from: a SQLite file in a temp dir, or a
// new database on the PostgreSQL server shared by this test binary.

#include <string>

#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

namespace feedbridge::store {

enum class Backend { kSqlite, kPostgres };

// The server shared by the whole binary, started on first use and stopped at exit. Throws
// std::runtime_error (with why) if it cannot start.
testing::PostgresServer& SharedPostgres();

// A URL for OpenDatabase naming a database nobody used yet. Throws std::runtime_error.
std::string FreshDatabaseUrl(Backend backend, const testing::TempDir& dir);

}  // namespace feedbridge::store
