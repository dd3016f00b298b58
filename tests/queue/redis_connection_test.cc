#include "queue/redis_connection.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::queue {
namespace {

using ::feedbridge::testing::RedisTestServer;
using ::feedbridge::testing::StatusIs;
using Code = Status::Code;

std::unique_ptr<RedisConnection> Connect(const std::string& url) {
  Result<std::unique_ptr<RedisConnection>> c =
      RedisConnection::Open({.url = url,
                             .connect_timeout = std::chrono::milliseconds(500),
                             .command_timeout = std::chrono::milliseconds(2000)});
  EXPECT_OK(c);
  return c.ok() ? std::move(c).value() : nullptr;
}

TEST(RedisUrlTest, ParsesTcpUnixAndDatabase) {
  Result<RedisAddress> a = ParseRedisUrl("redis://127.0.0.1:6380/2");
  ASSERT_OK(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 6380);
  EXPECT_EQ(a->db, 2);
  Result<RedisAddress> d = ParseRedisUrl("redis://localhost");
  ASSERT_OK(d);
  EXPECT_EQ(d->port, 6379);
  Result<RedisAddress> u = ParseRedisUrl("unix:/run/redis dir/r.sock");
  ASSERT_OK(u);
  EXPECT_EQ(u->unix_path, "/run/redis dir/r.sock");
}

TEST(RedisUrlTest, RejectsMalformedUrls) {
  for (const char* url : {"", "http://x:1", "redis://", "redis://h:0", "redis://h:99999",
                          "redis://h:12x", "redis://h:1/x", "unix:", "redis://u:p@h:1"}) {
    SCOPED_TRACE(url);
    EXPECT_THAT(ParseRedisUrl(url), StatusIs(Code::kInvalidArgument));
  }
}

TEST(RedisConnectionTest, RoundTripsBinaryValues) {
  RedisTestServer server;
  auto redis = Connect(server.url());
  ASSERT_NE(redis, nullptr);
  const std::string key("k\0 \r\n key", 10);
  const std::string value("v\0al\r\n\x01\xff", 9);
  ASSERT_OK(redis->Command({"SET", key, value}));
  Result<Reply> r = redis->Command({"GET", key});
  ASSERT_OK(r);
  EXPECT_EQ(r->type, Reply::Type::kString);
  EXPECT_EQ(r->str, value);
  Result<Reply> missing = redis->Command({"GET", "nope"});
  ASSERT_OK(missing);
  EXPECT_TRUE(missing->is_nil());
}

TEST(RedisConnectionTest, ErrorReplyIsInternalWithTheMessage) {
  RedisTestServer server;
  auto redis = Connect(server.url());
  ASSERT_NE(redis, nullptr);
  ASSERT_OK(redis->Command({"SET", "s", "x"}));
  Result<Reply> r = redis->Command({"LPUSH", "s", "y"});
  EXPECT_THAT(r, StatusIs(Code::kInternal));
  EXPECT_NE(r.status().message().find("WRONGTYPE"), std::string::npos) << r.status().ToString();
}

TEST(RedisConnectionTest, EvalFallsBackToEvalAfterScriptFlush) {
  RedisTestServer server;
  auto redis = Connect(server.url());
  ASSERT_NE(redis, nullptr);
  const RedisScript script{"echo", "return ARGV[1] .. KEYS[1]"};
  Result<Reply> first = redis->Eval(script, {"k"}, {"a"});
  ASSERT_OK(first);
  EXPECT_EQ(first->str, "ak");
  ASSERT_OK(redis->Command({"SCRIPT", "FLUSH"}));
  Result<Reply> second = redis->Eval(script, {"k"}, {"b"});
  ASSERT_OK(second);
  EXPECT_EQ(second->str, "bk");
}

TEST(RedisConnectionTest, UnreachableServerIsUnavailable) {
  RedisTestServer server(RedisTestServer::Transport::kTcp);
  auto redis = Connect(server.url());
  ASSERT_NE(redis, nullptr);
  server.Stop();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(redis->Ping(), StatusIs(Code::kUnavailable));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(RedisConnectionTest, ReconnectsAfterRestartOverTcp) {
  RedisTestServer server(RedisTestServer::Transport::kTcp);
  auto redis = Connect(server.url());
  ASSERT_NE(redis, nullptr);
  ASSERT_OK(redis->Command({"SET", "kept", "1"}));
  ASSERT_OK(server.Restart());
  Result<Reply> r = redis->Command({"GET", "kept"});
  ASSERT_OK(r);
  EXPECT_EQ(r->str, "1");  // Append-only file kept it.
}

TEST(RedisConnectionTest, DownThenUpOverUnixSocket) {
  RedisTestServer server;
  auto redis = Connect(server.url());
  ASSERT_NE(redis, nullptr);
  ASSERT_OK(redis->Ping());
  server.Kill();
  EXPECT_THAT(redis->Ping(), StatusIs(Code::kUnavailable));
  ASSERT_OK(server.Start());
  EXPECT_OK(redis->Ping());
}

TEST(RedisConnectionTest, HungServerTimesOutAsUnavailable) {
  RedisTestServer server;
  Result<std::unique_ptr<RedisConnection>> c = RedisConnection::Open(
      {.url = server.url(), .command_timeout = std::chrono::milliseconds(300)});
  ASSERT_OK(c);
  auto other = Connect(server.url());
  ASSERT_NE(other, nullptr);
  // Pause the server (CLIENT PAUSE holds every client's commands) for longer than the timeout.
  ASSERT_OK(other->Command({"CLIENT", "PAUSE", "2000", "ALL"}));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT((*c)->Ping(), StatusIs(Code::kUnavailable));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1900));
}

}  // namespace
}  // namespace feedbridge::queue
