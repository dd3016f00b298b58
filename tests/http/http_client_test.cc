#include "http/http_client.h"

#include <gtest/gtest.h>

namespace feedbridge::http {
namespace {

TEST(HttpResponseTest, FindIsCaseInsensitiveAndReturnsFirst) {
  HttpResponse r;
  r.headers = {{"ETag", "\"a\""}, {"etag", "\"b\""}};
  EXPECT_EQ(r.Find("etag"), "\"a\"");
  EXPECT_EQ(r.Find("Missing"), "");
}

TEST(HttpResponseTest, MovedPermanentlyNeedsOnlyPermanentRedirects) {
  HttpResponse r;
  EXPECT_FALSE(r.MovedPermanently());
  r.redirects = {{301, "http://a/"}, {308, "http://b/"}};
  EXPECT_TRUE(r.MovedPermanently());
  r.redirects.push_back({302, "http://c/"});
  EXPECT_FALSE(r.MovedPermanently());
}

}  // namespace
}  // namespace feedbridge::http
