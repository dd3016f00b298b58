#pragma once

// OPML 2.0 subscription lists (http://opml.org/spec2.opml): reading them for `feeds import`,
// writing them for `feeds export`.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace feedbridge::feeds {

struct OpmlOutline {
  std::string xml_url;   // The feed.
  std::string html_url;  // The site, may be empty.
  std::string title;     // title, else text; may be empty.
};

// Every outline with an xmlUrl, at any depth (folders are flattened), in document order.
// Hardened like the feed parser: no DTD, no external entities, no network. InvalidArgument when
// the document is not OPML; ResourceExhausted over `max_bytes`.
Result<std::vector<OpmlOutline>> ParseOpml(std::string_view bytes, size_t max_bytes = 15u << 20);

// An OPML 2.0 document listing `outlines` (type="rss").
std::string WriteOpml(const std::vector<OpmlOutline>& outlines, std::string_view title);

}  // namespace feedbridge::feeds
