#include "feeds/feed_renderer.h"

#include "feeds/writers.h"

namespace feedbridge::feeds {

std::string_view ContentTypeOf(OutputFormat format) {
  switch (format) {
    case OutputFormat::kAtom:
      return kAtomContentType;
    case OutputFormat::kRss:
      return kRssContentType;
    case OutputFormat::kJsonFeed:
      break;
  }
  return kJsonFeedContentType;
}

std::string RenderFeed(OutputFormat format, const Feed& head, std::span<const Entry> entries,
                       const PageLinks& links) {
  Feed feed = head;  // Heads come without entries: this copies the channel only.
  feed.entries.assign(entries.begin(), entries.end());
  WriteOptions options;
  options.self_url = links.self_url;
  options.next_url = links.next_url;
  switch (format) {
    case OutputFormat::kAtom:
      return WriteAtom(feed, options);
    case OutputFormat::kRss:
      return WriteRss(feed, options);
    case OutputFormat::kJsonFeed:
      break;
  }
  return WriteJsonFeed(feed, options);
}

}  // namespace feedbridge::feeds
