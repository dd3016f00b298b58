#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/result.h"
#include "common/status.h"

namespace feedbridge::testing {

inline const Status& GetStatus(const Status& s) { return s; }
template <class T>
Status GetStatus(const Result<T>& r) {
  return r.status();
}

// Matches an OK Status or Result.
MATCHER(IsOk, "is OK") {
  const Status s = ::feedbridge::testing::GetStatus(arg);
  if (!s.ok()) *result_listener << s.ToString();
  return s.ok();
}

// Matches a Status or Result that failed with `code`.
MATCHER_P(StatusIs, code, "has status code " + std::string(::feedbridge::CodeName(code))) {
  const Status s = ::feedbridge::testing::GetStatus(arg);
  *result_listener << s.ToString();
  return s.code() == code;
}

// Matches a Status or Result that failed with `code` and a message matching `message`
// (e.g. HasSubstr("timed out")).
MATCHER_P2(StatusIs, code, message,
           "has status code " + std::string(::feedbridge::CodeName(code)) + " and a message that " +
               ::testing::DescribeMatcher<std::string>(message)) {
  const Status s = ::feedbridge::testing::GetStatus(arg);
  *result_listener << s.ToString();
  return s.code() == code &&
         ::testing::Matcher<std::string>(message).Matches(std::string(s.message()));
}

}  // namespace feedbridge::testing

#define EXPECT_OK(expr) EXPECT_THAT((expr), ::feedbridge::testing::IsOk())
#define ASSERT_OK(expr) ASSERT_THAT((expr), ::feedbridge::testing::IsOk())
