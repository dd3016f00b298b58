#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace Poco {
class Logger;
}

namespace feedbridge {

// Logging set-up, called once by app/ at start. Modules take a Poco::Logger& named after
// themselves ("feedbridge.poller"); they never reach for a global logger.
struct LogOptions {
  std::string level = "information";  // fatal, critical, error, warning, notice, information, debug, trace
  std::string format = "text";        // text: "2026-11-23T12:00:00Z I feedbridge.poller: ..."; json: one object a line
  std::string file;                   // empty: standard error
};

// Configures the root logger's channel and level. Fails with InvalidArgument for an unknown level
// or format.
Status SetUpLogging(const LogOptions& options);

// The logger for a module, e.g. ModuleLogger("poller") -> "feedbridge.poller".
Poco::Logger& ModuleLogger(std::string_view module);

}  // namespace feedbridge
