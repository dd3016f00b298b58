#include "common/html_escape.h"

namespace feedbridge {

void AppendHtmlEscaped(std::string_view text, HtmlEscape set, std::string& out) {
  out.reserve(out.size() + text.size());
  const bool quot = set != HtmlEscape::kText;
  const bool apos = set == HtmlEscape::kAll;
  size_t run = 0;  // Start of the characters not yet copied: copied in runs, not one by one.
  for (size_t i = 0; i < text.size(); ++i) {
    std::string_view rep;
    switch (text[i]) {
      case '&':
        rep = "&amp;";
        break;
      case '<':
        rep = "&lt;";
        break;
      case '>':
        rep = "&gt;";
        break;
      case '"':
        if (!quot) continue;
        rep = "&quot;";
        break;
      case '\'':
        if (!apos) continue;
        rep = "&#39;";
        break;
      default:
        continue;
    }
    out.append(text.substr(run, i - run));
    out.append(rep);
    run = i + 1;
  }
  out.append(text.substr(run));
}

std::string HtmlEscaped(std::string_view text, HtmlEscape set) {
  std::string out;
  AppendHtmlEscaped(text, set, out);
  return out;
}

}  // namespace feedbridge
