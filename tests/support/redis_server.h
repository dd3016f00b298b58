#pragma once

// A private redis-server for a test: in a temp dir, on a unix socket or a free loopback port.

#include <filesystem>
#include <memory>
#include <string>

#include "common/status.h"
#include "queue/redis_server_process.h"
#include "tests/support/temp_dir.h"

namespace feedbridge::testing {

// A free TCP port on 127.0.0.1 (bound to port 0, read back, closed). Another process may take it
// before it is used: callers retry. Throws std::runtime_error if no socket can be bound.
int FreeLoopbackPort();

// Starts at construction (throws std::runtime_error if it cannot), stops in the destructor. The
// data (append-only file) stays across Stop/Start and Restart. Not thread-safe.
class RedisTestServer {
 public:
  enum class Transport { kUnixSocket, kTcp };

  explicit RedisTestServer(Transport transport = Transport::kUnixSocket);
  ~RedisTestServer();
  RedisTestServer(const RedisTestServer&) = delete;
  RedisTestServer& operator=(const RedisTestServer&) = delete;

  // "unix:DIR/redis.sock" or "redis://127.0.0.1:PORT"; the same across restarts.
  std::string url() const;
  // Starts it again after Stop or Kill, on the same port and dir.
  Status Start();
  void Stop();  // SIGTERM: a clean shutdown.
  void Kill();  // SIGKILL: a crash.
  Status Restart();
  const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  TempDir dir_;
  const Transport transport_;
  int port_ = 0;
  std::unique_ptr<queue::RedisServerProcess> process_;  // Declared after dir_: stops first.
};

}  // namespace feedbridge::testing
