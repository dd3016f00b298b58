#pragma once

#include <map>
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

}  // namespace feedbridge::testing
