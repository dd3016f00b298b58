#pragma once

// Internal to feeds/: a hardened, recovering SAX reader over libxml2. It turns a UTF-8 document
// into start/end/text events and enforces the limits in ParseOptions. No libxml2 type leaks out.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace feedbridge::feeds::internal {

struct XmlAttribute {
  std::string_view ns;     // Namespace URI, empty when none.
  std::string_view local;  // Local name.
  std::string_view prefix;
  std::string_view value;  // Entities and character references resolved.
};

// Receives the events of one document. Names and attribute views are valid only during a call.
class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  // `ns` is the namespace URI, or empty with `prefix` set when the prefix was never declared
  // (common in real feeds: <dc:creator> without xmlns:dc), or both empty.
  virtual void StartElement(std::string_view ns, std::string_view prefix, std::string_view local,
                            const std::vector<XmlAttribute>& attributes) = 0;
  virtual void EndElement() = 0;
  virtual void Characters(std::string_view utf8) = 0;
};

struct XmlLimits {
  int max_depth = 256;
  size_t max_entity_expansion = 1u << 20;
  size_t max_problems = 20;
};

struct XmlOutcome {
  bool well_formed = true;             // False when errors were recovered from.
  // Bare '&', unknown entity names or "&#X41;": text libxml2 dropped that a second pass over
  // RepairAmpersands() output would keep.
  bool lost_ampersands = false;
  std::vector<std::string> problems;   // "line 3: Opening and ending tag mismatch: ...".
};

// Reads `utf8` (must be valid UTF-8; any encoding declaration is ignored) and sends its events
// to `handler`. HTML named entities (&eacute;, &nbsp;, ...) are accepted without a DTD as feed
// readers do. Declared internal entities are expanded by us within `limits`; external entities
// and DTDs are never loaded. Errors:
//   ResourceExhausted  depth or entity expansion over the limits (the handler saw a prefix).
//   InvalidArgument    a reference to an external entity.
// Ill-formed XML is not an error: the reader recovers and reports it in the outcome.
Status ReadXml(std::string_view utf8, const XmlLimits& limits, XmlHandler& handler,
               XmlOutcome& outcome);

// `utf8` with every '&' that does not start a well-formed reference to a predefined, HTML or
// declared entity, or a character reference, escaped as "&amp;", and "&#X" read as "&#x".
// This is what readers show for "?a=1&b=2" or "&doesnotexist;" in a feed.
std::string RepairAmpersands(std::string_view utf8);

}  // namespace feedbridge::feeds::internal
