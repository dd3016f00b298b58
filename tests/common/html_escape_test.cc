#include "common/html_escape.h"

#include <gtest/gtest.h>

#include <string>

namespace feedbridge {
namespace {

TEST(HtmlEscapeTest, EachSetReplacesItsCharacters) {
  struct Case {
    const char* name;
    HtmlEscape set;
    const char* expected;
  };
  const char* input = "<a href=\"x\">Tom & Jerry's</a>";
  const Case cases[] = {
      {"text", HtmlEscape::kText, "&lt;a href=\"x\"&gt;Tom &amp; Jerry's&lt;/a&gt;"},
      {"attribute", HtmlEscape::kAttribute,
       "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry's&lt;/a&gt;"},
      {"all", HtmlEscape::kAll, "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(HtmlEscaped(input, c.set), c.expected);
  }
}

TEST(HtmlEscapeTest, PlainTextIsUnchanged) {
  EXPECT_EQ(HtmlEscaped("plain caf\xC3\xA9", HtmlEscape::kAll), "plain caf\xC3\xA9");
  EXPECT_EQ(HtmlEscaped("", HtmlEscape::kAll), "");
}

TEST(HtmlEscapeTest, AppendKeepsWhatIsAlreadyThere) {
  std::string out = "x";
  AppendHtmlEscaped("a&b", HtmlEscape::kText, out);
  EXPECT_EQ(out, "xa&amp;b");
}

}  // namespace
}  // namespace feedbridge
