#include "queue/redis_server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "queue/redis_connection.h"

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

// `name` itself if it has a slash, else the first executable file of that name on PATH.
Result<std::string> FindExecutable(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return name;
    return Status::Unavailable("queue: redis-server: " + name + " is not an executable file");
  }
  const char* env = std::getenv("PATH");
  std::string_view dirs = env != nullptr ? env : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    const size_t colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return Status::Unavailable("queue: redis-server: " + name +
                             " not found on PATH (install Debian's redis-server, or set "
                             "redis.url to a server of your own)");
}

// Closes a descriptor at the end of the scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  const int fd_;
};

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

  // Everything the child needs is made here: after fork() it may only make system calls.
  Result<std::string> path = FindExecutable(options.executable);
  if (!path.ok()) return path.status();
  const FileDescriptor null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  const FileDescriptor log_out(
      ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (null_in.get() < 0 || log_out.get() < 0) {
    return Status::Unavailable("queue: redis-server: cannot open " + log + ": " +
                               std::strerror(errno));
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    return Status::Unavailable(std::string("queue: redis-server: fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    // The server must not outlive us: a feedbridge that crashed or was killed would leave it
    // holding the data dir, and the next start would refuse to run beside it. SIGTERM makes it
    // write its append-only file and exit. (The signal comes when the thread that started it
    // ends: serve starts it from its main thread.)
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);  // We died before prctl took effect.
    // The signal mask survives exec: `serve` blocks SIGINT and SIGTERM in every thread (it
    // takes them with sigwait), and a server started with them blocked would neither stop on
    // SIGTERM nor on the death signal. A PDEATHSIG already pending arrives here.
    // Its own process group: Ctrl-C in a terminal signals the whole foreground group, and the
    // server must outlive our clean shutdown (the roles finish their work against it), not
    // die at the same instant. It stops when we do: SIGTERM from the services, or the death
    // signal above.
    ::setpgid(0, 0);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(null_in.get(), STDIN_FILENO);
    ::dup2(log_out.get(), STDOUT_FILENO);
    ::dup2(log_out.get(), STDERR_FILENO);
    ::execv(path->c_str(), argv.data());
    constexpr char kFailed[] = "feedbridge: exec of redis-server failed\n";
    [[maybe_unused]] const ssize_t ignored = ::write(STDERR_FILENO, kFailed, sizeof kFailed - 1);
    ::_exit(127);
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
