#pragma once

// HTML found in feeds: reduce it to plain text (for notices), or sanitize it with an allowlist
// (for the feeds and pages we serve). Both tolerate any input (tag soup, invalid UTF-8) and never
// fetch anything.

#include <string>
#include <string_view>

namespace feedbridge::feeds {

// Plain text of an HTML fragment: tags dropped, entities decoded, <script>/<style> contents
// removed, block elements and <br> become single spaces, runs of white space collapse to one
// space, leading/trailing white space trimmed.
std::string HtmlToText(std::string_view html);

// A safe HTML fragment: only allowlisted elements and attributes survive; script, style, iframe,
// object, embed, form and the like are removed with their content; event handlers and style
// attributes are dropped; URLs keep only http, https and mailto (relative ones resolve against
// `base_url` when given; other schemes — javascript:, data:, vbscript: — drop the attribute).
// Output is well-formed XHTML-compatible markup, UTF-8.
std::string SanitizeHtml(std::string_view html, std::string_view base_url = {});

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string EscapeHtml(std::string_view text);

}  // namespace feedbridge::feeds
