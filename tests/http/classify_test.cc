#include "http/classify.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace feedbridge::http {
namespace {

using std::chrono::seconds;

// Fri, 15 Jan 2027 08:00:00 GMT.
const TimePoint kNow = TimePoint(seconds(1'800'000'000));

HttpResponse Make(int status, std::vector<Header> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  return r;
}

TEST(ClassifyResponseTest, TooManyRequestsWithSecondsSetsNotBefore) {
  const Classification c = ClassifyResponse(Make(429, {{"Retry-After", "120"}}), kNow);
  ASSERT_TRUE(c.not_before.has_value());
  EXPECT_EQ(*c.not_before, kNow + seconds(120));
  EXPECT_EQ(c.summary, "HTTP 429 Too Many Requests, retry after 120s");
}

TEST(ClassifyResponseTest, ServiceUnavailableWithHttpDateSetsNotBefore) {
  const Classification c =
      ClassifyResponse(Make(503, {{"Retry-After", "Fri, 15 Jan 2027 08:02:00 GMT"}}), kNow);
  EXPECT_EQ(c.retry_after, kNow + seconds(120));
  ASSERT_TRUE(c.not_before.has_value());
  EXPECT_EQ(*c.not_before, kNow + seconds(120));
  EXPECT_EQ(c.summary, "HTTP 503 Service Unavailable, retry after 120s");
}

TEST(ClassifyResponseTest, SummaryNamesTheStatusOnlyWhenItIsAKnownOne) {
  EXPECT_EQ(ClassifyResponse(Make(404), kNow).summary, "HTTP 404 Not Found");
  EXPECT_EQ(ClassifyResponse(Make(410), kNow).summary, "HTTP 410 Gone");
  EXPECT_EQ(ClassifyResponse(Make(500), kNow).summary, "HTTP 500 Internal Server Error");
  EXPECT_EQ(ClassifyResponse(Make(599), kNow).summary, "HTTP 599");
}

TEST(ClassifyResponseTest, CacheControlMaxAgeSetsNotBefore) {
  const Classification c =
      ClassifyResponse(Make(200, {{"Cache-Control", "public, max-age=600"}}), kNow);
  ASSERT_TRUE(c.not_before.has_value());
  EXPECT_EQ(*c.not_before, kNow + seconds(600));
  EXPECT_EQ(c.summary, "HTTP 200 OK");
}

TEST(ClassifyResponseTest, CacheControlSMaxAgeUsedWithoutMaxAge) {
  const Classification c =
      ClassifyResponse(Make(200, {{"Cache-Control", "no-cache, s-maxage=\"300\""}}), kNow);
  ASSERT_TRUE(c.not_before.has_value());
  EXPECT_EQ(*c.not_before, kNow + seconds(300));
}

TEST(ClassifyResponseTest, AgeIsSubtractedFromMaxAge) {
  const Classification c =
      ClassifyResponse(Make(200, {{"Cache-Control", "max-age=600"}, {"Age", "100"}}), kNow);
  ASSERT_TRUE(c.not_before.has_value());
  EXPECT_EQ(*c.not_before, kNow + seconds(500));
}

TEST(ClassifyResponseTest, ExpiresIsRelativeToDateHeader) {
  // The server's clock is an hour behind ours; only the difference counts.
  const Classification c =
      ClassifyResponse(Make(200, {{"Date", "Fri, 15 Jan 2027 07:00:00 GMT"},
                                  {"Expires", "Fri, 15 Jan 2027 07:15:00 GMT"}}),
                       kNow);
  ASSERT_TRUE(c.not_before.has_value());
  EXPECT_EQ(*c.not_before, kNow + seconds(900));
}

TEST(ClassifyResponseTest, ExpiresWithoutDateIsAbsolute) {
  const Classification c =
      ClassifyResponse(Make(200, {{"Expires", "Fri, 15 Jan 2027 08:10:00 GMT"}}), kNow);
  ASSERT_TRUE(c.not_before.has_value());
  EXPECT_EQ(*c.not_before, kNow + seconds(600));
}

TEST(ClassifyResponseTest, InvalidExpiresGivesNoNotBefore) {
  EXPECT_FALSE(ClassifyResponse(Make(200, {{"Expires", "0"}}), kNow).not_before.has_value());
}

TEST(ClassifyResponseTest, RetryAfterWinsOverCacheControl) {
  const Classification c =
      ClassifyResponse(Make(503, {{"Retry-After", "60"}, {"Cache-Control", "max-age=6000"}}), kNow);
  ASSERT_TRUE(c.not_before.has_value());
  EXPECT_EQ(*c.not_before, kNow + seconds(60));
}

TEST(ClassifyResponseTest, NoCachingHeadersGiveNoNotBefore) {
  EXPECT_FALSE(ClassifyResponse(Make(200), kNow).not_before.has_value());
}

TEST(ClassifyResponseTest, PicksUpEtagAndLastModified) {
  const Classification c = ClassifyResponse(
      Make(200, {{"etag", "W/\"abc\""}, {"Last-Modified", "Thu, 14 Jan 2027 08:00:00 GMT"}}), kNow);
  EXPECT_EQ(c.etag, "W/\"abc\"");
  EXPECT_EQ(c.last_modified, "Thu, 14 Jan 2027 08:00:00 GMT");
}

TEST(ParseRetryAfterTest, DeltaSeconds) {
  EXPECT_EQ(ParseRetryAfter("120", kNow), kNow + seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 0 ", kNow), kNow);
}

TEST(ParseRetryAfterTest, ImfFixdate) {
  EXPECT_EQ(ParseRetryAfter("Fri, 15 Jan 2027 08:01:00 GMT", kNow), kNow + seconds(60));
}

TEST(ParseRetryAfterTest, Rfc850Date) {
  EXPECT_EQ(ParseRetryAfter("Friday, 15-Jan-27 08:01:00 GMT", kNow), kNow + seconds(60));
}

TEST(ParseRetryAfterTest, AsctimeDate) {
  EXPECT_EQ(ParseRetryAfter("Fri Jan 15 08:01:00 2027", kNow), kNow + seconds(60));
}

TEST(ParseRetryAfterTest, PastDateGivesNow) {
  EXPECT_EQ(ParseRetryAfter("Thu, 01 Jan 2015 00:00:00 GMT", kNow), kNow);
}

TEST(ParseRetryAfterTest, HugeDeltaIsClampedNotOverflowed) {
  const auto t = ParseRetryAfter("99999999999999999999999", kNow);
  ASSERT_TRUE(t.has_value());
  EXPECT_GT(*t, kNow);
  EXPECT_LE(*t, kNow + std::chrono::hours(24 * 366));
}

TEST(ParseRetryAfterTest, EmptyIsNullopt) { EXPECT_FALSE(ParseRetryAfter("", kNow)); }

TEST(ParseRetryAfterTest, NegativeIsNullopt) { EXPECT_FALSE(ParseRetryAfter("-5", kNow)); }

TEST(ParseRetryAfterTest, TrailingGarbageIsNullopt) { EXPECT_FALSE(ParseRetryAfter("120s", kNow)); }

TEST(ParseRetryAfterTest, NonDateTextIsNullopt) { EXPECT_FALSE(ParseRetryAfter("later", kNow)); }

}  // namespace
}  // namespace feedbridge::http
