#pragma once

// ASCII-only text helpers for protocol text (HTTP fields, XML names, config keys, charsets):
// locale-independent, never touching bytes >= 0x80, so UTF-8 passes through unchanged.
//
// The view helpers are defined here, constexpr and inline, as plain loops over the characters:
// they run in per-header loops of the HTTP response parser (once per header of every poll), where
// an out-of-line call and find_first_not_of's generic search cost measurably (bench/poll). None
// allocates; only AsciiLower(string_view) returns a new string.

#include <string>
#include <string_view>

namespace feedbridge {

// The white space sets the protocols we speak define.
inline constexpr std::string_view kAsciiWhitespace =
    " \t\r\n\f\v";                                             // C isspace() in the "C" locale.
inline constexpr std::string_view kXmlWhitespace = " \t\r\n";  // XML 1.0 §2.3 S.
inline constexpr std::string_view kHttpWhitespace = " \t";     // RFC 9110 §5.6.3 OWS.
inline constexpr std::string_view kHtmlWhitespace =
    " \t\n\r\f";  // WHATWG Infra "ASCII whitespace", as HTML and MIME sniffing use it.

// True if `c` is one of `chars`.
constexpr bool IsOneOf(char c, std::string_view chars) {
  for (const char x : chars) {
    if (x == c) return true;
  }
  return false;
}

// `s` without the leading and trailing characters found in `chars`.
constexpr std::string_view Trim(std::string_view s, std::string_view chars = kAsciiWhitespace) {
  size_t begin = 0;
  size_t end = s.size();
  while (begin < end && IsOneOf(s[begin], chars)) ++begin;
  while (end > begin && IsOneOf(s[end - 1], chars)) --end;
  return s.substr(begin, end - begin);
}

// 'A'-'Z' to 'a'-'z'; every other byte as it is.
constexpr char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
std::string AsciiLower(std::string_view s);

// Equal, or `s` starts with `prefix`, comparing A-Z and a-z as the same letter.
constexpr bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}
constexpr bool StartsWithIgnoreAsciiCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreAsciiCase(s.substr(0, prefix.size()), prefix);
}

}  // namespace feedbridge
