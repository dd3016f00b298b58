#include "common/random.h"

#include <gtest/gtest.h>

#include <set>

namespace feedbridge {
namespace {

// A counter: deterministic input to check the mapping functions.
class SequenceRandom final : public Random {
 public:
  uint64_t Next() override { return next_++ * 0x9E3779B97F4A7C15ull; }

 private:
  uint64_t next_ = 1;
};

TEST(RandomTest, TokenHasRequestedLengthAndAlphabet) {
  SequenceRandom random;
  const std::string token = RandomToken(random, 40);
  ASSERT_EQ(token.size(), 40u);
  for (char c : token) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
}

TEST(RandomTest, UniformUnitStaysInHalfOpenRange) {
  SequenceRandom random;
  for (int i = 0; i < 1000; ++i) {
    const double u = UniformUnit(random);
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
  }
}

TEST(RandomTest, SystemRandomTokensDiffer) {
  SystemRandom random;
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.insert(RandomToken(random, 16));
  EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace feedbridge
