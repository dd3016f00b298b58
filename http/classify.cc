#include "http/classify.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "common/ascii.h"
#include "common/http_status.h"

namespace feedbridge::http {
namespace {

using std::chrono::seconds;

// A hostile or broken server may send "Retry-After: 99999999999999"; clamping keeps the time
// arithmetic far from overflow. The poller clamps its schedule much tighter anyway.
constexpr seconds kMaxDelay = std::chrono::hours(24 * 366);

// Non-negative decimal seconds (RFC 9110 §1.2 delta-seconds), clamped to kMaxDelay.
std::optional<seconds> ParseDeltaSeconds(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (end != text.data() + text.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) return kMaxDelay;
  if (ec != std::errc()) return std::nullopt;
  if (value > static_cast<uint64_t>(kMaxDelay.count())) return kMaxDelay;
  return seconds(static_cast<seconds::rep>(value));
}

std::vector<std::string_view> Split(std::string_view s, std::string_view separators) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    const size_t at = s.find_first_of(separators);
    if (at != 0) out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return out;
}

std::optional<int> ParseInt(std::string_view text, size_t min_digits, size_t max_digits) {
  if (text.size() < min_digits || text.size() > max_digits) return std::nullopt;
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

std::optional<unsigned> ParseMonth(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (name == kMonths[i]) return static_cast<unsigned>(i + 1);
  }
  return std::nullopt;
}

bool IsAlpha(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
  });
}

std::optional<TimePoint> MakeTime(int year, std::optional<unsigned> month, std::optional<int> day,
                                  std::string_view hms) {
  const std::vector<std::string_view> t = Split(hms, ":");
  if (!month || !day || t.size() != 3) return std::nullopt;
  const std::optional<int> h = ParseInt(t[0], 2, 2), m = ParseInt(t[1], 2, 2),
                           sec = ParseInt(t[2], 2, 2);
  if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 60) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(*month),
                                        std::chrono::day(static_cast<unsigned>(*day))};
  if (!ymd.ok()) return std::nullopt;
  return TimePoint(std::chrono::sys_days(ymd)) + std::chrono::hours(*h) + std::chrono::minutes(*m) +
         seconds(*sec);
}

// RFC 9110 §5.6.7 HTTP-date: IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), and the obsolete RFC
// 850 ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37 1994") forms a
// recipient must accept. Strict: anything else is not a date (a lenient parser would read
// "Retry-After: soon" as some date).
std::optional<TimePoint> ParseHttpDate(std::string_view text) {
  const size_t comma = text.find(',');
  if (comma != std::string_view::npos) {
    if (!IsAlpha(text.substr(0, comma))) return std::nullopt;
    const std::vector<std::string_view> f = Split(text.substr(comma + 1), " ");
    if (f.size() == 5 && f[4] == "GMT") {  // IMF-fixdate.
      const std::optional<int> year = ParseInt(f[2], 4, 4);
      if (!year) return std::nullopt;
      return MakeTime(*year, ParseMonth(f[1]), ParseInt(f[0], 2, 2), f[3]);
    }
    if (f.size() == 3 && f[2] == "GMT") {  // RFC 850.
      const std::vector<std::string_view> d = Split(f[0], "-");
      if (d.size() != 3) return std::nullopt;
      const std::optional<int> yy = ParseInt(d[2], 2, 2);
      if (!yy) return std::nullopt;
      // RFC 9110 §5.6.7 wants years over 50 ahead read as the past; two-digit years in the wild
      // are 1970..2069.
      return MakeTime(*yy < 70 ? 2000 + *yy : 1900 + *yy, ParseMonth(d[1]), ParseInt(d[0], 2, 2),
                      f[1]);
    }
    return std::nullopt;
  }
  const std::vector<std::string_view> f = Split(text, " ");  // asctime.
  if (f.size() != 5 || !IsAlpha(f[0])) return std::nullopt;
  const std::optional<int> year = ParseInt(f[4], 4, 4);
  if (!year) return std::nullopt;
  return MakeTime(*year, ParseMonth(f[1]), ParseInt(f[2], 1, 2), f[3]);
}

// The value of a Cache-Control directive such as max-age=600, or nullopt.
std::optional<seconds> CacheControlSeconds(std::string_view header, std::string_view directive) {
  const std::string lower = AsciiLower(header);
  std::string_view rest = lower;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view item = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos || Trim(item.substr(0, eq)) != directive) continue;
    std::string_view value = Trim(item.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return ParseDeltaSeconds(value);
  }
  return std::nullopt;
}

// Freshness from caching headers (RFC 9111 §4.2.1): max-age, then s-maxage, then Expires - Date.
// no-store and no-cache speak about storing and revalidating, not about when to ask again, so
// they are ignored here. The Age header is subtracted from max-age.
std::optional<TimePoint> FreshUntil(const HttpResponse& response, TimePoint now) {
  const std::string_view cache_control = response.Find("Cache-Control");
  std::optional<seconds> max_age = CacheControlSeconds(cache_control, "max-age");
  if (!max_age) max_age = CacheControlSeconds(cache_control, "s-maxage");
  if (max_age) {
    const seconds age = ParseDeltaSeconds(Trim(response.Find("Age"))).value_or(seconds(0));
    return now + std::max(seconds(0), *max_age - age);
  }
  const std::string_view expires = Trim(response.Find("Expires"));
  if (expires.empty()) return std::nullopt;
  // An invalid Expires (often "0" or "-1") means "already expired" (RFC 9111 §5.3).
  const std::optional<TimePoint> expires_at = ParseHttpDate(expires);
  if (!expires_at) return std::nullopt;
  // Relative to the server's own Date, so a skewed server clock does not matter.
  const std::optional<TimePoint> date = ParseHttpDate(Trim(response.Find("Date")));
  const TimePoint when = date ? now + (*expires_at - *date) : *expires_at;
  return std::max(when, now);
}

}  // namespace

std::optional<TimePoint> ParseRetryAfter(std::string_view value, TimePoint now) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(value.front()))) {
    const std::optional<seconds> delay = ParseDeltaSeconds(value);
    if (!delay) return std::nullopt;
    return now + *delay;
  }
  const std::optional<TimePoint> date = ParseHttpDate(value);
  if (!date) return std::nullopt;
  return std::max(*date, now);
}

Classification ClassifyResponse(const HttpResponse& response, TimePoint now) {
  Classification c;
  const std::optional<TimePoint> retry_after = ParseRetryAfter(response.Find("Retry-After"), now);
  c.retry_after = retry_after;
  c.not_before = retry_after ? retry_after : FreshUntil(response, now);
  c.etag = std::string(Trim(response.Find("ETag")));
  c.last_modified = std::string(Trim(response.Find("Last-Modified")));

  c.summary = "HTTP " + std::to_string(response.status);
  if (const std::string_view reason = ReasonPhrase(response.status); !reason.empty()) {
    c.summary += ' ';
    c.summary += reason;
  }
  if (retry_after) {
    const auto wait = std::chrono::ceil<seconds>(*retry_after - now).count();
    c.summary += ", retry after " + std::to_string(wait) + "s";
  }
  return c;
}

}  // namespace feedbridge::http
