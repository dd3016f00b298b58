#include "feeds/url.h"

#include <gtest/gtest.h>

#include <string>

namespace feedbridge::feeds {
namespace {

struct ResolveCase {
  const char* name;
  const char* base;
  const char* ref;
  const char* expected;
};

constexpr const char* kRfcBase = "http://a/b/c/d;p?q";

// RFC 3986 §5.4.1.
TEST(UrlTest, ResolvesRfc3986NormalExamples) {
  const ResolveCase cases[] = {
      {"g:h", kRfcBase, "g:h", "g:h"},
      {"g", kRfcBase, "g", "http://a/b/c/g"},
      {"./g", kRfcBase, "./g", "http://a/b/c/g"},
      {"g/", kRfcBase, "g/", "http://a/b/c/g/"},
      {"/g", kRfcBase, "/g", "http://a/g"},
      {"//g", kRfcBase, "//g", "http://g"},
      {"?y", kRfcBase, "?y", "http://a/b/c/d;p?y"},
      {"g?y", kRfcBase, "g?y", "http://a/b/c/g?y"},
      {"#s", kRfcBase, "#s", "http://a/b/c/d;p?q#s"},
      {"g#s", kRfcBase, "g#s", "http://a/b/c/g#s"},
      {"g?y#s", kRfcBase, "g?y#s", "http://a/b/c/g?y#s"},
      {";x", kRfcBase, ";x", "http://a/b/c/;x"},
      {"g;x", kRfcBase, "g;x", "http://a/b/c/g;x"},
      {"g;x?y#s", kRfcBase, "g;x?y#s", "http://a/b/c/g;x?y#s"},
      {"empty", kRfcBase, "", "http://a/b/c/d;p?q"},
      {".", kRfcBase, ".", "http://a/b/c/"},
      {"./", kRfcBase, "./", "http://a/b/c/"},
      {"..", kRfcBase, "..", "http://a/b/"},
      {"../", kRfcBase, "../", "http://a/b/"},
      {"../g", kRfcBase, "../g", "http://a/b/g"},
      {"../..", kRfcBase, "../..", "http://a/"},
      {"../../", kRfcBase, "../../", "http://a/"},
      {"../../g", kRfcBase, "../../g", "http://a/g"},
  };
  for (const ResolveCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(ResolveUrl(c.base, c.ref), c.expected);
  }
}

// RFC 3986 §5.4.2 (strict parser for "http:g").
TEST(UrlTest, ResolvesRfc3986AbnormalExamples) {
  const ResolveCase cases[] = {
      {"../../../g", kRfcBase, "../../../g", "http://a/g"},
      {"../../../../g", kRfcBase, "../../../../g", "http://a/g"},
      {"/./g", kRfcBase, "/./g", "http://a/g"},
      {"/../g", kRfcBase, "/../g", "http://a/g"},
      {"g.", kRfcBase, "g.", "http://a/b/c/g."},
      {".g", kRfcBase, ".g", "http://a/b/c/.g"},
      {"g..", kRfcBase, "g..", "http://a/b/c/g.."},
      {"..g", kRfcBase, "..g", "http://a/b/c/..g"},
      {"./../g", kRfcBase, "./../g", "http://a/b/g"},
      {"./g/.", kRfcBase, "./g/.", "http://a/b/c/g/"},
      {"g/./h", kRfcBase, "g/./h", "http://a/b/c/g/h"},
      {"g/../h", kRfcBase, "g/../h", "http://a/b/c/h"},
      {"g;x=1/./y", kRfcBase, "g;x=1/./y", "http://a/b/c/g;x=1/y"},
      {"g;x=1/../y", kRfcBase, "g;x=1/../y", "http://a/b/c/y"},
      {"g?y/./x", kRfcBase, "g?y/./x", "http://a/b/c/g?y/./x"},
      {"g?y/../x", kRfcBase, "g?y/../x", "http://a/b/c/g?y/../x"},
      {"g#s/./x", kRfcBase, "g#s/./x", "http://a/b/c/g#s/./x"},
      {"g#s/../x", kRfcBase, "g#s/../x", "http://a/b/c/g#s/../x"},
      {"http:g", kRfcBase, "http:g", "http:g"},
  };
  for (const ResolveCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(ResolveUrl(c.base, c.ref), c.expected);
  }
}

TEST(UrlTest, ResolvesFeedCases) {
  const ResolveCase cases[] = {
      {"empty base returns ref", "", "/post/1", "/post/1"},
      {"absolute ref unchanged", "http://ex.org/feed", "https://other.org/a/../b",
       "https://other.org/a/../b"},
      {"scheme-relative ref", "https://ex.org/feed", "//cdn.ex.org/i.png",
       "https://cdn.ex.org/i.png"},
      {"scheme-relative ref with dots", "https://ex.org/feed", "//cdn.ex.org/a/../i.png",
       "https://cdn.ex.org/i.png"},
      {"base without path", "http://ex.org", "post", "http://ex.org/post"},
      {"base without path, query ref", "http://ex.org", "?page=2", "http://ex.org?page=2"},
      {"query replaces base query", "http://ex.org/feed?a=1", "?b=2", "http://ex.org/feed?b=2"},
      {"fragment keeps base query", "http://ex.org/feed?a=1#top", "#end",
       "http://ex.org/feed?a=1#end"},
      {"base fragment dropped", "http://ex.org/blog/#top", "post", "http://ex.org/blog/post"},
      {"whitespace around ref trimmed", "http://ex.org/blog/", "  \n\tpost.html \r\n",
       "http://ex.org/blog/post.html"},
      {"whitespace around base trimmed", " http://ex.org/blog/ ", "post.html",
       "http://ex.org/blog/post.html"},
      {"whitespace-only ref is the base", "http://ex.org/feed#x", "   ", "http://ex.org/feed"},
      {"relative base resolves relatively", "/blog/", "post.html", "/blog/post.html"},
      {"relative base with dots", "/blog/2004/", "../about", "/blog/about"},
      {"javascript ref left alone", "http://ex.org/", "javascript:alert(1)", "javascript:alert(1)"},
      {"colon in later segment is a path", "http://ex.org/a/", "b/c:d", "http://ex.org/a/b/c:d"},
      {"invalid scheme is a path", "http://ex.org/a/", "1x:y", "http://ex.org/a/1x:y"},
      {"port kept", "http://ex.org:8080/a/b", "../c", "http://ex.org:8080/c"},
      {"userinfo kept", "http://u@ex.org/a/b", "c", "http://u@ex.org/a/c"},
      {"mailto base", "mailto:a@ex.org", "#x", "mailto:a@ex.org#x"},
  };
  for (const ResolveCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(ResolveUrl(c.base, c.ref), c.expected);
  }
}

TEST(UrlTest, UrlScheme) {
  struct Case {
    const char* name;
    std::string url;
    const char* expected;
  };
  const Case cases[] = {
      {"http", "http://ex.org/", "http"},
      {"upper case", "HTTPS://ex.org/", "https"},
      {"relative path", "post/1", ""},
      {"absolute path", "/post/1", ""},
      {"scheme-relative", "//ex.org/x", ""},
      {"query only", "?a=b:c", ""},
      {"colon after slash", "a/b:c", ""},
      {"leading spaces", "  JaVaScRiPt:alert(1)", "javascript"},
      {"tab inside", "java\tscript:alert(1)", "javascript"},
      {"newline inside", "java\nscript:alert(1)", "javascript"},
      {"nul inside", std::string("java\0script:x", 13), "javascript"},
      {"leading control", "\x01\x02javascript:x", "javascript"},
      {"digit first is no scheme", "1http:x", ""},
      {"plus dot dash", "svn+ssh.x-y:x", "svn+ssh.x-y"},
      {"empty", "", ""},
      {"colon only", ":x", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(UrlScheme(c.url), c.expected);
  }
}

TEST(UrlTest, IsSafeUrlRejectsJavascript) { EXPECT_FALSE(IsSafeUrl("javascript:alert(1)")); }

TEST(UrlTest, IsSafeUrlRejectsMixedCaseJavascriptWithLeadingSpaces) {
  EXPECT_FALSE(IsSafeUrl("  JaVaScRiPt:alert(1)"));
}

TEST(UrlTest, IsSafeUrlRejectsJavascriptSplitByTab) {
  EXPECT_FALSE(IsSafeUrl("java\tscript:alert(1)"));
  EXPECT_FALSE(IsSafeUrl("java\r\nscript:alert(1)"));
}

TEST(UrlTest, IsSafeUrlRejectsData) {
  EXPECT_FALSE(IsSafeUrl("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="));
}

TEST(UrlTest, IsSafeUrlRejectsVbscript) { EXPECT_FALSE(IsSafeUrl("vbscript:msgbox(1)")); }

TEST(UrlTest, IsSafeUrlRejectsOtherSchemes) {
  EXPECT_FALSE(IsSafeUrl("file:///etc/passwd"));
  EXPECT_FALSE(IsSafeUrl("ftp://ex.org/"));
}

TEST(UrlTest, IsSafeUrlAcceptsMailto) { EXPECT_TRUE(IsSafeUrl("mailto:a@ex.org")); }

TEST(UrlTest, IsSafeUrlAcceptsHttpAndHttps) {
  EXPECT_TRUE(IsSafeUrl("http://ex.org/"));
  EXPECT_TRUE(IsSafeUrl("HTTPS://ex.org/"));
}

TEST(UrlTest, IsSafeUrlAcceptsRelative) {
  EXPECT_TRUE(IsSafeUrl("post/1.html"));
  EXPECT_TRUE(IsSafeUrl("/img/a.png"));
  EXPECT_TRUE(IsSafeUrl("//cdn.ex.org/a.png"));
  EXPECT_TRUE(IsSafeUrl("#top"));
  EXPECT_TRUE(IsSafeUrl(""));
}

}  // namespace
}  // namespace feedbridge::feeds
