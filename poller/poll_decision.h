#pragma once

// Internal to poller/: what a 2xx answer means for the feed, as pure functions, so that
// Poller::Impl::Fetched only glues them to the store, the queue and the log: the body read as a
// feed (or why it is none), then, given the identities the store already knows, which entries
// are new, which of them get a notice (after the cap), the next fetch state and the problems to
// report and log.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "feeds/model.h"
#include "http/http_client.h"
#include "poller/fetch_state.h"
#include "poller/poll_steps.h"
#include "poller/schedule.h"
#include "store/records.h"

namespace feedbridge::poller::internal {

// A 2xx body read as a feed.
struct FetchedBody {
  std::optional<feeds::Feed> document;  // Unset: the body is no feed, `error` says why.
  std::string error;
  std::string fetched_url;  // Where it came from (after redirects): the base of its URLs.
};

// The body of `response` (a 2xx for `feed`) parsed, at most `max_document_bytes` of it. An empty
// body, an HTML page (discovery belongs to `feeds add`) and a parse error are errors to show.
FetchedBody ReadFetchedBody(const store::FeedRecord& feed, const http::HttpResponse& response,
                            size_t max_document_bytes);

// How new entries become rows and notices.
struct NoticePolicy {
  std::string notice_template;  // config::OmbOptions::notice_template.
  std::string fallback_url;     // EntryContext::fallback_url: BASE/NICK.
  size_t max_notices = kMaxNoticesPerPoll;
};

// What a parsed 2xx comes to.
struct FetchedDecision {
  size_t entries_seen = 0;            // Entries with an identity in the document.
  std::vector<store::NewEntry> rows;  // The new ones, oldest first, to store.
  size_t notices = 0;                 // Of `rows`, those with a notice: the newest, capped.
  // The feed's fetch state after this poll; state.profile_changed as ProfileChanged says.
  store::FetchState state;
  std::vector<std::string> problems;  // For the report and the log (the cap).
  // Non-empty when state.url is not feed.url: why the feed moved ("permanent redirect",
  // "itunes:new-feed-url"), for the one log line of the move.
  std::string moved_by;
};

// The URL a podcast's itunes:new-feed-url moves the feed to (the move is taken as a persistent
// 301 is), or "" when it names none: empty, not an absolute http(s) URL, or `current` itself.
std::string NewFeedUrl(const feeds::Feed& document, std::string_view current);

// The decision for `document` (parsed from a 2xx for `feed`, fetched from `fetched_url`), its
// identified entries `candidates` (IdentifyEntries), of which the store knows `known`. The first
// successful poll of a feed stores its backlog without notices; later ones give a notice to each
// new entry, at most policy.max_notices (the newest; a problem says so). `outcome` holds what the
// response said (status, validators, moved_to, not_before); its kind and document are set here.
// A podcast naming a new feed URL (NewFeedUrl) moves the feed there, as a persistent 301 does.
// `unit` is the jitter draw of NextFetchState.
FetchedDecision DecideFetched(const store::FeedRecord& feed, const feeds::Feed& document,
                              std::string_view fetched_url, std::vector<Candidate> candidates,
                              const std::vector<std::string>& known, PollOutcome outcome,
                              const NoticePolicy& policy, const ScheduleOptions& schedule,
                              TimePoint now, double unit);

// Whether the poll that leads from `feed` (as stored) to `next` changed the blog's profile: its
// title, description, link (site_url) or image (icon_url) differ from the stored ones, so its
// subscribers are sent the new profile (updateProfile). The first successful poll of a feed
// changes nothing: the profile it finds is the account's first (as its backlog is not
// broadcast), and `feeds add` stored it already when it read the feed.
bool ProfileChanged(const store::FeedRecord& feed, const store::FetchState& next);

}  // namespace feedbridge::poller::internal
