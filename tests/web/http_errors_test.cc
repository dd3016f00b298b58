#include "web/http_errors.h"

#include <gtest/gtest.h>

#include <string>

namespace feedbridge::web {
namespace {

TEST(HttpErrorsTest, MapsEveryCodeAsTheTableSays) {
  using Code = Status::Code;
  struct Case {
    Code code;
    int http;
  };
  const Case cases[] = {
      {Code::kInvalidArgument, 400},
      {Code::kUnauthenticated, 401},
      {Code::kPermissionDenied, 403},
      {Code::kNotFound, 404},
      {Code::kAlreadyExists, 409},
      {Code::kFailedPrecondition, 409},
      {Code::kResourceExhausted, 413},
      {Code::kUnavailable, 503},
      {Code::kDeadlineExceeded, 504},
      {Code::kInternal, 500},
      {Code::kOk, 500},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(CodeName(c.code)));
    EXPECT_EQ(HttpStatusFor(c.code), c.http);
  }
}

TEST(HttpErrorsTest, ReasonPhrases) {
  EXPECT_STREQ(ReasonPhrase(200), "OK");
  EXPECT_STREQ(ReasonPhrase(404), "Not Found");
  EXPECT_STREQ(ReasonPhrase(405), "Method Not Allowed");
  EXPECT_STREQ(ReasonPhrase(414), "URI Too Long");
  EXPECT_STREQ(ReasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_STREQ(ReasonPhrase(503), "Service Unavailable");
  EXPECT_STREQ(ReasonPhrase(799), "Unknown");
}

}  // namespace
}  // namespace feedbridge::web
