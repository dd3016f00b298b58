#include "omb/notice_text.h"

#include <algorithm>
#include <array>
#include <optional>

#include "common/utf8.h"

namespace feedbridge::omb {
namespace {

constexpr std::string_view kEllipsis = "\u2026";
// A URL is only worth keeping when it leaves room for this many code points of text (or all of
// the text, when there is less): a notice that is all link and no words says nothing.
constexpr size_t kMinTextChars = 10;

// Length in bytes of the UTF-8 character at s[i]. An ill-formed sequence counts as one code point
// per maximal subpart (as it becomes one U+FFFD), so invalid input is measured and cut without
// ever reading past the end or splitting a valid sequence.
size_t SequenceLength(std::string_view s, size_t i) { return DecodeUtf8(s, i).length; }

size_t CodePoints(std::string_view s) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); i += SequenceLength(s, i)) ++count;
  return count;
}

// Byte offset of the end of the first `n` code points (s.size() when there are fewer).
size_t PrefixBytes(std::string_view s, size_t n) {
  size_t i = 0;
  for (size_t k = 0; k < n && i < s.size(); ++k) i += SequenceLength(s, i);
  return i;
}

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Bytes of the white-space character at s[i] (ASCII white space, U+00A0 no-break space,
// U+3000 ideographic space), or 0.
size_t SpaceAt(std::string_view s, size_t i) {
  if (IsAsciiSpace(s[i])) return 1;
  if (s.substr(i, 2) == "\u00A0") return 2;
  if (s.substr(i, 3) == "\u3000") return 3;
  return 0;
}

// Runs of white space become one ASCII space; leading and trailing ones are dropped.
std::string Collapse(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  size_t i = 0;
  while (i < s.size()) {
    if (const size_t n = SpaceAt(s, i); n > 0) {
      pending_space = !out.empty();
      i += n;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    const size_t n = SequenceLength(s, i);
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

bool StartsWithSpace(std::string_view s) { return !s.empty() && SpaceAt(s, 0) > 0; }

bool EndsWithSpace(std::string_view s) {
  if (s.empty()) return false;
  if (IsAsciiSpace(s.back())) return true;
  return s.ends_with("\u00A0") || s.ends_with("\u3000");
}

// `text` (collapsed) in at most `max` code points: unchanged when it fits; else cut on the last
// word boundary that fits, followed by "…". A single word longer than the room (a long token,
// CJK text without spaces) is cut between code points.
std::string Cut(std::string_view text, size_t max) {
  if (CodePoints(text) <= max) return std::string(text);
  if (max == 0) return "";
  const size_t keep = PrefixBytes(text, max - 1);
  std::string_view kept = text.substr(0, keep);
  // A cut that lands right before a space is already on a word boundary.
  if (keep < text.size() && text[keep] != ' ') {
    const size_t space = kept.rfind(' ');
    if (space != std::string_view::npos && space > 0) kept = kept.substr(0, space);
  }
  while (!kept.empty() && kept.back() == ' ') kept.remove_suffix(1);
  std::string out(kept);
  out += kEllipsis;
  return out;
}

// The template split around its first {url}: the text before and after it, placeholders filled.
struct Rendered {
  std::string before;
  std::string after;
  bool has_url = false;
};

Rendered Render(std::string_view templ, const NoticeFields& fields, std::string_view url) {
  static constexpr std::array<std::string_view, 4> kNames = {"title", "url", "summary", "author"};
  Rendered r;
  std::string* out = &r.before;
  size_t i = 0;
  while (i < templ.size()) {
    const size_t open = templ.find('{', i);
    if (open == std::string_view::npos) {
      out->append(templ.substr(i));
      break;
    }
    out->append(templ.substr(i, open - i));
    const size_t close = templ.find('}', open + 1);
    const std::string_view name = close == std::string_view::npos
                                      ? std::string_view()
                                      : templ.substr(open + 1, close - open - 1);
    if (std::find(kNames.begin(), kNames.end(), name) == kNames.end()) {
      // Not a placeholder we know: the brace is literal text.
      out->push_back('{');
      i = open + 1;
      continue;
    }
    if (name == "title") {
      out->append(fields.title);
    } else if (name == "summary") {
      out->append(fields.summary);
    } else if (name == "author") {
      out->append(fields.author);
    } else if (!r.has_url) {
      r.has_url = true;
      out = &r.after;
    } else {
      out->append(url);  // A second {url} is plain text; only the first is kept whole.
    }
    i = close + 1;
  }
  return r;
}

}  // namespace

std::string FitNoticeText(std::string_view templ, const NoticeFields& fields, size_t max_chars) {
  const std::string url = Collapse(fields.url);
  const std::string fallback = Collapse(fields.fallback_url);
  const Rendered r = Render(templ, fields, url);
  std::string before = Collapse(r.before);
  std::string after = Collapse(r.after);
  // Separators the template put around the URL (after collapsing, at most one space each).
  const bool space_before = EndsWithSpace(r.before);
  const bool space_after = StartsWithSpace(r.after);

  std::string text = before;  // All the text without the URL, for when the URL goes.
  if (!before.empty() && !after.empty()) text += ' ';
  text += after;
  text = Collapse(text);

  if (!r.has_url || url.empty()) return Cut(text, max_chars);

  const size_t text_chars = CodePoints(text);
  const size_t wanted_text = std::min(text_chars, kMinTextChars);
  std::optional<std::string> chosen;
  for (const std::string* candidate : {&url, &fallback}) {
    if (candidate->empty()) continue;
    const size_t need = CodePoints(*candidate) + (wanted_text > 0 ? wanted_text + 1 : 0);
    if (need <= max_chars) {
      chosen = *candidate;
      break;
    }
  }
  if (!chosen) return Cut(text, max_chars);

  const auto sep = [](bool want, const std::string& part) -> size_t {
    return want && !part.empty() ? 1 : 0;
  };
  const auto assemble = [&]() {
    std::string out = before;
    if (sep(space_before, before) != 0) out += ' ';
    out += *chosen;
    if (sep(space_after, after) != 0) out += ' ';
    out += after;
    return out;
  };
  const size_t url_chars = CodePoints(*chosen);
  const auto total = [&]() {
    return CodePoints(before) + sep(space_before, before) + url_chars + sep(space_after, after) +
           CodePoints(after);
  };
  if (total() <= max_chars) return assemble();

  // The text after the URL (a byline, a hashtag) gives way first, then the text before it.
  const size_t head = CodePoints(before) + sep(space_before, before) + url_chars;
  if (head + 1 < max_chars) {
    after = Cut(after, max_chars - head - sep(space_after, after));
    if (after == kEllipsis) after.clear();
  } else {
    after.clear();
  }
  if (total() <= max_chars) return assemble();

  const size_t room = max_chars - url_chars - (space_before ? 1 : 0);
  before = Cut(before, room);
  if (before == kEllipsis) before.clear();
  return assemble();
}

}  // namespace feedbridge::omb
