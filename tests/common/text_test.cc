#include "common/text.h"

#include <gtest/gtest.h>

namespace feedbridge {
namespace {

TEST(CountedTest, OneTakesTheSingularEveryOtherCountThePlural) {
  EXPECT_EQ(Counted(1, "entry", "entries"), "1 entry");
  EXPECT_EQ(Counted(0, "entry", "entries"), "0 entries");
  EXPECT_EQ(Counted(4, "new entry", "new entries"), "4 new entries");
  EXPECT_EQ(Counted(100000, "feed", "feeds"), "100000 feeds");
}

}  // namespace
}  // namespace feedbridge
