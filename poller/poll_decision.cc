#include "poller/poll_decision.h"

#include <string_view>
#include <unordered_set>
#include <utility>

#include "feeds/discovery.h"
#include "feeds/parser.h"

namespace feedbridge::poller::internal {

namespace {

// "http://" or "https://" (any case), a host, and nothing a URL cannot hold.
bool IsAbsoluteHttpUrl(std::string_view url) {
  const auto starts = [url](std::string_view scheme) {
    if (url.size() < scheme.size()) return false;
    for (size_t i = 0; i < scheme.size(); ++i) {
      const char c = url[i];
      if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != scheme[i]) return false;
    }
    return true;
  };
  size_t host = 0;
  if (starts("https://")) {
    host = 8;
  } else if (starts("http://")) {
    host = 7;
  } else {
    return false;
  }
  if (host >= url.size() || url[host] == '/' || url[host] == '?' || url[host] == '#') {
    return false;
  }
  for (const char c : url) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '\x7f') return false;
  }
  return true;
}

}  // namespace

std::string NewFeedUrl(const feeds::Feed& document, std::string_view current) {
  const std::string& named = document.itunes.new_feed_url;
  if (named.empty() || named == current || !IsAbsoluteHttpUrl(named)) return {};
  return named;
}

FetchedBody ReadFetchedBody(const store::FeedRecord& feed, const http::HttpResponse& response,
                            size_t max_document_bytes) {
  FetchedBody out;
  out.fetched_url = response.final_url.empty() ? feed.url : response.final_url;
  if (response.body.empty()) {
    out.error = "empty response body (HTTP " + std::to_string(response.status) + ")";
    return out;
  }
  feeds::ParseOptions parse_options;
  parse_options.base_url = out.fetched_url;
  parse_options.content_type = std::string(response.Find("Content-Type"));
  parse_options.max_document_bytes = max_document_bytes;
  auto parsed = feeds::ParseFeed(response.body, parse_options);
  if (!parsed.ok()) {
    out.error = feeds::LooksLikeHtml(response.body) ? "not a feed (an HTML page)"
                                                    : parsed.status().message();
    return out;
  }
  out.document = std::move(parsed).value();
  return out;
}

FetchedDecision DecideFetched(const store::FeedRecord& feed, const feeds::Feed& document,
                              std::string_view fetched_url, std::vector<Candidate> candidates,
                              const std::vector<std::string>& known, PollOutcome outcome,
                              const NoticePolicy& policy, const ScheduleOptions& schedule,
                              TimePoint now, double unit) {
  FetchedDecision decision;
  decision.entries_seen = candidates.size();
  const std::unordered_set<std::string> known_set(known.begin(), known.end());
  const std::vector<Candidate> fresh = NewOldestFirst(std::move(candidates), known_set);

  // Adding a feed does not broadcast its backlog: the first successful poll only stores.
  const bool first_success = !feed.last_success_at.has_value();
  size_t first_notice = first_success ? fresh.size() : 0;
  if (!first_success && fresh.size() > policy.max_notices) {
    // The newest are what readers want to hear about; the older ones are stored silently.
    first_notice = fresh.size() - policy.max_notices;
    decision.problems.push_back(
        std::to_string(fresh.size()) + " new entries at once: notices for the newest " +
        std::to_string(policy.max_notices) + " only (do the entry ids change on every poll?)");
  }
  const EntryContext context{
      .feed = &document,
      .feed_url = std::string(fetched_url),
      .notice_template = policy.notice_template,
      .fallback_url = policy.fallback_url,
  };
  decision.rows.reserve(fresh.size());
  for (size_t i = 0; i < fresh.size(); ++i) {
    decision.rows.push_back(BuildNewEntry(fresh[i], context, i >= first_notice));
  }
  decision.notices = fresh.size() - first_notice;

  if (!outcome.moved_to.empty()) decision.moved_by = "permanent redirect";
  std::string named = NewFeedUrl(document, outcome.moved_to.empty() ? feed.url : outcome.moved_to);
  if (!named.empty()) {
    outcome.moved_to = std::move(named);
    decision.moved_by = "itunes:new-feed-url";
  }
  if (outcome.moved_to == feed.url) decision.moved_by.clear();
  outcome.kind = PollOutcome::Kind::kFetched;
  outcome.document = &document;
  decision.state = NextFetchState(feed, outcome, schedule, now, unit);
  decision.state.profile_changed = ProfileChanged(feed, decision.state);
  return decision;
}

bool ProfileChanged(const store::FeedRecord& feed, const store::FetchState& next) {
  if (!feed.last_success_at.has_value()) return false;
  return next.title != feed.title || next.description != feed.description ||
         next.site_url != feed.site_url || next.icon_url != feed.icon_url;
}

}  // namespace feedbridge::poller::internal
