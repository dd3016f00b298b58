// SanitizeHtml and ResolveHtmlUrls (html.h): the tree builder that re-serializes only what
// html_allowlist.h allows, over the tokens of html_tokenizer.h.

#include <array>
#include <cassert>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ascii.h"
#include "common/html_escape.h"
#include "feeds/html.h"
#include "feeds/html_allowlist.h"
#include "feeds/html_tokenizer.h"
#include "feeds/url.h"

namespace feedbridge::feeds {
namespace {

using html_internal::AllowedElementId;
using html_internal::Attribute;
using html_internal::ElementSpecificAttributes;
using html_internal::IsRemovedElement;
using html_internal::IsUrlAttribute;
using html_internal::IsVoidElement;
using html_internal::kAllowedElements;
using html_internal::kGlobalAttributes;
using html_internal::kMaxDepth;
using html_internal::ListContains;
using html_internal::NormalizeUrlValue;
using html_internal::RepairInput;
using html_internal::SafeUrl;
using html_internal::SchemeForSafety;
using html_internal::Token;
using html_internal::Tokenizer;
using html_internal::TokenType;

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

std::string FirstImageUrl(std::string_view html, std::string_view base_url) {
  // Only the tags from the first "<img" (any case) on are read, a bounded slice of them: most
  // descriptions have no image, and long posts must not be tokenized whole for it.
  constexpr size_t kSlice = 4096;
  size_t at = html.find('<');
  while (at != std::string_view::npos &&
         !(html.size() - at >= 4 && EqualsIgnoreAsciiCase(html.substr(at + 1, 3), "img"))) {
    at = html.find('<', at + 1);
  }
  if (at == std::string_view::npos) return {};
  const std::string_view slice = html.substr(at, kSlice);
  const std::optional<std::string> repaired = RepairInput(slice);
  const std::string_view in = repaired ? std::string_view(*repaired) : slice;
  Tokenizer tokenizer(in, /*keep_attributes=*/true);
  for (const Token* t = &tokenizer.Next(); t->type != TokenType::kEof; t = &tokenizer.Next()) {
    if (t->type != TokenType::kStartTag || t->name != "img") continue;
    for (const Attribute& a : t->attributes) {
      if (a.name != "src") continue;
      const std::string url = NormalizeUrlValue(a.value);
      if (url.empty()) break;
      const std::string resolved = ResolveUrl(base_url, url);
      const std::optional<std::string> scheme = SchemeForSafety(resolved);
      if (scheme && (*scheme == "http" || *scheme == "https")) return resolved;
      break;  // data:, javascript:, or relative without a base: try the next image.
    }
  }
  return {};
}

std::string EscapeHtml(std::string_view text) { return HtmlEscaped(text, HtmlEscape::kAll); }

}  // namespace feedbridge::feeds
