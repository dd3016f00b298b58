#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace feedbridge::testing {

// What a finished child process left behind. Plain value.
struct ProcessResult {
  int exit_code = -1;  // 128 + signal number when killed by a signal.
  std::string out;
  std::string err;
};

// Runs `program` with `args`, the test's environment minus every FEEDBRIDGE_* variable plus
// `environment`, and `input` on standard input; waits for it. Output goes through files, so a
// chatty child cannot block on a full pipe. Throws std::runtime_error if it cannot be started.
ProcessResult RunProcess(const std::string& program, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& environment = {},
                         const std::string& input = "");

// RunProcess with a pseudo-terminal as standard input, output and error (isatty() is true in
// the child), as a person at a terminal runs it. Everything the child writes is in `out`
// (the terminal turns "\n" into "\r\n"); `err` stays empty.
ProcessResult RunProcessOnTerminal(const std::string& program, const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& environment = {});

// A process left running in the background (a server, a role under test): started at
// construction with the environment RunProcess gives, /dev/null as standard input and standard
// output and error appended to `log`. The destructor SIGKILLs it if it still runs, and reaps it.
// Throws std::runtime_error if it cannot be started. Not thread-safe.
class ChildProcess {
 public:
  ChildProcess(const std::string& program, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& environment,
               const std::filesystem::path& log);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int signal_number) const;
  // The exit code (128 + signal when killed) once it has ended, or nullopt if it still runs
  // after `limit`.
  std::optional<int> Wait(std::chrono::milliseconds limit);

 private:
  pid_t pid_ = 0;
};

}  // namespace feedbridge::testing
