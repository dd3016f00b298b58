#include "http/connection_pool.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace feedbridge::http {

std::string PoolKey(std::string_view scheme, std::string_view host, uint16_t port,
                    std::string_view address) {
  std::string key;
  key.reserve(scheme.size() + host.size() + address.size() + 10);
  key.append(scheme).append("://").append(host).append(":").append(std::to_string(port));
  key.append("@").append(address);
  return key;
}

OwnedSocket::~OwnedSocket() {
  if (fd_ >= 0) ::close(fd_);
}

OwnedSocket& OwnedSocket::operator=(OwnedSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

bool SocketLooksReusable(int fd) {
  if (fd < 0) return false;
  char byte = 0;
  const ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace feedbridge::http
