#include "feeds/text_util.h"

#include <array>

namespace feedbridge::feeds::internal {

Person ParsePersonText(std::string_view text) {
  Person p;
  text = Trim(text, kXmlWhitespace);
  if (text.empty()) return p;
  // Find an e-mail address: the run of non-space, non-bracket characters around an '@'.
  const size_t at = text.find('@');
  if (at != std::string_view::npos) {
    auto stop = [](char c) {
      return c == ' ' || c == '\t' || c == '\n' || c == '(' || c == ')' || c == '<' || c == '>' ||
             c == '"' || c == ',' || c == ';' || c == '[' || c == ']';
    };
    size_t b = at, e = at + 1;
    while (b > 0 && !stop(text[b - 1])) --b;
    while (e < text.size() && !stop(text[e])) ++e;
    std::string_view email = text.substr(b, e - b);
    if (email.starts_with("mailto:")) email.remove_prefix(7);
    if (b < at && e > at + 1) {
      p.email = std::string(email);
      std::string rest = std::string(text.substr(0, b)) + std::string(text.substr(e));
      // "jane@example.org (Jane Doe)" / "Jane Doe <jane@example.org>": strip the brackets.
      std::string name;
      for (char c : rest) {
        if (c == '(' || c == ')' || c == '<' || c == '>') c = ' ';
        name += c;
      }
      p.name = std::string(Trim(name, kXmlWhitespace));
      // Collapse inner runs of spaces left by the brackets.
      std::string collapsed;
      for (char c : p.name) {
        if (c == ' ' && !collapsed.empty() && collapsed.back() == ' ') continue;
        collapsed += c;
      }
      p.name = std::move(collapsed);
      return p;
    }
  }
  p.name = std::string(text);
  return p;
}

void ReplaceC1Controls(std::string& text) {
  // U+0080..U+009F are C2 80..C2 9F in UTF-8; most text has no 0xC2 at all.
  if (text.find('\xC2') == std::string::npos) return;
  static constexpr char16_t kCp1252[32] = {
      0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0xC2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F && kCp1252[next - 0x80] != 0) {
        AppendUtf8(kCp1252[next - 0x80], out);
        ++i;
        continue;
      }
    }
    out += static_cast<char>(c);
  }
  text = std::move(out);
}

std::optional<std::string> DecodeBase64(std::string_view text) {
  static constexpr std::array<int8_t, 256> kTable = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i)
      t[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
    return t;
  }();
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  bool padding = false;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    if (padding || kTable[c] < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(kTable[c]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

}  // namespace feedbridge::feeds::internal
