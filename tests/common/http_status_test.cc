#include "common/http_status.h"

#include <gtest/gtest.h>

#include <string>

namespace feedbridge {
namespace {

TEST(HttpStatusTest, ReasonPhrasesOfKnownStatuses) {
  struct Case {
    int status;
    std::string_view phrase;
  };
  const Case cases[] = {
      {200, "OK"},
      {203, "Non-Authoritative Information"},
      {304, "Not Modified"},
      {404, "Not Found"},
      {410, "Gone"},
      {429, "Too Many Requests"},
      {431, "Request Header Fields Too Large"},
      {503, "Service Unavailable"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(c.status));
    EXPECT_EQ(ReasonPhrase(c.status), c.phrase);
  }
}

TEST(HttpStatusTest, UnknownStatusHasNoPhrase) {
  EXPECT_EQ(ReasonPhrase(599), "");
  EXPECT_EQ(ReasonPhrase(0), "");
  EXPECT_EQ(ReasonPhrase(799), "");
}

TEST(HttpStatusTest, PhraseIsNulTerminated) {
  const std::string_view phrase = ReasonPhrase(404);
  EXPECT_EQ(phrase.data()[phrase.size()], '\0');
}

}  // namespace
}  // namespace feedbridge
