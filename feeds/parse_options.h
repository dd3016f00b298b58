#pragma once

// The options of feeds::ParseFeed (feeds/parser.h): the document's URL and Content-Type, and the
// limits against hostile documents. A plain value; copyable.

#include <cstddef>
#include <string>

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

}  // namespace feedbridge::feeds
