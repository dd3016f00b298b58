#include "omb/notice_text.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace feedbridge::omb {
namespace {

// Code points of valid UTF-8 (the test's own count, independent of the implementation's).
size_t CountCodePoints(std::string_view s) {
  size_t n = 0;
  for (const char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// True when every multi-byte sequence in `s` is complete.
bool IsWholeUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t n = 1;
    if (b >= 0xF0) {
      n = 4;
    } else if (b >= 0xE0) {
      n = 3;
    } else if (b >= 0xC0) {
      n = 2;
    } else if (b >= 0x80) {
      return false;  // A continuation byte with no lead.
    }
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

std::string Repeat(std::string_view piece, size_t times) {
  std::string out;
  for (size_t i = 0; i < times; ++i) out += piece;
  return out;
}

constexpr std::string_view kTemplate = "{title} {url}";
std::string PostUrl() { return "https://blog.example.org/2026/11/a-post"; }
std::string FallbackUrl() { return "http://localhost:8080/notice/42"; }

TEST(NoticeTextTest, ShortTextFitsUnchanged) {
  NoticeFields f{.title = "Hello world", .url = PostUrl(), .fallback_url = FallbackUrl()};
  EXPECT_EQ(FitNoticeText(kTemplate, f), "Hello world " + PostUrl());
}

TEST(NoticeTextTest, ExactlyAtTheLimitIsNotCut) {
  const std::string url = "https://e.x/p";  // 13 code points.
  NoticeFields f{.title = std::string(140 - 13 - 1, 'a'), .url = url};
  const std::string text = FitNoticeText(kTemplate, f);
  EXPECT_EQ(CountCodePoints(text), 140u);
  EXPECT_EQ(text, f.title + " " + url);
}

TEST(NoticeTextTest, LongTitleIsCutOnAWordBoundaryAndKeepsTheUrl) {
  NoticeFields f{
      .title = Repeat("lorem ipsum ", 20), .url = PostUrl(), .fallback_url = FallbackUrl()};
  const std::string text = FitNoticeText(kTemplate, f);
  EXPECT_LE(CountCodePoints(text), kMaxNoticeChars);
  const std::string tail = "\u2026 " + PostUrl();
  ASSERT_GE(text.size(), tail.size());
  EXPECT_EQ(text.substr(text.size() - tail.size()), tail) << text;
  // The word before the ellipsis is whole.
  const std::string head = text.substr(0, text.size() - tail.size());
  EXPECT_TRUE(head.ends_with("lorem") || head.ends_with("ipsum")) << head;
}

TEST(NoticeTextTest, SingleLongWordIsCutBetweenCharacters) {
  NoticeFields f{.title = std::string(300, 'x'), .url = PostUrl()};
  const std::string text = FitNoticeText(kTemplate, f);
  EXPECT_EQ(CountCodePoints(text), kMaxNoticeChars);
  EXPECT_TRUE(text.ends_with("\u2026 " + PostUrl())) << text;
}

TEST(NoticeTextTest, UrlLongerThanTheBudgetFallsBackToTheNoticeUri) {
  const std::string long_url = "https://blog.example.org/" + std::string(200, 'p');
  NoticeFields f{.title = "A post", .url = long_url, .fallback_url = FallbackUrl()};
  EXPECT_EQ(FitNoticeText(kTemplate, f), "A post " + FallbackUrl());
}

TEST(NoticeTextTest, UrlLeavingNoRoomForWordsFallsBack) {
  const std::string url = "https://blog.example.org/" + std::string(110, 'p');  // 135 chars.
  NoticeFields f{.title = "A title with some words", .url = url, .fallback_url = FallbackUrl()};
  EXPECT_EQ(FitNoticeText(kTemplate, f), "A title with some words " + FallbackUrl());
}

TEST(NoticeTextTest, BothUrlsTooLongLeavesTheTextOnly) {
  const std::string long_url = "https://blog.example.org/" + std::string(200, 'p');
  NoticeFields f{.title = "A post", .url = long_url, .fallback_url = long_url + "/notice"};
  EXPECT_EQ(FitNoticeText(kTemplate, f), "A post");
}

TEST(NoticeTextTest, NoUrlLeavesTheTextOnly) {
  NoticeFields f{.title = "A post"};
  EXPECT_EQ(FitNoticeText(kTemplate, f), "A post");
}

TEST(NoticeTextTest, CjkCountsOneEachAndIsNeverSplit) {
  // 200 CJK characters: 600 bytes, 200 code points, no spaces.
  NoticeFields f{.title = Repeat("\u6f22", 200), .url = PostUrl()};
  const std::string text = FitNoticeText(kTemplate, f);
  EXPECT_EQ(CountCodePoints(text), kMaxNoticeChars);
  EXPECT_TRUE(IsWholeUtf8(text));
  EXPECT_TRUE(text.ends_with("\u2026 " + PostUrl()));
  // 140 - URL - space - ellipsis CJK characters are left.
  const size_t cjk = kMaxNoticeChars - CountCodePoints(PostUrl()) - 2;
  EXPECT_EQ(text.substr(0, cjk * 3), Repeat("\u6f22", cjk));
}

TEST(NoticeTextTest, CjkThatFitsByCodePointsIsNotCut) {
  // 100 code points but 300 bytes: fits.
  NoticeFields f{.title = Repeat("\u6f22", 100)};
  EXPECT_EQ(FitNoticeText(kTemplate, f), f.title);
}

TEST(NoticeTextTest, EmojiCountOneEachAndAreNeverSplit) {
  NoticeFields f{.title = Repeat("\U0001F600", 150)};  // 4 bytes each.
  const std::string text = FitNoticeText(kTemplate, f);
  EXPECT_EQ(CountCodePoints(text), kMaxNoticeChars);
  EXPECT_TRUE(IsWholeUtf8(text));
  EXPECT_EQ(text, Repeat("\U0001F600", 139) + "\u2026");
}

TEST(NoticeTextTest, WhiteSpaceAndNewlinesCollapse) {
  NoticeFields f{.title = "  Hello\n\n\tbig \r\n  world  ", .url = PostUrl()};
  EXPECT_EQ(FitNoticeText("{title}\n\n {url}", f), "Hello big world " + PostUrl());
}

TEST(NoticeTextTest, EmptyTitleGivesTheUrlAlone) {
  NoticeFields f{.title = "", .url = PostUrl()};
  EXPECT_EQ(FitNoticeText(kTemplate, f), PostUrl());
}

TEST(NoticeTextTest, EverythingEmptyGivesEmptyText) {
  EXPECT_EQ(FitNoticeText(kTemplate, NoticeFields{}), "");
}

TEST(NoticeTextTest, SummaryAndAuthorPlaceholders) {
  NoticeFields f{.title = "Title", .url = PostUrl(), .summary = "What it says", .author = "Ann"};
  EXPECT_EQ(FitNoticeText("{author}: {title} - {summary} {url}", f),
            "Ann: Title - What it says " + PostUrl());
}

TEST(NoticeTextTest, UnknownPlaceholderStaysLiteral) {
  NoticeFields f{.title = "Title", .url = PostUrl()};
  EXPECT_EQ(FitNoticeText("{title} {nope} {url} {", f), "Title {nope} " + PostUrl() + " {");
}

TEST(NoticeTextTest, TextAfterTheUrlGivesWayFirst) {
  NoticeFields f{.title = "Short title", .url = PostUrl(), .author = Repeat("name ", 40)};
  const std::string text = FitNoticeText("{title} {url} by {author}", f);
  EXPECT_LE(CountCodePoints(text), kMaxNoticeChars);
  EXPECT_TRUE(text.starts_with("Short title " + PostUrl() + " by name")) << text;
  EXPECT_TRUE(text.ends_with("\u2026")) << text;
}

TEST(NoticeTextTest, UrlFirstTemplateCutsTheTextAfterIt) {
  NoticeFields f{.title = Repeat("word ", 60), .url = PostUrl()};
  const std::string text = FitNoticeText("{url} {title}", f);
  EXPECT_LE(CountCodePoints(text), kMaxNoticeChars);
  EXPECT_TRUE(text.starts_with(PostUrl() + " word")) << text;
  EXPECT_TRUE(text.ends_with("word\u2026")) << text;
}

TEST(NoticeTextTest, SmallerBudgetIsHonoured) {
  NoticeFields f{.title = "one two three four five six", .url = "https://e.x/p"};
  const std::string text = FitNoticeText(kTemplate, f, 30);
  EXPECT_EQ(text, "one two three\u2026 https://e.x/p");
  EXPECT_LE(CountCodePoints(text), 30u);
}

TEST(NoticeTextTest, InvalidUtf8IsMeasuredAndNeverOverrunsTheBudget) {
  NoticeFields f{.title = std::string(200, '\xff')};
  const std::string text = FitNoticeText(kTemplate, f);
  // Each stray byte counts as one; the cut keeps 139 of them and the ellipsis.
  EXPECT_EQ(text.size(), 139u + 3u);
}

}  // namespace
}  // namespace feedbridge::omb
