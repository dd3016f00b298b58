#include "http/connection.h"

#include <Poco/Crypto/X509Certificate.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Timespan.h>
#include <fcntl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "common/c_ptr.h"
#include "http/connection_pool.h"

namespace feedbridge::http {
namespace {

// POCO closes a keep-alive connection it thinks stale (8 s by default) and reconnects on its own.
// The pool decides staleness instead (it drops connections idle for 4 s), so POCO never has to.
const Poco::Timespan kPocoKeepAlive(3600, 0);
// How much longer than the time left the socket timeouts of a kept-alive connection may be.
const Poco::Timespan kTimeoutSlack(1, 0);

Poco::Timespan TimeLeft(SteadyTime deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
      deadline - std::chrono::steady_clock::now());
  return Poco::Timespan(std::max<int64_t>(1000, left.count()));
}

bool IsIpLiteral(const std::string& host) {
  Poco::Net::IPAddress ignored;
  return Poco::Net::IPAddress::tryParse(host, ignored);
}

using X509Ptr = CPtr<X509, X509_free>;

// RFC 9110 §4.3.4 / RFC 6125: the certificate must name the host of the URL: a DNS name (a
// wildcard covers one whole label), or the IP address of an IP-literal URL. OpenSSL's matchers
// do it without DNS. POCO's own check is off (see PocoHttpClient): it resolves names again
// during the handshake (an unbounded lookup) and skips the check when the name resolves to a
// loopback address.
void CheckPeerName(const Poco::Net::SecureStreamSocket& socket, const std::string& host) {
  const X509Ptr cert(socket.peerCertificate().dup());
  if (cert == nullptr) throw Poco::Net::CertificateValidationException("no peer certificate");
  const int match = IsIpLiteral(host)
                        ? X509_check_ip_asc(cert.get(), host.c_str(), 0)
                        : X509_check_host(cert.get(), host.data(), host.size(),
                                          X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr);
  if (match != 1) {
    throw Poco::Net::CertificateValidationException("the server's certificate is not valid for " +
                                                    host);
  }
}

}  // namespace

// The sessions POCO drives, with POCO's connect step replaced by Connection::Open. POCO calls
// connect() from sendRequest when the session has no socket yet.
class Connection::PlainSession final : public Poco::Net::HTTPClientSession {
 public:
  explicit PlainSession(Connection& owner) : owner_(owner) {}

 protected:
  void connect(const Poco::Net::SocketAddress& address) override {
    attachSocket(owner_.Open(address));
  }

 private:
  Connection& owner_;
};

class Connection::TlsSession final : public Poco::Net::HTTPSClientSession {
 public:
  TlsSession(Connection& owner, Poco::Net::Context::Ptr tls)
      : Poco::Net::HTTPSClientSession(std::move(tls)), owner_(owner) {}

 protected:
  void connect(const Poco::Net::SocketAddress& address) override {
    attachSocket(owner_.Open(address));
  }

 private:
  Connection& owner_;
};

Connection::Connection(Endpoint endpoint, Poco::Net::Context::Ptr tls, DeadlineWatch& watch)
    : endpoint_(std::move(endpoint)), tls_(std::move(tls)), watch_(watch) {
  if (endpoint_.scheme == "https") {
    session_ = std::make_unique<TlsSession>(*this, tls_);
  } else {
    session_ = std::make_unique<PlainSession>(*this);
  }
  // The checked address, not the name (which goes into Host, SNI and the certificate check):
  // nothing below the client resolves names.
  session_->setHost(endpoint_.address.toString());
  session_->setPort(endpoint_.port);
  session_->setKeepAlive(true);
  session_->setKeepAliveTimeout(kPocoKeepAlive);
}

Connection::~Connection() {
  watch_.Disarm(ticket_);
  if (watch_fd_ >= 0) ::close(watch_fd_);  // After Disarm: the watch no longer uses it.
}

void Connection::KeepTimeoutsWithin(Poco::Net::StreamSocket& socket, SteadyTime deadline) {
  // The watch bounds reads exactly; the socket timeouts bound a blocked write (and are a second
  // line for reads). Re-set only when the ones in force are too long for this deadline by more
  // than kTimeoutSlack, or much too short: two system calls saved on most kept-alive exchanges.
  const Poco::Timespan left = TimeLeft(deadline);
  if (applied_timeout_ > left + kTimeoutSlack ||
      applied_timeout_.totalMicroseconds() < left.totalMicroseconds() / 2) {
    socket.setSendTimeout(left);
    socket.setReceiveTimeout(left);
    applied_timeout_ = left;
  }
}

Poco::Net::HTTPClientSession& Connection::Begin(SteadyTime deadline) {
  deadline_ = deadline;
  fired_ = false;
  phase_ = "sending the request";
  const Poco::Timespan left = TimeLeft(deadline);
  session_->setTimeout(left, left, left);
  if (opened_) {
    // A kept-alive connection: watch its socket from now on.
    WatchSocket(deadline);
    KeepTimeoutsWithin(session_->socket(), deadline);
  }
  return *session_;
}

bool Connection::LooksReusable() const {
  return SocketLooksReusable(watch_fd_);  // False if never connected (-1).
}

void Connection::WatchSocket(SteadyTime deadline) {
  // SHUT_RD wakes a blocked read (it sees the end of the stream; Linux wakes every waiter on a
  // shutdown). Writing stays possible, so closing the connection afterwards (a TLS close_notify)
  // cannot raise SIGPIPE; a blocked write is bounded by the socket's send timeout, which
  // KeepTimeoutsWithin keeps within the time left. watch_fd_ stays open until after Disarm.
  ticket_ = watch_.Arm(deadline, [fd = watch_fd_] { ::shutdown(fd, SHUT_RD); });
}

bool Connection::End() {
  fired_ = watch_.Disarm(ticket_) || fired_;
  ticket_ = 0;
  return fired_;
}

Poco::Net::StreamSocket Connection::Open(const Poco::Net::SocketAddress& address) {
  if (opened_) {
    // POCO reconnects a session whose connection it closed; the pool opens a new Connection
    // instead, so each one's deadline bookkeeping covers exactly one socket.
    throw Poco::Net::NetException("connection closed");
  }
  opened_ = true;
  phase_ = "connecting";
  Poco::Net::StreamSocket plain(address.family());  // Creates the descriptor to watch.
  // The watch's own descriptor of this socket, for the connection's lifetime: valid whatever
  // POCO closes, so a shutdown at the deadline can only ever reach this connection.
  watch_fd_ = ::fcntl(plain.impl()->sockfd(), F_DUPFD_CLOEXEC, 0);
  if (watch_fd_ < 0) throw Poco::Net::NetException("cannot duplicate the socket descriptor");
  WatchSocket(deadline_);
  plain.connect(address, TimeLeft(deadline_));
  plain.setNoDelay(true);
  KeepTimeoutsWithin(plain, deadline_);
  if (endpoint_.scheme != "https") {
    phase_ = "sending the request";
    return plain;
  }
  phase_ = "in the TLS handshake";
  // SNI carries names only (RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted").
  Poco::Net::SecureStreamSocket secure =
      IsIpLiteral(endpoint_.host)
          ? Poco::Net::SecureStreamSocket::attach(plain, tls_)
          : Poco::Net::SecureStreamSocket::attach(plain, endpoint_.host, tls_);
  CheckPeerName(secure, endpoint_.host);
  phase_ = "sending the request";
  return secure;
}

}  // namespace feedbridge::http
