#pragma once

// The schema, as an append-only list of numbered migrations. Internal to store/.

#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "store/sql_sessions.h"

namespace feedbridge::store {

// One step of the schema. Landed migrations are never edited; change the schema by appending.
// Statements are run one at a time; "{id}" stands for the dialect's auto-numbered key type.
struct Migration {
  int version;
  std::string_view name;
  std::vector<std::string_view> statements;
};

// All migrations, in version order (1, 2, ...).
const std::vector<Migration>& Migrations();

// Applies the migrations not yet recorded in schema_migrations, each in its own transaction,
// under a lock so that concurrent openers never apply one twice (PostgreSQL: an advisory
// lock; SQLite: BEGIN IMMEDIATE). Returns the schema version. FailedPrecondition if the
// database is newer than this binary; Internal if a migration fails; Unavailable.
Result<int> ApplyMigrations(SqlSessions& sessions, const Clock& clock);

}  // namespace feedbridge::store
