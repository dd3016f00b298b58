#include "poller/poll_steps.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <utility>

#include "feeds/entry_document.h"
#include "feeds/html.h"
#include "feeds/identity.h"
#include "omb/notice_text.h"

namespace feedbridge::poller::internal {
namespace {

// Feed formats first, generic XML after, anything last: some servers vary the body on Accept.
constexpr std::string_view kAccept =
    "application/atom+xml, application/rss+xml, application/feed+json, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, application/json;q=0.7, */*;q=0.5";

constexpr std::chrono::hours kWeek{24 * 7};

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string CollapseSpace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending = false;
  for (const char c : s) {
    if (IsSpace(c)) {
      pending = !out.empty();
      continue;
    }
    if (pending) out.push_back(' ');
    pending = false;
    out.push_back(c);
  }
  return out;
}

std::optional<TimePoint> ToTimePoint(const feeds::Date& date) {
  if (!date.utc) return std::nullopt;
  return std::chrono::time_point_cast<std::chrono::milliseconds>(*date.utc);
}

// The date that orders an entry: published, else updated.
std::optional<TimePoint> EntryTime(const feeds::Entry& entry) {
  if (auto t = ToTimePoint(entry.published)) return t;
  return ToTimePoint(entry.updated);
}

// The entry's summary as text, else its first content's.
std::string SummaryText(const feeds::Entry& entry) {
  if (!entry.summary.value.empty()) return PlainText(entry.summary);
  for (const feeds::Text& content : entry.contents) {
    if (!content.value.empty()) return PlainText(content);
  }
  return {};
}

std::string AuthorName(const feeds::Entry& entry, const feeds::Feed& feed) {
  for (const auto* people : {&entry.authors, &feed.authors}) {
    for (const feeds::Person& p : *people) {
      if (!p.name.empty()) return CollapseSpace(p.name);
    }
  }
  return {};
}

// HTML as stored: its relative URLs made absolute against the base in effect where it appeared
// (the Text's xml:base or document URL, else the feed's URL), because the JSON Feed document has
// no xml:base and would be read against the entry's link. Not sanitized: web/ sanitizes what it
// serves, with the policy of the day.
feeds::Text StoredHtml(const feeds::Text& html, const EntryContext& context) {
  feeds::Text out;
  out.type = std::string(feeds::kTextHtml);
  out.language = html.language;
  out.value = feeds::ResolveHtmlUrls(html.value, html.base.empty() ? context.feed_url : html.base);
  return out;
}

// The entry as the JSON Feed document can carry it without changing its meaning. JSON Feed
// titles and summaries are plain text (§Items), so HTML ones are reduced to text; an HTML summary
// of an entry without content becomes its content_html instead, so its markup is not lost; HTML
// content keeps its markup with absolute URLs. Plain text is kept as given.
feeds::Entry DocumentEntry(const feeds::Entry& entry, const EntryContext& context) {
  feeds::Entry out = entry;
  if (entry.title.is_html()) {
    out.title = {.value = PlainText(entry.title), .language = entry.title.language};
  }
  bool has_content = false;
  for (feeds::Text& content : out.contents) {
    has_content = has_content || !content.value.empty();
    if (content.is_html()) content = StoredHtml(content, context);
  }
  if (entry.summary.is_html() && !entry.summary.value.empty()) {
    if (has_content) {
      out.summary = {.value = feeds::HtmlToText(entry.summary.value),
                     .language = entry.summary.language};
    } else {
      out.contents.insert(out.contents.begin(), StoredHtml(entry.summary, context));
      out.summary = {};
    }
  }
  return out;
}

// A JSON Feed 1.1 document holding just this entry, with enough of the feed (title, home page,
// feed URL, authors, language) that the mirror can serve it alone.
std::string EntryDocument(const feeds::Entry& entry, const EntryContext& context) {
  feeds::Feed one;
  one.format = context.feed->format;
  one.title = {.value = PlainText(context.feed->title), .language = context.feed->title.language};
  one.home_page_url = context.feed->home_page_url;
  one.feed_url = context.feed_url;
  one.authors = context.feed->authors;
  one.language = context.feed->language;
  one.icon = context.feed->icon;
  return feeds::EncodeEntryDocument(one, DocumentEntry(entry, context));
}

}  // namespace

http::HttpRequest BuildFeedRequest(const store::FeedRecord& feed,
                                   const config::PollerOptions& options) {
  http::HttpRequest request;
  request.method = "GET";
  request.url = feed.url;
  request.headers.push_back({"Accept", std::string(kAccept)});
  // RFC 9110 §13.1: a server that checks both validators needs both to answer 304.
  if (!feed.etag.empty()) request.headers.push_back({"If-None-Match", feed.etag});
  if (!feed.last_modified.empty()) {
    request.headers.push_back({"If-Modified-Since", feed.last_modified});
  }
  request.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(options.fetch_timeout);
  request.max_body_bytes = options.max_body_bytes;
  request.max_redirects = options.max_redirects;
  return request;
}

std::vector<Candidate> IdentifyEntries(const feeds::Feed& feed) {
  std::vector<Candidate> out;
  out.reserve(feed.entries.size());
  std::unordered_set<std::string> seen;
  for (const feeds::Entry& entry : feed.entries) {
    std::string identity = feeds::EntryIdentity(entry);
    if (!seen.insert(identity).second) continue;
    out.push_back({&entry, std::move(identity)});
  }
  return out;
}

std::vector<Candidate> NewOldestFirst(std::vector<Candidate> candidates,
                                      const std::unordered_set<std::string>& known) {
  std::vector<Candidate> dated;
  std::vector<Candidate> undated;
  for (Candidate& c : candidates) {
    if (known.contains(c.identity)) continue;
    (EntryTime(*c.entry) ? dated : undated).push_back(std::move(c));
  }
  std::stable_sort(dated.begin(), dated.end(), [](const Candidate& a, const Candidate& b) {
    return *EntryTime(*a.entry) < *EntryTime(*b.entry);
  });
  dated.insert(dated.end(), std::make_move_iterator(undated.rbegin()),
               std::make_move_iterator(undated.rend()));
  return dated;
}

store::NewEntry BuildNewEntry(const Candidate& candidate, const EntryContext& context,
                              bool with_notice) {
  const feeds::Entry& entry = *candidate.entry;
  store::NewEntry out;
  out.identity = candidate.identity;
  out.url = entry.Url();
  const std::string summary = SummaryText(entry);
  out.title = PlainText(entry.title);
  if (out.title.empty()) out.title = summary;
  out.published = ToTimePoint(entry.published);
  out.updated = ToTimePoint(entry.updated);
  out.document = EntryDocument(entry, context);
  if (with_notice) {
    const omb::NoticeFields fields{
        .title = out.title,
        .url = out.url,
        .summary = summary,
        .author = AuthorName(entry, *context.feed),
        .fallback_url = context.fallback_url,
    };
    out.notice_text = omb::FitNoticeText(context.notice_template, fields);
    out.notice_url = out.url;
  }
  return out;
}

std::vector<TimePoint> RecentEntryTimes(const feeds::Feed& feed, TimePoint now) {
  std::vector<TimePoint> out;
  for (const feeds::Entry& entry : feed.entries) {
    const auto t = EntryTime(entry);
    if (t && *t >= now - kWeek && *t <= now) out.push_back(*t);
  }
  return out;
}

std::vector<TimePoint> RecentEntryTimes(const std::vector<store::StoredEntry>& entries,
                                        TimePoint now) {
  std::vector<TimePoint> out;
  for (const store::StoredEntry& entry : entries) {
    const TimePoint t = entry.published.value_or(entry.updated.value_or(entry.first_seen_at));
    if (t >= now - kWeek && t <= now) out.push_back(t);
  }
  return out;
}

std::vector<TimePoint> WithinWeek(const std::vector<TimePoint>& times, TimePoint now) {
  std::vector<TimePoint> out;
  for (const TimePoint t : times) {
    if (t >= now - kWeek && t <= now) out.push_back(t);
  }
  return out;
}

store::FetchState CurrentState(const store::FeedRecord& feed) {
  store::FetchState s;
  s.url = feed.url;
  s.title = feed.title;
  s.description = feed.description;
  s.site_url = feed.site_url;
  s.icon_url = feed.icon_url;
  s.etag = feed.etag;
  s.last_modified = feed.last_modified;
  s.last_http_status = feed.last_http_status;
  s.last_error = feed.last_error;
  s.consecutive_failures = feed.consecutive_failures;
  s.last_polled_at = feed.last_polled_at;
  s.last_success_at = feed.last_success_at;
  s.failing_since = feed.failing_since;
  s.next_poll_at = feed.next_poll_at;
  s.disabled_reason = feed.disabled_reason;
  s.recent_entries = feed.recent_entries;
  return s;
}

std::string PlainText(const feeds::Text& text) {
  // Plain text is taken as is: running it through the HTML reducer would eat a literal "<3".
  return text.is_html() ? feeds::HtmlToText(text.value) : CollapseSpace(text.value);
}

std::string FormatTime(TimePoint t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss hms(floor<seconds>(t - day));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace feedbridge::poller::internal
