#pragma once

// The whole program behind main(): parse the command line, load the configuration, set up
// logging, run one command. Everything it touches is passed in, so tests run it in-process.

#include <map>
#include <span>
#include <string>

#include "app/commands.h"

namespace feedbridge::app {

// Runs feedbridge with `args` (argv without the program name) in `environment` and returns the
// process exit code (app/exit_codes.h). Usage errors exit 64 and bad configuration 78, with one
// line per problem on io.err. Sets up the process-wide POCO logging from the [log] section
// (common/log.h) before running a command. Not thread-safe: one run per process at a time.
int Run(std::span<const std::string> args, const std::map<std::string, std::string>& environment,
        Io& io);

}  // namespace feedbridge::app
