// `feedbridge subscribers [FEED]` run as a user runs it: the built binary on a SQLite file the
// test filled through the store (blogs, subscriptions, what the publisher recorded).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/exit_codes.h"
#include "store/database.h"
#include "tests/support/fake_clock.h"
#include "tests/support/status_matchers.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace feedbridge::app {
namespace {

using ::feedbridge::testing::ProcessResult;
using std::chrono::minutes;
using ::testing::HasSubstr;
using ::testing::Not;

class SubscribersCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = {{"FEEDBRIDGE_DATABASE_URL", "sqlite:" + (dir_.path() / "fb.db").string()},
            {"FEEDBRIDGE_SERVER_BASE_URL", "http://bridge.example.org/"},
            {"FEEDBRIDGE_LOG_LEVEL", "warning"}};
    Result<std::unique_ptr<store::Database>> db =
        store::OpenDatabase(env_["FEEDBRIDGE_DATABASE_URL"], clock_);
    ASSERT_OK(db);
    db_ = std::move(db).value();
  }

  int64_t AddBlog(const std::string& nickname) {
    Result<store::FeedRecord> feed =
        db_->feeds().AddFeed({.url = "http://" + nickname + ".example/feed", .nickname = nickname});
    EXPECT_OK(feed);
    return feed.ok() ? feed->account_id : 0;
  }

  void Subscribe(int64_t account, const std::string& who, const std::string& site) {
    store::Subscription s;
    s.account_id = account;
    s.subscriber = {.uri = "http://" + site + "/user/" + who,
                    .profile_url = "http://" + site + "/" + who,
                    .nickname = who,
                    .fullname = "Full " + who,
                    .homepage = "",
                    .bio = "",
                    .location = "Lisbon",
                    .avatar_url = "",
                    .license = ""};
    s.post_notice_url = "http://" + site + "/index.php?action=postnotice";
    s.update_profile_url = "http://" + site + "/index.php?action=updateprofile";
    s.token = "t-" + who;
    s.token_secret = "s-" + who;
    ASSERT_OK(db_->subscriptions().Subscribe(s));
  }

  ProcessResult Feedbridge(const std::vector<std::string>& args) {
    return ::feedbridge::testing::RunProcess(FB_FEEDBRIDGE_BINARY, args, env_);
  }

  testing::FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};  // 2027-01-15T08:00Z
  testing::TempDir dir_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<store::Database> db_;
};

TEST_F(SubscribersCommandTest, ABlogsSubscribersWithTheirProfilesEndpointsAndHealth) {
  const int64_t garden = AddBlog("garden");
  AddBlog("quiet");
  ASSERT_NO_FATAL_FAILURE(Subscribe(garden, "alice", "identi.example"));
  ASSERT_NO_FATAL_FAILURE(Subscribe(garden, "bob", "down.example"));
  ASSERT_OK(db_->deliveries().RecordDelivered(
      {"omb", "notice", 1, "http://identi.example/index.php?action=postnotice"}, clock_.Now()));
  ASSERT_OK(db_->deliveries().RecordFailure("http://down.example/index.php?action=postnotice",
                                            "HTTP 502 Bad Gateway", clock_.Now()));
  ASSERT_OK(db_->deliveries().RecordFailure("http://down.example/index.php?action=postnotice",
                                            "connection refused", clock_.Now() + minutes(1)));

  const ProcessResult r = Feedbridge({"subscribers", "garden"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_THAT(r.out, HasSubstr("garden <http://bridge.example.org/garden>: 2 subscribers\n"));
  EXPECT_THAT(r.out, HasSubstr("  alice (Full alice) <http://identi.example/alice>, since "
                               "2027-01-15T08:00:00Z\n"));
  EXPECT_THAT(r.out, HasSubstr("    identifier:    http://identi.example/user/alice\n"));
  EXPECT_THAT(r.out, HasSubstr("    location:      Lisbon\n"));
  EXPECT_THAT(r.out,
              HasSubstr("    postNotice:    http://identi.example/index.php?action=postnotice\n"
                        "                   ok, last delivery 2027-01-15T08:00:00Z\n"));
  EXPECT_THAT(r.out,
              HasSubstr("    updateProfile: http://identi.example/index.php?action=updateprofile\n"
                        "                   no delivery tried yet\n"));
  EXPECT_THAT(r.out,
              HasSubstr("    postNotice:    http://down.example/index.php?action=postnotice\n"
                        "                   failing since 2027-01-15T08:00:00Z (2 failures "
                        "in a row): connection refused\n"));
}

TEST_F(SubscribersCommandTest, WithoutABlogEveryFollowedBlogIsListedAndTheTotals) {
  const int64_t garden = AddBlog("garden");
  AddBlog("quiet");
  const int64_t kitchen = AddBlog("kitchen");
  ASSERT_NO_FATAL_FAILURE(Subscribe(garden, "alice", "identi.example"));
  ASSERT_NO_FATAL_FAILURE(Subscribe(kitchen, "alice", "identi.example"));
  ASSERT_NO_FATAL_FAILURE(Subscribe(kitchen, "carol", "status.example"));
  const ProcessResult r = Feedbridge({"subscribers"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("garden <http://bridge.example.org/garden>: 1 subscriber\n"));
  EXPECT_THAT(r.out, HasSubstr("kitchen <http://bridge.example.org/kitchen>: 2 subscribers\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("quiet")));  // Nobody follows it.
  EXPECT_THAT(r.out, HasSubstr("3 subscribers of 2 of 3 blogs\n"));
  // A blog asked for by name is shown even when nobody follows it.
  const ProcessResult quiet = Feedbridge({"subscribers", "quiet"});
  ASSERT_EQ(quiet.exit_code, kExitOk) << quiet.err;
  EXPECT_EQ(quiet.out, "quiet <http://bridge.example.org/quiet>: 0 subscribers\n");
}

TEST_F(SubscribersCommandTest, AnUnknownBlogExits66AndExtraArgumentsExit64) {
  const ProcessResult r = Feedbridge({"subscribers", "nosuchblog"});
  EXPECT_EQ(r.exit_code, kExitNoInput);
  EXPECT_THAT(r.err, HasSubstr("feedbridge: subscribers: "));
  EXPECT_EQ(r.out, "");
  const ProcessResult two = Feedbridge({"subscribers", "a", "b"});
  EXPECT_EQ(two.exit_code, kExitUsage);
}

}  // namespace
}  // namespace feedbridge::app
