#pragma once

// Internal to http/: one keep-alive HTTP(S) connection to a checked address, whose every step
// (TCP connect, TLS handshake and peer-name check, request, status line, headers, body) is
// bounded by the deadline of the exchange in progress.

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/deadline_watch.h"
#include "http/body_reader.h"

namespace feedbridge::http {

// Where a connection goes: the URL's scheme, host and port, and the address it was resolved and
// checked to. The connection never resolves `host` again.
struct Endpoint {
  std::string scheme;  // "http" or "https".
  std::string host;    // The name (or IP literal) of the URL: SNI and the certificate check.
  uint16_t port = 0;
  Poco::Net::IPAddress address;
};

// Not thread-safe: one exchange at a time (the pool hands a connection to one request).
// `watch` must outlive the connection.
class Connection {
 public:
  // `tls` is the client context for https (unused for http). Connects lazily, on the first
  // request sent through session().
  Connection(Endpoint endpoint, Poco::Net::Context::Ptr tls, DeadlineWatch& watch);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts an exchange that must be over by `deadline`; returns the session to send it on.
  // From here to End(), DeadlineWatch shuts the socket down when the deadline passes.
  Poco::Net::HTTPClientSession& Begin(SteadyTime deadline);
  // What the exchange is doing, for the timeout message ("reading the response headers").
  void SetPhase(std::string_view phase) { phase_ = phase; }
  std::string_view phase() const { return phase_; }
  // Ends the exchange. True if the deadline cut the connection: whatever the session reported
  // since (an error, or a body that ended early) is a timeout, and the connection is dead.
  bool End();

  Poco::Net::HTTPClientSession& session() { return *session_; }

  // For an idle kept-alive connection: open, and nothing to read (the server has neither
  // closed it nor sent anything unasked). One non-blocking peek, no poll set.
  bool LooksReusable() const;

 private:
  class PlainSession;
  class TlsSession;

  // Called by the session when POCO connects: opens the socket, arms the watch on it, connects
  // and, for https, does the TLS handshake and checks the peer's name. Throws POCO exceptions.
  Poco::Net::StreamSocket Open(const Poco::Net::SocketAddress& address);
  // Arms the watch: the socket (watch_fd_) is shut down for reading at `deadline`.
  void WatchSocket(SteadyTime deadline);
  // Sets the socket's send and receive timeouts to the time left when they are far from it.
  void KeepTimeoutsWithin(Poco::Net::StreamSocket& socket, SteadyTime deadline);

  const Endpoint endpoint_;
  Poco::Net::Context::Ptr tls_;
  DeadlineWatch& watch_;
  SteadyTime deadline_;
  uint64_t ticket_ = 0;             // The armed watch, 0 if none.
  int watch_fd_ = -1;               // Our duplicate of the socket's descriptor, for the watch.
  Poco::Timespan applied_timeout_;  // The socket's send and receive timeouts now.
  bool fired_ = false;              // A watch of this exchange cut the socket.
  bool opened_ = false;             // Open() ran once: a connection is never reopened.
  std::string_view phase_;          // Static strings only.
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;  // Declared last: destroyed first.
};

// A pooled connection (ConnectionPool<ConnectionPtr>).
using ConnectionPtr = std::unique_ptr<Connection>;
inline bool LooksReusable(const ConnectionPtr& connection) { return connection->LooksReusable(); }

}  // namespace feedbridge::http
