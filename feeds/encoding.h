#pragma once

// Character-encoding detection and conversion to UTF-8 for feed documents.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace feedbridge::feeds {

struct DecodedDocument {
  // The document as valid UTF-8, BOM removed. A view of the caller's bytes when they needed no
  // conversion (the common case: no copy of a 15 MiB feed), else of `converted`; valid while
  // this object and the caller's bytes live.
  std::string_view utf8() const { return is_converted ? std::string_view(converted) : unchanged; }

  std::string converted;       // Set when the bytes had to be converted or repaired.
  std::string_view unchanged;  // Set otherwise.
  bool is_converted = false;
  std::string encoding;  // What it was decoded from, lower case ("utf-8", "windows-1252", "euc-kr").
  // Why the document should be flagged as recovered: declared and actual encodings disagree,
  // invalid bytes were replaced, an unknown charset was ignored. Empty when all was clean.
  std::vector<std::string> problems;
};

// The charset parameter of a Content-Type header, lower-cased and unquoted; empty if none.
std::string CharsetFromContentType(std::string_view content_type);

// The encoding named in an XML declaration (<?xml ... encoding="..."?>), lower-cased; empty if none.
// `bytes` must be ASCII-compatible at the start (call after BOM/UTF-16/32 sniffing).
std::string EncodingFromXmlDeclaration(std::string_view bytes);

// Decodes an XML feed to UTF-8. The result may refer to `bytes` (see DecodedDocument::utf8). Order of precedence (RFC 3023 and what feed readers do):
// a BOM; the HTTP charset; UTF-16/32 sniffed from the first bytes; the XML declaration; UTF-8.
// When the chosen encoding cannot decode the bytes, falls back to UTF-8, then windows-1252
// (which decodes anything), and records the problem. Invalid UTF-8 sequences become U+FFFD.
// Fails only with InvalidArgument for an empty document.
Result<DecodedDocument> DecodeXmlDocument(std::string_view bytes, std::string_view content_type);

// Converts `bytes` from `encoding` (any name iconv knows) to UTF-8. InvalidArgument if the
// encoding is unknown or the bytes are not valid in it.
Result<std::string> ConvertToUtf8(std::string_view bytes, std::string_view encoding);

// True when `bytes` is valid UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

// Replaces every invalid UTF-8 sequence with U+FFFD.
std::string RepairUtf8(std::string_view bytes);

}  // namespace feedbridge::feeds
