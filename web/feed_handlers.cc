#include "web/feed_handlers.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/nickname.h"
#include "feeds/dates.h"
#include "feeds/entry_document.h"
#include "feeds/feed_renderer.h"
#include "feeds/html.h"
#include "feeds/model.h"
#include "web/handler_helpers.h"

namespace feedbridge::web {
namespace {

using std::chrono::sys_seconds;

constexpr std::string_view kCacheControl = "public, max-age=300";
// Notices are read in batches of this size while linking entries to notice pages.
constexpr size_t kNoticeBatch = 200;
// Renders of one request before it gives up matching a document to a stamp (entries arriving
// during every render: a feed polled continuously).
constexpr int kRenderAttempts = 3;

struct FormatInfo {
  std::string_view suffix;  // "feed.atom"
  std::string_view content_type;
};

FormatInfo Info(MirrorFormat format) {
  const std::string_view content_type = feeds::ContentTypeOf(format);
  switch (format) {
    case MirrorFormat::kAtom:
      return {"feed.atom", content_type};
    case MirrorFormat::kRss:
      return {"feed.rss", content_type};
    case MirrorFormat::kJsonFeed:
      break;
  }
  return {"feed.json", content_type};
}

// Titles are served as plain text (writers escape them).
feeds::Text PlainTitle(const feeds::Text& title) {
  feeds::Text out;
  out.value = title.is_html() ? feeds::HtmlToText(title.value) : title.value;
  out.language = title.language;
  return out;
}

// Content and summaries are served as sanitized HTML: tags outside the allowlist, event
// handlers, style attributes and javascript:/data: URLs are gone; relative URLs resolve
// against the entry's base. Plain text becomes escaped HTML. Out-of-line content (src) is dropped.
feeds::Text SafeHtml(const feeds::Text& text, const std::string& fallback_base) {
  feeds::Text out;
  out.type = std::string(feeds::kTextHtml);
  out.language = text.language;
  const std::string& base = text.base.empty() ? fallback_base : text.base;
  out.value = text.is_html() ? feeds::SanitizeHtml(text.value, base)
                             : feeds::SanitizeHtml(feeds::EscapeHtml(text.value), base);
  return out;
}

// The entry as served: only the fields the mirror vouches for, each cleaned. Fields the model
// has but the mirror does not serve (extensions, source, itunes, comments) are left out rather
// than passed through unchecked.
feeds::Entry MirrorEntry(const feeds::Entry& parsed, const std::vector<feeds::Person>& doc_authors,
                         const store::StoredEntry& stored, const std::string& notice_url) {
  feeds::Entry out;
  out.id = parsed.id.empty() ? stored.identity : parsed.id;
  out.title = PlainTitle(parsed.title);
  if (out.title.value.empty()) out.title.value = stored.title;

  std::string post_url = parsed.Url();
  if (post_url.empty()) post_url = stored.url;
  const bool post_ok = IsWebUrl(post_url);
  out.id_is_permalink = parsed.id_is_permalink && post_ok && out.id == post_url;
  if (post_ok) out.links.push_back({.href = post_url, .rel = "alternate", .type = "text/html"});
  if (!notice_url.empty()) {
    out.links.push_back(
        {.href = notice_url, .rel = "related", .type = "text/html", .title = "Notice"});
  }

  const std::string base = post_ok ? post_url : std::string();
  if (!parsed.summary.empty()) out.summary = SafeHtml(parsed.summary, base);
  for (const feeds::Text& content : parsed.contents) {
    if (content.value.empty()) continue;
    out.contents.push_back(SafeHtml(content, base));
  }

  out.published = parsed.published;
  out.updated = parsed.updated;
  if (out.published.empty() && out.updated.empty()) {
    // Undated in the origin: the first time the bridge saw it is the best date there is.
    out.published.utc = Seconds(stored.first_seen_at);
  }
  out.authors = parsed.authors.empty() ? doc_authors : parsed.authors;
  for (feeds::Person& person : out.authors) {
    if (!person.uri.empty() && !IsWebUrl(person.uri)) person.uri.clear();
  }
  out.categories = parsed.categories;
  for (const feeds::Enclosure& enclosure : parsed.enclosures) {
    if (IsWebUrl(enclosure.url)) out.enclosures.push_back(enclosure);
  }
  for (const feeds::Image& thumbnail : parsed.thumbnails) {
    if (IsWebUrl(thumbnail.url)) out.thumbnails.push_back(thumbnail);
  }
  out.language = parsed.language;
  return out;
}

// An entry whose stored document no longer parses (it never should): served from the columns,
// so the mirror stays complete.
feeds::Entry EntryFromColumns(const store::StoredEntry& stored, const std::string& notice_url) {
  feeds::Entry parsed;
  parsed.id = stored.identity;
  parsed.title.value = stored.title;
  if (!stored.url.empty()) parsed.links.push_back({.href = stored.url, .rel = "alternate"});
  parsed.published.utc = Seconds(stored.published);
  parsed.updated.utc = Seconds(stored.updated);
  return MirrorEntry(parsed, {}, stored, notice_url);
}

// What one request asks for: which page, and how the next link is to be written.
struct PageRequest {
  int64_t before = 0;           // ?before= (0: from the newest).
  size_t limit = 0;             // Entries on the page.
  bool explicit_limit = false;  // ?limit= was given: the next link repeats it.
};

// The cache key of one page of one format of one blog.
std::string CacheKey(std::string_view nick, std::string_view suffix, const PageRequest& page) {
  std::string key;
  key.reserve(nick.size() + suffix.size() + 48);
  key.append(nick).append("/").append(suffix).append("?").append(std::to_string(page.before));
  key.append("&").append(std::to_string(page.limit)).append(page.explicit_limit ? "!" : "");
  return key;
}

// The strong ETag of a page. The stamp pins the feed's entries and, since notices are created in
// the same transaction as their entries, the notices linked from a page; the head fields cover
// what polls refresh; the page parameters and the base URL cover the links. An empty feed's date
// is its last successful poll (see Render), so that joins in when there is no entry. Older pages
// change too when entries arrive: their notice links come from a window of the newest notices.
std::string ETagOf(const store::MirrorStamp& stamp, std::string_view suffix,
                   const PageRequest& page, std::string_view base_url) {
  Fingerprint fp;
  fp.Add(stamp.feed_id);
  fp.Add(suffix);
  fp.Add(page.before);
  fp.Add(static_cast<int64_t>(page.limit));
  fp.Add(page.explicit_limit ? 1 : 0);
  fp.Add(stamp.newest_id);
  fp.Add(stamp.entries);
  fp.Add(stamp.title);
  fp.Add(stamp.description);
  fp.Add(stamp.site_url);
  fp.Add(stamp.icon_url);
  fp.Add(base_url);
  if (stamp.newest_id == 0) {
    const TimePoint date = stamp.last_success_at ? *stamp.last_success_at : stamp.created_at;
    fp.Add(date.time_since_epoch().count());
  }
  std::string etag;
  etag.reserve(18);
  etag.append("\"").append(fp.Hex()).append("\"");
  return etag;
}

// An HTTP date, formatted once per value per thread: a feed's Last-Modified changes only with
// its entries, and every conditional request sends it.
std::string HttpDate(sys_seconds t) {
  thread_local sys_seconds formatted_for{};
  thread_local std::string formatted;
  if (formatted.empty() || t != formatted_for) {
    formatted = feeds::FormatRfc1123(t);
    formatted_for = t;
  }
  return formatted;
}

// RFC 9110 §13.2.2: If-None-Match wins; If-Modified-Since counts only without it.
bool NotModified(const WebRequest& request, std::string_view etag,
                 const std::optional<sys_seconds>& last_modified) {
  const std::string_view if_none_match = request.Header("If-None-Match");
  if (!if_none_match.empty()) return IfNoneMatchHits(if_none_match, etag);
  const std::string_view since = request.Header("If-Modified-Since");
  if (since.empty() || !last_modified) return false;
  const std::optional<sys_seconds> t = feeds::ParseDate(since);
  return t && *t >= *last_modified;
}

// One page of the mirror, rendered from the entries and notices in the store now.
Result<std::string> Render(store::EntryStore& entries_store, store::NoticeStore& notices_store,
                           const std::string& base_url, const FeedHandlersOptions& options,
                           MirrorFormat format, const store::MirrorStamp& feed,
                           const std::string& nick, const PageRequest& page) {
  const FormatInfo info = Info(format);
  // One extra row tells whether an older page exists.
  Result<std::vector<store::StoredEntry>> listed =
      entries_store.ListEntries(feed.feed_id, page.before, page.limit + 1);
  if (!listed.ok()) return listed.status();
  std::vector<store::StoredEntry>& entries = *listed;
  const bool has_more = entries.size() > page.limit;
  if (has_more) entries.resize(page.limit);

  // entry id -> notice id. Notices are created with their entries, in entry order, so notice ids
  // follow entry ids: reading newest first, we stop once past the page's oldest entry (or when
  // the scan budget is spent; see FeedHandlersOptions::max_notice_scan).
  std::unordered_map<int64_t, int64_t> notice_of;
  if (!entries.empty()) {
    const int64_t oldest_entry = entries.back().id;
    int64_t cursor = 0;
    size_t scanned = 0;
    while (scanned < options.max_notice_scan) {
      const size_t batch = std::min(kNoticeBatch, options.max_notice_scan - scanned);
      Result<std::vector<store::Notice>> notices =
          notices_store.ListNotices(feed.account_id, cursor, batch);
      if (!notices.ok()) return notices.status();
      for (const store::Notice& n : *notices) notice_of.emplace(n.entry_id, n.id);
      scanned += notices->size();
      if (notices->size() < batch || notices->back().entry_id < oldest_entry) break;
      cursor = notices->back().id;
    }
  }

  feeds::Feed out;
  out.id = base_url + "/user/" + std::to_string(feed.account_id);
  out.title.value = feed.title.empty() ? nick : feed.title;
  if (!feed.description.empty()) out.subtitle.value = feed.description;
  if (IsWebUrl(feed.site_url)) {
    out.home_page_url = feed.site_url;
    out.links.push_back({.href = feed.site_url, .rel = "alternate", .type = "text/html"});
  }
  if (IsWebUrl(feed.icon_url)) out.icon = feed.icon_url;
  out.feed_url = base_url + "/" + nick + "/" + std::string(info.suffix);

  std::vector<feeds::Entry> entries_out;
  entries_out.reserve(entries.size());
  for (const store::StoredEntry& stored : entries) {
    const auto notice = notice_of.find(stored.id);
    const std::string notice_url = notice == notice_of.end()
                                       ? std::string()
                                       : base_url + "/notice/" + std::to_string(notice->second);
    Result<feeds::EntryDocument> doc = feeds::DecodeEntryDocument(stored.document, stored.url);
    if (doc.ok()) {
      entries_out.push_back(MirrorEntry(doc->entry, doc->feed.authors, stored, notice_url));
      if (out.language.empty()) out.language = doc->feed.language;
    } else {
      entries_out.push_back(EntryFromColumns(stored, notice_url));
    }
  }
  // The feed's date is its newest entry's; an empty feed takes the last successful poll (or its
  // creation), so the output stays deterministic for a given store state.
  if (!entries_out.empty()) {
    const feeds::Entry& newest = entries_out.front();
    out.updated.utc = newest.updated.utc ? newest.updated.utc : newest.published.utc;
  }
  if (!out.updated.utc) {
    out.updated.utc = Seconds(feed.last_success_at ? feed.last_success_at : feed.created_at);
  }

  feeds::PageLinks links;
  links.self_url = out.feed_url;
  if (has_more && !entries.empty()) {
    std::string next = out.feed_url + "?before=" + std::to_string(entries.back().id);
    if (page.explicit_limit) next += "&limit=" + std::to_string(page.limit);
    links.next_url = std::move(next);
  }
  return feeds::RenderFeed(format, out, entries_out, links);
}

}  // namespace

FeedHandlers::FeedHandlers(const std::string& base_url, store::EntryStore& entries,
                           store::NoticeStore& notices, Clock& clock, FeedHandlersOptions options)
    : base_url_(base_url),
      entries_(entries),
      notices_(notices),
      clock_(clock),
      options_(options),
      cache_(options.cache_bytes) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  options_.max_page_size = std::max<size_t>(options_.max_page_size, 1);
  options_.page_size = std::clamp<size_t>(options_.page_size, 1, options_.max_page_size);
}

void FeedHandlers::Register(Router& router) {
  for (const MirrorFormat format :
       {MirrorFormat::kAtom, MirrorFormat::kRss, MirrorFormat::kJsonFeed}) {
    router.Add("GET", "/{nick}/" + std::string(Info(format).suffix),
               [this, format](const WebRequest& request, const PathParams& params) {
                 return Serve(format, request, params);
               });
  }
}

Result<WebResponse> FeedHandlers::Serve(MirrorFormat format, const WebRequest& request,
                                        const PathParams& params) const {
  const FormatInfo info = Info(format);
  const auto nick_it = params.find("nick");
  const std::string nick = nick_it == params.end() ? std::string() : nick_it->second;

  // Paging parameters first: a bad request is 400 whichever blog it names.
  Result<std::optional<int64_t>> before_param = PagingParam(request, "before");
  if (!before_param.ok()) return before_param.status();
  Result<std::optional<int64_t>> limit_param = PagingParam(request, "limit");
  if (!limit_param.ok()) return limit_param.status();
  PageRequest page;
  page.before = before_param->value_or(0);
  page.explicit_limit = limit_param->has_value();
  page.limit = page.explicit_limit
                   ? static_cast<size_t>(std::min<int64_t>(
                         **limit_param, static_cast<int64_t>(options_.max_page_size)))
                   : options_.page_size;

  const auto not_found = [&] {
    return Status::NotFound("web: no blog named '" + nick.substr(0, 64) + "'");
  };
  const auto context = [&] { return "web: mirror of '" + nick + "'"; };
  if (!IsValidNickname(nick)) return not_found();
  std::string key;  // The cache key, once an unconditional answer needs it.

  // One indexed query gives the validators: a conditional request is answered from it, and an
  // unconditional one from the cache when the cached document was rendered for this very state.
  // Served from the store only: what the poller saved stays available, valid and complete while
  // the origin is down, gone or serving garbage (feed.last_error does not matter here).
  for (int attempt = 1;; ++attempt) {
    Result<store::MirrorStamp> stamp = entries_.StampMirror(nick);
    if (!stamp.ok()) {
      if (stamp.status().code() == Status::Code::kNotFound) return not_found();
      return stamp.status().WithContext(context());
    }
    const std::string etag = ETagOf(*stamp, info.suffix, page, base_url_);
    std::optional<sys_seconds> last_modified = Seconds(stamp->newest_seen_at);
    if (last_modified) {
      // RFC 9110 §8.8.2.1: never later than now (first_seen_at may come from another host's
      // clock).
      last_modified =
          std::min(*last_modified, std::chrono::floor<std::chrono::seconds>(clock_.Now()));
    }

    WebResponse response;
    response.content_type = std::string(info.content_type);
    response.SetHeader("ETag", etag);
    if (last_modified) response.SetHeader("Last-Modified", HttpDate(*last_modified));
    response.SetHeader("Cache-Control", std::string(kCacheControl));
    // A feed is data, never a page: no browser may guess it is HTML and run what it holds.
    response.SetHeader("X-Content-Type-Options", "nosniff");
    if (NotModified(request, etag, last_modified)) {
      response.status = 304;
      return response;
    }
    if (key.empty()) key = CacheKey(nick, info.suffix, page);
    if (std::shared_ptr<const std::string> cached = cache_.Find(key, etag)) {
      response.shared_body = std::move(cached);
      return response;
    }

    Result<std::string> body =
        Render(entries_, notices_, base_url_, options_, format, *stamp, nick, page);
    if (!body.ok()) return body.status().WithContext(context());
    auto rendered = std::make_shared<const std::string>(std::move(body).value());
    // The head rendered is the stamp's own, but the entries were read after it: if a poll landed
    // in between, the document is newer than `etag`. Entries are only ever added, so the same
    // stamp read again after rendering proves the document is the one `etag` names.
    Result<store::MirrorStamp> after = entries_.StampMirror(nick);
    if (!after.ok()) return after.status().WithContext(context());
    if (ETagOf(*after, info.suffix, page, base_url_) == etag) {
      cache_.Put(key, etag, rendered);
      response.shared_body = std::move(rendered);
      return response;
    }
    if (attempt == kRenderAttempts) {
      // Entries kept arriving while rendering: this document matches no stamp read. Serve it
      // without validators (so nobody revalidates against a wrong ETag), and keep it nowhere.
      std::erase_if(response.headers,
                    [](const auto& h) { return h.first == "ETag" || h.first == "Last-Modified"; });
      response.shared_body = std::move(rendered);
      return response;
    }
  }
}

}  // namespace feedbridge::web
