// What only SQLite does: file locks, files and directories going wrong.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "Poco/Data/SQLite/Connector.h"
#include "Poco/Data/Session.h"
#include "store/database.h"
#include "tests/support/fake_clock.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace feedbridge::store {
namespace {

using ::feedbridge::testing::StatusIs;
using ::testing::HasSubstr;
using Code = Status::Code;

NewFeed Blog(const std::string& nickname) {
  return NewFeed{.url = "https://" + nickname + ".example.org/feed.xml", .nickname = nickname};
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::filesystem::path DbPath() const { return dir_.path() / "data" / "feedbridge.db"; }

  testing::FakeClock clock_;
  testing::TempDir dir_;
};

TEST_F(SqliteStoreTest, OpenCreatesTheDirectory) {
  Result<std::unique_ptr<Database>> db = OpenDatabase("sqlite:" + DbPath().string(), clock_);
  ASSERT_OK(db);
  EXPECT_TRUE(std::filesystem::exists(DbPath()));
}

TEST_F(SqliteStoreTest, WriteWhileAnotherConnectionHoldsTheLockIsUnavailable) {
  Result<std::unique_ptr<Database>> db =
      OpenDatabase("sqlite:" + DbPath().string() + "?busy_timeout_ms=50", clock_);
  ASSERT_OK(db);
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::Session other("SQLite", DbPath().string());
  other << "BEGIN EXCLUSIVE", Poco::Data::Keywords::now;
  Result<FeedRecord> added = (*db)->feeds().AddFeed(Blog("alice"));
  EXPECT_THAT(added, StatusIs(Code::kUnavailable));
  EXPECT_THAT(added.status().message(), HasSubstr("store: "));
  EXPECT_THAT(added.status().message(), HasSubstr("locked"));
  other << "ROLLBACK", Poco::Data::Keywords::now;
  EXPECT_OK((*db)->feeds().AddFeed(Blog("alice")));
}

TEST_F(SqliteStoreTest, WriteAfterTheFileWasDeletedIsAClearError) {
  Result<std::unique_ptr<Database>> db = OpenDatabase("sqlite:" + DbPath().string(), clock_);
  ASSERT_OK(db);
  ASSERT_OK((*db)->feeds().AddFeed(Blog("alice")));
  std::filesystem::remove_all(DbPath().parent_path());
  Result<FeedRecord> added = (*db)->feeds().AddFeed(Blog("bob"));
  EXPECT_THAT(added, StatusIs(Code::kUnavailable));
  EXPECT_THAT(added.status().message(), HasSubstr(DbPath().string()));
}

TEST_F(SqliteStoreTest, OpenWhereTheDirectoryCannotBeCreatedIsUnavailable) {
  // A regular file where a directory should be: fails for root too, unlike chmod.
  const std::filesystem::path file = dir_.WriteFile("not-a-dir", "x");
  Result<std::unique_ptr<Database>> db =
      OpenDatabase("sqlite:" + (file / "sub" / "feedbridge.db").string(), clock_);
  EXPECT_THAT(db, StatusIs(Code::kUnavailable));
  EXPECT_THAT(db.status().message(), HasSubstr("cannot create directory"));
}

TEST_F(SqliteStoreTest, OpenOfADirectoryIsUnavailable) {
  std::filesystem::create_directories(DbPath());
  Result<std::unique_ptr<Database>> db = OpenDatabase("sqlite:" + DbPath().string(), clock_);
  EXPECT_THAT(db, StatusIs(Code::kUnavailable));
  EXPECT_THAT(db.status().message(), HasSubstr("store: "));
}

TEST_F(SqliteStoreTest, BadUrlsAreInvalidArgument) {
  for (const char* url : {"", "mysql://x/y", "sqlite:", "sqlite:/x.db?busy_timeout_ms=abc",
                          "sqlite:/x.db?cache=shared", "postgresql:"}) {
    SCOPED_TRACE(url);
    EXPECT_THAT(OpenDatabase(url, clock_), StatusIs(Code::kInvalidArgument));
  }
}

}  // namespace
}  // namespace feedbridge::store
