#pragma once

// The mirror feeds (DESIGN.md "Mirror a site's updates"): every bridged blog served back,
// normalized and sanitized, as Atom 1.0, RSS 2.0 and JSON Feed 1.1 at
// BASE/<nick>/feed.atom|.rss|.json, newest entries first, paged, with HTTP validators.
//
// The mirror is built from the store only (the document saved with each entry,
// feeds/entry_document.h), never from the origin feed: it stays complete and valid while the
// origin is down or ill-formed.

#include <cstddef>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "feeds/feed_renderer.h"
#include "store/entry_store.h"
#include "store/notice_store.h"
#include "web/feed_cache.h"
#include "web/router.h"
#include "web/web_types.h"

namespace feedbridge::web {

struct FeedHandlersOptions {
  size_t page_size = 50;       // Entries per page when the request gives no ?limit.
  size_t max_page_size = 200;  // ?limit is clamped to [1, max_page_size] (bounds work per request).
  // Notices read (newest first) per request to link a page's entries to their notice pages.
  // Deep pages of large feeds may need more than this; their entries then carry no notice link
  // (bounded work per request beats a complete link set: the notice page is an extra).
  size_t max_notice_scan = 1000;
  // Bound of the cache of rendered documents (web/feed_cache.h), in bytes; 0: no cache.
  size_t cache_bytes = 64u << 20;
};

// The formats of the mirror: the renderer's (feeds/feed_renderer.h).
using MirrorFormat = feeds::OutputFormat;

// Answers GET /{nick}/feed.atom, /{nick}/feed.rss and /{nick}/feed.json.
// Paging: ?before=ENTRY_ID (keyset cursor: the next link carries the last entry id of the page;
// ids only grow and new entries are newer, so arrivals never shift a page) and ?limit=N.
// Caching: strong ETag and Last-Modified (the feed's newest first_seen_at), 304 on
// If-None-Match / If-Modified-Since, Cache-Control: public, max-age=300. Validators come from one
// indexed query (EntryStore::StampMirror) without reading entries; a rendered page is kept in a
// bounded cache under its ETag and served while the store's stamp still yields that ETag, so a
// page is rendered once per change of its feed, and never served stale.
// Thread-safe (the cache locks itself; the stores are thread-safe). The stores and the clock must
// outlive this object.
class FeedHandlers {
 public:
  // `base_url` is the bridge's public root ("https://bridge.example"; a trailing '/' is
  // ignored). `clock` caps Last-Modified at the current time (RFC 9110 §8.8.2.1). The feed row
  // comes with the entries' stamp (EntryStore::StampMirror), so no FeedStore is needed.
  FeedHandlers(const std::string& base_url, store::EntryStore& entries, store::NoticeStore& notices,
               Clock& clock, FeedHandlersOptions options = {});
  FeedHandlers(const FeedHandlers&) = delete;
  FeedHandlers& operator=(const FeedHandlers&) = delete;

  // Adds the three GET routes. The routes call into this object: it must outlive `router`'s use.
  void Register(Router& router);

  // One mirror answer; `params` must hold "nick". Success: 200 with the document (in
  // shared_body, shared with the cache), or 304 with no body. Errors: NotFound ("web: no blog named
  // 'x'"), InvalidArgument (?before or ?limit not a positive integer), Unavailable (database down),
  // with context.
  Result<WebResponse> Serve(MirrorFormat format, const WebRequest& request,
                            const PathParams& params) const;

 private:
  std::string base_url_;
  store::EntryStore& entries_;
  store::NoticeStore& notices_;
  Clock& clock_;
  FeedHandlersOptions options_;
  mutable FeedCache cache_;
};

}  // namespace feedbridge::web
