#pragma once

// Writing the model as Atom 1.0, RSS 2.0 and JSON Feed 1.1. Output is valid, escaped UTF-8 and
// reads back through ParseFeed into the same entries. HTML content is written as given: sanitize
// it first (feeds/html.h) when it comes from outside.

#include <string>

#include "feeds/model.h"

namespace feedbridge::feeds {

struct WriteOptions {
  std::string self_url;  // rel="self" / feed_url; defaults to feed.feed_url.
  std::string next_url;  // rel="next" / next_url for paging; empty for the last page.
  bool pretty = true;    // Indent (for people); false writes compact output.
};

std::string WriteAtom(const Feed& feed, const WriteOptions& options = {});
std::string WriteRss(const Feed& feed, const WriteOptions& options = {});
std::string WriteJsonFeed(const Feed& feed, const WriteOptions& options = {});

// MIME types to serve them with (with charset).
inline constexpr std::string_view kAtomContentType = "application/atom+xml; charset=utf-8";
inline constexpr std::string_view kRssContentType = "application/rss+xml; charset=utf-8";
inline constexpr std::string_view kJsonFeedContentType = "application/feed+json; charset=utf-8";

}  // namespace feedbridge::feeds
