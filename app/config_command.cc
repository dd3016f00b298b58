#include <ostream>

#include "app/commands.h"
#include "app/exit_codes.h"

namespace feedbridge::app {

Result<ConfigOutput> MakeConfigRequest(const CommandLine& line) {
  const bool example = line.flags.count("--example") != 0;
  const bool print = line.flags.count("--print") != 0;
  if (example == print) {
    return Status::InvalidArgument(
        "config: give either --example or --print (see feedbridge --help)");
  }
  return example ? ConfigOutput::kExample : ConfigOutput::kEffective;
}

int RunConfig(ConfigOutput what, const config::Config& config, Io& io) {
  io.out << (what == ConfigOutput::kExample ? config::ExampleIni() : config::EffectiveIni(config));
  io.out.flush();
  if (!io.out) {
    io.err << "feedbridge: config: writing the output failed\n";
    return kExitIoError;
  }
  return kExitOk;
}

}  // namespace feedbridge::app
