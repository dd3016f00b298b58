#include "queue/redis_server_process.h"

#include <gtest/gtest.h>

#include "queue/redis_connection.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace feedbridge::queue {
namespace {

using ::feedbridge::testing::StatusIs;
using ::feedbridge::testing::TempDir;

TEST(RedisServerProcessTest, AnswersOnItsSocketUntilStopped) {
  TempDir dir;
  Result<std::unique_ptr<RedisServerProcess>> p =
      RedisServerProcess::Start({.dir = dir.path() / "r"});
  ASSERT_OK(p);
  EXPECT_EQ((*p)->url(), "unix:" + (dir.path() / "r" / "redis.sock").string());
  EXPECT_EQ((*p)->tcp_url(), "");
  Result<std::unique_ptr<RedisConnection>> c = RedisConnection::Open({.url = (*p)->url()});
  ASSERT_OK(c);
  EXPECT_OK((*c)->Ping());
  (*p)->Stop();
  EXPECT_FALSE((*p)->running());
  EXPECT_THAT((*c)->Ping(), StatusIs(Status::Code::kUnavailable));
}

TEST(RedisServerProcessTest, SecondServerOnTheSameDirIsRefused) {
  TempDir dir;
  Result<std::unique_ptr<RedisServerProcess>> first =
      RedisServerProcess::Start({.dir = dir.path()});
  ASSERT_OK(first);
  EXPECT_THAT(RedisServerProcess::Start({.dir = dir.path()}),
              StatusIs(Status::Code::kFailedPrecondition));
  Result<std::unique_ptr<RedisConnection>> c = RedisConnection::Open({.url = (*first)->url()});
  ASSERT_OK(c);
  EXPECT_OK((*c)->Ping());  // Its socket was left alone.
}

TEST(RedisServerProcessTest, MissingExecutableIsUnavailable) {
  TempDir dir;
  EXPECT_THAT(RedisServerProcess::Start({.dir = dir.path(), .executable = "no-such-redis-server"}),
              StatusIs(Status::Code::kUnavailable));
}

}  // namespace
}  // namespace feedbridge::queue
