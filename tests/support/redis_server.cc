#include "tests/support/redis_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace feedbridge::testing {

int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("redis test server: socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  if (!ok) throw std::runtime_error("redis test server: no free loopback port");
  return ntohs(addr.sin_port);
}

RedisTestServer::RedisTestServer(Transport transport) : transport_(transport) {
  // A free port can be taken by someone else before redis-server binds it: try a few.
  constexpr int kAttempts = 5;
  Status s;
  for (int i = 0; i < kAttempts; ++i) {
    if (transport_ == Transport::kTcp) port_ = FreeLoopbackPort();
    s = Start();
    if (s.ok()) return;
  }
  throw std::runtime_error("redis test server: " + s.ToString());
}

RedisTestServer::~RedisTestServer() = default;

std::string RedisTestServer::url() const {
  if (transport_ == Transport::kTcp) return "redis://127.0.0.1:" + std::to_string(port_);
  return "unix:" + (dir_.path() / "redis" / "redis.sock").string();
}

Status RedisTestServer::Start() {
  if (process_ != nullptr && process_->running()) return Status::Ok();
  process_.reset();
  Result<std::unique_ptr<queue::RedisServerProcess>> p =
      queue::RedisServerProcess::Start({.dir = dir_.path() / "redis", .tcp_port = port_});
  if (!p.ok()) return p.status();
  process_ = std::move(p).value();
  return Status::Ok();
}

void RedisTestServer::Stop() {
  if (process_ != nullptr) process_->Stop();
}

void RedisTestServer::Kill() {
  if (process_ != nullptr) process_->Kill();
}

Status RedisTestServer::Restart() {
  Stop();
  return Start();
}

}  // namespace feedbridge::testing
