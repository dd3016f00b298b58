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

// The fragment with the relative URLs in its URL-valued attributes (href, src, cite, poster,
// longdesc, action, formaction, background) made absolute against `base_url`. Use it before
// storing content apart from the document whose base it was written against (xml:base does not
// travel). This is not a sanitizer: everything else stays as written. A URL with any scheme
// (javascript:, data:, or a disguised one such as "java&#9;script:") is left exactly as it was,
// for SanitizeHtml to judge when the fragment is served. A relative URL is rewritten only when
// it resolves to http or https, and the new value is written double-quoted and escaped.
// Attributes are read as SanitizeHtml reads them (the same tokenizer), so comments, script text
// and a tag cut off at the end are not markup. srcset is not rewritten (SanitizeHtml drops it).
// When `base_url` is not an http(s) URL, returns `html` unchanged. Otherwise the input is
// repaired as SanitizeHtml repairs it: invalid UTF-8 becomes U+FFFD, characters XML forbids are
// dropped.
std::string ResolveHtmlUrls(std::string_view html, std::string_view base_url);

// The src of the first <img> of an HTML fragment whose URL is http or https (relative ones
// resolved against `base_url`), else empty: the image of an entry that names none otherwise.
std::string FirstImageUrl(std::string_view html, std::string_view base_url = {});

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string EscapeHtml(std::string_view text);

}  // namespace feedbridge::feeds
