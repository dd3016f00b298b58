#include "tests/store/test_databases.h"

#include <memory>
#include <stdexcept>

namespace feedbridge::store {

testing::PostgresServer& SharedPostgres() {
  // Started once: initdb and start take seconds. A failure is remembered so that every
  // PostgreSQL test fails with the same clear reason instead of retrying.
  static std::string error;
  static std::unique_ptr<testing::PostgresServer> server;
  if (!server && error.empty()) {
    try {
      server = std::make_unique<testing::PostgresServer>();
    } catch (const std::runtime_error& e) {
      error = e.what();
    }
  }
  if (!server) throw std::runtime_error(error);
  if (!server->running()) server->Start();  // A test stopped it.
  return *server;
}

std::string FreshDatabaseUrl(Backend backend, const testing::TempDir& dir) {
  if (backend == Backend::kSqlite)
    return "sqlite:" + (dir.path() / "db" / "feedbridge.db").string();
  return SharedPostgres().CreateDatabase();
}

}  // namespace feedbridge::store
