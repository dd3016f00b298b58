#include "common/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace feedbridge {
namespace {

struct DecodeCase {
  const char* name;
  std::string_view bytes;
  char32_t cp;
  size_t length;
  bool valid;
};

TEST(Utf8Test, DecodesWellFormedAndReplacesMaximalSubparts) {
  const DecodeCase cases[] = {
      {"ascii", "A", U'A', 1, true},
      {"two bytes", "\xC3\xA9", U'\u00E9', 2, true},
      {"three bytes", "\xE2\x82\xAC", U'\u20AC', 3, true},
      {"four bytes", "\xF0\x9F\x98\x80", U'\U0001F600', 4, true},
      {"largest scalar", "\xF4\x8F\xBF\xBF", U'\U0010FFFF', 4, true},
      {"lone continuation", "\x80", kReplacementChar, 1, false},
      {"overlong lead C0", "\xC0\xAF", kReplacementChar, 1, false},
      {"overlong three bytes", "\xE0\x80\xAF", kReplacementChar, 1, false},
      {"surrogate", "\xED\xA0\x80", kReplacementChar, 1, false},
      {"above U+10FFFF", "\xF4\x90\x80\x80", kReplacementChar, 1, false},
      {"lead F5", "\xF5\x80", kReplacementChar, 1, false},
      {"truncated at end", "\xE2\x82", kReplacementChar, 2, false},
      {"truncated before ASCII",
       "\xF0\x9F\x98"
       "A",
       kReplacementChar, 3, false},
  };
  for (const DecodeCase& c : cases) {
    SCOPED_TRACE(c.name);
    const Utf8Char got = DecodeUtf8(c.bytes, 0);
    EXPECT_EQ(got.cp, c.cp);
    EXPECT_EQ(got.length, c.length);
    EXPECT_EQ(got.valid, c.valid);
  }
}

TEST(Utf8Test, DecodesAtAnOffset) {
  const Utf8Char got = DecodeUtf8("ab\xC3\xA9", 2);
  EXPECT_EQ(got.cp, U'\u00E9');
  EXPECT_EQ(got.length, 2u);
}

TEST(Utf8Test, WellFormedOnlyWhenEverySequenceIs) {
  EXPECT_TRUE(IsWellFormedUtf8(""));
  EXPECT_TRUE(IsWellFormedUtf8("caf\xC3\xA9 \xE2\x82\xAC"));
  EXPECT_FALSE(IsWellFormedUtf8("caf\xE9"));
  EXPECT_FALSE(IsWellFormedUtf8("\xED\xA0\x80"));
}

TEST(Utf8Test, AppendEncodesEachLength) {
  std::string out;
  AppendUtf8(U'A', out);
  AppendUtf8(U'\u00E9', out);
  AppendUtf8(U'\u20AC', out);
  AppendUtf8(U'\U0001F600', out);
  EXPECT_EQ(out, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(Utf8Test, AppendThenDecodeRoundTrips) {
  for (char32_t cp : {U'\x7F', U'\x80', U'\u07FF', U'\u0800', U'\uFFFD', U'\U00010000'}) {
    std::string out;
    AppendUtf8(cp, out);
    const Utf8Char got = DecodeUtf8(out, 0);
    EXPECT_TRUE(got.valid);
    EXPECT_EQ(got.cp, cp);
    EXPECT_EQ(got.length, out.size());
  }
}

}  // namespace
}  // namespace feedbridge
