#include "queue/redis_server_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

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

// Blocks SIGINT and SIGTERM in the calling thread, as `serve` does in every thread (it takes
// them with sigwait); what a thread starts inherits the mask.
void BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(RedisServerProcessTest, StartedWhereStopSignalsAreBlockedItStillStopsCleanly) {
  TempDir dir;
  std::thread starter([&] {
    BlockStopSignals();
    // Long enough that a server deaf to SIGTERM would be found out by its log, not cut short.
    Result<std::unique_ptr<RedisServerProcess>> p = RedisServerProcess::Start(
        {.dir = dir.path(), .stop_timeout = std::chrono::milliseconds(20000)});
    ASSERT_OK(p);
    (*p)->Stop();
    EXPECT_FALSE((*p)->running());
  });
  starter.join();
  // redis-server took the SIGTERM: it wrote its append-only file and said goodbye (a SIGKILL
  // after stop_timeout leaves no such line).
  const std::string log = ReadText(dir.path() / "redis.log");
  EXPECT_NE(log.find("Received SIGTERM"), std::string::npos) << log;
  EXPECT_NE(log.find("ready to exit"), std::string::npos) << log;
}

// A process that exists and is not a zombie (an orphan is reaped by whatever adopts it, which
// in a container may never happen).
bool Alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
}

TEST(RedisServerProcessTest, ServerEndsWhenItsParentIsKilled) {
  TempDir dir;
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // A stand-in for a feedbridge that is about to crash: starts the server (with the stop
    // signals blocked, as in `serve`), reports its pid, then waits to be killed.
    ::close(pipe_fds[0]);
    BlockStopSignals();
    Result<std::unique_ptr<RedisServerProcess>> p = RedisServerProcess::Start({.dir = dir.path()});
    const pid_t server = p.ok() ? (*p)->pid() : 0;
    [[maybe_unused]] const ssize_t n = ::write(pipe_fds[1], &server, sizeof server);
    for (;;) ::pause();
  }
  ::close(pipe_fds[1]);
  pid_t server = 0;
  ASSERT_EQ(::read(pipe_fds[0], &server, sizeof server), static_cast<ssize_t>(sizeof server));
  ::close(pipe_fds[0]);
  ASSERT_GT(server, 0);
  ASSERT_TRUE(Alive(server));
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  // Orphaned, it got SIGTERM: it exits (and init reaps it).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Alive(server) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE(Alive(server)) << "redis-server " << server << " outlived its parent";
  // And the data dir is free for the next start.
  Result<std::unique_ptr<RedisServerProcess>> next = RedisServerProcess::Start({.dir = dir.path()});
  EXPECT_OK(next);
}

TEST(RedisServerProcessTest, MissingExecutableIsUnavailable) {
  TempDir dir;
  EXPECT_THAT(RedisServerProcess::Start({.dir = dir.path(), .executable = "no-such-redis-server"}),
              StatusIs(Status::Code::kUnavailable));
}

}  // namespace
}  // namespace feedbridge::queue
