#pragma once

// A thread-safe connection to one Redis server (hiredis underneath, never in this header).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace feedbridge::queue {

// One Redis reply, owned. Strings are binary-safe (may hold NULs).
struct Reply {
  enum class Type { kNil, kString, kStatus, kInteger, kArray, kError };
  Type type = Type::kNil;
  std::string str;              // kString, kStatus and kError (the message).
  int64_t integer = 0;          // kInteger.
  std::vector<Reply> elements;  // kArray.

  bool is_nil() const { return type == Type::kNil; }
  bool is_array() const { return type == Type::kArray; }
};

// Where the server is: `redis://HOST[:PORT][/DB]` (port 6379 by default) or `unix:PATH`.
struct RedisAddress {
  std::string host;  // Empty for a unix socket.
  int port = 6379;
  std::string unix_path;  // Empty for TCP.
  int db = 0;
};

// Parses a Redis URL. InvalidArgument "queue: redis url ...: ..." when it is malformed.
Result<RedisAddress> ParseRedisUrl(std::string_view url);

struct RedisConnectionOptions {
  std::string url;                                  // See ParseRedisUrl.
  std::chrono::milliseconds connect_timeout{2000};  // Per connection attempt.
  std::chrono::milliseconds command_timeout{5000};  // Per command, on top of any blocking wait.
  size_t max_idle_connections = 8;                  // Idle connections kept for reuse.
};

// A Lua script run with EVALSHA (EVAL when the server lost its script cache). Immutable.
struct RedisScript {
  std::string name;  // For error messages: "queue: redis script enqueue: ...".
  std::string source;
};

// A small pool of hiredis contexts: each call borrows one, so a blocking command (XREADGROUP
// BLOCK) holds up no other caller. A context that fails (err != 0, hiredis README) is dropped; the
// next call connects again. Thread-safe. Copying is deleted.
//
// Ignores SIGPIPE process-wide if it still has its default action (writing to a socket the
// server closed must fail with EPIPE, not kill the process).
class RedisConnection {
 public:
  // Checks the URL only; connects on first use, so a Redis that is still starting is no error.
  static Result<std::unique_ptr<RedisConnection>> Open(RedisConnectionOptions options);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Runs one command; argv items are binary-safe. `blocking` is how long the server may hold
  // the command (BLOCK ms) and extends the timeout. A failure on a reused connection that the
  // server closed (it restarted) is retried once on a fresh connection.
  // Errors: Unavailable "queue: redis CMD: ..." when the server cannot be reached or the
  // connection fails or times out; Internal "queue: redis CMD: <error reply>" for an error reply
  // (nested error replies inside arrays stay Reply::Type::kError elements).
  Result<Reply> Command(const std::vector<std::string>& argv,
                        std::chrono::milliseconds blocking = std::chrono::milliseconds(0));

  // EVALSHA script keys args; EVAL on NOSCRIPT. Errors as Command.
  Result<Reply> Eval(const RedisScript& script, const std::vector<std::string>& keys,
                     const std::vector<std::string>& args);

  // PING. Unavailable when the server cannot be reached.
  Status Ping();

  const std::string& url() const { return options_.url; }

 private:
  struct State;  // The pool and the script cache (hiredis types stay in the .cc).

  RedisConnection(RedisConnectionOptions options, RedisAddress address);

  const RedisConnectionOptions options_;
  const RedisAddress address_;
  std::unique_ptr<State> state_;
};

}  // namespace feedbridge::queue
