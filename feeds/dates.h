#pragma once

// Dates as feeds write them: RFC 822/1123 (RSS), RFC 3339/ISO 8601 (Atom, JSON Feed, dc:date)
// and the usual broken variants (missing seconds, two-digit years, named and numeric zones,
// W3CDTF with reduced precision, asctime, "2004-01-01 19:48:21"). Pure functions.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace feedbridge::feeds {

// Parses a date in any of the supported forms and normalizes it to UTC. nullopt if unparseable
// or outside years 1900..9999. A date without a zone is taken as UTC.
std::optional<std::chrono::sys_seconds> ParseDate(std::string_view text);

// "2026-11-23T12:00:00Z".
std::string FormatRfc3339(std::chrono::sys_seconds t);

// "Mon, 23 Nov 2026 12:00:00 GMT" (RFC 1123, as RSS 2.0 and HTTP want).
std::string FormatRfc1123(std::chrono::sys_seconds t);

}  // namespace feedbridge::feeds
