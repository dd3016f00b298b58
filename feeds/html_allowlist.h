#pragma once

// Internal to feeds/ (html.h): what SanitizeHtml lets through, in one place to audit. Everything
// not named here is dropped: an element outside kAllowedElements loses its tags (its text stays)
// unless it is in kRemovedElements (then it goes with everything inside it); an attribute outside
// kGlobalAttributes and the element's kElementAttributes is dropped; a URL attribute (href, src,
// cite) stays only when SafeUrl accepts it (a scheme in kAllowedUrlSchemes, or relative). Pure.

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace feedbridge::feeds::html_internal {

// Sorted for binary search; an element's index here is its id on the sanitizer's stack.
inline constexpr std::array<std::string_view, 67> kAllowedElements = {
    "a",      "abbr",    "audio", "b",       "bdi",        "bdo",     "big",     "blockquote",
    "br",     "caption", "cite",  "code",    "dd",         "del",     "details", "dfn",
    "div",    "dl",      "dt",    "em",      "figcaption", "figure",  "h1",      "h2",
    "h3",     "h4",      "h5",    "h6",      "hr",         "i",       "img",     "ins",
    "kbd",    "li",      "mark",  "ol",      "p",          "picture", "pre",     "q",
    "rp",     "rt",      "ruby",  "s",       "samp",       "small",   "source",  "span",
    "strike", "strong",  "sub",   "summary", "sup",        "table",   "tbody",   "td",
    "tfoot",  "th",      "thead", "time",    "tr",         "tt",      "u",       "ul",
    "var",    "video",   "wbr"};
static_assert(std::is_sorted(kAllowedElements.begin(), kAllowedElements.end()));

inline constexpr std::string_view kGlobalAttributes = "title lang dir";

struct ElementAttributes {
  std::string_view element;
  std::string_view attributes;  // Space-separated.
};
// Attributes allowed beyond kGlobalAttributes. The URL-valued ones (href, src, cite) must also
// pass SafeUrl.
// clang-format off
inline constexpr std::array<ElementAttributes, 13> kElementAttributes = {{
    {"a", "href hreflang"}, {"audio", "src"}, {"blockquote", "cite"}, {"del", "cite datetime"},
    {"img", "src alt width height"}, {"ins", "cite datetime"}, {"ol", "start"}, {"q", "cite"},
    {"source", "src"}, {"td", "colspan rowspan"}, {"th", "colspan rowspan scope"},
    {"time", "datetime"}, {"video", "src"}}};
// clang-format on

// Removed together with everything inside them: active content, forms, frames, document-level
// elements that would retarget or refresh our page (<base>, <meta>, <link>), and foreign
// content (<svg>, <math>), whose parsing rules differ enough from HTML to hide markup.
inline constexpr std::array<std::string_view, 26> kRemovedElements = {
    "applet", "base",   "basefont", "button", "embed", "form",     "frame",    "frameset", "iframe",
    "input",  "keygen", "link",     "math",   "meta",  "noembed",  "noframes", "noscript", "object",
    "param",  "script", "select",   "style",  "svg",   "template", "textarea", "title"};

// URL schemes a link or an image may have; a relative URL is resolved first and judged again.
inline constexpr std::array<std::string_view, 3> kAllowedUrlSchemes = {"http", "https", "mailto"};

// The element's index in kAllowedElements, or nullopt when it is not allowed.
std::optional<size_t> AllowedElementId(std::string_view name);

// The attributes kAllowedElements[...] `element` may have beyond kGlobalAttributes,
// space-separated.
std::string_view ElementSpecificAttributes(std::string_view element);

// True when the space-separated `list` holds `word`.
bool ListContains(std::string_view list, std::string_view word);

bool IsRemovedElement(std::string_view n);

// §13.1.2: elements without an end tag.
bool IsVoidElement(std::string_view n);

// Attributes whose value is a URL the sanitizer judges.
bool IsUrlAttribute(std::string_view n);

// The scheme of `url` for the safety decision, or nullopt for a relative reference. Stricter
// than browsers on purpose: whatever precedes the first ':' that comes before any '/', '?' or
// '#' counts as the scheme once every control character and space is removed, so
// "java\x01script:" and "java script:" are judged as "javascript".
std::optional<std::string> SchemeForSafety(std::string_view url);

// A URL attribute's value as the WHATWG URL parser reads it: leading and trailing C0 controls
// and spaces stripped, tabs and newlines removed anywhere.
std::string NormalizeUrlValue(std::string_view value);

// The value to write for a URL attribute, or nullopt to drop the attribute. Normalized as
// browsers do before the scheme is judged.
std::optional<std::string> SafeUrl(std::string_view value, std::string_view base_url);

}  // namespace feedbridge::feeds::html_internal
