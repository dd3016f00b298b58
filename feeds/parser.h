#pragma once

// Parsing any feed a blog may publish (RSS 0.90-2.0, RSS 1.0, Atom 0.3/1.0, JSON Feed 1.0/1.1)
// into the normalized model. Pure: bytes in, Result<Feed> out; no network, ever.

#include <string_view>

#include "common/result.h"
#include "feeds/model.h"
#include "feeds/parse_options.h"

namespace feedbridge::feeds {

// Parses a feed. Ill-formed XML is recovered where a reader would recover it (feed.recovered and
// feed.problems say so). Errors:
//   InvalidArgument    not a feed at all (HTML page, empty body, unknown root), or nothing could
//                      be recovered; an external entity reference (never fetched).
//   ResourceExhausted  over a limit in `options`.
Result<Feed> ParseFeed(std::string_view bytes, const ParseOptions& options);

// ParseFeed with default limits.
Result<Feed> ParseFeed(std::string_view bytes, std::string_view base_url);

}  // namespace feedbridge::feeds
