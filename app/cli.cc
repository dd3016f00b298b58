#include "app/cli.h"

#include <algorithm>
#include <array>
#include <optional>

#include "app/version.h"

namespace feedbridge::app {
namespace {

constexpr std::array kParseFlags = {
    FlagSpec{"--to", "FORMAT", "output format: jsonfeed (default), atom or rss"},
    FlagSpec{"--base-url", "URL", "URL the feed came from; relative links resolve against it"},
    FlagSpec{"--content-type", "TYPE",
             "Content-Type it was served with; its charset wins over the XML one"},
};

constexpr std::array kConfigFlags = {
    FlagSpec{"--example", "",
             "print the example feedbridge.ini: every option, its help and default"},
    FlagSpec{"--print", "", "print the effective configuration"},
};

constexpr std::array kFeedsFlags = {
    FlagSpec{"--nickname", "NICK",
             "add: the blog's account name, [0-9a-z]{1,64} (default: derived)"},
};

constexpr std::array kServeFlags = {
    FlagSpec{"--roles", "LIST",
             "comma-separated roles to run: web, poller, publisher (default: all)"},
};

constexpr std::array kDeliveriesFlags = {
    FlagSpec{"--retry", "ID", "put dead letter ID back on the queue as a new delivery"},
    FlagSpec{"--drop", "ID", "delete dead letter ID"},
};

constexpr std::array kCommands = {
    CommandSpec{.name = "serve",
                .arguments = "",
                .summary = "run the service (web server, poller and publisher; with no Redis "
                           "configured, a private redis-server in data/redis) until SIGINT/SIGTERM",
                .flags = kServeFlags},
    CommandSpec{.name = "feeds",
                .arguments = "ACTION [ARG]",
                .summary = "manage bridged feeds: add URL, list, show FEED, remove FEED, "
                           "import FILE.opml, export",
                .flags = kFeedsFlags,
                .min_arguments = 1,
                .max_arguments = 2,
                .synopsis = "add URL [--nickname NICK] | list | show FEED | remove FEED | "
                            "import FILE.opml | export"},
    CommandSpec{.name = "poll",
                .arguments = "[FEED]",
                .summary = "poll FEED (id, nickname or URL) now, or every due feed; print what "
                           "was found",
                .max_arguments = 1},
    CommandSpec{.name = "status",
                .arguments = "",
                .summary = "feeds, failing feeds, schedule backlog, outbox and queues"},
    CommandSpec{.name = "deliveries",
                .arguments = "dead",
                .summary = "list the deliveries given up on (newest first), or retry or drop one",
                .flags = kDeliveriesFlags,
                .min_arguments = 1,
                .max_arguments = 1,
                .synopsis = "dead [--retry ID | --drop ID]"},
    CommandSpec{.name = "subscribers",
                .arguments = "[FEED]",
                .summary = "who follows blog FEED (id, nickname or URL), or every followed blog: "
                           "profiles, endpoints and delivery health",
                .max_arguments = 1},
    CommandSpec{.name = "parse",
                .arguments = "FILE",
                .summary = "parse one feed (FILE, - for standard input, or an http(s) URL to "
                           "fetch) and print it normalized",
                .flags = kParseFlags,
                .min_arguments = 1,
                .max_arguments = 1},
    CommandSpec{.name = "config",
                .arguments = "",
                .summary = "print the example configuration (--example) or the effective one "
                           "(--print)",
                .flags = kConfigFlags,
                .synopsis = "--example | --print"},
    CommandSpec{.name = "help", .arguments = "", .summary = "print this help"},
};

constexpr std::array<std::string_view, 1> kComing = {"readers"};

constexpr std::array kGlobalFlags = {
    FlagSpec{"--config", "FILE",
             "read settings from an INI file (see: feedbridge config --example)"},
    FlagSpec{"--set", "SECTION.KEY=VALUE",
             "set one option, over the file and the environment (repeatable)"},
    FlagSpec{"--help", "", "print help (also -h; after a command: that command's help)"},
    FlagSpec{"--version", "", "print the version"},
};

const FlagSpec* FindFlag(std::span<const FlagSpec> flags, std::string_view name) {
  for (const FlagSpec& f : flags) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string Synopsis(const CommandSpec& c) {
  std::string s = "feedbridge " + std::string(c.name);
  if (!c.synopsis.empty()) return s + " " + std::string(c.synopsis);
  if (!c.arguments.empty()) s += " " + std::string(c.arguments);
  for (const FlagSpec& f : c.flags) {
    s += " [" + std::string(f.name);
    if (!f.value_name.empty()) s += " " + std::string(f.value_name);
    s += "]";
  }
  return s;
}

void AppendFlags(std::span<const FlagSpec> flags, std::string& out) {
  for (const FlagSpec& f : flags) {
    std::string left = "  " + std::string(f.name);
    if (!f.value_name.empty()) left += " " + std::string(f.value_name);
    left.resize(std::max<size_t>(left.size() + 2, 28), ' ');
    out += left + std::string(f.help) + "\n";
  }
}

// The usage mistakes all end the same way, so the user knows where to look.
Status Usage(const std::string& message) {
  return Status::InvalidArgument(message + " (see feedbridge --help)");
}

}  // namespace

std::span<const CommandSpec> Commands() { return kCommands; }

std::span<const std::string_view> ComingCommands() { return kComing; }

const CommandSpec* FindCommand(std::string_view name) {
  for (const CommandSpec& c : kCommands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

Result<CommandLine> ParseCommandLine(std::span<const std::string> args) {
  CommandLine line;
  const CommandSpec* command = nullptr;
  bool only_arguments = false;  // After "--".
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const bool is_flag = !only_arguments && arg.size() > 1 && arg[0] == '-';
    if (!is_flag) {
      if (arg == "--" && !only_arguments) {
        only_arguments = true;
        continue;
      }
      if (command == nullptr) {
        if (std::find(kComing.begin(), kComing.end(), arg) != kComing.end()) {
          return Status::FailedPrecondition("'" + arg + "' is not available yet in this version");
        }
        command = FindCommand(arg);
        if (command == nullptr) return Usage("unknown command '" + arg + "'");
        line.command = arg;
        if (arg == "help") line.help = true;
        continue;
      }
      if (line.arguments.size() == command->max_arguments) {
        return Usage(line.command + ": unexpected argument '" + arg + "'");
      }
      line.arguments.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_arguments = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      line.help = true;
      continue;
    }
    // "--name=value" or "--name value".
    const size_t equals = arg.find('=');
    const std::string name = arg.substr(0, equals);
    std::optional<std::string> value;
    if (equals != std::string::npos) value = arg.substr(equals + 1);
    const FlagSpec* spec = FindFlag(kGlobalFlags, name);
    const bool global = spec != nullptr;
    if (spec == nullptr && command != nullptr) spec = FindFlag(command->flags, name);
    if (spec == nullptr) {
      const std::string where = command == nullptr ? "" : line.command + ": ";
      return Usage(where + "unknown flag '" + name + "'");
    }
    if (spec->value_name.empty()) {
      if (value) return Usage(name + " takes no value");
    } else if (!value) {
      if (i + 1 == args.size()) {
        return Usage(name + " needs a value (" + std::string(spec->value_name) + ")");
      }
      value = args[++i];
    }
    if (name == "--version") {
      line.version = true;
    } else if (name == "--config") {
      line.config_file = *value;
    } else if (name == "--set") {
      const size_t eq = value->find('=');
      const size_t dot = value->find('.');
      if (eq == std::string::npos || dot == std::string::npos || dot == 0 || dot + 1 >= eq) {
        return Usage("--set needs SECTION.KEY=VALUE, got '" + *value + "'");
      }
      line.settings.push_back(*value);
    } else if (!global) {
      line.flags[name] = value.value_or("");
    }
  }
  if (command != nullptr && !line.help && line.arguments.size() < command->min_arguments) {
    return Usage(line.command + ": missing " + std::string(command->arguments));
  }
  return line;
}

std::string HelpText() {
  std::string out = "feedbridge " + std::string(kVersion) +
                    ": bridges blogs' feeds to OpenMicroBlogging 0.1 and back\n\n"
                    "usage: feedbridge [--config FILE] [--set SECTION.KEY=VALUE]... COMMAND "
                    "[ARGUMENTS]\n\ncommands:\n";
  for (const CommandSpec& c : kCommands) {
    out += "  " + Synopsis(c) + "\n      " + std::string(c.summary) + "\n";
  }
  out += "coming:";
  for (size_t i = 0; i < kComing.size(); ++i) {
    out += (i == 0 ? " " : ", ") + std::string(kComing[i]);
  }
  out += "\n\nglobal flags:\n";
  AppendFlags(kGlobalFlags, out);
  out +=
      "\nenvironment:\n"
      "  FEEDBRIDGE_SECTION_KEY=VALUE sets SECTION.KEY, e.g. FEEDBRIDGE_POLLER_FETCH_TIMEOUT=30s\n"
      "  (built-in defaults < --config FILE < environment < --set)\n"
      "\nexit status: 0 ok, 64 usage, 65 bad input data, 66 input missing, 70 internal error,\n"
      "  74 output error, 78 bad configuration\n";
  return out;
}

std::string CommandHelp(const CommandSpec& command) {
  std::string out = "usage: " + Synopsis(command) + "\n  " + std::string(command.summary) + "\n";
  if (!command.flags.empty()) {
    out += "\nflags:\n";
    AppendFlags(command.flags, out);
  }
  return out;
}

}  // namespace feedbridge::app
