#pragma once

// The rows the stores hand out and take in. Plain values.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

namespace feedbridge::store {

enum class AccountKind { kBlog, kReader };

// A blog bridged into the network: its account (nickname, profile) and its feed's fetch state.
struct FeedRecord {
  int64_t id = 0;          // Feed id (also the key of the poll schedule).
  int64_t account_id = 0;  // Identifier URI: BASE/user/<account_id>; never changes.
  std::string nickname;    // [0-9a-z]{1,64}, unique among accounts. Profile: BASE/<nickname>.
  std::string url;         // The feed URL polled.
  // From the feed itself, refreshed at each successful poll.
  std::string title;
  std::string description;
  std::string site_url;  // The blog's home page.
  std::string icon_url;
  // Fetch state.
  std::string etag;           // Sent as If-None-Match.
  std::string last_modified;  // Sent as If-Modified-Since.
  int last_http_status = 0;   // 0: never fetched, or a transport error.
  std::string last_error;     // Empty when the last poll succeeded.
  int consecutive_failures = 0;
  std::optional<TimePoint> last_polled_at;
  std::optional<TimePoint> last_success_at;
  std::optional<TimePoint> failing_since;  // First failure of the current run of failures.
  std::optional<TimePoint> next_poll_at;
  std::string disabled_reason;  // Non-empty: not polled (410 Gone, removed by the operator...).
  // Publication times of the entries of the last week, as of the last 200: the feed's rhythm
  // for the schedule, so a 304 needs no entry read. nullopt: not known yet (never fetched, or
  // last fetched before the column existed).
  std::optional<std::vector<TimePoint>> recent_entries;
  TimePoint created_at;

  bool disabled() const { return !disabled_reason.empty(); }
};

// What the poller learned in one poll, saved with the entries it found (see EntryStore).
struct FetchState {
  std::string url;  // The feed URL from now on (changes after a persistent 301).
  std::string title;
  std::string description;
  std::string site_url;
  std::string icon_url;
  std::string etag;
  std::string last_modified;
  int last_http_status = 0;
  std::string last_error;
  int consecutive_failures = 0;
  std::optional<TimePoint> last_polled_at;
  std::optional<TimePoint> last_success_at;
  std::optional<TimePoint> failing_since;
  std::optional<TimePoint> next_poll_at;
  std::string disabled_reason;
  std::optional<std::vector<TimePoint>> recent_entries;
  // The poller found the profile (title, description, site_url, icon_url) changed: RecordPoll
  // records a ProfileRevision of the new values in the same transaction. Not a column.
  bool profile_changed = false;
};

// The fetch state of one feed, for FeedStore::SaveFetchStates.
struct FeedFetchState {
  int64_t feed_id = 0;
  FetchState state;
  // False when the caller knows state.url is the stored URL: it is then not written (SQLite
  // would rewrite the URL's unique index entry for nothing). True writes it, changed or not.
  bool url_changed = true;
};

// An entry of a bridged feed as stored.
struct StoredEntry {
  int64_t id = 0;
  int64_t feed_id = 0;
  std::string identity;  // feeds::EntryIdentity(): unique per feed.
  std::string url;       // The post's permalink, may be empty.
  std::string title;     // Plain text.
  std::optional<TimePoint> published;
  std::optional<TimePoint> updated;
  TimePoint first_seen_at;
  // The whole normalized entry as a JSON Feed 1.1 document with this one item
  // (feeds::EncodeEntryDocument / feeds::DecodeEntryDocument), so the mirror can serve it in any
  // format.
  std::string document;
};

// A new entry found by a poll; `notice_text` empty means no notice (the backlog of a feed that
// was just added is not broadcast).
struct NewEntry {
  std::string identity;
  std::string url;
  std::string title;
  std::optional<TimePoint> published;
  std::optional<TimePoint> updated;
  std::string document;
  std::string notice_text;  // At most 140 characters, see omb/notice_text.h.
  std::string notice_url;   // The link the notice points to (the permalink, or empty).
};

// A notice: what a blog "posts" to the network for one new entry.
struct Notice {
  int64_t id = 0;  // Notice URI: BASE/notice/<id>.
  int64_t account_id = 0;
  int64_t entry_id = 0;
  std::string text;  // At most 140 characters.
  std::string url;   // omb_notice_url: the permalink, may be empty.
  TimePoint created_at;
  bool enqueued = false;  // Outbox state: false until it is on the Redis stream.
};

// A blog account's profile as of one change of its feed's title, description, link or image:
// what updateProfile sends (only the newest revision of an account is sent). The revisions not
// yet on the Redis stream are an outbox, as notices are.
struct ProfileRevision {
  int64_t id = 0;  // The revision: a newer one has a larger id.
  int64_t account_id = 0;
  std::string nickname;  // The account's (never changes).
  std::string title;
  std::string description;
  std::string site_url;
  std::string icon_url;
  TimePoint created_at;
  bool enqueued = false;  // Outbox state: false until it is on the Redis stream.
};

// A notice with the entry it announces and that entry's feed: what a notice page shows.
struct NoticeSource {
  Notice notice;
  StoredEntry entry;
  FeedRecord feed;
};

// A remote OMB user's profile, as its service sent it (the authorize callback, updateProfile).
struct RemoteProfile {
  std::string uri;  // Identifier URI (omb_listener): what names the person. At most 255 bytes.
  std::string profile_url;
  std::string nickname;
  std::string fullname;
  std::string homepage;
  std::string bio;
  std::string location;
  std::string avatar_url;
  std::string license;

  bool operator==(const RemoteProfile&) const = default;
};

// A remote OMB user subscribed to a local blog account: where its service takes the blog's
// notices and profile updates, and the access token it gave us for them.
struct Subscription {
  int64_t id = 0;
  int64_t account_id = 0;  // The local listenee.
  RemoteProfile subscriber;
  std::string post_notice_url;
  std::string update_profile_url;
  std::string token;  // Access token and secret issued by the subscriber's service.
  std::string token_secret;
  TimePoint created_at;
};

// A remote-subscribe flow between the request token and the authorize callback (omb-0.1.md
// §4.1): what the bridge must remember across the browser's trip to the listener's service, which
// sends back only the request token (no omb_listener). One-shot: taken when the callback comes.
struct PendingSubscription {
  std::string request_token;  // Key: what the callback's oauth_token names. At most 255 bytes.
  std::string token_secret;
  int64_t account_id = 0;        // The local listenee,
  std::string nickname;          // and its nickname (for the pages that end the flow).
  std::string listener_uri;      // The XRDS LocalID: who subscribes.
  std::string access_token_url;  // The peer's endpoints, as its XRDS advertised them.
  std::string post_notice_url;
  std::string update_profile_url;
  TimePoint created_at;
  TimePoint expires_at;  // After this the callback is refused ("expired").
};

// What one endpoint (a postNotice URL, an inbox) has done lately, for operators.
struct EndpointHealth {
  std::string endpoint;
  std::optional<TimePoint> last_success_at;
  std::optional<TimePoint> last_failure_at;
  std::optional<TimePoint> failing_since;  // First failure of the current run of failures.
  int consecutive_failures = 0;
  std::string last_error;  // Empty when the last attempt succeeded.
};

}  // namespace feedbridge::store
