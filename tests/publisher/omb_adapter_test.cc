// What the OMB adapter makes of each answer a Laconica or StatusNet postNotice gives
// (omb-0.1.md §5.3, §5.4, §8 items 7-10). Signing and sending are proven end to end in
// tests/integration/omb_publish_test.cc.

#include "publisher/omb_adapter.h"

#include <gtest/gtest.h>

#include <memory>

#include "store/database.h"
#include "tests/support/fake_clock.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace feedbridge::publisher {
namespace {

using Kind = AttemptResult::Kind;

class ZeroRandom final : public Random {
 public:
  uint64_t Next() override { return 0; }
};

http::HttpResponse Answer(int status, std::string body, std::vector<http::Header> headers = {}) {
  http::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(OmbAdapterTest, EachAnswerMeansWhatThePeersMeantByIt) {
  testing::FakeClock clock;
  ZeroRandom random;
  testing::TempDir dir;
  Result<std::unique_ptr<store::Database>> db =
      store::OpenDatabase("sqlite:" + (dir.path() / "fb.db").string(), clock);
  ASSERT_OK(db);
  OmbAdapter adapter((*db)->subscriptions(), (*db)->notices(), clock, random,
                     {.base_url = "http://bridge.example.org/"});
  struct Case {
    const char* name;
    Result<http::HttpResponse> answer;
    Kind kind;
    bool host_failing;
    std::string reason;
  };
  const Case cases[] = {
      {"success body", Answer(200, "omb_version=http://openmicroblogging.org/protocol/0.1"),
       Kind::kDelivered, false, ""},
      {"success body, URL-encoded",
       Answer(200, "omb_version=http%3A%2F%2Fopenmicroblogging.org%2Fprotocol%2F0.1\n"),
       Kind::kDelivered, false, ""},
      {"StatusNet's duplicate", Answer(500, "Duplicate notice."), Kind::kDelivered, false,
       "HTTP 500 Internal Server Error: Duplicate notice."},
      {"200 without the body", Answer(200, "<html>Welcome to the hotel wifi</html>"),
       Kind::kRetryLater, false, "HTTP 200 OK: <html>Welcome to the hotel wifi</html>"},
      {"unsubscribed", Answer(403, "No such subscription"), Kind::kRecipientGone, false,
       "HTTP 403 Forbidden: No such subscription"},
      {"refused parameters", Answer(400, "Invalid notice content"), Kind::kGiveUp, false,
       "HTTP 400 Bad Request: Invalid notice content"},
      {"Laconica's OAuth failure", Answer(500, "Bad signature"), Kind::kRetryLater, true,
       "HTTP 500 Internal Server Error: Bad signature"},
      {"not found", Answer(404, ""), Kind::kRetryLater, false, "HTTP 404 Not Found"},
      {"refused connection", Status::Unavailable("http: http://x/: connection refused"),
       Kind::kRetryLater, true, "http: http://x/: connection refused"},
      {"timeout", Status::DeadlineExceeded("http: http://x/: timed out after 30s"),
       Kind::kRetryLater, true, "http: http://x/: timed out after 30s"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const AttemptResult r = adapter.Interpret(PreparedDelivery{}, c.answer);
    EXPECT_EQ(r.kind, c.kind);
    EXPECT_EQ(r.host_failing, c.host_failing);
    EXPECT_EQ(r.reason, c.reason);
  }
  // A long, multi-line answer is cut and kept on one line.
  const AttemptResult noisy = adapter.Interpret(
      PreparedDelivery{}, Answer(502, "line one\nline two" + std::string(500, 'x')));
  EXPECT_EQ(noisy.reason.find('\n'), std::string::npos);
  EXPECT_LT(noisy.reason.size(), 260u);
  // A throttled peer's Retry-After is passed on.
  const AttemptResult throttled =
      adapter.Interpret(PreparedDelivery{}, Answer(429, "slow down", {{"Retry-After", "120"}}));
  EXPECT_EQ(throttled.kind, Kind::kRetryLater);
  ASSERT_TRUE(throttled.retry_after.has_value());
  EXPECT_EQ(*throttled.retry_after, std::chrono::seconds(120));
}

}  // namespace
}  // namespace feedbridge::publisher
