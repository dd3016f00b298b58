#include "web/feed_handlers.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "feeds/dates.h"
#include "feeds/html.h"
#include "feeds/model.h"
#include "feeds/parser.h"
#include "feeds/url.h"
#include "feeds/writers.h"

namespace feedbridge::web {
namespace {

using std::chrono::sys_seconds;

constexpr std::string_view kCacheControl = "public, max-age=300";
// Notices are read in batches of this size while linking entries to notice pages.
constexpr size_t kNoticeBatch = 200;

struct FormatInfo {
  std::string_view suffix;  // "feed.atom"
  std::string_view content_type;
};

FormatInfo Info(MirrorFormat format) {
  switch (format) {
    case MirrorFormat::kAtom:
      return {"feed.atom", feeds::kAtomContentType};
    case MirrorFormat::kRss:
      return {"feed.rss", feeds::kRssContentType};
    case MirrorFormat::kJsonFeed:
      break;
  }
  return {"feed.json", feeds::kJsonFeedContentType};
}

bool ValidNickname(std::string_view nick) {
  if (nick.empty() || nick.size() > 64) return false;
  return std::all_of(nick.begin(), nick.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'); });
}

// True when the raw query names `name` at all (QueryParam cannot tell "?before=" from absent).
bool HasQueryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.substr(0, pair.find('=')) == name) return true;
  }
  return false;
}

// Digits only: no sign, no space, no hex; at most int64; > 0.
std::optional<int64_t> PositiveInteger(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

// An optional positive-integer query parameter. Absent: nullopt; present but bad: InvalidArgument.
Result<std::optional<int64_t>> PagingParam(const WebRequest& request, std::string_view name) {
  if (!HasQueryParam(request.query, name)) return std::optional<int64_t>();
  const std::string raw = request.QueryParam(name);
  const std::optional<int64_t> value = PositiveInteger(raw);
  if (!value) {
    return Status::InvalidArgument("web: ?" + std::string(name) + "=" + raw.substr(0, 40) +
                                   ": not a positive integer");
  }
  return value;
}

// FNV-1a, 64 bits: a fast, stable (across builds and processes) fingerprint for the ETag.
// Not a defence against anyone: the inputs are public.
class Fingerprint {
 public:
  void Add(std::string_view s) {
    for (const char c : s) Mix(static_cast<unsigned char>(c));
    Mix(0);  // Separator: ("ab","c") and ("a","bc") differ.
  }
  void Add(int64_t v) { Add(std::to_string(v)); }
  std::string Hex() const {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(16, '0');
    uint64_t h = h_;
    for (size_t i = 16; i-- > 0; h >>= 4) out[i] = kDigits[h & 0xF];
    return out;
  }

 private:
  void Mix(unsigned char c) {
    h_ ^= c;
    h_ *= 0x100000001b3ULL;
  }
  uint64_t h_ = 0xcbf29ce484222325ULL;
};

// RFC 9110 §13.1.2: If-None-Match uses the weak comparison; "*" matches any current
// representation.
bool IfNoneMatchHits(std::string_view header, std::string_view etag) {
  const auto strip = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view tag = strip(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (tag == "*") return true;
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == etag) return true;
  }
  return false;
}

std::string SchemeOf(std::string_view url) { return feeds::UrlScheme(url); }

// Only absolute http(s) URLs go into links and enclosures we serve (no javascript:, data:,
// file:, and no relative reference a reader would resolve against the bridge).
bool IsWebUrl(std::string_view url) {
  const std::string scheme = SchemeOf(url);
  return scheme == "http" || scheme == "https";
}

std::optional<sys_seconds> Seconds(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return std::chrono::floor<std::chrono::seconds>(*t);
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

}  // namespace

FeedHandlers::FeedHandlers(const std::string& base_url, store::FeedStore& feeds,
                           store::EntryStore& entries, store::NoticeStore& notices, Clock& clock,
                           FeedHandlersOptions options)
    : base_url_(base_url),
      feeds_(feeds),
      entries_(entries),
      notices_(notices),
      clock_(clock),
      options_(options) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  options_.max_page_size = std::max<size_t>(options_.max_page_size, 1);
  options_.page_size = std::clamp<size_t>(options_.page_size, 1, options_.max_page_size);
}

void FeedHandlers::Register(Router& router) {
  for (const MirrorFormat format : {MirrorFormat::kAtom, MirrorFormat::kRss,
                                    MirrorFormat::kJsonFeed}) {
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
  const int64_t before = before_param->value_or(0);
  const size_t limit =
      limit_param->has_value()
          ? static_cast<size_t>(std::min<int64_t>(**limit_param,
                                                  static_cast<int64_t>(options_.max_page_size)))
          : options_.page_size;

  const std::string not_found = "web: no blog named '" + nick.substr(0, 64) + "'";
  if (!ValidNickname(nick)) return Status::NotFound(not_found);
  // FindFeed also takes URLs; the nickname check above and below keeps this to nicknames.
  Result<store::FeedRecord> found = feeds_.FindFeed(nick);
  if (!found.ok()) {
    if (found.status().code() == Status::Code::kNotFound) return Status::NotFound(not_found);
    return found.status().WithContext("web: mirror of '" + nick + "'");
  }
  const store::FeedRecord& feed = *found;
  if (feed.nickname != nick) return Status::NotFound(not_found);

  // Served from the store only: what the poller saved stays available, valid and complete while
  // the origin is down, gone or serving garbage (feed.last_error does not matter here).
  // One extra row tells whether an older page exists.
  Result<std::vector<store::StoredEntry>> listed = entries_.ListEntries(feed.id, before, limit + 1);
  if (!listed.ok()) return listed.status().WithContext("web: mirror of '" + nick + "'");
  std::vector<store::StoredEntry>& page = *listed;
  const bool has_more = page.size() > limit;
  if (has_more) page.resize(limit);
  Result<int64_t> count = entries_.CountEntries(feed.id);
  if (!count.ok()) return count.status().WithContext("web: mirror of '" + nick + "'");

  // Validators. Stored entries never change (a poll only adds) and their notices are created in
  // the same transaction, so the newest id in the page plus the feed's entry count pin the page;
  // the head fields cover what polls refresh.
  Fingerprint fp;
  fp.Add(feed.id);
  fp.Add(info.suffix);
  fp.Add(before);
  fp.Add(static_cast<int64_t>(limit));
  fp.Add(page.empty() ? 0 : page.front().id);
  fp.Add(*count);
  fp.Add(feed.title);
  fp.Add(feed.description);
  fp.Add(feed.site_url);
  fp.Add(feed.icon_url);
  fp.Add(base_url_);
  const std::string etag = "\"" + fp.Hex() + "\"";

  std::optional<sys_seconds> last_modified;
  for (const store::StoredEntry& e : page) {
    const sys_seconds t = std::chrono::floor<std::chrono::seconds>(e.first_seen_at);
    if (!last_modified || t > *last_modified) last_modified = t;
  }
  if (last_modified) {
    // RFC 9110 §8.8.2.1: never later than now (first_seen_at may come from another host's clock).
    const sys_seconds now = std::chrono::floor<std::chrono::seconds>(clock_.Now());
    last_modified = std::min(*last_modified, now);
  }

  WebResponse response;
  response.content_type = std::string(info.content_type);
  response.SetHeader("ETag", etag);
  if (last_modified) response.SetHeader("Last-Modified", feeds::FormatRfc1123(*last_modified));
  response.SetHeader("Cache-Control", std::string(kCacheControl));

  // RFC 9110 §13.2.2: If-None-Match wins; If-Modified-Since counts only without it.
  const std::string_view if_none_match = request.Header("If-None-Match");
  bool not_modified = false;
  if (!if_none_match.empty()) {
    not_modified = IfNoneMatchHits(if_none_match, etag);
  } else if (const std::string_view since = request.Header("If-Modified-Since");
             !since.empty() && last_modified) {
    const std::optional<sys_seconds> t = feeds::ParseDate(since);
    not_modified = t && *t >= *last_modified;
  }
  if (not_modified) {
    response.status = 304;
    return response;
  }

  // entry id -> notice id. Notices are created with their entries, in entry order, so notice ids
  // follow entry ids: reading newest first, we stop once past the page's oldest entry (or when
  // the scan budget is spent; see FeedHandlersOptions::max_notice_scan).
  std::unordered_map<int64_t, int64_t> notice_of;
  if (!page.empty()) {
    const int64_t oldest_entry = page.back().id;
    int64_t cursor = 0;
    size_t scanned = 0;
    while (scanned < options_.max_notice_scan) {
      const size_t batch = std::min(kNoticeBatch, options_.max_notice_scan - scanned);
      Result<std::vector<store::Notice>> notices =
          notices_.ListNotices(feed.account_id, cursor, batch);
      if (!notices.ok()) return notices.status().WithContext("web: mirror of '" + nick + "'");
      for (const store::Notice& n : *notices) notice_of.emplace(n.entry_id, n.id);
      scanned += notices->size();
      if (notices->size() < batch || notices->back().entry_id < oldest_entry) break;
      cursor = notices->back().id;
    }
  }

  feeds::Feed out;
  out.id = base_url_ + "/user/" + std::to_string(feed.account_id);
  out.title.value = feed.title.empty() ? nick : feed.title;
  if (!feed.description.empty()) out.subtitle.value = feed.description;
  if (IsWebUrl(feed.site_url)) {
    out.home_page_url = feed.site_url;
    out.links.push_back({.href = feed.site_url, .rel = "alternate", .type = "text/html"});
  }
  if (IsWebUrl(feed.icon_url)) out.icon = feed.icon_url;
  out.feed_url = base_url_ + "/" + nick + "/" + std::string(info.suffix);

  for (const store::StoredEntry& stored : page) {
    const auto notice = notice_of.find(stored.id);
    const std::string notice_url = notice == notice_of.end()
                                       ? std::string()
                                       : base_url_ + "/notice/" + std::to_string(notice->second);
    Result<feeds::Feed> doc = feeds::ParseFeed(stored.document, stored.url);
    if (doc.ok() && !doc->entries.empty()) {
      out.entries.push_back(MirrorEntry(doc->entries.front(), doc->authors, stored, notice_url));
      if (out.language.empty()) out.language = doc->language;
    } else {
      out.entries.push_back(EntryFromColumns(stored, notice_url));
    }
  }
  // The feed's date is its newest entry's; an empty feed takes the last successful poll (or its
  // creation), so the output stays deterministic for a given store state.
  if (!out.entries.empty()) {
    const feeds::Entry& newest = out.entries.front();
    out.updated.utc = newest.updated.utc ? newest.updated.utc : newest.published.utc;
  }
  if (!out.updated.utc) {
    out.updated.utc = Seconds(feed.last_success_at ? feed.last_success_at : feed.created_at);
  }

  feeds::WriteOptions write_options;
  write_options.self_url = out.feed_url;
  if (has_more && !page.empty()) {
    std::string next = out.feed_url + "?before=" + std::to_string(page.back().id);
    if (limit_param->has_value()) next += "&limit=" + std::to_string(limit);
    write_options.next_url = std::move(next);
  }
  switch (format) {
    case MirrorFormat::kAtom:
      response.body = feeds::WriteAtom(out, write_options);
      break;
    case MirrorFormat::kRss:
      response.body = feeds::WriteRss(out, write_options);
      break;
    case MirrorFormat::kJsonFeed:
      response.body = feeds::WriteJsonFeed(out, write_options);
      break;
  }
  return response;
}

}  // namespace feedbridge::web
