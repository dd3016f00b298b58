#pragma once

// The command line of feedbridge: the table of commands and their flags, the parser that turns
// argv into a CommandLine (pure: no I/O) and the help text generated from the same table.
//
//   feedbridge [GLOBAL FLAGS] COMMAND [ARGUMENTS] [FLAGS]
//
// Global flags (--config, --set, --help, --version) may appear anywhere; a command's own flags
// only after the command.

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace feedbridge::app {

// A flag a command accepts. Immutable.
struct FlagSpec {
  std::string_view name;        // "--to".
  std::string_view value_name;  // "FORMAT"; empty: the flag takes no value.
  std::string_view help;
};

// A command. Immutable; the table lives for the whole program.
struct CommandSpec {
  std::string_view name;
  std::string_view arguments;  // Synopsis of the positional arguments ("FILE").
  std::string_view summary;
  std::span<const FlagSpec> flags = {};
  size_t min_arguments = 0;
  size_t max_arguments = 0;
  std::string_view synopsis = {};  // Replaces the generated "ARGUMENTS [FLAG VALUE]..." if set.
};

// The commands this version implements, in help order.
std::span<const CommandSpec> Commands();

// Commands of the design that later versions bring ("serve", "feeds", ...).
std::span<const std::string_view> ComingCommands();

// The parsed command line. Plain value.
struct CommandLine {
  std::string command;                 // Empty when none was given.
  std::vector<std::string> arguments;  // Positional arguments after the command.
  std::map<std::string, std::string>
      flags;                          // The command's flags: "--to" -> "atom"; "" if valueless.
  std::string config_file;            // --config FILE; empty: none.
  std::vector<std::string> settings;  // --set SECTION.KEY=VALUE, in order (later wins).
  bool help = false;                  // -h, --help, or the command "help".
  bool version = false;               // --version.
};

// Parses `args` (argv without the program name). Errors, each a one-line message for the user:
//   InvalidArgument     an unknown command or flag, a missing or extra argument or flag value
//                       ("unknown command 'frob' (see feedbridge --help)").
//   FailedPrecondition  a command of the design that this version does not have yet
//                       ("'serve' is not available yet in this version").
Result<CommandLine> ParseCommandLine(std::span<const std::string> args);

// `feedbridge --help`: usage, commands, coming commands, global flags, environment.
std::string HelpText();

// `feedbridge COMMAND --help`: the command's synopsis and flags.
std::string CommandHelp(const CommandSpec& command);

// The command named `name`, or nullptr.
const CommandSpec* FindCommand(std::string_view name);

}  // namespace feedbridge::app
