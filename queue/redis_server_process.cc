#include "queue/redis_server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>
#include <thread>
#include <vector>

#include "queue/redis_connection.h"

extern char** environ;

namespace feedbridge::queue {

namespace {

constexpr auto kPollEvery = std::chrono::milliseconds(20);

std::filesystem::path SocketPath(const RedisServerOptions& o) { return o.dir / "redis.sock"; }

// The end of redis.log, for the error message when the server would not start.
std::string LogTail(const std::filesystem::path& dir) {
  std::ifstream in(dir / "redis.log", std::ios::binary);
  std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  constexpr size_t kTail = 400;
  if (log.size() > kTail) log.erase(0, log.size() - kTail);
  while (!log.empty() && (log.back() == '\n' || log.back() == '\r')) log.pop_back();
  return log;
}

bool Answers(const std::string& url) {
  Result<std::unique_ptr<RedisConnection>> c =
      RedisConnection::Open({.url = url,
                             .connect_timeout = std::chrono::milliseconds(200),
                             .command_timeout = std::chrono::milliseconds(500),
                             .max_idle_connections = 0});
  return c.ok() && (*c)->Ping().ok();
}

// Waits up to `timeout` for `pid` to exit; true when it was reaped.
bool WaitExit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollEvery);
  }
}

}  // namespace

Result<std::unique_ptr<RedisServerProcess>> RedisServerProcess::Start(RedisServerOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) {
    return Status::Unavailable("queue: redis-server " + options.dir.string() + ": " + ec.message());
  }
  // redis-server changes into --dir, so every path it gets must be absolute.
  options.dir = std::filesystem::absolute(options.dir, ec);
  if (ec) return Status::Unavailable("queue: redis-server: " + ec.message());
  const std::string socket = SocketPath(options).string();
  if (socket.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return Status::InvalidArgument("queue: redis-server " + socket +
                                   ": socket path too long for a unix socket");
  }
  // redis-server unlinks a socket file in its way: a second server on the same dir would steal
  // the first one's socket and write the same append-only file.
  if (Answers("unix:" + socket)) {
    return Status::FailedPrecondition("queue: redis-server " + socket +
                                      ": a server already runs on this data dir");
  }

  const std::string log = (options.dir / "redis.log").string();
  const std::string port = std::to_string(options.tcp_port);
  std::vector<std::string> args = {options.executable,
                                   "--port",
                                   port,
                                   "--unixsocket",
                                   socket,
                                   "--unixsocketperm",
                                   "700",
                                   "--dir",
                                   options.dir.string(),
                                   "--appendonly",
                                   "yes",
                                   "--save",
                                   "",
                                   "--daemonize",
                                   "no",
                                   "--bind",
                                   "127.0.0.1",
                                   "--protected-mode",
                                   "yes"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int rc =
      posix_spawnp(&pid, options.executable.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return Status::Unavailable("queue: redis-server: spawn " + options.executable + ": " +
                               std::strerror(rc));
  }
  std::unique_ptr<RedisServerProcess> process(new RedisServerProcess(options, pid));

  const auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
  for (;;) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      process->pid_ = 0;
      return Status::Unavailable("queue: redis-server " + socket +
                                 ": exited at start: " + LogTail(options.dir));
    }
    if (Answers(process->url())) return process;
    if (std::chrono::steady_clock::now() >= deadline) {
      process->Kill();
      return Status::Unavailable("queue: redis-server " + socket + ": no answer to PING after " +
                                 std::to_string(options.start_timeout.count()) +
                                 " ms: " + LogTail(options.dir));
    }
    std::this_thread::sleep_for(kPollEvery);
  }
}

RedisServerProcess::RedisServerProcess(RedisServerOptions options, pid_t pid)
    : options_(std::move(options)), pid_(pid) {}

RedisServerProcess::~RedisServerProcess() { Stop(); }

void RedisServerProcess::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  if (!WaitExit(pid_, options_.stop_timeout)) {
    kill(pid_, SIGKILL);
    WaitExit(pid_, std::chrono::milliseconds(5000));
  }
  pid_ = 0;
}

void RedisServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  WaitExit(pid_, std::chrono::milliseconds(5000));
  pid_ = 0;
}

std::string RedisServerProcess::url() const { return "unix:" + SocketPath(options_).string(); }

std::string RedisServerProcess::tcp_url() const {
  if (options_.tcp_port == 0) return "";
  return "redis://127.0.0.1:" + std::to_string(options_.tcp_port);
}

}  // namespace feedbridge::queue
