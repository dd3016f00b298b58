#include "config/config.h"

#include <Poco/Exception.h>
#include <Poco/Util/AbstractConfiguration.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>
#include <vector>

#include "common/ascii.h"
#include "common/text.h"
#include "config/options.h"

namespace feedbridge::config {
namespace {

constexpr std::string_view kEnvironmentPrefix = "FEEDBRIDGE_";

// POCO's Application fills these sections itself; they are not ours to judge.
constexpr std::string_view kForeignSections[] = {"application", "system"};

bool IsKnownSection(std::string_view name) {
  const auto sections = Sections();
  return std::find(sections.begin(), sections.end(), name) != sections.end();
}

std::string DidYouMean(std::string_view word, const std::vector<std::string_view>& candidates) {
  const std::string_view best = Suggest(word, candidates);
  if (best.empty()) return {};
  return " (did you mean " + std::string(best) + "?)";
}

// Reports keys of known sections that are not options, and sections that are not known.
void FindUnknownKeys(const Poco::Util::AbstractConfiguration& source,
                     std::vector<std::string>& problems) {
  Poco::Util::AbstractConfiguration::Keys roots;
  source.keys(roots);
  std::set<std::string> seen;  // The layers may spell one name in several cases.
  for (const std::string& root_name : roots) {
    const std::string root = AsciiLower(root_name);
    if (!seen.insert(root).second) continue;
    if (std::find(std::begin(kForeignSections), std::end(kForeignSections), root) !=
        std::end(kForeignSections)) {
      continue;
    }
    if (!IsKnownSection(root)) {
      const std::vector<std::string_view> sections(Sections().begin(), Sections().end());
      if (source.hasProperty(root_name)) {
        problems.push_back("config: " + root + ": not in any section (write [section] above it)");
      } else {
        problems.push_back("config: " + root + ": unknown section" + DidYouMean(root, sections));
      }
      continue;
    }
    std::vector<std::string_view> known;
    for (const Option& o : AllOptions()) {
      if (o.section == root) known.push_back(o.key);
    }
    Poco::Util::AbstractConfiguration::Keys keys;
    source.keys(root_name, keys);
    std::set<std::string> seen_keys;
    for (const std::string& key_name : keys) {
      const std::string key = AsciiLower(key_name);
      if (!seen_keys.insert(key).second || FindOption(root, key) != nullptr) continue;
      problems.push_back("config: " + root + "." + key + ": unknown key" + DidYouMean(key, known));
    }
  }
}

// Pairs of options that must agree. Only checked when both values were valid.
void CheckConsistency(const Config& c, const std::set<std::string>& bad,
                      std::vector<std::string>& problems) {
  const auto ok = [&bad](std::initializer_list<const char*> names) {
    return std::none_of(names.begin(), names.end(),
                        [&bad](const char* n) { return bad.count(n) != 0; });
  };
  const auto seconds = [](std::chrono::seconds s) { return std::to_string(s.count()) + "s"; };
  if (ok({"poller.interval_min", "poller.interval_max"}) &&
      c.poller.interval_min > c.poller.interval_max) {
    problems.push_back("config: poller.interval_min: " + seconds(c.poller.interval_min) +
                       " is above poller.interval_max (" + seconds(c.poller.interval_max) + ")");
  }
  const uint64_t bodies = static_cast<uint64_t>(c.poller.workers) *
                          PollerOptions::kBodiesPerWorker * c.poller.max_body_bytes;
  if (ok({"poller.workers", "poller.max_body_bytes"}) &&
      bodies > PollerOptions::kBodyMemoryBudget) {
    uint64_t most = PollerOptions::kBodyMemoryBudget /
                    (static_cast<uint64_t>(c.poller.workers) * PollerOptions::kBodiesPerWorker);
    most -= most % (most >= (uint64_t{1} << 20) ? uint64_t{1} << 20 : uint64_t{1} << 10);
    problems.push_back("config: poller.max_body_bytes: " + SizeText(c.poller.max_body_bytes) +
                       " with poller.workers = " + std::to_string(c.poller.workers) +
                       " lets feed bodies in flight take " + SizeText(bodies) +
                       " (poller.workers x " + std::to_string(PollerOptions::kBodiesPerWorker) +
                       " bodies each x poller.max_body_bytes), over the budget of " +
                       SizeText(PollerOptions::kBodyMemoryBudget) +
                       ": lower poller.workers, or poller.max_body_bytes to " + SizeText(most) +
                       " at most");
  }
  if (ok({"redis.url", "redis.autostart"}) && c.redis.url.empty() && !c.redis.autostart) {
    problems.push_back(
        "config: redis.url: empty while redis.autostart is false: no Redis to connect to");
  }
}

// "; text" lines of at most kCommentWidth columns, broken between words; ";" for an empty text
// (no trailing blanks in the file).
std::string Comment(std::string_view text) {
  constexpr size_t kCommentWidth = 100;
  std::string out;
  std::string line = ";";
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(pos, end - pos);
    if (line != ";" && line.size() + 1 + word.size() > kCommentWidth) {
      out += line + "\n";
      line = ";";
    }
    line += " ";
    line += word;
    pos = end + 1;
  }
  return out + line + "\n";
}

std::string Assignment(std::string_view key, std::string_view value) {
  std::string line(key);
  line += value.empty() ? " =" : " = " + std::string(value);
  return line + "\n";
}

// "[duration, 1s to 10m]" and the like, for the example file.
std::string Describe(const Option& o) {
  switch (o.type) {
    case OptionType::kString:
      return {};
    case OptionType::kBool:
      return "[true or false]";
    case OptionType::kUrl:
      return "[URL]";
    case OptionType::kHostPort:
      return "[HOST:PORT]";
    case OptionType::kEnum: {
      std::string list;
      for (std::string_view c : o.choices) {
        if (!list.empty()) list += ", ";
        list += c;
      }
      return "[one of " + list + "]";
    }
    case OptionType::kInt:
    case OptionType::kDuration:
    case OptionType::kSize:
      return "[" + std::string(TypeName(o.type)) + ", " +
             FormatValue(o, OptionValue{.number = o.min}) + " to " +
             FormatValue(o, OptionValue{.number = o.max}) + "]";
  }
  return {};
}

}  // namespace

Result<Config> Load(const Poco::Util::AbstractConfiguration& source) {
  Config config;
  std::vector<std::string> problems;
  std::set<std::string> bad;
  try {
    for (const Option& option : AllOptions()) {
      const std::string name = FullName(option);
      if (!source.hasProperty(name)) continue;
      // Raw: no ${...} expansion, so a value means what it says.
      const std::string raw(Trim(source.getRawString(name), kXmlWhitespace));
      Result<OptionValue> value = ParseValue(option, raw);
      if (!value.ok()) {
        problems.push_back("config: " + name + ": " + value.status().message());
        bad.insert(name);
        continue;
      }
      option.set(config, *value);
    }
    FindUnknownKeys(source, problems);
  } catch (const Poco::Exception& e) {
    return Status::Internal("config: reading the configuration: " + e.displayText());
  }
  CheckConsistency(config, bad, problems);
  if (problems.empty()) return config;
  std::string message;
  for (const std::string& p : problems) {
    if (!message.empty()) message += '\n';
    message += p;
  }
  return Status::InvalidArgument(std::move(message));
}

std::map<std::string, std::string> DefaultValues() {
  std::map<std::string, std::string> values;
  for (const Option& o : AllOptions()) values.emplace(FullName(o), std::string(o.default_value));
  return values;
}

std::map<std::string, std::string> EnvironmentOverrides(
    const std::map<std::string, std::string>& environment) {
  std::map<std::string, std::string> overrides;
  for (const auto& [name, value] : environment) {
    if (!name.starts_with(kEnvironmentPrefix)) continue;
    const std::string_view rest = std::string_view(name).substr(kEnvironmentPrefix.size());
    // Anything but letters, digits and '_' (a '.', say) would address a different key.
    const bool plain = std::all_of(
        rest.begin(), rest.end(), [](unsigned char c) { return std::isalnum(c) != 0 || c == '_'; });
    const size_t split = rest.find('_');
    if (!plain || split == std::string_view::npos || split == 0 || split + 1 == rest.size()) {
      continue;
    }
    overrides[AsciiLower(rest.substr(0, split)) + "." + AsciiLower(rest.substr(split + 1))] = value;
  }
  return overrides;
}

std::string ExampleIni() {
  std::string out;
  out += Comment("feedbridge configuration. Every option is listed with its help and its default.");
  out += Comment("");
  out += Comment("Use it with `feedbridge --config FILE`. Any option can also be set by an");
  out += Comment(
      "environment variable FEEDBRIDGE_<SECTION>_<KEY> (FEEDBRIDGE_POLLER_FETCH_TIMEOUT=30s)");
  out += Comment("or by a flag (--set poller.fetch_timeout=30s). Flags win over the environment,");
  out += Comment("which wins over this file, which wins over the built-in defaults.");
  out += Comment("Durations: 90 or 90s, 5m, 6h, 3d. Sizes: 1048576, 512KiB, 15MiB, 1GiB.");
  out += Comment("");
  out += Comment("Generated by `feedbridge config --example` from the option table in");
  out += Comment("config/options.cc; tests/config fails when this file differs from it.");
  for (std::string_view section : Sections()) {
    out += "\n[" + std::string(section) + "]\n";
    bool first = true;
    for (const Option& o : AllOptions()) {
      if (o.section != section) continue;
      if (!first) out += "\n";
      first = false;
      std::string help(o.help);
      if (const std::string kind = Describe(o); !kind.empty()) help += " " + kind;
      out += Comment(help);
      out += Assignment(o.key, o.default_value);
    }
  }
  return out;
}

std::string EffectiveIni(const Config& config) {
  std::string out =
      Comment("feedbridge: effective configuration (defaults < --config < FEEDBRIDGE_* < --set)");
  for (std::string_view section : Sections()) {
    out += "\n[" + std::string(section) + "]\n";
    for (const Option& o : AllOptions()) {
      if (o.section != section) continue;
      out += Assignment(o.key, FormatValue(o, o.get(config)));
    }
  }
  return out;
}

}  // namespace feedbridge::config
