#pragma once

// Notice text: what a blog entry says on the microblog network, at most 140 characters.

#include <cstddef>
#include <string>
#include <string_view>

namespace feedbridge::omb {

inline constexpr size_t kMaxNoticeChars = 140;  // Unicode code points, as Laconica counts.

struct NoticeFields {
  std::string title;    // Plain text (HTML already reduced with feeds::HtmlToText).
  std::string url;      // The permalink; may be empty.
  std::string summary;  // Plain text; may be empty.
  std::string author;   // May be empty.
  std::string fallback_url;  // The notice URI (BASE/notice/ID), used when url is too long.
};

// Fills `templ` ("{title} {url}"; placeholders {title} {url} {summary} {author}) and fits the
// result into `max_chars` code points: white space collapsed; the text around the URL is cut on
// a word boundary and ends with "…"; the URL is never cut (when it alone leaves no room, the
// fallback URL is used; when that too is too long, the URL is dropped). Pure; UTF-8 in and out.
std::string FitNoticeText(std::string_view templ, const NoticeFields& fields,
                          size_t max_chars = kMaxNoticeChars);

}  // namespace feedbridge::omb
