#pragma once

// Rows <-> records: the column lists the stores select, and POCO type handlers that read a row
// into a FeedRecord, StoredEntry, Notice, Subscription, ProfileRevision, PendingSubscription or
// EndpointHealth in that order. Internal to store/.

#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "Poco/Data/TypeHandler.h"
#include "Poco/Nullable.h"
#include "store/records.h"
#include "store/sqlite_statements.h"

namespace feedbridge::store {

// Timestamps are integer milliseconds since the epoch (UTC) in both databases.
inline int64_t ToMillis(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint FromMillis(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }
inline Poco::Nullable<int64_t> ToNullableMillis(const std::optional<TimePoint>& t) {
  return t ? Poco::Nullable<int64_t>(ToMillis(*t)) : Poco::Nullable<int64_t>();
}

// A list of times as one column: milliseconds joined by commas; NULL for nullopt.
inline Poco::Nullable<std::string> ToNullableTimeList(
    const std::optional<std::vector<TimePoint>>& v) {
  if (!v) return {};
  std::string out;
  for (const TimePoint t : *v) {
    if (!out.empty()) out += ',';
    out += std::to_string(ToMillis(t));
  }
  return Poco::Nullable<std::string>(out);
}
// The inverse; numbers that do not parse are skipped (the list only tunes the schedule).
inline std::vector<TimePoint> ParseTimeList(std::string_view text) {
  std::vector<TimePoint> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    int64_t ms = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), ms);
    if (ec == std::errc() && end == item.data() + item.size()) out.push_back(FromMillis(ms));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

inline constexpr std::string_view kFeedColumns =
    "f.id, f.account_id, a.nickname, f.url, f.title, f.description, f.site_url, f.icon_url, "
    "f.etag, f.last_modified, f.last_http_status, f.last_error, f.consecutive_failures, "
    "f.last_polled_at, f.last_success_at, f.failing_since, f.next_poll_at, f.disabled_reason, "
    "f.recent_entries, f.created_at FROM feeds f JOIN accounts a ON a.id = f.account_id";
template <class V>
void VisitColumns(FeedRecord& r, V& v) {
  v(r.id);
  v(r.account_id);
  v(r.nickname);
  v(r.url);
  v(r.title);
  v(r.description);
  v(r.site_url);
  v(r.icon_url);
  v(r.etag);
  v(r.last_modified);
  v(r.last_http_status);
  v(r.last_error);
  v(r.consecutive_failures);
  v(r.last_polled_at);
  v(r.last_success_at);
  v(r.failing_since);
  v(r.next_poll_at);
  v(r.disabled_reason);
  v(r.recent_entries);
  v(r.created_at);
}

inline constexpr std::string_view kEntryColumns =
    "id, feed_id, identity, url, title, published_at, updated_at, first_seen_at, document "
    "FROM entries";
template <class V>
void VisitColumns(StoredEntry& r, V& v) {
  v(r.id);
  v(r.feed_id);
  v(r.identity);
  v(r.url);
  v(r.title);
  v(r.published);
  v(r.updated);
  v(r.first_seen_at);
  v(r.document);
}

inline constexpr std::string_view kNoticeColumns =
    "id, account_id, entry_id, text, url, created_at, enqueued FROM notices";
template <class V>
void VisitColumns(Notice& r, V& v) {
  v(r.id);
  v(r.account_id);
  v(r.entry_id);
  v(r.text);
  v(r.url);
  v(r.created_at);
  v(r.enqueued);
}

inline constexpr std::string_view kSubscriptionColumns =
    "id, account_id, subscriber_uri, profile_url, nickname, fullname, homepage, bio, location, "
    "avatar_url, license, post_notice_url, update_profile_url, token, token_secret, created_at "
    "FROM subscriptions";
template <class V>
void VisitColumns(Subscription& r, V& v) {
  v(r.id);
  v(r.account_id);
  v(r.subscriber.uri);
  v(r.subscriber.profile_url);
  v(r.subscriber.nickname);
  v(r.subscriber.fullname);
  v(r.subscriber.homepage);
  v(r.subscriber.bio);
  v(r.subscriber.location);
  v(r.subscriber.avatar_url);
  v(r.subscriber.license);
  v(r.post_notice_url);
  v(r.update_profile_url);
  v(r.token);
  v(r.token_secret);
  v(r.created_at);
}

inline constexpr std::string_view kProfileRevisionColumns =
    "r.id, r.account_id, a.nickname, r.title, r.description, r.site_url, r.icon_url, "
    "r.created_at, r.enqueued FROM profile_revisions r JOIN accounts a ON a.id = r.account_id";
template <class V>
void VisitColumns(ProfileRevision& r, V& v) {
  v(r.id);
  v(r.account_id);
  v(r.nickname);
  v(r.title);
  v(r.description);
  v(r.site_url);
  v(r.icon_url);
  v(r.created_at);
  v(r.enqueued);
}

inline constexpr std::string_view kPendingSubscriptionColumns =
    "request_token, token_secret, account_id, nickname, listener_uri, access_token_url, "
    "post_notice_url, update_profile_url, created_at, expires_at FROM pending_subscriptions";
template <class V>
void VisitColumns(PendingSubscription& r, V& v) {
  v(r.request_token);
  v(r.token_secret);
  v(r.account_id);
  v(r.nickname);
  v(r.listener_uri);
  v(r.access_token_url);
  v(r.post_notice_url);
  v(r.update_profile_url);
  v(r.created_at);
  v(r.expires_at);
}

inline constexpr std::string_view kEndpointHealthColumns =
    "endpoint, last_success_at, last_failure_at, failing_since, consecutive_failures, last_error "
    "FROM endpoint_health";
template <class V>
void VisitColumns(EndpointHealth& r, V& v) {
  v(r.endpoint);
  v(r.last_success_at);
  v(r.last_failure_at);
  v(r.failing_since);
  v(r.consecutive_failures);
  v(r.last_error);
}

// GetNoticeSource's SELECT: a notice, its entry and the entry's feed in one row, the columns in
// the order of the three VisitColumns above, one after another.
inline constexpr std::string_view kNoticeSourceSelect =
    "SELECT n.id, n.account_id, n.entry_id, n.text, n.url, n.created_at, n.enqueued, "
    "e.id, e.feed_id, e.identity, e.url, e.title, e.published_at, e.updated_at, e.first_seen_at, "
    "e.document, "
    "f.id, f.account_id, a.nickname, f.url, f.title, f.description, f.site_url, f.icon_url, "
    "f.etag, f.last_modified, f.last_http_status, f.last_error, f.consecutive_failures, "
    "f.last_polled_at, f.last_success_at, f.failing_since, f.next_poll_at, f.disabled_reason, "
    "f.recent_entries, f.created_at "
    "FROM notices n JOIN entries e ON e.id = n.entry_id JOIN feeds f ON f.id = e.feed_id "
    "JOIN accounts a ON a.id = f.account_id WHERE n.id = ?";
template <class V>
void VisitColumns(NoticeSource& r, V& v) {
  VisitColumns(r.notice, v);
  VisitColumns(r.entry, v);
  VisitColumns(r.feed, v);
}

// Reads the columns of one row from `pos` on. NULL reads as empty / 0 / nullopt.
class ColumnReader {
 public:
  ColumnReader(std::size_t pos, Poco::Data::AbstractExtractor::Ptr ext)
      : pos_(pos), ext_(std::move(ext)) {}
  void operator()(std::string& v) {
    if (!ext_->extract(pos_++, v)) v.clear();
  }
  void operator()(int64_t& v) { v = Int(); }
  void operator()(int& v) { v = static_cast<int>(Int()); }
  void operator()(bool& v) { v = Int() != 0; }
  void operator()(TimePoint& v) { v = FromMillis(Int()); }
  void operator()(std::optional<TimePoint>& v) {
    int64_t ms = 0;
    if (ext_->extract(pos_++, ms)) {
      v = FromMillis(ms);
    } else {
      v.reset();
    }
  }
  void operator()(std::optional<std::vector<TimePoint>>& v) {
    std::string text;
    if (ext_->extract(pos_++, text)) {
      v = ParseTimeList(text);
    } else {
      v.reset();
    }
  }

 private:
  int64_t Int() {
    int64_t v = 0;
    if (!ext_->extract(pos_++, v)) v = 0;
    return v;
  }
  std::size_t pos_;
  Poco::Data::AbstractExtractor::Ptr ext_;
};

// Declares the column types of one row from `pos` on (POCO asks before extracting).
class ColumnPreparer {
 public:
  ColumnPreparer(std::size_t pos, Poco::Data::AbstractPreparator::Ptr prep)
      : pos_(pos), prep_(std::move(prep)) {}
  void operator()(const std::string&) { prep_->prepare(pos_++, std::string()); }
  void operator()(const std::optional<std::vector<TimePoint>>&) {
    prep_->prepare(pos_++, std::string());
  }
  template <class T>
  void operator()(const T&) {
    prep_->prepare(pos_++, int64_t{0});
  }

 private:
  std::size_t pos_;
  Poco::Data::AbstractPreparator::Ptr prep_;
};

class ColumnCounter {
 public:
  template <class T>
  void operator()(const T&) {
    ++n;
  }
  std::size_t n = 0;
};

// Reads the current row of a prepared SQLite query into a record, column by column in the order
// of VisitColumns (as ColumnReader does for POCO Data).
class SqliteRowReader {
 public:
  explicit SqliteRowReader(const SqliteStatement& row) : row_(row) {}
  void operator()(std::string& v) { v = row_.Text(col_++); }
  void operator()(int64_t& v) { v = row_.Int(col_++); }
  void operator()(int& v) { v = static_cast<int>(row_.Int(col_++)); }
  void operator()(bool& v) { v = row_.Int(col_++) != 0; }
  void operator()(TimePoint& v) { v = FromMillis(row_.Int(col_++)); }
  void operator()(std::optional<TimePoint>& v) {
    if (row_.IsNull(col_)) {
      v.reset();
    } else {
      v = FromMillis(row_.Int(col_));
    }
    ++col_;
  }
  void operator()(std::optional<std::vector<TimePoint>>& v) {
    if (row_.IsNull(col_)) {
      v.reset();
    } else {
      v = ParseTimeList(row_.Text(col_));
    }
    ++col_;
  }

 private:
  const SqliteStatement& row_;
  int col_ = 0;
};

// The body of the TypeHandler specializations below. Rows are only read, never bound.
template <class Record>
struct RecordTypeHandler {
  static std::size_t size() {
    Record r;
    ColumnCounter c;
    VisitColumns(r, c);
    return c.n;
  }
  static void extract(std::size_t pos, Record& obj, const Record&,
                      Poco::Data::AbstractExtractor::Ptr ext) {
    ColumnReader reader(pos, std::move(ext));
    VisitColumns(obj, reader);
  }
  static void prepare(std::size_t pos, const Record&, Poco::Data::AbstractPreparator::Ptr prep) {
    Record r;
    ColumnPreparer preparer(pos, std::move(prep));
    VisitColumns(r, preparer);
  }
};

}  // namespace feedbridge::store

namespace Poco::Data {

template <>
class TypeHandler<feedbridge::store::FeedRecord>
    : public feedbridge::store::RecordTypeHandler<feedbridge::store::FeedRecord> {};
template <>
class TypeHandler<feedbridge::store::StoredEntry>
    : public feedbridge::store::RecordTypeHandler<feedbridge::store::StoredEntry> {};
template <>
class TypeHandler<feedbridge::store::Notice>
    : public feedbridge::store::RecordTypeHandler<feedbridge::store::Notice> {};
template <>
class TypeHandler<feedbridge::store::NoticeSource>
    : public feedbridge::store::RecordTypeHandler<feedbridge::store::NoticeSource> {};
template <>
class TypeHandler<feedbridge::store::Subscription>
    : public feedbridge::store::RecordTypeHandler<feedbridge::store::Subscription> {};
template <>
class TypeHandler<feedbridge::store::ProfileRevision>
    : public feedbridge::store::RecordTypeHandler<feedbridge::store::ProfileRevision> {};
template <>
class TypeHandler<feedbridge::store::PendingSubscription>
    : public feedbridge::store::RecordTypeHandler<feedbridge::store::PendingSubscription> {};
template <>
class TypeHandler<feedbridge::store::EndpointHealth>
    : public feedbridge::store::RecordTypeHandler<feedbridge::store::EndpointHealth> {};

}  // namespace Poco::Data
