#include "common/status.h"

#include <gtest/gtest.h>

#include <string>

#include "common/result.h"
#include "tests/support/status_matchers.h"

namespace feedbridge {
namespace {

using ::feedbridge::testing::IsOk;
using ::feedbridge::testing::StatusIs;

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, NamedConstructorCarriesCodeAndMessage) {
  Status s = Status::Unavailable("queue: redis down");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kUnavailable);
  EXPECT_EQ(s.ToString(), "Unavailable: queue: redis down");
}

TEST(StatusTest, OnlyUnavailableAndDeadlineExceededAreRetryable) {
  EXPECT_TRUE(Status::Unavailable("x").IsRetryable());
  EXPECT_TRUE(Status::DeadlineExceeded("x").IsRetryable());
  EXPECT_FALSE(Status::InvalidArgument("x").IsRetryable());
  EXPECT_FALSE(Status::Internal("x").IsRetryable());
  EXPECT_FALSE(Status::Ok().IsRetryable());
}

TEST(StatusTest, WithContextKeepsCodeAndPrefixesMessage) {
  Status s = Status::NotFound("entry 7").WithContext("store");
  EXPECT_THAT(s, StatusIs(Status::Code::kNotFound));
  EXPECT_EQ(s.message(), "store: entry 7");
  EXPECT_THAT(Status::Ok().WithContext("x"), IsOk());
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<std::string> good = std::string("feed");
  ASSERT_OK(good);
  EXPECT_EQ(*good, "feed");
  EXPECT_EQ(good->size(), 4u);

  Result<std::string> bad = Status::InvalidArgument("feeds: empty document");
  EXPECT_THAT(bad, StatusIs(Status::Code::kInvalidArgument));
  EXPECT_EQ(bad.status().message(), "feeds: empty document");
}

TEST(ResultTest, MovesValueOut) {
  Result<std::string> r = std::string(100, 'x');
  std::string taken = std::move(r).value();
  EXPECT_EQ(taken.size(), 100u);
}

}  // namespace
}  // namespace feedbridge
