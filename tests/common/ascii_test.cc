#include "common/ascii.h"

#include <gtest/gtest.h>

namespace feedbridge {
namespace {

TEST(AsciiTest, TrimTakesOffOnlyTheGivenCharactersAtBothEnds) {
  struct Case {
    const char* name;
    std::string_view input;
    std::string_view chars;
    std::string_view expected;
  };
  const Case cases[] = {
      {"nothing to trim", "abc", kAsciiWhitespace, "abc"},
      {"every ASCII space", " \t\r\n\f\vab c\v\f\n\r\t ", kAsciiWhitespace, "ab c"},
      {"only spaces", " \t \n", kAsciiWhitespace, ""},
      {"empty", "", kAsciiWhitespace, ""},
      {"HTTP OWS leaves CR LF", "\r\n gzip \t", kHttpWhitespace, "\r\n gzip"},
      {"XML S leaves form feed", "\f x \n", kXmlWhitespace, "\f x"},
      {"HTML white space takes form feed, leaves vertical tab", "\v\f x \t\n\r\f", kHtmlWhitespace,
       "\v\f x"},
      {"no-break space is not ASCII space", "\xc2\xa0x\xc2\xa0", kAsciiWhitespace,
       "\xc2\xa0x\xc2\xa0"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(Trim(c.input, c.chars), c.expected);
  }
}

TEST(AsciiTest, LowerChangesOnlyAsciiLetters) {
  EXPECT_EQ(AsciiLower("Content-TYPE: Text/HTML; Charset=UTF-8"),
            "content-type: text/html; charset=utf-8");
  EXPECT_EQ(AsciiLower("\xC3\x89T\xC3\x89"), "\xC3\x89t\xC3\x89");  // ÉTÉ: the É bytes stay.
  EXPECT_EQ(AsciiLower('Z'), 'z');
  EXPECT_EQ(AsciiLower('['), '[');
}

TEST(AsciiTest, CaseInsensitiveComparisonsFoldOnlyAsciiLetters) {
  EXPECT_TRUE(EqualsIgnoreAsciiCase("ETag", "etag"));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("ETag", "etags"));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("\xC3\x89", "\xC3\xA9"));  // É is not é here.
  EXPECT_TRUE(StartsWithIgnoreAsciiCase("HTTPS://example.org/", "https://"));
  EXPECT_FALSE(StartsWithIgnoreAsciiCase("http", "https"));
}

// The view helpers are constexpr (header-defined, for the HTTP parser's per-header loop).
static_assert(Trim("  a b\t") == "a b");
static_assert(Trim(" \t ", kHttpWhitespace).empty());
static_assert(Trim("\r x \r", kHttpWhitespace) == "\r x \r");
static_assert(EqualsIgnoreAsciiCase("Content-Encoding", "content-encoding"));
static_assert(!EqualsIgnoreAsciiCase("Content-Encoding", "content-encodin"));
static_assert(StartsWithIgnoreAsciiCase("Gzip, br", "GZIP"));

TEST(AsciiTest, TrimOfOnlyTrimmedCharactersIsEmpty) {
  EXPECT_EQ(Trim(" \t\r\n\f\v"), "");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim("x"), "x");
  EXPECT_EQ(Trim("--x--", "-"), "x");
}

}  // namespace
}  // namespace feedbridge
