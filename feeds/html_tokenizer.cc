#include "feeds/html_tokenizer.h"

#include <libxml/HTMLparser.h>  // htmlEntityLookup: the HTML 4 named character references.

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>

#include "common/ascii.h"
#include "common/utf8.h"
#include "feeds/text_util.h"

// Why a tokenizer of our own and not htmlReadMemory: libxml2 2.9.14's HTML parser follows the
// HTML 4 DTD. It wraps top-level text of a fragment in an implied <p> even with
// HTML_PARSE_NOIMPLIED, stops the whole document at the first invalid UTF-8 byte ("encoder
// error") when told the input is UTF-8, and knows neither HTML5 comment endings nor HTML5
// elements. What follows is the HTML5 tokenizer (WHATWG HTML §13.2.5) reduced to what a fragment
// needs, plus a tree builder with a bounded stack of open elements, so every step is linear in
// the input and nesting never exceeds kMaxDepth. libxml2 still supplies the entity table. Safety
// does not rest on parsing like a browser: the sanitizer re-serializes only allowlisted names with
// every text and attribute value escaped, so a browser reading our output sees exactly the tree we
// checked.

namespace feedbridge::feeds::html_internal {
namespace {

// Attributes kept per tag; the rest are parsed and ignored. Bounds duplicate detection.
constexpr size_t kMaxAttributes = 64;
// Longer names cannot be entities (the longest HTML 4 name has 8 characters).
constexpr size_t kMaxEntityName = 32;

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlnum(char c) { return IsAsciiAlpha(c) || IsAsciiDigit(c); }
bool IsHexDigit(char c) {
  return IsAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Appends a decoded character, keeping the output legal in XML 1.0 (§2.2 Char) because the
// sanitizer's output is embedded in Atom and RSS: NUL, surrogates, U+FFFE/U+FFFF and values past
// U+10FFFF become U+FFFD, form feed becomes a space, other C0 controls are dropped.
void AppendCodePoint(std::string& out, uint32_t cp) {
  if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF || cp > 0x10FFFF) {
    cp = kReplacementChar;
  } else if (cp == '\f') {
    cp = ' ';
  } else if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') {
    return;
  }
  AppendUtf8(cp, out);
}

// Length of the clean character at `i`, or 0 when it needs repair (invalid UTF-8, a character
// XML forbids, or form feed).
size_t CleanCharLength(std::string_view s, size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b >= 0x20 && b < 0x80) return 1;
  if (b < 0x20) return (b == '\t' || b == '\n' || b == '\r') ? 1 : 0;
  const Utf8Char c = DecodeUtf8(s, i);
  return (!c.valid || c.cp == 0xFFFE || c.cp == 0xFFFF) ? 0 : c.length;
}

// WHATWG HTML §13.2.5.80: numeric references to C1 controls mean windows-1252 characters.
constexpr std::array<uint16_t, 32> kWindows1252C1 = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

struct NamedChar {
  std::string_view name;
  uint32_t cp;
};
// HTML5 names libxml2's HTML 4 table lacks; the ASCII ones are what obfuscated URLs use
// ("javascript&colon;", "jav&Tab;ascript:").
// clang-format off
constexpr std::array<NamedChar, 12> kHtml5Names = {{
    {"AMP", '&'}, {"GT", '>'}, {"LT", '<'}, {"NewLine", '\n'}, {"QUOT", '"'}, {"Tab", '\t'},
    {"colon", ':'}, {"lpar", '('}, {"period", '.'}, {"rpar", ')'}, {"semi", ';'}, {"sol", '/'}}};
// clang-format on

std::optional<uint32_t> LookupEntity(std::string_view name) {
  for (const NamedChar& n : kHtml5Names) {
    if (n.name == name) return n.cp;
  }
  std::array<char, kMaxEntityName + 1> buf{};
  std::copy(name.begin(), name.end(), buf.begin());
  const htmlEntityDesc* e = htmlEntityLookup(reinterpret_cast<const xmlChar*>(buf.data()));
  if (e == nullptr) return std::nullopt;
  return e->value;
}

// Decodes the character reference starting at s[amp] == '&' into `out`. Returns the bytes
// consumed, or 0 when this '&' starts no reference (the caller keeps it literally).
size_t DecodeCharRef(std::string_view s, size_t amp, bool in_attribute, std::string& out) {
  size_t i = amp + 1;
  if (i < s.size() && s[i] == '#') {
    ++i;
    const bool hex = i < s.size() && (s[i] == 'x' || s[i] == 'X');
    if (hex) ++i;
    const size_t digits_start = i;
    uint32_t cp = 0;
    for (; i < s.size() && (hex ? IsHexDigit(s[i]) : IsAsciiDigit(s[i])); ++i) {
      const char c = s[i];
      const uint32_t d = IsAsciiDigit(c) ? static_cast<uint32_t>(c - '0')
                                         : static_cast<uint32_t>(AsciiLower(c) - 'a' + 10);
      // Saturate: "&#99999999999;" must not wrap around into a valid character.
      cp = cp > 0x10FFFF ? cp : cp * (hex ? 16u : 10u) + d;
    }
    if (i == digits_start) return 0;
    if (i < s.size() && s[i] == ';') ++i;
    if (cp >= 0x80 && cp <= 0x9F) cp = kWindows1252C1[cp - 0x80];
    AppendCodePoint(out, cp);
    return i - amp;
  }
  const size_t name_start = i;
  while (i < s.size() && IsAsciiAlnum(s[i]) && i - name_start <= kMaxEntityName) ++i;
  const std::string_view name = s.substr(name_start, i - name_start);
  if (name.empty() || name.size() > kMaxEntityName) return 0;
  const bool semicolon = i < s.size() && s[i] == ';';
  const std::optional<uint32_t> cp = LookupEntity(name);
  if (!cp) return 0;
  if (!semicolon) {
    // §13.2.5.73: only the legacy Latin-1 names work without ';', and in attribute values not
    // when followed by '=' ("?a=1&copy=2" stays a query string).
    if (*cp > 0xFF || (in_attribute && i < s.size() && s[i] == '=')) return 0;
  }
  AppendCodePoint(out, *cp);
  return i - amp + (semicolon ? 1 : 0);
}

void AppendDecoded(std::string_view s, bool in_attribute, std::string& out) {
  size_t i = 0;
  while (i < s.size()) {
    const size_t amp = s.find('&', i);
    if (amp == std::string_view::npos) {
      out.append(s.substr(i));
      return;
    }
    out.append(s.substr(i, amp - i));
    const size_t used = DecodeCharRef(s, amp, in_attribute, out);
    if (used == 0) out += '&';
    i = amp + (used == 0 ? 1 : used);
  }
}

// Elements whose content is text up to their end tag (§13.2.5.2 RAWTEXT/RCDATA, with scripting
// enabled so <noscript> is raw too, as in the browsers that render our pages).
bool IsRawTextElement(std::string_view n) {
  return n == "script" || n == "style" || n == "xmp" || n == "iframe" || n == "noembed" ||
         n == "noframes" || n == "noscript" || n == "plaintext";
}
bool IsRcdataElement(std::string_view n) { return n == "title" || n == "textarea"; }

}  // namespace

// HTML white space; form feed never reaches here (RepairInput turns it into a space).
bool IsHtmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// The first '<' or '&' at or after `from`. A plain loop: libstdc++'s find_first_of calls
// memchr once per input byte.
size_t FindLtOrAmp(std::string_view s, size_t from) {
  for (size_t i = from; i < s.size(); ++i) {
    if (s[i] == '<' || s[i] == '&') return i;
  }
  return std::string_view::npos;
}

// The input repaired to valid UTF-8 with only XML-legal characters, or nullopt when it already
// is (the common case: no copy). Never lets a parser guess an encoding: bytes are UTF-8 or
// become U+FFFD, one per bad byte.
std::optional<std::string> RepairInput(std::string_view in) {
  size_t i = 0;
  while (i < in.size()) {
    const size_t n = CleanCharLength(in, i);
    if (n == 0) break;
    i += n;
  }
  if (i == in.size()) return std::nullopt;
  std::string out;
  out.reserve(in.size() + 16);
  out.assign(in.substr(0, i));
  while (i < in.size()) {
    const size_t n = CleanCharLength(in, i);
    if (n > 0) {
      out.append(in.substr(i, n));
      i += n;
      continue;
    }
    const Utf8Char c = DecodeUtf8(in, i);
    AppendCodePoint(out, c.cp);  // U+FFFD when ill-formed.
    i += c.valid ? c.length : 1;
  }
  return out;
}

Tokenizer::Tokenizer(std::string_view html, bool keep_attributes)
    : in_(html), keep_attributes_(keep_attributes) {}

const Token& Tokenizer::Next() {
  token_.type = TokenType::kText;
  token_.text.clear();
  if (!raw_end_.empty()) {
    ReadRawText();
    if (!token_.text.empty()) return token_;
  }
  while (pos_ < in_.size()) {
    const size_t stop = FindLtOrAmp(in_, pos_);
    if (stop == std::string_view::npos) {
      token_.text.append(in_.substr(pos_));
      pos_ = in_.size();
      break;
    }
    token_.text.append(in_.substr(pos_, stop - pos_));
    pos_ = stop;
    if (in_[pos_] == '&') {
      const size_t used = DecodeCharRef(in_, pos_, false, token_.text);
      if (used == 0) token_.text += '&';
      pos_ += used == 0 ? 1 : used;
      continue;
    }
    if (!StartsMarkup()) {
      token_.text += '<';
      ++pos_;
      continue;
    }
    if (!token_.text.empty()) return token_;  // The markup is the next token.
    if (ReadMarkup()) return token_;
  }
  if (token_.text.empty()) token_.type = TokenType::kEof;
  return token_;
}

bool Tokenizer::StartsMarkup() const {
  if (pos_ + 1 >= in_.size()) return false;
  const char c = in_[pos_ + 1];
  return IsAsciiAlpha(c) || c == '!' || c == '?' || (c == '/' && pos_ + 2 < in_.size());
}

bool Tokenizer::ReadMarkup() {
  const char c = in_[pos_ + 1];
  if (c == '!') {
    if (in_.substr(pos_ + 2, 2) == "--") {
      SkipComment(pos_ + 4);
    } else {
      SkipTo('>', pos_ + 2);  // Doctype, <![CDATA[, downlevel-revealed conditional comments.
    }
    return false;
  }
  if (c == '?') {
    SkipTo('>', pos_ + 2);  // §13.2.5.6: a bogus comment.
    return false;
  }
  if (c == '/') {
    const char d = in_[pos_ + 2];
    if (d == '>') {
      pos_ += 3;
      return false;
    }
    if (!IsAsciiAlpha(d)) {
      SkipTo('>', pos_ + 2);
      return false;
    }
    return ReadTag(pos_ + 2, /*end_tag=*/true);
  }
  return ReadTag(pos_ + 1, /*end_tag=*/false);
}

void Tokenizer::SkipTo(char c, size_t from) {
  const size_t p = in_.find(c, from);
  pos_ = p == std::string_view::npos ? in_.size() : p + 1;
}

void Tokenizer::SkipComment(size_t from) {
  if (in_.substr(from, 1) == ">") {
    pos_ = from + 1;
    return;
  }
  if (in_.substr(from, 2) == "->") {
    pos_ = from + 2;
    return;
  }
  while (true) {
    const size_t p = in_.find("--", from);
    if (p == std::string_view::npos) {
      pos_ = in_.size();
      return;
    }
    if (in_.substr(p + 2, 1) == ">") {
      pos_ = p + 3;
      return;
    }
    if (in_.substr(p + 2, 2) == "!>") {
      pos_ = p + 4;
      return;
    }
    from = p + 1;
  }
}

bool Tokenizer::ReadTag(size_t i, bool end_tag) {
  const size_t n = in_.size();
  token_.name.clear();
  token_.attributes.clear();
  for (; i < n && !IsHtmlSpace(in_[i]) && in_[i] != '/' && in_[i] != '>'; ++i) {
    token_.name += AsciiLower(in_[i]);
  }
  while (true) {
    while (i < n && (IsHtmlSpace(in_[i]) || in_[i] == '/')) ++i;
    if (i >= n) break;
    if (in_[i] == '>') {
      pos_ = i + 1;
      token_.type = end_tag ? TokenType::kEndTag : TokenType::kStartTag;
      if (!end_tag && (IsRawTextElement(token_.name) || IsRcdataElement(token_.name))) {
        raw_end_ = token_.name;
      }
      return true;
    }
    const size_t name_start = i++;  // The first character may be '=' (§13.2.5.32).
    while (i < n && !IsHtmlSpace(in_[i]) && in_[i] != '/' && in_[i] != '>' && in_[i] != '=') {
      ++i;
    }
    const std::string_view name = in_.substr(name_start, i - name_start);
    while (i < n && IsHtmlSpace(in_[i])) ++i;
    std::string_view value;
    size_t raw_begin = i;
    if (i < n && in_[i] == '=') {
      ++i;
      while (i < n && IsHtmlSpace(in_[i])) ++i;
      raw_begin = i;
      if (i < n && (in_[i] == '"' || in_[i] == '\'')) {
        const size_t close = in_.find(in_[i], i + 1);
        if (close == std::string_view::npos) break;
        value = in_.substr(i + 1, close - i - 1);
        i = close + 1;
      } else {
        while (i < n && !IsHtmlSpace(in_[i]) && in_[i] != '>') ++i;
        value = in_.substr(raw_begin, i - raw_begin);
      }
    }
    if (keep_attributes_ && !end_tag) AddAttribute(name, value, raw_begin, i);
  }
  pos_ = n;
  return false;
}

void Tokenizer::AddAttribute(std::string_view raw_name, std::string_view raw_value,
                             size_t raw_begin, size_t raw_end) {
  if (token_.attributes.size() >= kMaxAttributes) return;
  const std::string name = AsciiLower(raw_name);
  for (const Attribute& a : token_.attributes) {
    if (a.name == name) return;
  }
  Attribute& a = token_.attributes.emplace_back();
  a.name = std::move(name);
  AppendDecoded(raw_value, /*in_attribute=*/true, a.value);
  a.raw_begin = raw_begin;
  a.raw_end = raw_end;
}

void Tokenizer::ReadRawText() {
  const std::string name = std::move(raw_end_);
  raw_end_.clear();
  size_t end = in_.size();
  if (name != "plaintext") {
    for (size_t p = in_.find("</", pos_); p != std::string_view::npos; p = in_.find("</", p + 2)) {
      const size_t after = p + 2 + name.size();
      if (after < in_.size() && EqualsIgnoreAsciiCase(in_.substr(p + 2, name.size()), name) &&
          (IsHtmlSpace(in_[after]) || in_[after] == '/' || in_[after] == '>')) {
        end = p;
        break;
      }
    }
  }
  const std::string_view content = in_.substr(pos_, end - pos_);
  if (IsRcdataElement(name)) {
    AppendDecoded(content, /*in_attribute=*/false, token_.text);
  } else {
    token_.text.append(content);
  }
  pos_ = end;
}

}  // namespace feedbridge::feeds::html_internal
