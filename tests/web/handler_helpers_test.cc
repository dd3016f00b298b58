#include "web/handler_helpers.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "tests/support/status_matchers.h"

namespace feedbridge::web {
namespace {

using ::feedbridge::testing::StatusIs;

WebRequest WithQuery(std::string query) {
  WebRequest request;
  request.method = "GET";
  request.path = "/";
  request.query = std::move(query);
  return request;
}

TEST(PagingParamTest, AbsentIsTheFirstPage) {
  Result<std::optional<int64_t>> got = PagingParam(WithQuery("limit=5"), "before");
  ASSERT_OK(got);
  EXPECT_FALSE(got->has_value());
}

TEST(PagingParamTest, PositiveIntegerIsRead) {
  const struct {
    const char* name;
    const char* query;
    int64_t want;
  } cases[] = {
      {"one", "before=1", 1},
      {"among others", "limit=3&before=42", 42},
      {"int64 max", "before=9223372036854775807", INT64_MAX},
      {"leading zero", "before=007", 7},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Result<std::optional<int64_t>> got = PagingParam(WithQuery(c.query), "before");
    ASSERT_OK(got);
    EXPECT_EQ(got->value_or(-1), c.want);
  }
}

TEST(PagingParamTest, AnythingElseIsInvalidArgument) {
  const struct {
    const char* name;
    const char* query;
  } cases[] = {
      {"empty", "before="},
      {"name only", "before"},
      {"zero", "before=0"},
      {"negative", "before=-5"},
      {"plus sign", "before=%2B5"},
      {"space", "before=%205"},
      {"hex", "before=0x10"},
      {"fraction", "before=1.5"},
      {"exponent", "before=1e3"},
      {"trailing junk", "before=10abc"},
      {"over int64", "before=9223372036854775808"},
      {"twenty digits", "before=99999999999999999999"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_THAT(PagingParam(WithQuery(c.query), "before"),
                StatusIs(Status::Code::kInvalidArgument));
  }
}

TEST(PagingParamTest, MessageNamesTheParameterAndCutsTheValue) {
  Result<std::optional<int64_t>> got =
      PagingParam(WithQuery("after=" + std::string(100, 'x')), "after");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(),
            "web: ?after=" + std::string(64, 'x') + ": not a positive integer");
}

TEST(IfNoneMatchTest, MatchesListedWeakAndWildcardTags) {
  EXPECT_TRUE(IfNoneMatchHits("\"abc\"", "\"abc\""));
  EXPECT_TRUE(IfNoneMatchHits("\"x\", \t\"abc\" ", "\"abc\""));
  EXPECT_TRUE(IfNoneMatchHits("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(IfNoneMatchHits("*", "\"abc\""));
  EXPECT_FALSE(IfNoneMatchHits("\"abd\"", "\"abc\""));
  EXPECT_FALSE(IfNoneMatchHits("abc", "\"abc\""));
  EXPECT_FALSE(IfNoneMatchHits("", "\"abc\""));
}

TEST(IsWebUrlTest, OnlyAbsoluteHttpAndHttps) {
  EXPECT_TRUE(IsWebUrl("https://blog.example/a"));
  EXPECT_TRUE(IsWebUrl("http://blog.example/"));
  EXPECT_FALSE(IsWebUrl("/relative"));
  EXPECT_FALSE(IsWebUrl("javascript:alert(1)"));
  EXPECT_FALSE(IsWebUrl("java\tscript:alert(1)"));
  EXPECT_FALSE(IsWebUrl("data:text/html,x"));
  EXPECT_FALSE(IsWebUrl("file:///etc/passwd"));
  EXPECT_FALSE(IsWebUrl(""));
}

TEST(FingerprintTest, IsFnv1aAndSeparatesAddedStrings) {
  Fingerprint empty;
  EXPECT_EQ(empty.Hex(), "cbf29ce484222325");  // The FNV-1a 64-bit offset basis.
  Fingerprint a;
  a.AddBytes("a");
  EXPECT_EQ(a.Hex(), "af63dc4c8601ec8c");  // FNV-1a("a"), the published test vector.
  Fingerprint ab_c, a_bc;
  ab_c.Add("ab");
  ab_c.Add("c");
  a_bc.Add("a");
  a_bc.Add("bc");
  EXPECT_NE(ab_c.Hex(), a_bc.Hex());
}

}  // namespace
}  // namespace feedbridge::web
