#pragma once

// HTML and XML character escaping, the one implementation every module uses. Pure.

#include <cstdint>
#include <string>
#include <string_view>

namespace feedbridge {

// Which characters are replaced. &, < and > always are.
enum class HtmlEscape : uint8_t {
  kText,       // Element content.
  kAttribute,  // Also " (&quot;): a double-quoted attribute value.
  kAll,        // Also " and ' (&#39;): text or an attribute value quoted either way.
};

// Appends `text` to `out` with the characters of `set` replaced by their references.
void AppendHtmlEscaped(std::string_view text, HtmlEscape set, std::string& out);

// `text` with the characters of `set` replaced by their references.
std::string HtmlEscaped(std::string_view text, HtmlEscape set);

}  // namespace feedbridge
