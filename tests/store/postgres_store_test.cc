// What only PostgreSQL does: a server that goes away.

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "store/database.h"
#include "tests/store/test_databases.h"
#include "tests/support/fake_clock.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::store {
namespace {

using ::feedbridge::testing::StatusIs;
using ::testing::HasSubstr;
using Code = Status::Code;

TEST(PostgresStoreTest, ServerStoppedMidTestIsUnavailable) {
  testing::FakeClock clock;
  std::string url;
  try {
    url = SharedPostgres().CreateDatabase();
  } catch (const std::runtime_error& e) {
    FAIL() << e.what();
  }
  Result<std::unique_ptr<Database>> db = OpenDatabase(url, clock);
  ASSERT_OK(db);
  ASSERT_OK((*db)->feeds().AddFeed({.url = "https://a.example/feed", .nickname = "a"}));
  testing::PostgresServer& server = SharedPostgres();
  server.Stop();
  Result<FeedRecord> added =
      (*db)->feeds().AddFeed({.url = "https://b.example/feed", .nickname = "b"});
  EXPECT_THAT(added, StatusIs(Code::kUnavailable));
  EXPECT_THAT(added.status().message(), HasSubstr("store: "));
  EXPECT_THAT((*db)->feeds().CountFeeds(), StatusIs(Code::kUnavailable));
  EXPECT_THAT(OpenDatabase(url, clock), StatusIs(Code::kUnavailable));
  server.Start();
  // The pool drops dead sessions and reconnects.
  Result<int64_t> count = (*db)->feeds().CountFeeds();
  EXPECT_OK(count);
}

TEST(PostgresStoreTest, UrlFormIsAccepted) {
  testing::FakeClock clock;
  std::string key_value;
  try {
    key_value = SharedPostgres().CreateDatabase();
  } catch (const std::runtime_error& e) {
    FAIL() << e.what();
  }
  // postgresql://user@/db?host=/socket/dir: a libpq URI naming the same database.
  const std::string dbname = key_value.substr(
      key_value.find("dbname=") + 7, key_value.find(" user=") - key_value.find("dbname=") - 7);
  const std::string uri =
      "postgresql://postgres@/" + dbname + "?host=" + SharedPostgres().dir().string();
  Result<std::unique_ptr<Database>> db = OpenDatabase(uri, clock);
  ASSERT_OK(db);
  EXPECT_OK((*db)->feeds().CountFeeds());
}

}  // namespace
}  // namespace feedbridge::store
