#include "feeds/dates.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

namespace feedbridge::feeds {
namespace {

using std::chrono::December;
using std::chrono::February;
using std::chrono::hours;
using std::chrono::January;
using std::chrono::July;
using std::chrono::March;
using std::chrono::minutes;
using std::chrono::November;
using std::chrono::seconds;
using std::chrono::September;
using std::chrono::sys_days;
using std::chrono::sys_seconds;
using namespace std::chrono_literals;  // NOLINT(build/namespaces): 2004y.

// A UTC instant from civil fields, computed by <chrono> (independent of the parser).
sys_seconds Utc(std::chrono::year_month_day ymd, int h = 0, int m = 0, int s = 0) {
  return sys_days{ymd} + hours{h} + minutes{m} + seconds{s};
}

struct Case {
  const char* name;
  const char* input;
  sys_seconds expected;
};

void ExpectParses(const Case& c) {
  SCOPED_TRACE(c.name);
  SCOPED_TRACE(c.input);
  const std::optional<sys_seconds> got = ParseDate(c.input);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, c.expected) << FormatRfc3339(*got) << " != " << FormatRfc3339(c.expected);
}

TEST(DateTest, ParsesRfc822Variants) {
  const sys_seconds noon = Utc(2004y / January / 5, 12, 0, 0);
  const Case cases[] = {
      {"rfc 1123", "Mon, 05 Jan 2004 12:00:00 GMT", noon},
      {"no weekday", "05 Jan 2004 12:00:00 GMT", noon},
      {"one-digit day", "Mon, 5 Jan 2004 12:00:00 GMT", noon},
      {"two-digit year 04", "Mon, 05 Jan 04 12:00:00 GMT", noon},
      {"two-digit year 99", "Tue, 05 Jan 99 12:00:00 GMT", Utc(1999y / January / 5, 12)},
      {"two-digit year 50", "05 Jan 50 12:00 GMT", Utc(1950y / January / 5, 12)},
      {"two-digit year 49", "05 Jan 49 12:00 GMT", Utc(2049y / January / 5, 12)},
      {"three-digit year", "05 Jan 104 12:00 GMT", noon},
      {"no seconds", "Mon, 05 Jan 2004 12:00 GMT", noon},
      {"UT", "Mon, 05 Jan 2004 12:00:00 UT", noon},
      {"UTC", "Mon, 05 Jan 2004 12:00:00 UTC", noon},
      {"Z", "Mon, 05 Jan 2004 12:00:00 Z", noon},
      {"+0000", "Mon, 05 Jan 2004 12:00:00 +0000", noon},
      {"-0000", "Mon, 05 Jan 2004 12:00:00 -0000", noon},
      {"+0100", "Mon, 05 Jan 2004 13:00:00 +0100", noon},
      {"-0530", "Mon, 05 Jan 2004 06:30:00 -0530", noon},
      {"+05:30 with colon", "Mon, 05 Jan 2004 17:30:00 +05:30", noon},
      {"+01 hours only", "Mon, 05 Jan 2004 13:00:00 +01", noon},
      {"EST", "Mon, 05 Jan 2004 07:00:00 EST", noon},
      {"EDT", "Mon, 05 Jan 2004 08:00:00 EDT", noon},
      {"CST", "Mon, 05 Jan 2004 06:00:00 CST", noon},
      {"CDT", "Mon, 05 Jan 2004 07:00:00 CDT", noon},
      {"MST", "Mon, 05 Jan 2004 05:00:00 MST", noon},
      {"MDT", "Mon, 05 Jan 2004 06:00:00 MDT", noon},
      {"PST", "Mon, 05 Jan 2004 04:00:00 PST", noon},
      {"PDT", "Mon, 05 Jan 2004 05:00:00 PDT", noon},
      {"lower-case zone", "Mon, 05 Jan 2004 04:00:00 pst", noon},
      {"military A is UTC (RFC 2822 -0000)", "Mon, 05 Jan 2004 12:00:00 A", noon},
      {"military Y is UTC", "Mon, 05 Jan 2004 12:00:00 Y", noon},
      {"missing zone is UTC", "Mon, 05 Jan 2004 12:00:00", noon},
      {"extra whitespace", "  Mon,   05  Jan   2004   12:00:00   GMT  ", noon},
      {"tabs and newline", "Mon,\t05 Jan 2004\n12:00:00 GMT", noon},
      {"no space after comma", "Mon,05 Jan 2004 12:00:00 GMT", noon},
      {"comma after day", "Mon, 05 Jan, 2004 12:00:00 GMT", noon},
      {"weekday without comma", "Mon 05 Jan 2004 12:00:00 GMT", noon},
      {"full month", "Monday, 05 January 2004 12:00:00 GMT", noon},
      {"upper case month", "MON, 05 JAN 2004 12:00:00 GMT", noon},
      {"lower case month", "mon, 05 jan 2004 12:00:00 gmt", noon},
      {"Sept", "Thu, 02 Sept 2004 12:00:00 GMT", Utc(2004y / September / 2, 12)},
      {"Thurs", "Thurs, 02 Sep 2004 12:00:00 GMT", Utc(2004y / September / 2, 12)},
      {"wrong weekday ignored", "Fri, 05 Jan 2004 12:00:00 GMT", noon},
      {"month before day", "Mon, Jan 05 2004 12:00:00 GMT", noon},
      {"month before day, no comma", "Jan 05 2004 12:00:00 GMT", noon},
      {"rfc 850", "Monday, 05-Jan-04 12:00:00 GMT", noon},
      {"comment after zone", "Mon, 05 Jan 2004 13:00:00 +0100 (CET)", noon},
      {"named zone with offset", "Mon, 05 Jan 2004 13:00:00 GMT+0100", noon},
      {"CET", "Mon, 05 Jan 2004 13:00:00 CET", noon},
      {"fractional seconds", "Mon, 05 Jan 2004 12:00:00.250 GMT", noon},
      {"pm", "Mon, 05 Jan 2004 1:30 PM GMT", Utc(2004y / January / 5, 13, 30)},
      {"12 am", "Mon, 05 Jan 2004 12:00 AM GMT", Utc(2004y / January / 5)},
      {"date only", "05 Jan 2004", Utc(2004y / January / 5)},
      {"month and year", "January 2004", Utc(2004y / January / 1)},
      {"seconds kept", "Sun, 04 Jan 2004 16:29:06 GMT", Utc(2004y / January / 4, 16, 29, 6)},
      {"offset crosses midnight", "Thu, 01 Jan 2004 00:30:00 +0100",
       Utc(2003y / December / 31, 23, 30)},
      {"leap day", "Sun, 29 Feb 2004 12:00:00 GMT", Utc(2004y / February / 29, 12)},
      {"year 1900", "Mon, 01 Jan 1900 00:00:00 GMT", Utc(1900y / January / 1)},
  };
  for (const Case& c : cases) ExpectParses(c);
}

TEST(DateTest, ParsesAsctime) {
  const sys_seconds t = Utc(2004y / January / 4, 16, 29, 6);
  const Case cases[] = {
      {"asctime", "Sun Jan  4 16:29:06 2004", t},
      {"asctime two-digit day", "Sun Jan 04 16:29:06 2004", t},
      {"date(1) with zone", "Sun Jan  4 11:29:06 EST 2004", t},
  };
  for (const Case& c : cases) ExpectParses(c);
}

TEST(DateTest, ParsesIso8601Variants) {
  const sys_seconds t = Utc(2004y / January / 1, 19, 48, 21);
  const Case cases[] = {
      {"rfc 3339 Z", "2004-01-01T19:48:21Z", t},
      {"rfc 3339 lower-case t and z", "2004-01-01t19:48:21z", t},
      {"rfc 3339 offset", "2004-01-01T21:48:21+02:00", t},
      {"rfc 3339 negative offset", "2004-01-01T14:48:21-05:00", t},
      {"offset without colon", "2004-01-01T21:48:21+0200", t},
      {"offset hours only", "2004-01-01T21:48:21+02", t},
      {"fraction", "2004-01-01T19:48:21.123456Z", t},
      {"comma fraction", "2004-01-01T19:48:21,5Z", t},
      {"no seconds", "2004-01-01T19:48Z", Utc(2004y / January / 1, 19, 48)},
      {"no zone is UTC", "2004-01-01T19:48:21", t},
      {"space separator", "2004-01-01 19:48:21", t},
      {"space separator and GMT", "2004-01-01 19:48:21 GMT", t},
      {"space before offset", "2004-01-01T21:48:21 +02:00", t},
      {"compact", "20040101T194821Z", t},
      {"compact with offset", "20040101T214821+0200", t},
      {"compact no seconds", "20040101T1948Z", Utc(2004y / January / 1, 19, 48)},
      {"date only", "2004-01-01", Utc(2004y / January / 1)},
      {"compact date", "20040101", Utc(2004y / January / 1)},
      {"year and month", "2004-03", Utc(2004y / March / 1)},
      {"year only", "2004", Utc(2004y / January / 1)},
      {"ordinal", "2004-060", Utc(2004y / February / 29)},
      {"compact ordinal", "2004366", Utc(2004y / December / 31)},
      {"iso week with day", "2004-W01-1", Utc(2003y / December / 29)},
      {"iso week no day", "2009-W53", Utc(2009y / December / 28)},
      {"iso week 53 in 53-week year", "2004-W53-1", Utc(2004y / December / 27)},
      {"compact iso week", "2004W017", Utc(2004y / January / 4)},
      {"leap second rolls over", "1998-12-31T23:59:60Z", Utc(1999y / January / 1)},
      {"surrounding whitespace", "  2004-01-01T19:48:21Z \n", t},
      {"max year", "9999-12-31T23:59:59Z", Utc(9999y / December / 31, 23, 59, 59)},
  };
  for (const Case& c : cases) ExpectParses(c);
}

TEST(DateTest, RejectsImpossibleAndUnparseable) {
  struct Reject {
    const char* name;
    std::string input;
  };
  const Reject cases[] = {
      {"empty", ""},
      {"whitespace", "   "},
      {"words", "not a date"},
      {"month 13", "2004-13-01"},
      {"month 0", "2004-00-10"},
      {"day 0", "2004-01-00"},
      {"feb 30", "2004-02-30"},
      {"feb 29 common year", "2003-02-29"},
      {"apr 31", "Sat, 31 Apr 2004 12:00:00 GMT"},
      {"feb 30 rfc 822", "Mon, 30 Feb 2004 12:00:00 GMT"},
      {"hour 25", "2004-01-01T25:00:00Z"},
      {"hour 24", "2004-01-01T24:00:00Z"},
      {"hour 25 rfc 822", "Mon, 05 Jan 2004 25:00:00 GMT"},
      {"minute 60", "2004-01-01T10:60:00Z"},
      {"second 61", "2004-01-01T10:00:61Z"},
      {"year 1899", "1899-12-31T23:59:59Z"},
      {"year 1899 rfc 822", "Sun, 31 Dec 1899 12:00:00 GMT"},
      {"five-digit year", "10000-01-01"},
      {"ordinal 366 in common year", "2003-366"},
      {"ordinal 0", "2004-000"},
      {"week 53 in 52-week year", "2003-W53-1"},
      {"week 0", "2004-W00-1"},
      {"unknown month", "Mon, 05 Foo 2004 12:00:00 GMT"},
      {"unknown zone", "Mon, 05 Jan 2004 12:00:00 XYZ"},
      {"offset hour 24", "2004-01-01T12:00:00+24:00"},
      {"offset minute 60", "2004-01-01T12:00:00+01:60"},
      {"trailing junk iso", "2004-01-01T12:00:00Zjunk"},
      {"two months", "Jan Feb 05 2004"},
      {"no year", "Mon, 05 Jan 12:00:00 GMT"},
      {"numeric only", "01/05/2004"},
      {"one-digit year", "05 Jan 4"},
      {"nul inside", std::string("2004-01-01\0T12:00Z", 18)},
      {"too long", "2004-01-01" + std::string(1000, ' ') + "x"},
  };
  for (const Reject& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(ParseDate(c.input), std::nullopt) << FormatRfc3339(*ParseDate(c.input));
  }
}

TEST(DateTest, FormatRfc3339) {
  EXPECT_EQ(FormatRfc3339(Utc(2026y / November / 23, 12)), "2026-11-23T12:00:00Z");
  EXPECT_EQ(FormatRfc3339(Utc(1970y / January / 1)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(Utc(1969y / December / 31, 23, 59, 59)), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatRfc3339(Utc(2004y / February / 29, 1, 2, 3)), "2004-02-29T01:02:03Z");
}

TEST(DateTest, FormatRfc1123) {
  EXPECT_EQ(FormatRfc1123(Utc(2026y / November / 23, 12)), "Mon, 23 Nov 2026 12:00:00 GMT");
  EXPECT_EQ(FormatRfc1123(Utc(2004y / January / 4, 16, 29, 6)), "Sun, 04 Jan 2004 16:29:06 GMT");
  EXPECT_EQ(FormatRfc1123(Utc(1969y / December / 31, 23, 59, 59)), "Wed, 31 Dec 1969 23:59:59 GMT");
}

TEST(DateTest, FormattedDatesParseBack) {
  const sys_seconds t = Utc(2013y / July / 14, 8, 9, 10);
  EXPECT_EQ(ParseDate(FormatRfc3339(t)), t);
  EXPECT_EQ(ParseDate(FormatRfc1123(t)), t);
}

}  // namespace
}  // namespace feedbridge::feeds
