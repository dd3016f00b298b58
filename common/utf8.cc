#include "common/utf8.h"

#include <cstdint>
#include <cstring>

namespace feedbridge {

Utf8Char DecodeUtf8(std::string_view s, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(pos);
  if (lead < 0x80) return {lead, 1, true};
  size_t needed = 0;
  char32_t cp = 0;
  unsigned char lo = 0x80;  // Table 3-7: the allowed range of the second byte depends on the lead.
  unsigned char hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    needed = 1;
    cp = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    needed = 2;
    cp = lead & 0x0Fu;
    if (lead == 0xE0) lo = 0xA0;  // No overlongs.
    if (lead == 0xED) hi = 0x9F;  // No surrogates.
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    needed = 3;
    cp = lead & 0x07u;
    if (lead == 0xF0) lo = 0x90;  // No overlongs.
    if (lead == 0xF4) hi = 0x8F;  // Nothing above U+10FFFF.
  } else {
    return {kReplacementChar, 1, false};
  }
  size_t i = pos + 1;
  for (size_t k = 0; k < needed; ++k, ++i) {
    if (i >= s.size() || byte(i) < lo || byte(i) > hi) {
      return {kReplacementChar, i - pos, false};  // The maximal subpart ends before byte i.
    }
    cp = (cp << 6) | (byte(i) & 0x3Fu);
    lo = 0x80;
    hi = 0xBF;
  }
  return {cp, i - pos, true};
}

std::string ToWellFormedUtf8(std::string_view s) {
  if (IsWellFormedUtf8(s)) return std::string(s);
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const Utf8Char c = DecodeUtf8(s, i);
    if (c.valid) {
      out.append(s.substr(i, c.length));
    } else {
      AppendUtf8(kReplacementChar, out);
    }
    i += c.length;
  }
  return out;
}

bool IsWellFormedUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    // ASCII runs 8 bytes at a time: the common case in feed markup.
    while (s.size() - i >= 8) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      if ((word & 0x8080808080808080ULL) != 0) break;
      i += 8;
    }
    if (i == s.size()) break;
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const Utf8Char c = DecodeUtf8(s, i);
    if (!c.valid) return false;
    i += c.length;
  }
  return true;
}

void AppendUtf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace feedbridge
