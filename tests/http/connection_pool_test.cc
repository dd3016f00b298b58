#include "http/connection_pool.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace feedbridge::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The fake clock of the pool under test (the pool takes a plain function).
Clock::time_point fake_now{};
Clock::time_point FakeNow() { return fake_now; }

// A pooled connection that records when it is closed (destroyed) and can be made stale.
struct FakeConn {
  struct State {
    bool reusable = true;
    int closes = 0;
  };
  FakeConn(std::shared_ptr<State> s, int n) : state(std::move(s)), id(n) {}
  FakeConn(FakeConn&& other) noexcept = default;
  FakeConn& operator=(FakeConn&& other) noexcept = default;
  ~FakeConn() {
    if (state != nullptr) ++state->closes;
  }
  std::shared_ptr<State> state;
  int id = 0;
};
bool LooksReusable(const FakeConn& conn) { return conn.state->reusable; }

class ConnectionPoolTest : public ::testing::Test {
 protected:
  void SetUp() override { fake_now = Clock::time_point{} + 1h; }
  std::shared_ptr<FakeConn::State> NewState() { return std::make_shared<FakeConn::State>(); }
};

TEST(PoolKeyTest, NamesSchemeHostPortAndAddress) {
  EXPECT_EQ(PoolKey("https", "example.org", 443, "93.184.216.34"),
            "https://example.org:443@93.184.216.34");
  EXPECT_NE(PoolKey("http", "a.example", 80, "10.0.0.1"),
            PoolKey("http", "a.example", 80, "10.0.0.2"));
}

TEST_F(ConnectionPoolTest, TakeOfAnUnknownKeyIsEmpty) {
  ConnectionPool<FakeConn> pool({.max_idle_per_key = 2}, &FakeNow);
  EXPECT_FALSE(pool.Take("http://a:80@1.2.3.4").has_value());
}

TEST_F(ConnectionPoolTest, PutThenTakeReturnsTheSameConnectionForItsKeyOnly) {
  ConnectionPool<FakeConn> pool({.max_idle_per_key = 2}, &FakeNow);
  auto state = NewState();
  pool.Put("k1", FakeConn(state, 7));
  EXPECT_FALSE(pool.Take("k2").has_value());
  std::optional<FakeConn> got = pool.Take("k1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->id, 7);
  EXPECT_EQ(state->closes, 0);
  EXPECT_FALSE(pool.Take("k1").has_value());  // Taken: no longer in the pool.
}

TEST_F(ConnectionPoolTest, NewestIsTakenFirst) {
  ConnectionPool<FakeConn> pool({.max_idle_per_key = 4}, &FakeNow);
  auto state = NewState();
  pool.Put("k", FakeConn(state, 1));
  pool.Put("k", FakeConn(state, 2));
  EXPECT_EQ(pool.Take("k")->id, 2);
  EXPECT_EQ(pool.Take("k")->id, 1);
}

TEST_F(ConnectionPoolTest, PutOverTheCapPerKeyClosesTheConnection) {
  ConnectionPool<FakeConn> pool({.max_idle_per_key = 2}, &FakeNow);
  auto kept = NewState();
  auto over = NewState();
  pool.Put("k", FakeConn(kept, 1));
  pool.Put("k", FakeConn(kept, 2));
  pool.Put("k", FakeConn(over, 3));
  EXPECT_EQ(over->closes, 1);
  EXPECT_EQ(kept->closes, 0);
  EXPECT_EQ(pool.size(), 2u);
  pool.Put("other", FakeConn(over, 4));  // The cap is per key.
  EXPECT_EQ(pool.size(), 3u);
}

TEST_F(ConnectionPoolTest, ConnectionIdleTooLongIsClosedOnTake) {
  ConnectionPool<FakeConn> pool({.max_idle_per_key = 4, .max_idle = 4s}, &FakeNow);
  auto old_state = NewState();
  auto fresh_state = NewState();
  pool.Put("k", FakeConn(old_state, 1));
  fake_now += 3s;
  pool.Put("k", FakeConn(fresh_state, 2));
  fake_now += 2s;  // The first is 5 s idle, the second 2 s.
  EXPECT_EQ(pool.Take("k")->id, 2);
  EXPECT_FALSE(pool.Take("k").has_value());
  EXPECT_EQ(old_state->closes, 1);
}

TEST_F(ConnectionPoolTest, ConnectionNoLongerReusableIsClosedAndTheNextOneTried) {
  ConnectionPool<FakeConn> pool({.max_idle_per_key = 4}, &FakeNow);
  auto good = NewState();
  auto stale = NewState();
  pool.Put("k", FakeConn(good, 1));
  pool.Put("k", FakeConn(stale, 2));
  stale->reusable = false;  // The server closed it while it was idle.
  std::optional<FakeConn> got = pool.Take("k");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->id, 1);
  EXPECT_EQ(stale->closes, 1);
}

TEST_F(ConnectionPoolTest, ClearAndDestructionCloseEveryIdleConnection) {
  auto state = NewState();
  {
    ConnectionPool<FakeConn> pool({.max_idle_per_key = 4}, &FakeNow);
    pool.Put("a", FakeConn(state, 1));
    pool.Put("b", FakeConn(state, 2));
    pool.Clear();
    EXPECT_EQ(state->closes, 2);
    EXPECT_EQ(pool.size(), 0u);
    pool.Put("a", FakeConn(state, 3));
  }
  EXPECT_EQ(state->closes, 3);
}

TEST(OwnedSocketTest, ClosesItsDescriptorAndSeesTheServerClose) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  {
    OwnedSocket ours(fds[0]);
    EXPECT_TRUE(LooksReusable(ours));  // Open, nothing to read.
    ASSERT_EQ(::write(fds[1], "x", 1), 1);
    EXPECT_FALSE(LooksReusable(ours));  // Sent something unasked.
    OwnedSocket moved(std::move(ours));
    EXPECT_EQ(ours.fd(), -1);
    EXPECT_EQ(moved.fd(), fds[0]);
  }
  // Both owners gone: the descriptor is closed (the peer sees the close: it had unread data,
  // so a reset).
  char byte;
  EXPECT_LE(::read(fds[1], &byte, 1), 0);
  EXPECT_EQ(::fcntl(fds[0], F_GETFD), -1);
  ::close(fds[1]);
  EXPECT_FALSE(LooksReusable(OwnedSocket()));
}

}  // namespace
}  // namespace feedbridge::http
