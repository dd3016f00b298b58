#pragma once

// Feed discovery: the feeds an HTML page advertises with <link rel="alternate" type="...">.

#include <string>
#include <string_view>
#include <vector>

#include "feeds/model.h"

namespace feedbridge::feeds {

struct DiscoveredFeed {
  std::string url;    // Absolute (resolved against <base href> and the page URL).
  std::string type;   // "application/rss+xml", "application/atom+xml", "application/feed+json", ...
  std::string title;
  FeedFormat format_hint = FeedFormat::kUnknown;  // kRss20 / kAtom10 / kJsonFeed11 from the type.
};

// The feeds advertised in `html`, in document order, without duplicates. Tolerates tag soup.
std::vector<DiscoveredFeed> DiscoverFeeds(std::string_view html, std::string_view page_url);

// True when the bytes look like an HTML page rather than a feed (to decide to run discovery).
bool LooksLikeHtml(std::string_view bytes);

}  // namespace feedbridge::feeds
