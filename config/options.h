#pragma once

// The one table of configuration options (section, key, type, default, validator, help). It feeds
// the loader (config/config.h), the example `feedbridge.ini`, `feedbridge config --example` and
// `feedbridge config --print`, so none of them can drift from the others.

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace feedbridge::config {

struct Config;

// How a value is written and checked.
enum class OptionType {
  kString,    // Any text (an option's `check` may narrow it).
  kInt,       // A decimal integer within [min, max].
  kBool,      // true/false, yes/no, on/off, 1/0 (any case).
  kDuration,  // Whole seconds: "90", "90s", "5m", "6h", "3d"; within [min, max] seconds.
  kSize,  // Bytes: "1048576", "512KiB", "15MiB", "1GiB" (K/M/G are binary too); within [min, max].
  kUrl,   // An absolute http:// or https:// URL with a host.
  kHostPort,  // "HOST:PORT" or "[IPv6]:PORT"; port 0-65535 (0: any free port).
  kEnum,      // One of `choices`, exactly (lower case).
};

// "string", "integer", "duration", ... as shown in the example file.
std::string_view TypeName(OptionType type);

// A parsed value; which member is meaningful depends on the option's type. Plain value.
struct OptionValue {
  std::string text;    // kString, kUrl, kHostPort, kEnum.
  int64_t number = 0;  // kInt; kDuration in seconds; kSize in bytes.
  bool flag = false;   // kBool.
};

// One row of the table. Immutable; the table lives for the whole program.
struct Option {
  std::string_view section;
  std::string_view key;
  OptionType type = OptionType::kString;
  std::string_view default_value;  // As written in the INI file; must parse.
  std::string_view help;           // One line, no trailing period needed.
  int64_t min = 0;                 // kInt, kDuration, kSize: inclusive bounds.
  int64_t max = std::numeric_limits<int64_t>::max();
  std::span<const std::string_view> choices = {};  // kEnum.
  // A check beyond the type: returns the problem ("must not contain a line break") or nullopt.
  std::optional<std::string> (*check)(const OptionValue& value) = nullptr;
  // Stores a valid value into its field of Config, and reads it back.
  void (*set)(Config& config, const OptionValue& value) = nullptr;
  OptionValue (*get)(const Config& config) = nullptr;
};

// Every option, grouped by section in the order of Sections().
std::span<const Option> AllOptions();

// The section names, in display order ("server", "database", ...).
std::span<const std::string_view> Sections();

// The option named section.key (exact, lower case), or nullptr.
const Option* FindOption(std::string_view section, std::string_view key);

// "poller.fetch_timeout".
std::string FullName(const Option& option);

// Parses and validates `raw` (already trimmed) for `option`: type, bounds, choices and `check`.
// InvalidArgument with a message without the option's name, e.g. "'abc' is not a duration" or
// "0s is below the minimum 1s".
Result<OptionValue> ParseValue(const Option& option, std::string_view raw);

// The canonical text of a value, which ParseValue reads back to the same value
// (durations and sizes in their largest exact unit: "5m", "15MiB").
std::string FormatValue(const Option& option, const OptionValue& value);

// The nearest of `candidates` to `word` when it is a plausible typo (edit distance <= 2, and
// less than half the word), else empty.
std::string_view Suggest(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace feedbridge::config
