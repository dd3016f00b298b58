#pragma once

// URL helpers for feeds: resolving relative references and checking schemes. Pure.

#include <string>
#include <string_view>

namespace feedbridge::feeds {

// Resolves `ref` against `base` (RFC 3986 §5). Returns `ref` unchanged when base is empty, when
// ref is already absolute, or when either cannot be parsed.
std::string ResolveUrl(std::string_view base, std::string_view ref);

// The scheme of a URL, lower-cased, or empty when it has none (a relative reference).
// Control characters and white space inside the scheme (a "java\tscript:" trick) are ignored
// the way browsers ignore them.
std::string UrlScheme(std::string_view url);

// True for http, https and mailto URLs and for relative references: the only kinds we ever
// put in an href or src we serve.
bool IsSafeUrl(std::string_view url);

}  // namespace feedbridge::feeds
