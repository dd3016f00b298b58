#pragma once

// Internal to poller/: the pure steps of one poll (request, new entries, notices, fetch state),
// so poller.cc only glues them to the stores, the queue and the schedule.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/clock.h"
#include "config/config.h"
#include "feeds/model.h"
#include "http/http_client.h"
#include "store/records.h"

namespace feedbridge::poller::internal {

// At most this many notices per poll. A feed whose entries all change ids on every poll (a
// broken generator, a CMS migration) would otherwise broadcast its whole backlog each time.
inline constexpr size_t kMaxNoticesPerPoll = 20;

// The conditional GET for `feed`: If-None-Match / If-Modified-Since from its stored validators,
// timeout, body cap and redirect limit from `options`. The client adds User-Agent.
http::HttpRequest BuildFeedRequest(const store::FeedRecord& feed,
                                   const config::PollerOptions& options);

// A new entry of the parsed feed and its identity.
struct Candidate {
  const feeds::Entry* entry;  // Points into the parsed feed, which must outlive this.
  std::string identity;
};

// Every entry of `feed` with its identity, in document order; a second entry with an identity
// already listed is dropped (a feed repeating an item must not yield two notices).
std::vector<Candidate> IdentifyEntries(const feeds::Feed& feed);

// `candidates` without the identities in `known`, ordered oldest first: entries with a date
// (published, else updated) by that date, stable; then entries without one, in reverse document
// order, because feeds list newest first.
std::vector<Candidate> NewOldestFirst(std::vector<Candidate> candidates,
                                      const std::unordered_set<std::string>& known);

// How the entries of one poll become rows.
struct EntryContext {
  const feeds::Feed* feed = nullptr;  // The parsed feed (title and links for the documents).
  std::string feed_url;               // Where it was fetched from (after redirects).
  std::string notice_template;        // config::OmbOptions::notice_template.
  // Used in a notice instead of a permalink too long to fit. The notice URI (BASE/notice/ID) is
  // not known before the notice is stored, so this is the blog's profile URL (BASE/NICK).
  std::string fallback_url;
};

// The row for one new entry: the one-entry JSON Feed document, its plain-text title (HTML reduced
// to text; the summary's text when there is no title) and, when `with_notice`, the notice text
// fitted into 140 code points. The document means what the origin meant: an HTML title or
// summary is reduced to text (JSON Feed's are plain), except that an HTML summary of an entry
// without content becomes its content_html; relative URLs in HTML content are made absolute
// against the base in effect where they appeared (xml:base does not survive the conversion).
// The HTML is not sanitized here: web/ sanitizes what it serves.
store::NewEntry BuildNewEntry(const Candidate& candidate, const EntryContext& context,
                              bool with_notice);

// Publication times (published, else updated) of the entries dated within the week before `now`.
std::vector<TimePoint> RecentEntryTimes(const feeds::Feed& feed, TimePoint now);
std::vector<TimePoint> RecentEntryTimes(const std::vector<store::StoredEntry>& entries,
                                        TimePoint now);

// The times of `times` within the week before `now`.
std::vector<TimePoint> WithinWeek(const std::vector<TimePoint>& times, TimePoint now);

// The feed's current fetch state, to start a new one from.
store::FetchState CurrentState(const store::FeedRecord& feed);

// The text of a feed's title or subtitle: HTML reduced to text, white space collapsed.
std::string PlainText(const feeds::Text& text);

// "2026-11-23T12:00:00Z".
std::string FormatTime(TimePoint t);

}  // namespace feedbridge::poller::internal
