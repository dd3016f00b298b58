#include "config/options.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <string>
#include <utility>

#include "common/ascii.h"
#include "config/config.h"

namespace feedbridge::config {
namespace {

using std::chrono::seconds;

constexpr int64_t kKiB = 1024;
constexpr int64_t kMiB = kKiB * 1024;
constexpr int64_t kGiB = kMiB * 1024;
constexpr int64_t kMinute = 60;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

constexpr std::array<std::string_view, 7> kSections = {"server",    "database", "redis", "poller",
                                                       "publisher", "omb",      "log"};

constexpr std::array<std::string_view, 8> kLogLevels = {"fatal",  "critical",    "error", "warning",
                                                        "notice", "information", "debug", "trace"};
constexpr std::array<std::string_view, 2> kLogFormats = {"text", "json"};

// Value constructors for the getters.
OptionValue Text(std::string s) { return {.text = std::move(s)}; }
OptionValue Number(int64_t n) { return {.number = n}; }
OptionValue Flag(bool b) { return {.flag = b}; }
OptionValue Seconds(seconds s) { return {.number = s.count()}; }

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

std::optional<std::string> CheckDatabaseUrl(const OptionValue& v) {
  const std::string_view s = v.text;
  if (s.starts_with("sqlite:") && s.size() > 7) return std::nullopt;
  if (s.starts_with("postgresql://") || s.starts_with("postgres://")) return std::nullopt;
  return "'" + v.text + "' is not sqlite:PATH or postgresql://...";
}

std::optional<std::string> CheckRedisUrl(const OptionValue& v) {
  const std::string_view s = v.text;
  if (s.empty()) return std::nullopt;
  if (s.starts_with("redis://") && s.size() > 8) return std::nullopt;
  if (s.starts_with("unix:") && s.size() > 5) return std::nullopt;
  return "'" + v.text + "' is not redis://HOST:PORT[/DB] or unix:PATH";
}

std::optional<std::string> CheckPrefix(const OptionValue& v) {
  // Keys are built by concatenation; whitespace or an empty prefix would collide with other
  // applications sharing the Redis.
  if (v.text.empty()) return "must not be empty";
  if (v.text.find_first_of(" \t\r\n") != std::string::npos) return "must not contain whitespace";
  return std::nullopt;
}

std::optional<std::string> CheckSingleLine(const OptionValue& v) {
  // user_agent is sent as an HTTP header, where a line break would inject headers of its own.
  if (HasLineBreak(v.text)) return "must not contain a line break";
  return std::nullopt;
}

std::optional<std::string> CheckNoticeTemplate(const OptionValue& v) {
  if (v.text.empty()) return "must not be empty";
  constexpr std::array<std::string_view, 4> kPlaceholders = {"{title}", "{url}", "{summary}",
                                                             "{author}"};
  for (size_t open = v.text.find('{'); open != std::string::npos;
       open = v.text.find('{', open + 1)) {
    const size_t close = v.text.find('}', open);
    const std::string_view word = close == std::string::npos
                                      ? std::string_view(v.text).substr(open)
                                      : std::string_view(v.text).substr(open, close - open + 1);
    if (std::find(kPlaceholders.begin(), kPlaceholders.end(), word) == kPlaceholders.end()) {
      return "unknown placeholder '" + std::string(word) +
             "' (known: {title}, {url}, {summary}, {author})";
    }
  }
  return std::nullopt;
}

std::string WithSlash(std::string url) {
  if (!url.ends_with('/')) url += '/';
  return url;
}

// The table. Defaults follow DESIGN.md's Policies; the Config structs hold the same values
// (a test checks that they agree).
constexpr std::array kOptions = {
    // [server]
    Option{.section = "server",
           .key = "base_url",
           .type = OptionType::kUrl,
           .default_value = "http://localhost:8080/",
           .help = "Public URL of this bridge; profile, notice and OMB URLs start with it",
           .set = [](Config& c, const OptionValue& v) { c.server.base_url = WithSlash(v.text); },
           .get = [](const Config& c) { return Text(c.server.base_url); }},
    Option{.section = "server",
           .key = "listen",
           .type = OptionType::kHostPort,
           .default_value = "127.0.0.1:8080",
           .help = "Address and port the HTTP server listens on (port 0: any free port)",
           .set = [](Config& c, const OptionValue& v) { c.server.listen = v.text; },
           .get = [](const Config& c) { return Text(c.server.listen); }},
    Option{.section = "server",
           .key = "workers",
           .type = OptionType::kInt,
           .default_value = "16",
           .help = "Threads handling HTTP requests",
           .min = 1,
           .max = 1024,
           .set = [](Config& c,
                     const OptionValue& v) { c.server.workers = static_cast<int>(v.number); },
           .get = [](const Config& c) { return Number(c.server.workers); }},
    Option{.section = "server",
           .key = "max_queued",
           .type = OptionType::kInt,
           .default_value = "64",
           .help = "Accepted connections waiting for a free thread before new ones are refused",
           .min = 1,
           .max = 100000,
           .set = [](Config& c,
                     const OptionValue& v) { c.server.max_queued = static_cast<int>(v.number); },
           .get = [](const Config& c) { return Number(c.server.max_queued); }},
    Option{
        .section = "server",
        .key = "max_body_bytes",
        .type = OptionType::kSize,
        .default_value = "1MiB",
        .help = "Largest request body accepted (413 above it)",
        .min = kKiB,
        .max = kGiB,
        .set =
            [](Config& c, const OptionValue& v) {
              c.server.max_body_bytes = static_cast<size_t>(v.number);
            },
        .get =
            [](const Config& c) { return Number(static_cast<int64_t>(c.server.max_body_bytes)); }},
    Option{.section = "server",
           .key = "max_header_bytes",
           .type = OptionType::kSize,
           .default_value = "16KiB",
           .help = "Largest request header block accepted",
           .min = kKiB,
           .max = kMiB,
           .set =
               [](Config& c, const OptionValue& v) {
                 c.server.max_header_bytes = static_cast<size_t>(v.number);
               },
           .get =
               [](const Config& c) {
                 return Number(static_cast<int64_t>(c.server.max_header_bytes));
               }},
    Option{.section = "server",
           .key = "request_timeout",
           .type = OptionType::kDuration,
           .default_value = "20s",
           .help = "Whole time a client may take to send one request; past it the connection is "
                   "cut (slow clients)",
           .min = 1,
           .max = 10 * kMinute,
           .set = [](Config& c,
                     const OptionValue& v) { c.server.request_timeout = seconds(v.number); },
           .get = [](const Config& c) { return Seconds(c.server.request_timeout); }},
    Option{
        .section = "server",
        .key = "feed_cache_bytes",
        .type = OptionType::kSize,
        .default_value = "64MiB",
        .help = "Memory for rendered mirror feeds (served again until the blog changes); 0: none",
        .min = 0,
        .max = 16 * kGiB,
        .set =
            [](Config& c, const OptionValue& v) {
              c.server.feed_cache_bytes = static_cast<size_t>(v.number);
            },
        .get =
            [](const Config& c) {
              return Number(static_cast<int64_t>(c.server.feed_cache_bytes));
            }},
    // [database]
    Option{.section = "database",
           .key = "url",
           .type = OptionType::kString,
           .default_value = "sqlite:data/feedbridge.db",
           .help = "sqlite:PATH (relative to the working directory) or postgresql://USER@HOST/DB",
           .check = CheckDatabaseUrl,
           .set = [](Config& c, const OptionValue& v) { c.database.url = v.text; },
           .get = [](const Config& c) { return Text(c.database.url); }},
    // [redis]
    Option{.section = "redis",
           .key = "url",
           .type = OptionType::kString,
           .default_value = "",
           .help = "redis://HOST:PORT[/DB] or unix:PATH; empty: start a private redis-server",
           .check = CheckRedisUrl,
           .set = [](Config& c, const OptionValue& v) { c.redis.url = v.text; },
           .get = [](const Config& c) { return Text(c.redis.url); }},
    Option{.section = "redis",
           .key = "prefix",
           .type = OptionType::kString,
           .default_value = "fb:",
           .help = "Prefix of every Redis key feedbridge writes",
           .check = CheckPrefix,
           .set = [](Config& c, const OptionValue& v) { c.redis.prefix = v.text; },
           .get = [](const Config& c) { return Text(c.redis.prefix); }},
    Option{.section = "redis",
           .key = "autostart",
           .type = OptionType::kBool,
           .default_value = "true",
           .help = "Start a private redis-server when url is empty (it must be on the PATH)",
           .set = [](Config& c, const OptionValue& v) { c.redis.autostart = v.flag; },
           .get = [](const Config& c) { return Flag(c.redis.autostart); }},
    // [poller]
    Option{
        .section = "poller",
        .key = "interval_min",
        .type = OptionType::kDuration,
        .default_value = "5m",
        .help = "Shortest time between two polls of one feed",
        .min = 1,
        .max = 7 * kDay,
        .set = [](Config& c, const OptionValue& v) { c.poller.interval_min = seconds(v.number); },
        .get = [](const Config& c) { return Seconds(c.poller.interval_min); }},
    Option{
        .section = "poller",
        .key = "interval_max",
        .type = OptionType::kDuration,
        .default_value = "1d",
        .help = "Longest time between two polls of one feed",
        .min = 1,
        .max = 30 * kDay,
        .set = [](Config& c, const OptionValue& v) { c.poller.interval_max = seconds(v.number); },
        .get = [](const Config& c) { return Seconds(c.poller.interval_max); }},
    Option{
        .section = "poller",
        .key = "fetch_timeout",
        .type = OptionType::kDuration,
        .default_value = "20s",
        .help = "Whole-request timeout for one feed fetch",
        .min = 1,
        .max = 10 * kMinute,
        .set = [](Config& c, const OptionValue& v) { c.poller.fetch_timeout = seconds(v.number); },
        .get = [](const Config& c) { return Seconds(c.poller.fetch_timeout); }},
    Option{
        .section = "poller",
        .key = "max_body_bytes",
        .type = OptionType::kSize,
        .default_value = "15MiB",
        .help = "Largest feed accepted, also after decompression; poller.workers x 16 x this must "
                "fit in 8 GiB",
        .min = kKiB,
        // Every body in flight may reach the cap: poller.workers x 16 exchanges per batch
        // (PollerOptions::kBodiesPerWorker) x the cap must stay within kBodyMemoryBudget (8 GiB,
        // checked in CheckConsistency), plus the few being decoded and parsed, which a 2-core,
        // 24 GiB machine survives. 128 MiB is the cap of 4 workers (the default).
        .max = 128 * kMiB,
        .set =
            [](Config& c, const OptionValue& v) {
              c.poller.max_body_bytes = static_cast<size_t>(v.number);
            },
        .get =
            [](const Config& c) { return Number(static_cast<int64_t>(c.poller.max_body_bytes)); }},
    Option{.section = "poller",
           .key = "max_redirects",
           .type = OptionType::kInt,
           .default_value = "5",
           .help = "Redirects followed per fetch",
           .min = 0,
           .max = 20,
           .set = [](Config& c,
                     const OptionValue& v) { c.poller.max_redirects = static_cast<int>(v.number); },
           .get = [](const Config& c) { return Number(c.poller.max_redirects); }},
    Option{
        .section = "poller",
        .key = "per_host_concurrency",
        .type = OptionType::kInt,
        .default_value = "2",
        .help = "Requests at once to one host, over all poller threads",
        .min = 1,
        .max = 64,
        .set =
            [](Config& c, const OptionValue& v) {
              c.poller.per_host_concurrency = static_cast<int>(v.number);
            },
        .get = [](const Config& c) { return Number(c.poller.per_host_concurrency); }},
    Option{.section = "poller",
           .key = "allow_private_networks",
           .type = OptionType::kBool,
           .default_value = "false",
           .help = "Fetch feeds from loopback and private addresses (refused by default: SSRF)",
           .set = [](Config& c, const OptionValue& v) { c.poller.allow_private_networks = v.flag; },
           .get = [](const Config& c) { return Flag(c.poller.allow_private_networks); }},
    Option{.section = "poller",
           .key = "user_agent",
           .type = OptionType::kString,
           .default_value = "",
           .help = "User-Agent of feed fetches; empty: feedbridge/VERSION (+BASE_URL)",
           .check = CheckSingleLine,
           .set = [](Config& c, const OptionValue& v) { c.poller.user_agent = v.text; },
           .get = [](const Config& c) { return Text(c.poller.user_agent); }},
    Option{.section = "poller",
           .key = "ca_file",
           .type = OptionType::kString,
           .default_value = "",
           .help = "PEM file of CA certificates trusted for https feeds besides the system store",
           .check = CheckSingleLine,
           .set = [](Config& c, const OptionValue& v) { c.poller.ca_file = v.text; },
           .get = [](const Config& c) { return Text(c.poller.ca_file); }},
    Option{.section = "poller",
           .key = "workers",
           .type = OptionType::kInt,
           .default_value = "4",
           .help = "Poller threads per process (each holds up to 16 feed bodies at once: see "
                   "max_body_bytes)",
           .min = 1,
           .max = 256,
           .set = [](Config& c,
                     const OptionValue& v) { c.poller.workers = static_cast<int>(v.number); },
           .get = [](const Config& c) { return Number(c.poller.workers); }},
    // [publisher]
    Option{.section = "publisher",
           .key = "workers",
           .type = OptionType::kInt,
           .default_value = "8",
           .help = "Delivery threads per process: deliveries in flight at once, over all hosts",
           .min = 1,
           .max = 256,
           .set = [](Config& c,
                     const OptionValue& v) { c.publisher.workers = static_cast<int>(v.number); },
           .get = [](const Config& c) { return Number(c.publisher.workers); }},
    Option{
        .section = "publisher",
        .key = "per_host_concurrency",
        .type = OptionType::kInt,
        .default_value = "4",
        .help = "Deliveries at once to one host; more wait on the queue (others keep flowing)",
        .min = 1,
        .max = 256,
        .set =
            [](Config& c, const OptionValue& v) {
              c.publisher.per_host_concurrency = static_cast<int>(v.number);
            },
        .get = [](const Config& c) { return Number(c.publisher.per_host_concurrency); }},
    Option{.section = "publisher",
           .key = "timeout",
           .type = OptionType::kDuration,
           .default_value = "30s",
           .help = "Whole-request timeout of one delivery (omb-0.1.md 9.1 asks for 30 s)",
           .min = 1,
           .max = 5 * kMinute,
           .set = [](Config& c, const OptionValue& v) { c.publisher.timeout = seconds(v.number); },
           .get = [](const Config& c) { return Seconds(c.publisher.timeout); }},
    Option{
        .section = "publisher",
        .key = "max_answer_bytes",
        .type = OptionType::kSize,
        .default_value = "64KiB",
        .help = "Largest answer read from a peer (a success is one short line)",
        .min = kKiB,
        .max = 16 * kMiB,
        .set =
            [](Config& c, const OptionValue& v) {
              c.publisher.max_answer_bytes = static_cast<size_t>(v.number);
            },
        .get =
            [](const Config& c) {
              return Number(static_cast<int64_t>(c.publisher.max_answer_bytes));
            }},
    Option{
        .section = "publisher",
        .key = "allow_private_networks",
        .type = OptionType::kBool,
        .default_value = "false",
        .help = "Deliver to loopback and private addresses (refused by default: SSRF)",
        .set = [](Config& c, const OptionValue& v) { c.publisher.allow_private_networks = v.flag; },
        .get = [](const Config& c) { return Flag(c.publisher.allow_private_networks); }},
    Option{.section = "publisher",
           .key = "ca_file",
           .type = OptionType::kString,
           .default_value = "",
           .help = "PEM file of CA certificates trusted for https peers besides the system store",
           .check = CheckSingleLine,
           .set = [](Config& c, const OptionValue& v) { c.publisher.ca_file = v.text; },
           .get = [](const Config& c) { return Text(c.publisher.ca_file); }},
    // [omb]
    Option{.section = "omb",
           .key = "notice_template",
           .type = OptionType::kString,
           .default_value = "{title} {url}",
           .help = "Text of a notice: {title} {url} {summary} {author}; fitted into 140 chars",
           .check = CheckNoticeTemplate,
           .set = [](Config& c, const OptionValue& v) { c.omb.notice_template = v.text; },
           .get = [](const Config& c) { return Text(c.omb.notice_template); }},
    // [log]
    Option{.section = "log",
           .key = "level",
           .type = OptionType::kEnum,
           .default_value = "information",
           .help = "Least severe level written",
           .choices = kLogLevels,
           .set = [](Config& c, const OptionValue& v) { c.log.level = v.text; },
           .get = [](const Config& c) { return Text(c.log.level); }},
    Option{.section = "log",
           .key = "format",
           .type = OptionType::kEnum,
           .default_value = "text",
           .help = "text (one line per message) or json (one object a line)",
           .choices = kLogFormats,
           .set = [](Config& c, const OptionValue& v) { c.log.format = v.text; },
           .get = [](const Config& c) { return Text(c.log.format); }},
    Option{.section = "log",
           .key = "file",
           .type = OptionType::kString,
           .default_value = "",
           .help = "Log file (rotated at 50 MB, 5 kept); empty: standard error",
           .check = CheckSingleLine,
           .set = [](Config& c, const OptionValue& v) { c.log.file = v.text; },
           .get = [](const Config& c) { return Text(c.log.file); }},
};

// Parses a whole non-negative decimal number (no sign, no spaces); nullopt on overflow.
std::optional<int64_t> ParseDecimal(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || n < 0) return std::nullopt;
  return n;
}

// Splits "15MiB" into 15 and "MiB"; nullopt without leading digits.
std::optional<std::pair<int64_t, std::string_view>> SplitUnit(std::string_view s) {
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  const std::optional<int64_t> n = ParseDecimal(s.substr(0, digits));
  if (!n) return std::nullopt;
  return std::make_pair(*n, s.substr(digits));
}

std::optional<int64_t> Multiply(int64_t n, int64_t unit) {
  if (n > std::numeric_limits<int64_t>::max() / unit) return std::nullopt;
  return n * unit;
}

std::optional<int64_t> ParseDuration(std::string_view s) {
  const auto split = SplitUnit(s);
  if (!split) return std::nullopt;
  const auto [n, unit] = *split;
  if (unit.empty() || unit == "s") return n;
  if (unit == "m") return Multiply(n, kMinute);
  if (unit == "h") return Multiply(n, kHour);
  if (unit == "d") return Multiply(n, kDay);
  return std::nullopt;
}

std::optional<int64_t> ParseSize(std::string_view s) {
  const auto split = SplitUnit(s);
  if (!split) return std::nullopt;
  const auto [n, unit] = *split;
  if (unit.empty() || unit == "B") return n;
  if (unit == "K" || unit == "KiB" || unit == "k") return Multiply(n, kKiB);
  if (unit == "M" || unit == "MiB") return Multiply(n, kMiB);
  if (unit == "G" || unit == "GiB") return Multiply(n, kGiB);
  return std::nullopt;
}

std::optional<bool> ParseBool(std::string_view s) {
  const std::string lower = AsciiLower(s);
  if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") return true;
  if (lower == "false" || lower == "no" || lower == "off" || lower == "0") return false;
  return std::nullopt;
}

bool IsHttpUrl(const std::string& s) {
  try {
    const Poco::URI uri(s);
    return (uri.getScheme() == "http" || uri.getScheme() == "https") && !uri.getHost().empty();
  } catch (const Poco::SyntaxException&) {
    return false;
  }
}

bool IsHostPort(std::string_view s) {
  const size_t colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const std::string_view host = s.substr(0, colon);
  const std::optional<int64_t> port = ParseDecimal(s.substr(colon + 1));
  if (!port || *port > 65535) return false;
  if (host.front() == '[') return host.size() > 2 && host.back() == ']';
  // An unbracketed IPv6 address is ambiguous ("::1:8080").
  if (host.find(':') != std::string_view::npos) return false;
  return host.find_first_of(" \t/") == std::string_view::npos;
}

std::string FormatDuration(int64_t s) {
  if (s != 0 && s % kDay == 0) return std::to_string(s / kDay) + "d";
  if (s != 0 && s % kHour == 0) return std::to_string(s / kHour) + "h";
  if (s != 0 && s % kMinute == 0) return std::to_string(s / kMinute) + "m";
  return std::to_string(s) + "s";
}

std::string FormatSize(int64_t b) {
  if (b != 0 && b % kGiB == 0) return std::to_string(b / kGiB) + "GiB";
  if (b != 0 && b % kMiB == 0) return std::to_string(b / kMiB) + "MiB";
  if (b != 0 && b % kKiB == 0) return std::to_string(b / kKiB) + "KiB";
  return std::to_string(b);
}

std::string FormatNumber(OptionType type, int64_t n) {
  if (type == OptionType::kDuration) return FormatDuration(n);
  if (type == OptionType::kSize) return FormatSize(n);
  return std::to_string(n);
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string_view TypeName(OptionType type) {
  switch (type) {
    case OptionType::kString:
      return "string";
    case OptionType::kInt:
      return "integer";
    case OptionType::kBool:
      return "boolean";
    case OptionType::kDuration:
      return "duration";
    case OptionType::kSize:
      return "size";
    case OptionType::kUrl:
      return "URL";
    case OptionType::kHostPort:
      return "HOST:PORT";
    case OptionType::kEnum:
      return "one of";
  }
  return "?";
}

std::span<const Option> AllOptions() { return kOptions; }

std::span<const std::string_view> Sections() { return kSections; }

const Option* FindOption(std::string_view section, std::string_view key) {
  for (const Option& o : kOptions) {
    if (o.section == section && o.key == key) return &o;
  }
  return nullptr;
}

std::string FullName(const Option& option) {
  std::string name(option.section);
  name += '.';
  name += option.key;
  return name;
}

Result<OptionValue> ParseValue(const Option& option, std::string_view raw) {
  const std::string quoted = "'" + std::string(raw) + "'";
  OptionValue value;
  switch (option.type) {
    case OptionType::kString:
      value.text = raw;
      break;
    case OptionType::kBool: {
      const std::optional<bool> b = ParseBool(raw);
      if (!b) return Status::InvalidArgument(quoted + " is not a boolean (true or false)");
      value.flag = *b;
      break;
    }
    case OptionType::kInt:
    case OptionType::kDuration:
    case OptionType::kSize: {
      const std::optional<int64_t> n = option.type == OptionType::kInt        ? ParseDecimal(raw)
                                       : option.type == OptionType::kDuration ? ParseDuration(raw)
                                                                              : ParseSize(raw);
      if (!n) {
        const std::string_view what = option.type == OptionType::kInt        ? "an integer"
                                      : option.type == OptionType::kDuration ? "a duration"
                                                                             : "a size";
        return Status::InvalidArgument(quoted + " is not " + std::string(what));
      }
      if (*n < option.min) {
        return Status::InvalidArgument(FormatNumber(option.type, *n) + " is below the minimum " +
                                       FormatNumber(option.type, option.min));
      }
      if (*n > option.max) {
        return Status::InvalidArgument(FormatNumber(option.type, *n) + " is above the maximum " +
                                       FormatNumber(option.type, option.max));
      }
      value.number = *n;
      break;
    }
    case OptionType::kUrl:
      value.text = raw;
      if (!IsHttpUrl(value.text)) {
        return Status::InvalidArgument(quoted + " is not an http:// or https:// URL");
      }
      break;
    case OptionType::kHostPort:
      value.text = raw;
      if (!IsHostPort(raw)) return Status::InvalidArgument(quoted + " is not HOST:PORT");
      break;
    case OptionType::kEnum: {
      if (std::find(option.choices.begin(), option.choices.end(), raw) == option.choices.end()) {
        std::string list;
        for (std::string_view c : option.choices) {
          if (!list.empty()) list += ", ";
          list += c;
        }
        return Status::InvalidArgument(quoted + " is not one of " + list);
      }
      value.text = raw;
      break;
    }
  }
  if (option.check != nullptr) {
    if (std::optional<std::string> problem = option.check(value)) {
      return Status::InvalidArgument(std::move(*problem));
    }
  }
  return value;
}

std::string FormatValue(const Option& option, const OptionValue& value) {
  switch (option.type) {
    case OptionType::kBool:
      return value.flag ? "true" : "false";
    case OptionType::kInt:
    case OptionType::kDuration:
    case OptionType::kSize:
      return FormatNumber(option.type, value.number);
    default:
      return value.text;
  }
}

std::string_view Suggest(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string_view best;
  size_t best_distance = 3;
  for (std::string_view c : candidates) {
    const size_t d = EditDistance(word, c);
    if (d < best_distance && 2 * d < word.size()) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace feedbridge::config
