#pragma once

// UTF-8 decoding and encoding (Unicode 15 §3.9), the one implementation every module uses. Pure.

#include <cstddef>
#include <string>
#include <string_view>

namespace feedbridge {

inline constexpr char32_t kReplacementChar = 0xFFFD;

struct Utf8Char {
  char32_t cp = 0;     // The code point; U+FFFD when !valid.
  size_t length = 0;   // Bytes consumed: the sequence, or its maximal subpart when !valid (>= 1).
  bool valid = false;  // A well-formed sequence (Table 3-7).
};

// Decodes the character at s[pos]. A well-formed sequence (Table 3-7: no overlongs, no
// surrogates ED A0..BF, nothing above U+10FFFF) gives its code point and length. An ill-formed
// one gives U+FFFD and the length of its maximal subpart ("U+FFFD substitution of maximal
// subparts"), so that each maximal subpart becomes exactly one U+FFFD and a valid sequence
// after it is never swallowed. Precondition: pos < s.size().
Utf8Char DecodeUtf8(std::string_view s, size_t pos);

// True when every byte of `s` belongs to a well-formed UTF-8 sequence.
bool IsWellFormedUtf8(std::string_view s);

// `s` with each ill-formed sequence (each maximal subpart) replaced by U+FFFD.
std::string ToWellFormedUtf8(std::string_view s);

// Appends the UTF-8 encoding of `cp`, which must be a Unicode scalar value.
void AppendUtf8(char32_t cp, std::string& out);

}  // namespace feedbridge
