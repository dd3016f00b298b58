#include "app/app.h"

#include <optional>
#include <ostream>
#include <sstream>
#include <utility>

#include "app/configuration.h"
#include "app/exit_codes.h"
#include "app/version.h"
#include "common/log.h"

namespace feedbridge::app {
namespace {

// One "feedbridge: " line per line of `message` (config::Load reports one problem a line).
void PrintLines(std::ostream& err, const std::string& message) {
  std::istringstream lines(message);
  for (std::string line; std::getline(lines, line);) err << "feedbridge: " << line << "\n";
}

}  // namespace

int Run(std::span<const std::string> args, const std::map<std::string, std::string>& environment,
        Io& io) {
  Result<CommandLine> parsed = ParseCommandLine(args);
  if (!parsed.ok()) {
    PrintLines(io.err, parsed.status().message());
    return kExitUsage;
  }
  const CommandLine& line = *parsed;
  if (line.version) {
    io.out << "feedbridge " << kVersion << "\n";
    return kExitOk;
  }
  if (line.help) {
    const CommandSpec* command = FindCommand(line.command);
    io.out << (command != nullptr && command->name != "help" ? CommandHelp(*command) : HelpText());
    return kExitOk;
  }
  if (line.command.empty()) {
    io.err << "feedbridge: no command given (see feedbridge --help)\n";
    return kExitUsage;
  }

  // Usage mistakes are reported before the configuration is even read.
  std::optional<ParseRequest> parse_request;
  std::optional<ConfigOutput> config_request;
  if (line.command == "parse") {
    Result<ParseRequest> request = MakeParseRequest(line);
    if (!request.ok()) {
      PrintLines(io.err, request.status().message());
      return kExitUsage;
    }
    parse_request = std::move(request).value();
  } else if (line.command == "config") {
    Result<ConfigOutput> request = MakeConfigRequest(line);
    if (!request.ok()) {
      PrintLines(io.err, request.status().message());
      return kExitUsage;
    }
    config_request = *request;
    // The example documents the defaults; it must print even when the configuration is broken.
    if (*config_request == ConfigOutput::kExample) {
      return RunConfig(ConfigOutput::kExample, config::Config{}, io);
    }
  }

  Result<config::Config> config = LoadConfiguration(ConfigSources{
      .file = line.config_file, .environment = environment, .settings = line.settings});
  if (!config.ok()) {
    PrintLines(io.err, config.status().message());
    return kExitConfig;
  }
  if (Status s = SetUpLogging(config->log); !s.ok()) {
    PrintLines(io.err, s.message());
    return kExitConfig;
  }

  if (parse_request) return RunParse(*parse_request, *config, io);
  if (config_request) return RunConfig(*config_request, *config, io);
  if (line.command == "feeds") return RunFeeds(line, *config, io);
  if (line.command == "poll") return RunPoll(line, *config, io);
  if (line.command == "status") return RunStatus(line, *config, io);
  if (line.command == "deliveries") return RunDeliveries(line, *config, io);
  if (line.command == "subscribers") return RunSubscribers(line, *config, io);
  if (line.command == "serve") return RunServe(line, *config, io);
  io.err << "feedbridge: " << line.command << ": no handler (a bug)\n";
  return kExitSoftware;
}

}  // namespace feedbridge::app
