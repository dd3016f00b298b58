#pragma once

// The fixture of the store contract tests: a fresh database of the parameter's backend.

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "store/database.h"
#include "tests/store/test_databases.h"
#include "tests/support/fake_clock.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace feedbridge::store {

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "SQLite" : "PostgreSQL";
}

inline NewFeed Blog(const std::string& nickname) {
  return NewFeed{.url = "https://" + nickname + ".example.org/feed.xml",
                 .nickname = nickname,
                 .title = "Blog " + nickname,
                 .site_url = "https://" + nickname + ".example.org/",
                 .description = "About " + nickname};
}

class StoreFixture : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    try {
      url_ = FreshDatabaseUrl(GetParam(), dir_);
    } catch (const std::runtime_error& e) {
      FAIL() << e.what();
    }
    Result<std::unique_ptr<Database>> db = OpenDatabase(url_, clock_);
    ASSERT_OK(db);
    db_ = std::move(*db);
  }

  FeedRecord AddBlog(const std::string& nickname) {
    Result<FeedRecord> feed = db_->feeds().AddFeed(Blog(nickname));
    EXPECT_OK(feed);
    return feed.ok() ? *feed : FeedRecord{};
  }

  testing::FakeClock clock_;
  testing::TempDir dir_;
  std::string url_;
  std::unique_ptr<Database> db_;
};

}  // namespace feedbridge::store
