#include "common/nickname.h"

#include <gtest/gtest.h>

#include <string>

namespace feedbridge {
namespace {

TEST(NicknameTest, AcceptsOneToSixtyFourLowerCaseLettersAndDigits) {
  for (const std::string& nick : {std::string("a"), std::string("0"), std::string("zoe"),
                                  std::string("blog2"), std::string(64, 'x')}) {
    SCOPED_TRACE(nick);
    EXPECT_TRUE(IsValidNickname(nick));
  }
}

TEST(NicknameTest, RejectsEverythingElse) {
  const struct {
    const char* name;
    std::string nick;
  } cases[] = {
      {"empty", ""},
      {"65 characters", std::string(65, 'x')},
      {"upper case", "Zoe"},
      {"hyphen", "zoe-blog"},
      {"underscore", "zoe_blog"},
      {"dot", "zoe.blog"},
      {"space", "zoe blog"},
      {"non-ASCII", "zo\xc3\xab"},
      {"NUL", std::string("zoe\0x", 5)},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_FALSE(IsValidNickname(c.nick));
  }
}

}  // namespace
}  // namespace feedbridge
