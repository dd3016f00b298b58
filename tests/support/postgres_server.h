#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace feedbridge::testing {

// A throwaway PostgreSQL 15 server (/usr/lib/postgresql/15/bin) in a fresh directory under
// /tmp, listening only on a unix socket in that directory (no TCP). As root (CI) the server
// runs as the `postgres` system user through runuser, since PostgreSQL refuses root. The
// destructor stops it (immediate) and removes the directory. Starting takes a few seconds:
// share one per test binary. Not thread-safe.
class PostgresServer {
 public:
  // Runs initdb and starts the server. Throws std::runtime_error with the reason (binaries
  // missing, no `postgres` user, initdb or pg_ctl failing with their output).
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // Creates a new empty database and returns its URL for store::OpenDatabase:
  // "postgresql:host=DIR dbname=NAME user=postgres". Throws std::runtime_error.
  std::string CreateDatabase();

  // Stops the server at once (as a crash would) / starts it again on the same data. Throw
  // std::runtime_error.
  void Stop();
  void Start();
  bool running() const { return running_; }

  const std::filesystem::path& dir() const { return dir_; }

 private:
  // Runs a PostgreSQL binary (as `postgres` when we are root) and waits; throws with its
  // output if it fails.
  void RunTool(const std::string& tool, std::vector<std::string> args, bool as_server_user);

  std::filesystem::path dir_;
  bool running_ = false;
  int databases_created_ = 0;
};

}  // namespace feedbridge::testing
