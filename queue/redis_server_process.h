#pragma once

// A private redis-server child process: `feedbridge serve` starts one in data/redis when no
// Redis is configured, and the test fixture starts one per test.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "common/result.h"

namespace feedbridge::queue {

struct RedisServerOptions {
  std::filesystem::path dir;                       // Data dir (append-only file) and redis.sock.
  int tcp_port = 0;                                // 0: unix socket only; else also 127.0.0.1:PORT.
  std::string executable = "redis-server";         // Looked up in PATH.
  std::chrono::milliseconds start_timeout{10000};  // Until it answers PING.
  std::chrono::milliseconds stop_timeout{5000};    // After SIGTERM, before SIGKILL.
};

// Owns the child: Stop() or the destructor ends it. Not thread-safe. Copying is deleted.
class RedisServerProcess {
 public:
  // Creates `dir`, spawns redis-server (log in DIR/redis.log) and waits until it answers PING.
  // FailedPrecondition if a server already answers on DIR/redis.sock (two processes must not
  // share one data dir); InvalidArgument if the socket path is too long; Unavailable if it
  // cannot be spawned, exits, or does not answer within start_timeout.
  static Result<std::unique_ptr<RedisServerProcess>> Start(RedisServerOptions options);
  ~RedisServerProcess();
  RedisServerProcess(const RedisServerProcess&) = delete;
  RedisServerProcess& operator=(const RedisServerProcess&) = delete;

  // SIGTERM (redis-server flushes the append-only file), waits stop_timeout, then SIGKILL.
  // Idempotent.
  void Stop();
  // SIGKILL at once, as a crash would. Idempotent.
  void Kill();
  pid_t pid() const { return pid_; }  // 0 once stopped.
  bool running() const { return pid_ > 0; }

  // "unix:DIR/redis.sock".
  std::string url() const;
  // "redis://127.0.0.1:PORT", or empty when TCP is off.
  std::string tcp_url() const;
  const RedisServerOptions& options() const { return options_; }

 private:
  RedisServerProcess(RedisServerOptions options, pid_t pid);

  const RedisServerOptions options_;
  pid_t pid_;  // 0 once reaped.
};

}  // namespace feedbridge::queue
