#include "web/router.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace feedbridge::web {
namespace {

Handler Named(std::string name) {
  return [name](const WebRequest&, const PathParams&) -> Result<WebResponse> {
    WebResponse r;
    r.body = name;
    return r;
  };
}

std::string Call(const Router::Match& m) {
  if (m.handler == nullptr) return "(none)";
  return (*m.handler)(WebRequest{}, m.params)->body;
}

TEST(RouterTest, MatchesLiteralPath) {
  Router router;
  router.Add("GET", "/healthz", Named("health"));
  EXPECT_EQ(Call(router.Find("GET", "/healthz")), "health");
  EXPECT_EQ(Call(router.Find("GET", "/healthz2")), "(none)");
  EXPECT_EQ(Call(router.Find("GET", "/")), "(none)");
}

TEST(RouterTest, MatchesRoot) {
  Router router;
  router.Add("GET", "/", Named("root"));
  EXPECT_EQ(Call(router.Find("GET", "/")), "root");
  EXPECT_EQ(Call(router.Find("GET", "/x")), "(none)");
}

TEST(RouterTest, CapturesOneSegment) {
  Router router;
  router.Add("GET", "/{nick}/feed.atom", Named("atom"));
  const Router::Match m = router.Find("GET", "/garden/feed.atom");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(m.params.at("nick"), "garden");
  EXPECT_EQ(Call(router.Find("GET", "/a/b/feed.atom")), "(none)");
}

TEST(RouterTest, CaptureNeverMatchesEmptySegment) {
  Router router;
  router.Add("GET", "/{nick}/feed.atom", Named("atom"));
  EXPECT_EQ(router.Find("GET", "//feed.atom").handler, nullptr);
}

TEST(RouterTest, CapturesSeveralSegments) {
  Router router;
  router.Add("POST", "/omb/{id}/{action}", Named("omb"));
  const Router::Match m = router.Find("POST", "/omb/42/postnotice");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(m.params.at("id"), "42");
  EXPECT_EQ(m.params.at("action"), "postnotice");
}

TEST(RouterTest, TrailingSlashIsADifferentPath) {
  Router router;
  router.Add("GET", "/x", Named("x"));
  router.Add("GET", "/y/", Named("y/"));
  EXPECT_EQ(Call(router.Find("GET", "/x/")), "(none)");
  EXPECT_EQ(Call(router.Find("GET", "/y/")), "y/");
  EXPECT_EQ(Call(router.Find("GET", "/y")), "(none)");
}

TEST(RouterTest, GetAlsoAnswersHead) {
  Router router;
  router.Add("GET", "/page", Named("page"));
  EXPECT_EQ(Call(router.Find("HEAD", "/page")), "page");
}

TEST(RouterTest, WrongMethodListsAllowedMethods) {
  Router router;
  router.Add("GET", "/form", Named("get"));
  router.Add("POST", "/form", Named("post"));
  const Router::Match m = router.Find("DELETE", "/form");
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET", "HEAD", "POST"}));
}

TEST(RouterTest, UnknownPathHasNoAllowedMethods) {
  Router router;
  router.Add("POST", "/form", Named("post"));
  const Router::Match m = router.Find("GET", "/other");
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_TRUE(m.allowed.empty());
}

TEST(RouterTest, FirstAddedRouteWins) {
  Router router;
  router.Add("GET", "/main/remotesubscribe", Named("literal"));
  router.Add("GET", "/{nick}/{page}", Named("capture"));
  EXPECT_EQ(Call(router.Find("GET", "/main/remotesubscribe")), "literal");
  EXPECT_EQ(Call(router.Find("GET", "/garden/xrds")), "capture");
}

TEST(RouterTest, MethodMatchElsewhereClearsAllowed) {
  Router router;
  router.Add("POST", "/{nick}", Named("post"));
  router.Add("GET", "/{nick}", Named("get"));
  const Router::Match m = router.Find("GET", "/garden");
  EXPECT_EQ(Call(m), "get");
  EXPECT_TRUE(m.allowed.empty());
}

TEST(WebTypesTest, HeaderLookupIgnoresCase) {
  WebRequest r;
  r.headers = {{"Content-Type", "text/xml"}, {"content-type", "second"}};
  EXPECT_EQ(r.Header("content-TYPE"), "text/xml");
  EXPECT_EQ(r.Header("Accept"), "");
}

TEST(WebTypesTest, QueryParamDecodesPercentAndPlus) {
  WebRequest r;
  r.query = "a=1&profile_url=http%3A%2F%2Fex.org%2F&name=J+Doe&empty=&flag&bad=%zz";
  EXPECT_EQ(r.QueryParam("a"), "1");
  EXPECT_EQ(r.QueryParam("profile_url"), "http://ex.org/");
  EXPECT_EQ(r.QueryParam("name"), "J Doe");
  EXPECT_EQ(r.QueryParam("empty"), "");
  EXPECT_EQ(r.QueryParam("flag"), "");
  EXPECT_EQ(r.QueryParam("bad"), "%zz");
  EXPECT_EQ(r.QueryParam("missing"), "");
}

TEST(WebTypesTest, QueryParamReturnsFirstAndDecodesNames) {
  WebRequest r;
  r.query = "x=1&x=2&my%20key=v";
  EXPECT_EQ(r.QueryParam("x"), "1");
  EXPECT_EQ(r.QueryParam("my key"), "v");
}

TEST(WebTypesTest, SetHeaderReplacesSameNameIgnoringCase) {
  WebResponse r;
  r.SetHeader("ETag", "\"1\"");
  r.SetHeader("Location", "/x");
  r.SetHeader("etag", "\"2\"");
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0].first, "Location");
  EXPECT_EQ(r.headers[1], (std::pair<std::string, std::string>{"etag", "\"2\""}));
}

}  // namespace
}  // namespace feedbridge::web
