#pragma once

// Builds feedbridge's configuration from its layers, lowest first: the option table's defaults,
// the INI file given with --config, FEEDBRIDGE_SECTION_KEY environment variables, and --set
// flags; then checks it with config::Load.

#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"

namespace feedbridge::app {

// Where settings come from. Plain value; the environment is passed in (not read here) so tests
// need no setenv.
struct ConfigSources {
  std::string file;                                // --config FILE; empty: none.
  std::map<std::string, std::string> environment;  // The process environment (all of it).
  std::vector<std::string> settings;               // --set "section.key=value", later wins.
};

// The checked configuration. Errors: InvalidArgument, one line per problem, for an unreadable
// or unusable file ("config: /etc/feedbridge.ini: cannot read (file not found)"), a malformed
// --set, or any bad key (see config::Load).
Result<config::Config> LoadConfiguration(const ConfigSources& sources);

}  // namespace feedbridge::app
