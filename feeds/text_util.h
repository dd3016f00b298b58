#pragma once

// Internal to feeds/: small pure text helpers shared by the parsers.

#include <optional>
#include <string>
#include <string_view>

#include "common/ascii.h"        // Trim and AsciiLower, likewise.
#include "common/html_escape.h"  // AppendHtmlEscaped, used with these helpers.
#include "common/utf8.h"         // AppendUtf8, likewise.
#include "feeds/model.h"

namespace feedbridge::feeds::internal {

// "jane@example.org (Jane Doe)", "Jane Doe <jane@example.org>", "jane@example.org", "Jane Doe".
Person ParsePersonText(std::string_view text);

// Replaces C1 control characters U+0080..U+009F with the windows-1252 characters they stand for
// ("don&#146;t" means don’t): what browsers do for such references in HTML (WHATWG HTML
// §13.2.5.80), and never a meaningful character in a feed.
void ReplaceC1Controls(std::string& text);

// RFC 4648 base64, ignoring white space; nullopt when malformed.
std::optional<std::string> DecodeBase64(std::string_view text);

}  // namespace feedbridge::feeds::internal
