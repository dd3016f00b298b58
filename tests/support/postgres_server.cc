#include "tests/support/postgres_server.h"

#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace feedbridge::testing {
namespace {

const std::filesystem::path kBinDir = "/usr/lib/postgresql/15/bin";

std::string FindRunuser() {
  for (const char* p : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"}) {
    if (access(p, X_OK) == 0) return p;
  }
  throw std::runtime_error("postgres_server: runuser not found (util-linux)");
}

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// Runs argv with stdout and stderr to `log`, waits, and returns the exit status.
int Spawn(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  const int err = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) {
    throw std::runtime_error("postgres_server: cannot run " + argv[0] + ": " +
                             std::generic_category().message(err));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error("postgres_server: waitpid failed");
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

PostgresServer::PostgresServer() {
  if (access((kBinDir / "initdb").c_str(), X_OK) != 0 ||
      access((kBinDir / "pg_ctl").c_str(), X_OK) != 0) {
    throw std::runtime_error("postgres_server: PostgreSQL 15 server binaries not found in " +
                             kBinDir.string() +
                             " (install the postgresql package; scripts/bootstrap does)");
  }
  // Under /tmp rather than $TMPDIR: the `postgres` user must be able to reach it, and the
  // socket path must stay short (108 bytes).
  std::string pattern = "/tmp/feedbridge-pg-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("postgres_server: mkdtemp");
  dir_ = pattern;
  if (geteuid() == 0) {
    const passwd* pw = getpwnam("postgres");
    if (pw == nullptr) {
      throw std::runtime_error("postgres_server: running as root and there is no `postgres` user");
    }
    if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      throw std::runtime_error("postgres_server: cannot chown " + dir_.string());
    }
  }
  RunTool("initdb",
          {"-D", (dir_ / "data").string(), "-U", "postgres", "--auth=trust", "-E", "UTF8",
           "--no-locale", "--no-sync"},
          true);
  Start();
}

PostgresServer::~PostgresServer() {
  if (running_) {
    try {
      Stop();
    } catch (const std::runtime_error&) {
      // Nothing more to do in a destructor; the directory goes anyway.
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void PostgresServer::Start() {
  // -k DIR -h '': a unix socket in DIR, no TCP. -F: no fsync, the data is thrown away.
  RunTool("pg_ctl",
          {"-D", (dir_ / "data").string(), "-l", (dir_ / "server.log").string(), "-o",
           "-k " + dir_.string() + " -h '' -F", "-w", "start"},
          true);
  running_ = true;
}

void PostgresServer::Stop() {
  RunTool("pg_ctl", {"-D", (dir_ / "data").string(), "-m", "immediate", "-w", "stop"}, true);
  running_ = false;
}

std::string PostgresServer::CreateDatabase() {
  const std::string name = "feedbridge" + std::to_string(++databases_created_);
  RunTool("createdb", {"-h", dir_.string(), "-U", "postgres", name}, false);
  return "postgresql:host=" + dir_.string() + " dbname=" + name + " user=postgres";
}

void PostgresServer::RunTool(const std::string& tool, std::vector<std::string> args,
                             bool as_server_user) {
  std::vector<std::string> argv;
  if (as_server_user && geteuid() == 0) argv = {FindRunuser(), "-u", "postgres", "--"};
  argv.push_back((kBinDir / tool).string());
  argv.insert(argv.end(), args.begin(), args.end());
  // The tool's output goes next to the data (root can write there whoever owns it).
  const std::filesystem::path log = dir_ / (tool + ".out");
  const int status = Spawn(argv, log);
  if (status != 0) {
    std::string message =
        "postgres_server: " + tool + " exited with " + std::to_string(status) + ": " + ReadAll(log);
    if (tool == "pg_ctl") message += "\nserver log: " + ReadAll(dir_ / "server.log");
    throw std::runtime_error(message);
  }
}

}  // namespace feedbridge::testing
