#pragma once

// One list of entries rendered as a feed document in any of the three formats we serve, whatever
// the entries' origin (the mirror of a bridged blog, an inbox of received notices). Built on the
// writers (feeds/writers.h); the caller chooses and cleans the entries (sanitize HTML first).

#include <span>
#include <string>
#include <string_view>

#include "feeds/model.h"

namespace feedbridge::feeds {

enum class OutputFormat { kAtom, kRss, kJsonFeed };

// The MIME type to serve `format` with (with charset).
std::string_view ContentTypeOf(OutputFormat format);

// Where this page of the feed is, and where the next (older) one is.
struct PageLinks {
  std::string self_url;  // rel="self" / feed_url; empty: head.feed_url.
  std::string next_url;  // rel="next" / next_url; empty for the last page.
};

// `head` is the channel (id, title, subtitle, links, icon, feed URL, language, date); its own
// entries are ignored (pass a head without entries: they would be copied for nothing). `entries`
// are written in the order given (newest first, for a reader). Pretty-printed, valid, escaped
// UTF-8.
std::string RenderFeed(OutputFormat format, const Feed& head, std::span<const Entry> entries,
                       const PageLinks& links);

}  // namespace feedbridge::feeds
