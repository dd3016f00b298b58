#pragma once

// ASCII-only text helpers for protocol text (HTTP fields, XML names, config keys, charsets):
// locale-independent, never touching bytes >= 0x80, so UTF-8 passes through unchanged.

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

// `s` without the leading and trailing characters found in `chars`.
std::string_view Trim(std::string_view s, std::string_view chars = kAsciiWhitespace);

// 'A'-'Z' to 'a'-'z'; every other byte as it is.
constexpr char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
std::string AsciiLower(std::string_view s);

// Equal, or `s` starts with `prefix`, comparing A-Z and a-z as the same letter.
bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreAsciiCase(std::string_view s, std::string_view prefix);

}  // namespace feedbridge
