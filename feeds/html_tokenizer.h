#pragma once

// Internal to feeds/ (html.h): the HTML5 tokenizer (WHATWG HTML §13.2.5) reduced to what a
// fragment needs, and the input repair every HTML function applies first. Pure.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace feedbridge::feeds::html_internal {

inline  // Elements deeper than this are flattened: their tags are dropped, their text kept. Stops
        // stack
    // exhaustion and quadratic end-tag matching on "<b><b><b>..." bombs.
    constexpr size_t kMaxDepth = 256;

// HTML white space; form feed never reaches here (RepairInput turns it into a space).
bool IsHtmlSpace(char c);

// The first '<' or '&' at or after `from`. A plain loop: libstdc++'s find_first_of calls
// memchr once per input byte.
size_t FindLtOrAmp(std::string_view s, size_t from);

// The input repaired to valid UTF-8 with only XML-legal characters, or nullopt when it already
// is (the common case: no copy). Never lets a parser guess an encoding: bytes are UTF-8 or
// become U+FFFD, one per bad byte.
std::optional<std::string> RepairInput(std::string_view in);

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

// Splits a scrubbed fragment into text and tag tokens; comments, doctypes and processing
// instructions are skipped. Not thread-safe; `html` must outlive the tokenizer.
class Tokenizer {
 public:
  Tokenizer(std::string_view html, bool keep_attributes);

  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // The next token; valid until the next call. kEof forever once the input is consumed.
  const Token& Next();

 private:
  // §13.2.5.6: '<' opens markup only before a letter, '!', '?' or "/x".
  bool StartsMarkup() const;

  // At '<'. Returns true when a tag token was read; false when markup was skipped.
  bool ReadMarkup();

  void SkipTo(char c, size_t from);

  // §13.2.5.43-52: "<!-->" and "<!--->" are whole comments; a comment ends at "-->" or "--!>";
  // an unterminated one runs to the end. Conditional comments are comments too.
  void SkipComment(size_t from);

  // Reads a tag whose name starts at `i` (§13.2.5.8-42). A tag cut off by the end of the input
  // is dropped whole, as browsers do: "<img src=x onerror=..." never becomes an element.
  bool ReadTag(size_t i, bool end_tag);

  void AddAttribute(std::string_view raw_name, std::string_view raw_value, size_t raw_begin,
                    size_t raw_end);

  // The content of a raw text or RCDATA element, up to its end tag (§13.2.5.3-13), which the
  // next call reads as an ordinary end tag.
  void ReadRawText();

  std::string_view in_;
  size_t pos_ = 0;
  const bool keep_attributes_;
  std::string raw_end_;  // Non-empty right after the start tag of a raw text element.
  Token token_;
};

}  // namespace feedbridge::feeds::html_internal
