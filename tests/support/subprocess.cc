#include "tests/support/subprocess.h"

#include <fcntl.h>
#include <pty.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "tests/support/temp_dir.h"
#include "tests/support/test_data.h"

namespace feedbridge::testing {

namespace {

// argv and envp for exec: `program` and `args`; this process's environment minus FEEDBRIDGE_*,
// plus `environment`. The char* point into the strings, which must outlive them.
struct ExecArgs {
  std::vector<std::string> argv_strings;
  std::vector<std::string> env_strings;
  std::vector<char*> argv;
  std::vector<char*> envp;
};

void FillExecArgs(ExecArgs& a, const std::string& program, const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& environment) {
  a.argv_strings = {program};
  a.argv_strings.insert(a.argv_strings.end(), args.begin(), args.end());
  for (std::string& s : a.argv_strings) a.argv.push_back(s.data());
  a.argv.push_back(nullptr);
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "FEEDBRIDGE_", 11) != 0) a.env_strings.emplace_back(*e);
  }
  for (const auto& [k, v] : environment) a.env_strings.push_back(k + "=" + v);
  for (std::string& s : a.env_strings) a.envp.push_back(s.data());
  a.envp.push_back(nullptr);
}

int WaitForExit(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error("waitpid failed");
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

ProcessResult RunProcess(const std::string& program, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& environment,
                         const std::string& input) {
  TempDir dir;
  const std::string in_path = dir.WriteFile("stdin", input).string();
  const std::string out_path = (dir.path() / "stdout").string();
  const std::string err_path = (dir.path() / "stderr").string();

  ExecArgs exec;
  FillExecArgs(exec, program, args, environment);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  pid_t pid = 0;
  const int rc =
      posix_spawn(&pid, program.c_str(), &actions, nullptr, exec.argv.data(), exec.envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + program + ": " + std::strerror(rc));

  ProcessResult result;
  result.exit_code = WaitForExit(pid);
  result.out = ReadFileBytes(out_path);
  result.err = ReadFileBytes(err_path);
  return result;
}

ProcessResult RunProcessOnTerminal(const std::string& program, const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& environment) {
  ExecArgs exec;
  FillExecArgs(exec, program, args, environment);
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) throw std::runtime_error(std::string("forkpty failed: ") + std::strerror(errno));
  if (pid == 0) {
    execve(program.c_str(), exec.argv.data(), exec.envp.data());
    _exit(127);
  }
  // Read until the child's side closes (EIO on Linux once no process holds the terminal).
  ProcessResult result;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(master, buffer, sizeof buffer);
    if (n > 0) {
      result.out.append(buffer, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  close(master);
  result.exit_code = WaitForExit(pid);
  return result;
}

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& environment,
                           const std::filesystem::path& log) {
  ExecArgs a;
  FillExecArgs(a, program, args, environment);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  const int rc = posix_spawn(&pid_, a.argv[0], &actions, nullptr, a.argv.data(), a.envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = 0;
    throw std::runtime_error("posix_spawn " + program + ": " + std::strerror(rc));
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    Signal(SIGKILL);
    Wait(std::chrono::seconds(10));
  }
}

void ChildProcess::Signal(int signal_number) const {
  if (pid_ > 0) kill(pid_, signal_number);
}

std::optional<int> ChildProcess::Wait(std::chrono::milliseconds limit) {
  if (pid_ <= 0) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      pid_ = 0;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace feedbridge::testing
