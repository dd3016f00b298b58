#include "queue/redis_connection.h"

#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/time.h>

#include <cerrno>
#include <charconv>
#include <mutex>
#include <unordered_map>

#include "common/c_ptr.h"

namespace feedbridge::queue {

namespace {

using ContextPtr = CPtr<redisContext, redisFree>;
using ReplyPtr = CPtr<redisReply, freeReplyObject>;

// Replies nest only as deep as our own commands make them (XAUTOCLAIM: 4); the limit stops a
// hostile or broken server from exhausting the stack through recursion.
constexpr int kMaxReplyDepth = 16;

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

Reply Convert(const redisReply& r, int depth) {
  Reply out;
  switch (r.type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::kError;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      if (depth >= kMaxReplyDepth) {
        out.type = Reply::Type::kError;
        out.str = "reply nested too deeply";
        break;
      }
      out.elements.reserve(r.elements);
      for (size_t i = 0; i < r.elements; ++i)
        out.elements.push_back(Convert(*r.element[i], depth + 1));
      break;
    default:
      out.type = Reply::Type::kNil;
      break;
  }
  return out;
}

// The command's name for messages; never its arguments (they may be large or binary).
std::string CommandName(const std::vector<std::string>& argv) {
  return argv.empty() ? std::string("(empty)") : argv[0];
}

// SIGPIPE's default action would kill the process when a command is written to a socket the
// server has closed; hiredis 0.14 writes with write(2), so the signal must be ignored.
void IgnoreSigpipeOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction current {};
    if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
      struct sigaction ignore {};
      ignore.sa_handler = SIG_IGN;
      sigemptyset(&ignore.sa_mask);
      sigaction(SIGPIPE, &ignore, nullptr);
    }
  });
}

// "queue: redis EVALSHA: ERR x" -> "queue: redis script enqueue: ERR x", same code.
Status ForScript(const Status& s, const std::string& script) {
  constexpr std::string_view kPrefix = "queue: redis ";
  std::string_view rest = s.message();
  if (rest.starts_with(kPrefix)) rest.remove_prefix(kPrefix.size());
  if (const size_t colon = rest.find(": "); colon != std::string_view::npos) {
    rest.remove_prefix(colon + 2);
  }
  std::string msg = "queue: redis script " + script + ": " + std::string(rest);
  return s.code() == Status::Code::kUnavailable ? Status::Unavailable(std::move(msg))
                                                : Status::Internal(std::move(msg));
}

}  // namespace

struct RedisConnection::State {
  std::mutex mu;
  std::vector<ContextPtr> idle;                       // Guarded by mu.
  std::unordered_map<std::string, std::string> shas;  // Script source -> SHA1. Guarded by mu.
};

Result<RedisAddress> ParseRedisUrl(std::string_view url) {
  const auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("queue: redis url " + std::string(url) + ": " +
                                   std::string(why));
  };
  RedisAddress a;
  if (url.starts_with("unix:")) {
    a.unix_path = std::string(url.substr(5));
    if (a.unix_path.starts_with("//")) a.unix_path.erase(0, 2);  // unix:///path
    if (a.unix_path.empty()) return bad("no socket path");
    return a;
  }
  if (!url.starts_with("redis://")) return bad("expected redis://HOST:PORT[/DB] or unix:PATH");
  std::string_view rest = url.substr(8);
  std::string_view db;
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) {
    db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  if (rest.find('@') != std::string_view::npos) return bad("credentials are not supported");
  std::string_view host = rest;
  if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    const std::string_view port = rest.substr(colon + 1);
    const auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), a.port);
    if (ec != std::errc() || p != port.data() + port.size() || a.port < 1 || a.port > 65535) {
      return bad("bad port");
    }
  }
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  if (host.empty()) return bad("no host");
  a.host = std::string(host);
  if (!db.empty()) {
    const auto [p, ec] = std::from_chars(db.data(), db.data() + db.size(), a.db);
    if (ec != std::errc() || p != db.data() + db.size() || a.db < 0)
      return bad("bad database number");
  }
  return a;
}

Result<std::unique_ptr<RedisConnection>> RedisConnection::Open(RedisConnectionOptions options) {
  Result<RedisAddress> address = ParseRedisUrl(options.url);
  if (!address.ok()) return address.status();
  IgnoreSigpipeOnce();
  return std::unique_ptr<RedisConnection>(
      new RedisConnection(std::move(options), std::move(address).value()));
}

RedisConnection::RedisConnection(RedisConnectionOptions options, RedisAddress address)
    : options_(std::move(options)),
      address_(std::move(address)),
      state_(std::make_unique<State>()) {}

RedisConnection::~RedisConnection() = default;

namespace {

Result<ContextPtr> ConnectTo(const RedisAddress& a, const RedisConnectionOptions& o) {
  const timeval connect_tv = ToTimeval(o.connect_timeout);
  ContextPtr c(a.unix_path.empty() ? redisConnectWithTimeout(a.host.c_str(), a.port, connect_tv)
                                   : redisConnectUnixWithTimeout(a.unix_path.c_str(), connect_tv));
  if (c == nullptr) return Status::Unavailable("queue: redis " + o.url + ": out of memory");
  if (c->err != 0) {
    return Status::Unavailable("queue: redis " + o.url + ": connect: " + std::string(c->errstr));
  }
  if (redisSetTimeout(c.get(), ToTimeval(o.command_timeout)) != REDIS_OK) {
    return Status::Unavailable("queue: redis " + o.url +
                               ": set timeout: " + std::string(c->errstr));
  }
  if (a.db != 0) {
    const std::string db = std::to_string(a.db);
    const char* argv[] = {"SELECT", db.c_str()};
    const size_t lens[] = {6, db.size()};
    ReplyPtr r(static_cast<redisReply*>(redisCommandArgv(c.get(), 2, argv, lens)));
    if (r == nullptr || c->err != 0) {
      return Status::Unavailable("queue: redis " + o.url + ": SELECT: " + std::string(c->errstr));
    }
    if (r->type == REDIS_REPLY_ERROR) {
      return Status::Internal("queue: redis " + o.url + ": SELECT: " + std::string(r->str, r->len));
    }
  }
  return c;
}

}  // namespace

Result<Reply> RedisConnection::Command(const std::vector<std::string>& argv,
                                       std::chrono::milliseconds blocking) {
  const std::string name = CommandName(argv);
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  ptrs.reserve(argv.size());
  lens.reserve(argv.size());
  for (const std::string& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  for (int attempt = 0;; ++attempt) {
    ContextPtr c;
    bool reused = false;
    {
      std::lock_guard lock(state_->mu);
      if (!state_->idle.empty()) {
        c = std::move(state_->idle.back());
        state_->idle.pop_back();
        reused = true;
      }
    }
    if (c == nullptr) {
      Result<ContextPtr> fresh = ConnectTo(address_, options_);
      if (!fresh.ok()) return fresh.status();
      c = std::move(fresh).value();
    }
    if (blocking.count() > 0)
      redisSetTimeout(c.get(), ToTimeval(options_.command_timeout + blocking));
    errno = 0;
    ReplyPtr r(static_cast<redisReply*>(
        redisCommandArgv(c.get(), static_cast<int>(ptrs.size()), ptrs.data(), lens.data())));
    const int saved_errno = errno;
    if (r == nullptr || c->err != 0) {
      // The context is unusable now (hiredis README): drop it. A reused connection the server
      // closed (EOF, reset, broken pipe: it restarted) never delivered the command, so one retry
      // on a fresh connection is safe. A timeout is not retried: the command may have run.
      const bool closed =
          c->err == REDIS_ERR_EOF ||
          (c->err == REDIS_ERR_IO && (saved_errno == ECONNRESET || saved_errno == EPIPE));
      const std::string why = c->errstr[0] != '\0' ? std::string(c->errstr) : "no reply";
      if (reused && closed && attempt == 0) continue;
      const bool timed_out = saved_errno == EAGAIN || saved_errno == EWOULDBLOCK;
      return Status::Unavailable("queue: redis " + name + ": " + (timed_out ? "timed out" : why));
    }
    if (blocking.count() > 0) redisSetTimeout(c.get(), ToTimeval(options_.command_timeout));
    Reply reply = Convert(*r, 0);
    r.reset();
    {
      std::lock_guard lock(state_->mu);
      if (state_->idle.size() < options_.max_idle_connections) state_->idle.push_back(std::move(c));
    }
    if (reply.type == Reply::Type::kError) {
      return Status::Internal("queue: redis " + name + ": " + reply.str);
    }
    return reply;
  }
}

Result<Reply> RedisConnection::Eval(const RedisScript& script, const std::vector<std::string>& keys,
                                    const std::vector<std::string>& args) {
  std::string sha;
  {
    std::lock_guard lock(state_->mu);
    if (auto it = state_->shas.find(script.source); it != state_->shas.end()) sha = it->second;
  }
  if (sha.empty()) {
    Result<Reply> loaded = Command({"SCRIPT", "LOAD", script.source});
    if (!loaded.ok()) return ForScript(loaded.status(), script.name);
    if (loaded->type != Reply::Type::kString) {
      return Status::Internal("queue: redis script " + script.name + ": SCRIPT LOAD: no SHA1");
    }
    sha = loaded->str;
    std::lock_guard lock(state_->mu);
    state_->shas[script.source] = sha;
  }
  std::vector<std::string> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("EVALSHA");
  argv.push_back(sha);
  argv.push_back(std::to_string(keys.size()));
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  Result<Reply> r = Command(argv);
  if (!r.ok() && r.status().code() == Status::Code::kInternal &&
      r.status().message().find("NOSCRIPT") != std::string::npos) {
    // The server restarted or ran SCRIPT FLUSH: EVAL runs it and caches it again.
    argv[0] = "EVAL";
    argv[1] = script.source;
    r = Command(argv);
  }
  if (!r.ok()) return ForScript(r.status(), script.name);
  return r;
}

Status RedisConnection::Ping() {
  Result<Reply> r = Command({"PING"});
  return r.status();
}

}  // namespace feedbridge::queue
