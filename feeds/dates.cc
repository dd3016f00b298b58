#include "feeds/dates.h"

#include <array>
#include <cstdio>
#include <utility>

#include "common/ascii.h"

namespace feedbridge::feeds {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::sys_seconds;

constexpr int kMinYear = 1900;
constexpr int kMaxYear = 9999;
// No real date is longer; stops a hostile megabyte "date" from being scanned.
constexpr size_t kMaxDateLength = 256;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// `word` names `full` if it is its first three letters or more ("Jan", "Janu", "January",
// "Sept"), case-insensitively.
bool AbbreviatesName(std::string_view word, std::string_view full) {
  return word.size() >= 3 && word.size() <= full.size() &&
         EqualsIgnoreAsciiCase(word, full.substr(0, word.size()));
}

constexpr std::array<std::string_view, 12> kMonths = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};
constexpr std::array<std::string_view, 7> kWeekdays = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
constexpr std::array<std::string_view, 12> kMonthAbbr = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kWeekdayAbbr = {"Mon", "Tue", "Wed", "Thu",
                                                          "Fri", "Sat", "Sun"};

int MonthFromName(std::string_view word) {
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (AbbreviatesName(word, kMonths[i])) return static_cast<int>(i) + 1;
  }
  return 0;
}

bool IsWeekdayName(std::string_view word) {
  for (std::string_view day : kWeekdays) {
    if (AbbreviatesName(word, day)) return true;
  }
  // "Thur", "Thurs", "Tues" are abbreviations too; "Tu"/"Th" are not accepted (too short).
  return false;
}

struct NamedZone {
  std::string_view name;
  int offset_minutes;
};

// RFC 822 §5.1 / RFC 2822 §4.3 names, then the abbreviations feeds commonly use instead.
constexpr NamedZone kZones[] = {
    {"gmt", 0},        {"ut", 0},        {"utc", 0},        {"z", 0},          {"est", -5 * 60},
    {"edt", -4 * 60},  {"cst", -6 * 60}, {"cdt", -5 * 60},  {"mst", -7 * 60},  {"mdt", -6 * 60},
    {"pst", -8 * 60},  {"pdt", -7 * 60}, {"akst", -9 * 60}, {"akdt", -8 * 60}, {"hst", -10 * 60},
    {"ast", -4 * 60},  {"adt", -3 * 60}, {"nst", -210},     {"ndt", -150},     {"wet", 0},
    {"west", 60},      {"bst", 60},      {"cet", 60},       {"cest", 120},     {"met", 60},
    {"mest", 120},     {"eet", 120},     {"eest", 180},     {"msk", 180},      {"jst", 9 * 60},
    {"kst", 9 * 60},   {"hkt", 8 * 60},  {"aest", 10 * 60}, {"aedt", 11 * 60}, {"nzst", 12 * 60},
    {"nzdt", 13 * 60},
};

std::optional<int> ZoneFromName(std::string_view word) {
  for (const NamedZone& z : kZones) {
    if (EqualsIgnoreAsciiCase(word, z.name)) return z.offset_minutes;
  }
  // RFC 2822 §4.3: military single letters (other than Z) were defined with the wrong sign in
  // RFC 822, so they "SHOULD all be considered equivalent to -0000": UTC, offset unknown.
  if (word.size() == 1 && IsAlpha(word[0]) && AsciiLower(word[0]) != 'j') return 0;
  return std::nullopt;
}

// The broken-down date before validation.
struct Fields {
  int year = 0;
  int month = 1;
  int day = 1;
  int ordinal = 0;  // Day of year (YYYY-DDD) when non-zero; month and day then unused.
  int week = 0;     // ISO week (YYYY-Www-D) when non-zero, with weekday.
  int weekday = 1;  // 1 = Monday.
  int hour = 0;
  int minute = 0;
  int second = 0;
  int offset_minutes = 0;  // Local time minus UTC.
};

// Monday of ISO week 1: the week holding January 4th (ISO 8601 §3.2.2).
sys_days IsoWeekOneMonday(int year) {
  const sys_days jan4{std::chrono::year{year} / 1 / 4};
  const unsigned iso_weekday = std::chrono::weekday{jan4}.iso_encoding();  // 1..7
  return jan4 - days{iso_weekday - 1};
}

std::optional<sys_seconds> ToTime(const Fields& f) {
  if (f.year < kMinYear || f.year > kMaxYear) return std::nullopt;
  // Second 60 is a leap second (RFC 3339 §5.7); it rolls into the next minute.
  if (f.hour > 23 || f.minute > 59 || f.second > 60) return std::nullopt;
  if (f.offset_minutes <= -24 * 60 || f.offset_minutes >= 24 * 60) return std::nullopt;
  sys_days date;
  if (f.week != 0) {
    if (f.week > 53 || f.weekday < 1 || f.weekday > 7) return std::nullopt;
    date = IsoWeekOneMonday(f.year) + days{7 * (f.week - 1) + f.weekday - 1};
    if (date >= IsoWeekOneMonday(f.year + 1)) return std::nullopt;  // No week 53 that year.
  } else if (f.ordinal != 0) {
    const std::chrono::year y{f.year};
    if (f.ordinal > (y.is_leap() ? 366 : 365)) return std::nullopt;
    date = sys_days{y / 1 / 1} + days{f.ordinal - 1};
  } else {
    if (f.month < 1 || f.month > 12 || f.day < 1) return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{f.year},
                                          std::chrono::month{static_cast<unsigned>(f.month)},
                                          std::chrono::day{static_cast<unsigned>(f.day)}};
    if (!ymd.ok()) return std::nullopt;  // Feb 30, Apr 31, Feb 29 in a common year.
    date = sys_days{ymd};
  }
  return sys_seconds{date} + hours{f.hour} + minutes{f.minute} + seconds{f.second} -
         minutes{f.offset_minutes};
}

// A cursor over the text with the few reads both grammars need. Not thread-safe; one per parse.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek(size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }
  void Skip(size_t n = 1) { pos_ += n; }
  size_t pos() const { return pos_; }
  void Rewind(size_t pos) { pos_ = pos; }

  bool Consume(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  void SkipSpaces() {
    while (IsSpace(Peek())) ++pos_;
  }
  size_t DigitRun() const {
    size_t n = 0;
    while (IsDigit(Peek(n))) ++n;
    return n;
  }
  // Exactly `n` digits.
  bool ReadDigits(size_t n, int* out) {
    if (DigitRun() < n) return false;
    int v = 0;
    for (size_t i = 0; i < n; ++i) v = v * 10 + (s_[pos_ + i] - '0');
    pos_ += n;
    *out = v;
    return true;
  }
  std::string_view ReadAlpha() {
    const size_t start = pos_;
    while (IsAlpha(Peek())) ++pos_;
    return s_.substr(start, pos_ - start);
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// "+hh:mm", "+hhmm", "+hh" (sign already known to be next).
bool ReadNumericZone(Scanner& sc, int* offset_minutes) {
  const int sign = sc.Peek() == '-' ? -1 : 1;
  sc.Skip();
  int hh = 0;
  int mm = 0;
  if (!sc.ReadDigits(2, &hh)) return false;
  if (sc.Peek() == ':') {
    sc.Skip();
    if (!sc.ReadDigits(2, &mm)) return false;
  } else if (sc.DigitRun() == 2) {
    sc.ReadDigits(2, &mm);
  } else if (sc.DigitRun() != 0) {
    return false;
  }
  if (hh > 23 || mm > 59) return false;
  *offset_minutes = sign * (hh * 60 + mm);
  return true;
}

// Skips a fraction of a second (".123", ",5"): sys_seconds has no room for it.
void SkipFraction(Scanner& sc) {
  if ((sc.Peek() == '.' || sc.Peek() == ',') && IsDigit(sc.Peek(1))) {
    sc.Skip();
    sc.Skip(sc.DigitRun());
  }
}

// ISO 8601 / RFC 3339 / W3CDTF: YYYY[-MM[-DD]], YYYY-DDD, YYYY-Www[-D], their basic forms
// (YYYYMMDD, YYYYDDD, YYYYWwwD), then optionally [T| ]hh[:mm[:ss[.f]]] or hhmm[ss], then a zone.
std::optional<Fields> ParseIso(std::string_view text) {
  Scanner sc(text);
  Fields f;
  if (!sc.ReadDigits(4, &f.year)) return std::nullopt;
  auto read_week = [&]() {
    sc.Skip();  // 'W'
    if (!sc.ReadDigits(2, &f.week) || f.week == 0) return false;
    if (sc.Peek() == '-') sc.Skip();
    if (IsDigit(sc.Peek())) return sc.ReadDigits(1, &f.weekday);
    return true;
  };
  if (sc.Peek() == '-') {
    sc.Skip();
    if (sc.Peek() == 'W') {
      if (!read_week()) return std::nullopt;
    } else if (sc.DigitRun() == 3) {
      if (!sc.ReadDigits(3, &f.ordinal) || f.ordinal == 0) return std::nullopt;
    } else {
      if (!sc.ReadDigits(2, &f.month)) return std::nullopt;
      if (sc.Consume('-') && !sc.ReadDigits(2, &f.day)) return std::nullopt;
    }
  } else if (sc.Peek() == 'W') {
    if (!read_week()) return std::nullopt;
  } else {
    const size_t run = sc.DigitRun();
    if (run == 4) {
      sc.ReadDigits(2, &f.month);
      sc.ReadDigits(2, &f.day);
    } else if (run == 3) {
      sc.ReadDigits(3, &f.ordinal);
      if (f.ordinal == 0) return std::nullopt;
    } else if (run != 0) {
      return std::nullopt;
    }
  }

  // Time: after 'T' (RFC 3339 allows 't') or white space ("2004-01-01 19:48:21").
  const size_t before_time = sc.pos();
  bool has_time = false;
  if (sc.Peek() == 'T' || sc.Peek() == 't') {
    sc.Skip();
    has_time = true;
  } else if (IsSpace(sc.Peek())) {
    sc.SkipSpaces();
    has_time = IsDigit(sc.Peek());
    if (!has_time) sc.Rewind(before_time);
  }
  if (has_time) {
    if (!sc.ReadDigits(2, &f.hour)) return std::nullopt;
    if (sc.Consume(':')) {
      if (!sc.ReadDigits(2, &f.minute)) return std::nullopt;
      if (sc.Consume(':') && !sc.ReadDigits(2, &f.second)) return std::nullopt;
    } else if (sc.DigitRun() >= 2) {
      sc.ReadDigits(2, &f.minute);
      if (sc.DigitRun() >= 2) sc.ReadDigits(2, &f.second);
    }
    SkipFraction(sc);
  }

  sc.SkipSpaces();
  if (sc.Peek() == '+' || sc.Peek() == '-') {
    if (!ReadNumericZone(sc, &f.offset_minutes)) return std::nullopt;
  } else if (IsAlpha(sc.Peek())) {
    const std::optional<int> zone = ZoneFromName(sc.ReadAlpha());
    if (!zone) return std::nullopt;
    f.offset_minutes = *zone;
    // "GMT+01:00".
    if ((sc.Peek() == '+' || sc.Peek() == '-') && !ReadNumericZone(sc, &f.offset_minutes)) {
      return std::nullopt;
    }
  }
  sc.SkipSpaces();
  if (!sc.AtEnd()) return std::nullopt;
  return f;
}

// RFC 822 / 2822 / 1123 / 850 and asctime, read as a bag of tokens so that the usual broken
// orders ("Jan 05 2004", "Sun Jan  4 16:29:06 2004", "05-Jan-04") need no grammar of their own:
// a month name, a day and a year number, an hh:mm[:ss] time and a zone, each at most once.
std::optional<Fields> ParseRfc822(std::string_view text) {
  Scanner sc(text);
  Fields f;
  int month = 0;
  std::array<std::pair<int, size_t>, 2> numbers;  // Value and digit count, in order.
  size_t number_count = 0;
  bool has_time = false;
  bool has_named_zone = false;
  bool has_numeric_zone = false;
  bool after_separator = true;     // At the start or after white space, ',' or a comment.
  bool after_time_or_utc = false;  // "16:29:06-0500", "GMT+0100": a sign here is a zone.
  bool pm = false;
  bool am = false;
  while (!sc.AtEnd()) {
    const char c = sc.Peek();
    if (IsSpace(c) || c == ',') {
      sc.Skip();
      after_separator = true;
      continue;
    }
    if (c == '(') {  // RFC 2822 §3.2.3 comment: "+0000 (GMT)".
      while (!sc.AtEnd() && sc.Peek() != ')') sc.Skip();
      sc.Consume(')');
      after_separator = true;
      continue;
    }
    const bool sign = c == '+' || c == '-';
    if (sign && IsDigit(sc.Peek(1)) && (after_separator || after_time_or_utc)) {
      // A numeric offset is more precise than a name, so it wins over one ("+0100 (CET)").
      if (has_numeric_zone || !ReadNumericZone(sc, &f.offset_minutes)) return std::nullopt;
      has_numeric_zone = true;
      after_separator = after_time_or_utc = false;
      continue;
    }
    after_separator = false;
    after_time_or_utc = false;
    if (c == '-' || c == '.' || c == '/') {  // "05-Jan-2004", "Jan. 5".
      sc.Skip();
      continue;
    }
    if (IsAlpha(c)) {
      const std::string_view word = sc.ReadAlpha();
      if (const int m = MonthFromName(word); m != 0) {
        if (month != 0) return std::nullopt;
        month = m;
      } else if (IsWeekdayName(word)) {
        // The weekday is redundant and often wrong; RFC 2822 readers ignore it.
      } else if (EqualsIgnoreAsciiCase(word, "am") || EqualsIgnoreAsciiCase(word, "pm")) {
        (EqualsIgnoreAsciiCase(word, "pm") ? pm : am) = true;
      } else if (const std::optional<int> zone = ZoneFromName(word)) {
        if (has_named_zone) return std::nullopt;
        if (!has_numeric_zone) f.offset_minutes = *zone;
        has_named_zone = true;
        after_time_or_utc = *zone == 0 && word.size() > 1;
      } else {
        return std::nullopt;
      }
      continue;
    }
    if (!IsDigit(c)) return std::nullopt;
    const size_t run = sc.DigitRun();
    if (sc.Peek(run) == ':') {
      if (has_time || run > 2) return std::nullopt;
      sc.ReadDigits(run, &f.hour);
      sc.Skip();  // ':'
      if (!sc.ReadDigits(2, &f.minute)) return std::nullopt;
      if (sc.Consume(':') && !sc.ReadDigits(2, &f.second)) return std::nullopt;
      SkipFraction(sc);
      has_time = true;
      after_time_or_utc = true;
      continue;
    }
    if (run > 4) return std::nullopt;
    int value = 0;
    sc.ReadDigits(run, &value);
    if (number_count == numbers.size()) return std::nullopt;
    numbers[number_count++] = {value, run};
  }

  if (month == 0) return std::nullopt;
  f.month = month;
  if (number_count == 2) {
    // Day first ("05 Jan 2004", "Jan 05 2004") unless the first is clearly a year.
    const bool year_first = numbers[0].second >= 3;
    f.day = numbers[year_first ? 1 : 0].first;
    if (numbers[year_first ? 1 : 0].second > 2) return std::nullopt;
    const auto [year, digits] = numbers[year_first ? 0 : 1];
    if (digits == 2) {
      f.year = year < 50 ? 2000 + year : 1900 + year;  // RFC 2822 §4.3.
    } else if (digits == 3) {
      f.year = 1900 + year;  // RFC 2822 §4.3.
    } else if (digits == 4) {
      f.year = year;
    } else {
      return std::nullopt;
    }
  } else if (number_count == 1 && numbers[0].second == 4) {
    f.year = numbers[0].first;  // "January 2004".
  } else {
    return std::nullopt;
  }
  if (pm || am) {
    if (!has_time || f.hour < 1 || f.hour > 12) return std::nullopt;
    if (pm && f.hour != 12) f.hour += 12;
    if (am && f.hour == 12) f.hour = 0;
  }
  return f;
}

struct Civil {
  std::chrono::year_month_day ymd;
  std::chrono::hh_mm_ss<seconds> time;
};

Civil ToCivil(sys_seconds t) {
  const sys_days day = std::chrono::floor<days>(t);
  return {std::chrono::year_month_day{day}, std::chrono::hh_mm_ss<seconds>{t - day}};
}

}  // namespace

std::optional<sys_seconds> ParseDate(std::string_view text) {
  text = Trim(text, kHtmlWhitespace);
  if (text.empty() || text.size() > kMaxDateLength) return std::nullopt;
  // Four digits first is ISO 8601 in every form we accept; anything else is RFC 822-like.
  const bool iso = text.size() >= 4 && IsDigit(text[0]) && IsDigit(text[1]) && IsDigit(text[2]) &&
                   IsDigit(text[3]);
  std::optional<Fields> fields = iso ? ParseIso(text) : std::nullopt;
  if (!fields) fields = ParseRfc822(text);
  if (!fields) return std::nullopt;
  return ToTime(*fields);
}

std::string FormatRfc3339(sys_seconds t) {
  const Civil c = ToCivil(t);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(c.ymd.year()),
                static_cast<unsigned>(c.ymd.month()), static_cast<unsigned>(c.ymd.day()),
                static_cast<int>(c.time.hours().count()),
                static_cast<int>(c.time.minutes().count()),
                static_cast<int>(c.time.seconds().count()));
  return buf;
}

std::string FormatRfc1123(sys_seconds t) {
  const Civil c = ToCivil(t);
  const std::chrono::weekday wd{std::chrono::floor<days>(t)};
  char buf[48];
  // RFC 1123 §5.2.14 / RFC 9110 §5.6.7 IMF-fixdate: English names, GMT, two-digit day.
  std::snprintf(
      buf, sizeof(buf), "%s, %02u %s %04d %02d:%02d:%02d GMT",
      std::string(kWeekdayAbbr[wd.iso_encoding() - 1]).c_str(), static_cast<unsigned>(c.ymd.day()),
      std::string(kMonthAbbr[static_cast<unsigned>(c.ymd.month()) - 1]).c_str(),
      static_cast<int>(c.ymd.year()), static_cast<int>(c.time.hours().count()),
      static_cast<int>(c.time.minutes().count()), static_cast<int>(c.time.seconds().count()));
  return buf;
}

}  // namespace feedbridge::feeds
