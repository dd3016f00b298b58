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

TEST(SizeTextTest, WholeUnitsAreNamedOtherSizesCountBytes) {
  EXPECT_EQ(SizeText(15u << 20), "15 MiB");
  EXPECT_EQ(SizeText(64u << 10), "64 KiB");
  EXPECT_EQ(SizeText(uint64_t{1} << 30), "1 GiB");
  EXPECT_EQ(SizeText(1000), "1000 bytes");
  EXPECT_EQ(SizeText(1), "1 byte");
  EXPECT_EQ(SizeText(0), "0 bytes");
}

}  // namespace
}  // namespace feedbridge
