#include "feeds/model.h"

namespace feedbridge::feeds {
namespace {

const Link* FindIn(const std::vector<Link>& links, std::string_view rel) {
  for (const Link& link : links) {
    if (link.rel == rel) return &link;
  }
  return nullptr;
}

}  // namespace

std::string_view FormatName(FeedFormat format) {
  switch (format) {
    case FeedFormat::kUnknown: return "";
    case FeedFormat::kRss090: return "rss090";
    case FeedFormat::kRss091: return "rss091u";
    case FeedFormat::kRss092: return "rss092";
    case FeedFormat::kRss093: return "rss093";
    case FeedFormat::kRss094: return "rss094";
    case FeedFormat::kRss10: return "rss10";
    case FeedFormat::kRss20: return "rss20";
    case FeedFormat::kRssUnversioned: return "rss";
    case FeedFormat::kAtom03: return "atom03";
    case FeedFormat::kAtom10: return "atom10";
    case FeedFormat::kJsonFeed10: return "json1";
    case FeedFormat::kJsonFeed11: return "json11";
  }
  return "";
}

std::string_view VersionName(const Feed& feed) {
  if (feed.format == FeedFormat::kRss091 && feed.rss091_netscape) return "rss091n";
  return FormatName(feed.format);
}

const Link* FeedHead::AlternateLink() const { return FindIn(links, "alternate"); }
const Link* FeedHead::FindLink(std::string_view rel) const { return FindIn(links, rel); }
const Link* Entry::AlternateLink() const { return FindIn(links, "alternate"); }
const Link* Entry::FindLink(std::string_view rel) const { return FindIn(links, rel); }

std::string Entry::Url() const {
  if (const Link* link = AlternateLink(); link != nullptr && !link->href.empty()) return link->href;
  if (id_is_permalink) return id;
  return {};
}

}  // namespace feedbridge::feeds
