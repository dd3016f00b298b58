// HtmlToText (html.h): the visible text of a fragment, over the tokens of html_tokenizer.h.

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "feeds/html.h"
#include "feeds/html_tokenizer.h"

namespace feedbridge::feeds {
namespace {

using html_internal::FindLtOrAmp;
using html_internal::IsHtmlSpace;
using html_internal::RepairInput;
using html_internal::Token;
using html_internal::Tokenizer;
using html_internal::TokenType;

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

}  // namespace feedbridge::feeds
