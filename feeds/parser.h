#pragma once

// Parsing any feed a blog may publish (RSS 0.90-2.0, RSS 1.0, Atom 0.3/1.0, JSON Feed 1.0/1.1)
// into the normalized model. Pure: bytes in, Result<Feed> out; no network, ever.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "feeds/model.h"

namespace feedbridge::feeds {

// Limits against hostile documents. Each names the attack it stops.
struct ParseOptions {
  // The URL the bytes came from: relative links resolve against it (after xml:base).
  std::string base_url;
  // The HTTP Content-Type, if any ("application/rss+xml; charset=windows-1252"): its charset
  // wins over the XML declaration, as RFC 3023 says (a BOM wins over both).
  std::string content_type;
  // Whole-document cap (memory exhaustion). Over it: ResourceExhausted.
  size_t max_document_bytes = 15u << 20;
  // Element nesting cap (stack exhaustion, quadratic paths). Over it: ResourceExhausted.
  int max_depth = 256;
  // Total characters that declared internal entities may expand to (billion laughs).
  // Over it: ResourceExhausted.
  size_t max_entity_expansion = 1u << 20;
  // Entries kept (the rest are counted as a problem, not stored).
  size_t max_entries = 100000;
};

// Parses a feed. Ill-formed XML is recovered where a reader would recover it (feed.recovered and
// feed.problems say so). Errors:
//   InvalidArgument    not a feed at all (HTML page, empty body, unknown root), or nothing could
//                      be recovered; an external entity reference (never fetched).
//   ResourceExhausted  over a limit in `options`.
Result<Feed> ParseFeed(std::string_view bytes, const ParseOptions& options);

// ParseFeed with default limits.
Result<Feed> ParseFeed(std::string_view bytes, std::string_view base_url);

}  // namespace feedbridge::feeds
