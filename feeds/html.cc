#include "feeds/html.h"

#include <libxml/HTMLparser.h>  // htmlEntityLookup: the HTML 4 named character references.

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/html_escape.h"
#include "common/utf8.h"
#include "feeds/text_util.h"
#include "feeds/url.h"

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

namespace feedbridge::feeds {
namespace {

// Elements deeper than this are flattened: their tags are dropped, their text kept. Stops stack
// exhaustion and quadratic end-tag matching on "<b><b><b>..." bombs.
constexpr size_t kMaxDepth = 256;
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
// HTML white space; form feed never reaches here (RepairInput turns it into a space).
bool IsHtmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
char ToLowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ToLowerAscii(x) == ToLowerAscii(y);
         });
}

// The first '<' or '&' at or after `from`. A plain loop: libstdc++'s find_first_of calls
// memchr once per input byte.
size_t FindLtOrAmp(std::string_view s, size_t from) {
  for (size_t i = from; i < s.size(); ++i) {
    if (s[i] == '<' || s[i] == '&') return i;
  }
  return std::string_view::npos;
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
                                         : static_cast<uint32_t>(ToLowerAscii(c) - 'a' + 10);
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

enum class TokenType { kText, kStartTag, kEndTag, kEof };

struct Attribute {
  std::string name;   // ASCII lower case.
  std::string value;  // Character references decoded.
  // The value as written, quotes included: [raw_begin, raw_end) of the tokenizer's input.
  // Empty for an attribute written without a value.
  size_t raw_begin = 0;
  size_t raw_end = 0;
};

struct Token {
  TokenType type = TokenType::kEof;
  std::string name;                   // Tag name, ASCII lower case.
  std::vector<Attribute> attributes;  // Start tags only; the first of duplicates wins (§13.2.5.33).
  std::string text;                   // kText: decoded text.
};

// Elements whose content is text up to their end tag (§13.2.5.2 RAWTEXT/RCDATA, with scripting
// enabled so <noscript> is raw too, as in the browsers that render our pages).
bool IsRawTextElement(std::string_view n) {
  return n == "script" || n == "style" || n == "xmp" || n == "iframe" || n == "noembed" ||
         n == "noframes" || n == "noscript" || n == "plaintext";
}
bool IsRcdataElement(std::string_view n) { return n == "title" || n == "textarea"; }

// Splits a scrubbed fragment into text and tag tokens; comments, doctypes and processing
// instructions are skipped. Not thread-safe; `html` must outlive the tokenizer.
class Tokenizer {
 public:
  Tokenizer(std::string_view html, bool keep_attributes)
      : in_(html), keep_attributes_(keep_attributes) {}

  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // The next token; valid until the next call. kEof forever once the input is consumed.
  const Token& Next() {
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

 private:
  // §13.2.5.6: '<' opens markup only before a letter, '!', '?' or "/x".
  bool StartsMarkup() const {
    if (pos_ + 1 >= in_.size()) return false;
    const char c = in_[pos_ + 1];
    return IsAsciiAlpha(c) || c == '!' || c == '?' || (c == '/' && pos_ + 2 < in_.size());
  }

  // At '<'. Returns true when a tag token was read; false when markup was skipped.
  bool ReadMarkup() {
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

  void SkipTo(char c, size_t from) {
    const size_t p = in_.find(c, from);
    pos_ = p == std::string_view::npos ? in_.size() : p + 1;
  }

  // §13.2.5.43-52: "<!-->" and "<!--->" are whole comments; a comment ends at "-->" or "--!>";
  // an unterminated one runs to the end. Conditional comments are comments too.
  void SkipComment(size_t from) {
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

  // Reads a tag whose name starts at `i` (§13.2.5.8-42). A tag cut off by the end of the input
  // is dropped whole, as browsers do: "<img src=x onerror=..." never becomes an element.
  bool ReadTag(size_t i, bool end_tag) {
    const size_t n = in_.size();
    token_.name.clear();
    token_.attributes.clear();
    for (; i < n && !IsHtmlSpace(in_[i]) && in_[i] != '/' && in_[i] != '>'; ++i) {
      token_.name += ToLowerAscii(in_[i]);
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

  void AddAttribute(std::string_view raw_name, std::string_view raw_value, size_t raw_begin,
                    size_t raw_end) {
    if (token_.attributes.size() >= kMaxAttributes) return;
    std::string name(raw_name);
    std::transform(name.begin(), name.end(), name.begin(), ToLowerAscii);
    for (const Attribute& a : token_.attributes) {
      if (a.name == name) return;
    }
    Attribute& a = token_.attributes.emplace_back();
    a.name = std::move(name);
    AppendDecoded(raw_value, /*in_attribute=*/true, a.value);
    a.raw_begin = raw_begin;
    a.raw_end = raw_end;
  }

  // The content of a raw text or RCDATA element, up to its end tag (§13.2.5.3-13), which the
  // next call reads as an ordinary end tag.
  void ReadRawText() {
    const std::string name = std::move(raw_end_);
    raw_end_.clear();
    size_t end = in_.size();
    if (name != "plaintext") {
      for (size_t p = in_.find("</", pos_); p != std::string_view::npos;
           p = in_.find("</", p + 2)) {
        const size_t after = p + 2 + name.size();
        if (after < in_.size() && EqualsIgnoreCase(in_.substr(p + 2, name.size()), name) &&
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

  std::string_view in_;
  size_t pos_ = 0;
  const bool keep_attributes_;
  std::string raw_end_;  // Non-empty right after the start tag of a raw text element.
  Token token_;
};

// ---- HtmlToText ----

// Elements whose content is not text a reader sees.
bool IsInvisibleElement(std::string_view n) {
  return n == "script" || n == "style" || n == "noscript" || n == "template" || n == "iframe" ||
         n == "noembed" || n == "noframes" || n == "title" || n == "svg" || n == "math" ||
         n == "select";
}

// Elements that separate words when rendered (CSS display other than inline).
bool IsBlockElement(std::string_view n) {
  static constexpr std::array<std::string_view, 47> kBlocks = {
      "address", "article", "aside",   "blockquote", "br",       "caption",    "dd",     "details",
      "dialog",  "div",     "dl",      "dt",         "fieldset", "figcaption", "figure", "footer",
      "form",    "h1",      "h2",      "h3",         "h4",       "h5",         "h6",     "header",
      "hgroup",  "hr",      "legend",  "li",         "main",     "nav",        "ol",     "p",
      "pre",     "section", "summary", "table",      "tbody",    "td",         "tfoot",  "th",
      "thead",   "tr",      "ul",      "body",       "html",     "img",        "option"};
  return std::find(kBlocks.begin(), kBlocks.end(), n) != kBlocks.end();
}

// Collapses runs of white space to one space and trims both ends while appending.
class TextBuilder {
 public:
  explicit TextBuilder(size_t capacity) { out_.reserve(capacity); }

  void Append(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
      if (IsHtmlSpace(s[i])) {
        space_pending_ = !out_.empty();
        ++i;
        continue;
      }
      size_t end = i + 1;
      while (end < s.size() && !IsHtmlSpace(s[end])) ++end;
      if (space_pending_) out_ += ' ';
      space_pending_ = false;
      out_.append(s.substr(i, end - i));
      i = end;
    }
  }
  void Break() { space_pending_ = !out_.empty(); }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
  bool space_pending_ = false;
};

// ---- SanitizeHtml ----

// Sorted for binary search; an element's index here is its id on the sanitizer's stack.
constexpr std::array<std::string_view, 67> kAllowedElements = {
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

std::optional<size_t> AllowedElementId(std::string_view name) {
  const auto it = std::lower_bound(kAllowedElements.begin(), kAllowedElements.end(), name);
  if (it == kAllowedElements.end() || *it != name) return std::nullopt;
  return static_cast<size_t>(it - kAllowedElements.begin());
}

constexpr std::string_view kGlobalAttributes = "title lang dir";

struct ElementAttributes {
  std::string_view element;
  std::string_view attributes;  // Space-separated.
};
// Attributes allowed beyond kGlobalAttributes. The URL-valued ones (href, src, cite) must also
// pass SafeUrl.
// clang-format off
constexpr std::array<ElementAttributes, 13> kElementAttributes = {{
    {"a", "href hreflang"}, {"audio", "src"}, {"blockquote", "cite"}, {"del", "cite datetime"},
    {"img", "src alt width height"}, {"ins", "cite datetime"}, {"ol", "start"}, {"q", "cite"},
    {"source", "src"}, {"td", "colspan rowspan"}, {"th", "colspan rowspan scope"},
    {"time", "datetime"}, {"video", "src"}}};
// clang-format on

std::string_view ElementSpecificAttributes(std::string_view element) {
  for (const ElementAttributes& e : kElementAttributes) {
    if (e.element == element) return e.attributes;
  }
  return {};
}

bool ListContains(std::string_view list, std::string_view word) {
  size_t i = 0;
  while (i < list.size()) {
    size_t end = list.find(' ', i);
    if (end == std::string_view::npos) end = list.size();
    if (list.substr(i, end - i) == word) return true;
    i = end + 1;
  }
  return false;
}

// Removed together with everything inside them: active content, forms, frames, document-level
// elements that would retarget or refresh our page (<base>, <meta>, <link>), and foreign
// content (<svg>, <math>), whose parsing rules differ enough from HTML to hide markup.
bool IsRemovedElement(std::string_view n) {
  static constexpr std::array<std::string_view, 26> kRemoved = {
      "applet",   "base",     "basefont", "button",   "embed", "form",   "frame",
      "frameset", "iframe",   "input",    "keygen",   "link",  "math",   "meta",
      "noembed",  "noframes", "noscript", "object",   "param", "script", "select",
      "style",    "svg",      "template", "textarea", "title"};
  return std::find(kRemoved.begin(), kRemoved.end(), n) != kRemoved.end();
}

// §13.1.2: elements without an end tag.
bool IsVoidElement(std::string_view n) {
  static constexpr std::array<std::string_view, 17> kVoid = {
      "area", "base",  "basefont", "br",   "col",  "embed", "frame",  "hr",   "image",
      "img",  "input", "keygen",   "link", "meta", "param", "source", "track"};
  return n == "wbr" || std::find(kVoid.begin(), kVoid.end(), n) != kVoid.end();
}

bool IsUrlAttribute(std::string_view n) { return n == "href" || n == "src" || n == "cite"; }

// The scheme of `url` for the safety decision, or nullopt for a relative reference. Stricter
// than browsers on purpose: whatever precedes the first ':' that comes before any '/', '?' or
// '#' counts as the scheme once every control character and space is removed, so
// "java\x01script:" and "java script:" are judged as "javascript".
std::optional<std::string> SchemeForSafety(std::string_view url) {
  const size_t colon = url.find_first_of(":/?#");
  if (colon == std::string_view::npos || url[colon] != ':') return std::nullopt;
  std::string scheme;
  for (const char c : url.substr(0, colon)) {
    if (static_cast<unsigned char>(c) > 0x20) scheme += ToLowerAscii(c);
  }
  return scheme;
}

bool IsAllowedScheme(const std::optional<std::string>& scheme) {
  return !scheme || *scheme == "http" || *scheme == "https" || *scheme == "mailto";
}

// A URL attribute's value as the WHATWG URL parser reads it: leading and trailing C0 controls
// and spaces stripped, tabs and newlines removed anywhere.
std::string NormalizeUrlValue(std::string_view value) {
  size_t begin = 0;
  size_t end = value.size();
  while (begin < end && static_cast<unsigned char>(value[begin]) <= 0x20) ++begin;
  while (end > begin && static_cast<unsigned char>(value[end - 1]) <= 0x20) --end;
  std::string url;
  for (const char c : value.substr(begin, end - begin)) {
    if (c != '\t' && c != '\n' && c != '\r') url += c;
  }
  return url;
}

// The value to write for a URL attribute, or nullopt to drop the attribute. Normalized as
// browsers do before the scheme is judged.
std::optional<std::string> SafeUrl(std::string_view value, std::string_view base_url) {
  const std::string url = NormalizeUrlValue(value);
  const std::optional<std::string> scheme = SchemeForSafety(url);
  if (!IsAllowedScheme(scheme)) return std::nullopt;
  if (scheme || base_url.empty()) return url;
  std::string resolved = ResolveUrl(base_url, url);
  if (!IsAllowedScheme(SchemeForSafety(resolved))) return std::nullopt;
  return resolved;
}

// Builds the sanitized fragment from tokens with a stack of open elements (at most kMaxDepth
// deep), so every element written is closed and properly nested. A tag scans the stack only
// when an element it may close is open (per-element counts say so), at most kMaxDepth entries:
// linear overall. Not thread-safe; one per call.
class Sanitizer {
 public:
  explicit Sanitizer(std::string_view base_url) : base_url_(base_url) {}

  void StartTag(const Token& t) {
    if (removed_depth_ > 0) {
      // Count nested elements of the removed one's name so only its own end tag ends it.
      if (t.name == removed_name_) ++removed_depth_;
      return;
    }
    if (IsRemovedElement(t.name)) {
      if (!IsVoidElement(t.name)) {
        removed_name_ = t.name;
        removed_depth_ = 1;
      }
      return;
    }
    const std::optional<size_t> id = AllowedElementId(t.name);
    if (!id) return;  // Unknown: drop the tag, keep what is inside.
    const std::string_view name = kAllowedElements[*id];
    CloseImpliedElements(name);
    const bool is_void = IsVoidElement(name);
    if (!is_void && stack_.size() >= kMaxDepth) return;  // Flatten what is too deep.
    WriteStartTag(name, t);
    if (is_void) {
      out_ += " />";
    } else {
      out_ += '>';
      stack_.push_back(*id);
      ++open_counts_[*id];
    }
  }

  void EndTag(const Token& t) {
    if (removed_depth_ > 0) {
      if (t.name == removed_name_) --removed_depth_;
      return;
    }
    if (t.name == "br") {
      out_ += "<br />";  // §13.2.6.4.7: </br> acts as <br>.
      return;
    }
    const std::optional<size_t> id = AllowedElementId(t.name);
    if (!id || open_counts_[*id] == 0) return;  // Stray end tag.
    for (size_t i = stack_.size(); i-- > 0;) {
      if (stack_[i] == *id) {
        PopTo(i);
        return;
      }
    }
  }

  void Text(std::string_view text) {
    if (removed_depth_ == 0) AppendHtmlEscaped(text, HtmlEscape::kText, out_);
  }

  std::string Finish() {
    PopTo(0);
    return std::move(out_);
  }

 private:
  // Pops stack_[index] and everything above it, writing their end tags.
  void PopTo(size_t index) {
    while (stack_.size() > index) {
      const size_t top = stack_.back();
      out_ += "</";
      out_ += kAllowedElements[top];
      out_ += '>';
      --open_counts_[top];
      stack_.pop_back();
    }
  }

  // Closes the nearest open element named in `targets`, unless one named in `stops` comes first.
  void CloseNearest(std::initializer_list<std::string_view> targets,
                    std::initializer_list<std::string_view> stops) {
    std::array<size_t, 3> target_ids{};
    size_t n = 0;
    for (const std::string_view name : targets) {
      const size_t id = *AllowedElementId(name);
      if (open_counts_[id] > 0) target_ids[n++] = id;
    }
    if (n == 0) return;  // The common case: nothing to close, no scan.
    std::array<size_t, 6> stop_ids{};
    size_t m = 0;
    for (const std::string_view name : stops) stop_ids[m++] = *AllowedElementId(name);
    for (size_t i = stack_.size(); i-- > 0;) {
      const size_t id = stack_[i];
      if (std::find(target_ids.begin(), target_ids.begin() + n, id) != target_ids.begin() + n) {
        PopTo(i);
        return;
      }
      if (std::find(stop_ids.begin(), stop_ids.begin() + m, id) != stop_ids.begin() + m) return;
    }
  }

  // The end tags HTML lets authors omit (§13.1.2.4, §13.2.6.4.7), so "<p>a<p>b" and
  // "<li>a<li>b" come out as siblings, the way a browser builds them, not nested.
  void CloseImpliedElements(std::string_view name) {
    static constexpr std::array<std::string_view, 28> kClosesP = {
        "address", "article", "aside",      "blockquote", "dd",      "details", "div",
        "dl",      "dt",      "figcaption", "figure",     "footer",  "h1",      "h2",
        "h3",      "h4",      "h5",         "h6",         "header",  "hr",      "li",
        "ol",      "p",       "pre",        "section",    "summary", "table",   "ul"};
    if (std::find(kClosesP.begin(), kClosesP.end(), name) != kClosesP.end()) {
      CloseNearest({"p"}, {"table", "td", "th", "caption"});
    }
    const auto is_heading = [](std::string_view n) {
      return n.size() == 2 && n[0] == 'h' && n[1] >= '1' && n[1] <= '6';
    };
    if (is_heading(name) && !stack_.empty() && is_heading(kAllowedElements[stack_.back()])) {
      PopTo(stack_.size() - 1);
    }
    if (name == "li") {
      CloseNearest({"li"}, {"ol", "ul", "table", "td", "th", "caption"});
    } else if (name == "dd" || name == "dt") {
      CloseNearest({"dd", "dt"}, {"dl", "table", "td", "th", "caption"});
    } else if (name == "tr") {
      CloseNearest({"tr"}, {"table", "thead", "tbody", "tfoot"});
    } else if (name == "td" || name == "th") {
      CloseNearest({"td", "th"}, {"tr", "table"});
    } else if (name == "thead" || name == "tbody" || name == "tfoot") {
      CloseNearest({"thead", "tbody", "tfoot"}, {"table"});
    } else if (name == "a") {
      CloseNearest({"a"}, {"table", "td", "th", "caption"});  // Links do not nest.
    }
  }

  void WriteStartTag(std::string_view name, const Token& t) {
    const std::string_view allowed = ElementSpecificAttributes(name);
    out_ += '<';
    out_ += name;
    for (const Attribute& a : t.attributes) {
      // Allowlisted names only, so on* handlers and style never get through.
      if (!ListContains(allowed, a.name) && !ListContains(kGlobalAttributes, a.name)) {
        continue;
      }
      std::optional<std::string> url;
      if (IsUrlAttribute(a.name)) {
        url = SafeUrl(a.value, base_url_);
        if (!url) continue;
      }
      out_ += ' ';
      out_ += a.name;
      out_ += "=\"";
      AppendHtmlEscaped(url ? *url : a.value, HtmlEscape::kAttribute, out_);
      out_ += '"';
    }
    // Links stay as their author wrote them (no rel added): the pages that embed this content
    // set Referrer-Policy and open no link in a new window, so noopener/noreferrer add nothing.
  }

  const std::string_view base_url_;
  std::vector<size_t> stack_;  // Ids of elements written and not yet closed.
  std::array<size_t, kAllowedElements.size()> open_counts_{};  // Per id, entries in stack_.
  // Removed content being skipped: the removed element's name and its nesting depth.
  std::string removed_name_;
  size_t removed_depth_ = 0;
  std::string out_;
};

}  // namespace

std::string HtmlToText(std::string_view html) {
  const std::optional<std::string> repaired = RepairInput(html);
  const std::string_view in = repaired ? std::string_view(*repaired) : html;
  TextBuilder text(in.size());
  if (FindLtOrAmp(in, 0) == std::string_view::npos) {
    text.Append(in);
    return text.Take();
  }
  Tokenizer tokenizer(in, /*keep_attributes=*/false);
  // Invisible content is skipped by counting nested elements of the same name, so no stack is
  // needed and "<template><template></template>x</template>" still hides x.
  std::string hidden;
  size_t hidden_depth = 0;
  while (true) {
    const Token& t = tokenizer.Next();
    switch (t.type) {
      case TokenType::kEof:
        return text.Take();
      case TokenType::kText:
        if (hidden_depth == 0) text.Append(t.text);
        break;
      case TokenType::kStartTag:
        if (hidden_depth > 0) {
          if (t.name == hidden) ++hidden_depth;
        } else if (IsInvisibleElement(t.name)) {
          hidden = t.name;
          hidden_depth = 1;
        } else if (IsBlockElement(t.name)) {
          text.Break();
        }
        break;
      case TokenType::kEndTag:
        if (hidden_depth > 0) {
          if (t.name == hidden) --hidden_depth;
        } else if (IsBlockElement(t.name)) {
          text.Break();
        }
        break;
    }
  }
}

std::string SanitizeHtml(std::string_view html, std::string_view base_url) {
  const std::optional<std::string> repaired = RepairInput(html);
  const std::string_view in = repaired ? std::string_view(*repaired) : html;
  Tokenizer tokenizer(in, /*keep_attributes=*/true);
  Sanitizer sanitizer(base_url);
  while (true) {
    const Token& t = tokenizer.Next();
    switch (t.type) {
      case TokenType::kEof:
        return sanitizer.Finish();
      case TokenType::kText:
        sanitizer.Text(t.text);
        break;
      case TokenType::kStartTag:
        sanitizer.StartTag(t);
        break;
      case TokenType::kEndTag:
        sanitizer.EndTag(t);
        break;
    }
  }
}

std::string ResolveHtmlUrls(std::string_view html, std::string_view base_url) {
  const std::string base_scheme = UrlScheme(base_url);
  if ((base_scheme != "http" && base_scheme != "https") ||
      html.find('<') == std::string_view::npos) {
    return std::string(html);
  }
  const std::optional<std::string> repaired = RepairInput(html);
  const std::string_view in = repaired ? std::string_view(*repaired) : html;
  // Attributes the HTML standard defines as URLs (on any element, as the sanitizer judges them).
  const auto is_url_attribute = [](std::string_view n) {
    return IsUrlAttribute(n) || n == "poster" || n == "longdesc" || n == "action" ||
           n == "formaction" || n == "background";
  };
  std::string out;
  out.reserve(in.size() + 64);
  size_t copied = 0;  // in[0, copied) is in `out`.
  Tokenizer tokenizer(in, /*keep_attributes=*/true);
  for (const Token* t = &tokenizer.Next(); t->type != TokenType::kEof; t = &tokenizer.Next()) {
    if (t->type != TokenType::kStartTag) continue;
    for (const Attribute& a : t->attributes) {
      if (a.raw_begin == a.raw_end || !is_url_attribute(a.name)) continue;
      const std::string url = NormalizeUrlValue(a.value);
      // Any scheme, even one a browser would not accept ("java script:"), means "not relative":
      // resolving it would turn a URL the sanitizer drops into an http one it keeps.
      if (SchemeForSafety(url)) continue;
      const std::string resolved = ResolveUrl(base_url, url);
      const std::optional<std::string> scheme = SchemeForSafety(resolved);
      if (!scheme || (*scheme != "http" && *scheme != "https")) continue;
      assert(a.raw_begin >= copied);  // Attributes are kept in document order.
      out.append(in.substr(copied, a.raw_begin - copied));
      out += '"';
      AppendHtmlEscaped(resolved, HtmlEscape::kAttribute, out);
      out += '"';
      copied = a.raw_end;
    }
  }
  out.append(in.substr(copied));
  return out;
}

std::string EscapeHtml(std::string_view text) { return HtmlEscaped(text, HtmlEscape::kAll); }

}  // namespace feedbridge::feeds
