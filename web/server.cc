#include "web/server.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>
#include <Poco/Timespan.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "web/connection.h"

namespace feedbridge::web {
namespace {

// Stop(): how long requests in flight may run on before their connections are aborted.
constexpr auto kStopGrace = std::chrono::seconds(10);
constexpr auto kStopAbortWait = std::chrono::seconds(2);

// Written by the acceptor thread on a connection it refuses because the queue is full.
constexpr std::string_view kBusyResponse =
    "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
    "Connection: close\r\n\r\n";

// Refuses connections when POCO's queue is full, with a 503 the client can act on, instead of
// TCPServerDispatcher's silent close. Runs on the acceptor thread, the only one that enqueues,
// so the queue cannot grow between this check and the enqueue.
class BusyFilter : public Poco::Net::TCPServerConnectionFilter {
 public:
  BusyFilter(const Poco::Net::TCPServer& server, int max_queued)
      : server_(server), max_queued_(max_queued) {}

  bool accept(const Poco::Net::StreamSocket& socket) override {
    if (server_.queuedConnections() < max_queued_) return true;
    try {
      Poco::Net::StreamSocket s(socket);  // Shares the connection; closed by POCO on return.
      s.setSendTimeout(Poco::Timespan(1, 0));
      s.sendBytes(kBusyResponse.data(), static_cast<int>(kBusyResponse.size()));
      s.shutdownSend();
      // Read what the client already sent: closing with unread bytes sends RST, which can
      // destroy the 503 before the client reads it. Never blocks: only what is available.
      char buf[4096];
      int budget = 64 << 10;
      for (int n = s.available(); n > 0 && budget > 0; n = s.available()) {
        const int got = s.receiveBytes(buf, std::min(n, static_cast<int>(sizeof buf)));
        if (got <= 0) break;
        budget -= got;
      }
    } catch (const Poco::Exception&) {
      // The client is gone already; nothing to answer.
    }
    return false;
  }

 private:
  const Poco::Net::TCPServer& server_;
  const int max_queued_;
};

}  // namespace

struct WebServerState {
  WebServerState(const config::ServerOptions& o, const Router& r, Poco::Logger& a, ErrorPages* p)
      : context(o, r, a, p) {}

  ServerContext context;
  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<Poco::Net::TCPServer> server;  // Uses `pool` and `context`; destroyed first.
  Poco::Net::ServerSocket listener;  // Shares the server's socket, to close it in Stop().
  uint16_t port = 0;

  std::mutex stop_mu;
  bool stopped = false;  // Guarded by stop_mu.
};

Result<std::unique_ptr<WebServer>> WebServer::Start(const config::ServerOptions& options,
                                                    const Router& router, Poco::Logger& access_log,
                                                    ErrorPages* pages) {
  if (options.workers < 1 || options.max_queued < 1) {
    return Status::InvalidArgument("web: workers and max_queued must be at least 1");
  }
  if (options.request_timeout.count() < 1) {
    return Status::InvalidArgument("web: request_timeout must be at least 1 s");
  }
  Poco::Net::SocketAddress address;
  try {
    address = Poco::Net::SocketAddress(options.listen);
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument("web: listen '" + options.listen + "': " + e.displayText());
  }
  auto state = std::make_unique<WebServerState>(options, router, access_log, pages);
  try {
    Poco::Net::ServerSocket socket(address, 128);
    state->port = socket.address().port();
    state->listener = socket;
    // The dispatcher starts up to `workers` threads from this pool; a smaller pool would make
    // it refuse connections silently.
    state->pool = std::make_unique<Poco::ThreadPool>(1, options.workers);
    // The factory is owned by the server (AutoPtr); `params` is shared (reference-counted).
    state->server = std::make_unique<Poco::Net::TCPServer>(
        new ConnectionFactory(state->context), *state->pool, socket, state->context.params);
    // Owned by the server (AutoPtr).
    state->server->setConnectionFilter(new BusyFilter(*state->server, options.max_queued));
    state->server->start();
  } catch (const Poco::Exception& e) {
    return Status::Unavailable("web: listen " + options.listen + ": " + e.displayText());
  }
  return std::unique_ptr<WebServer>(new WebServer(std::move(state)));
}

WebServer::WebServer(std::unique_ptr<WebServerState> state) : state_(std::move(state)) {}

WebServer::~WebServer() { Stop(); }

uint16_t WebServer::port() const { return state_->port; }

void WebServer::Stop() {
  std::lock_guard<std::mutex> lock(state_->stop_mu);
  if (state_->stopped) return;
  state_->stopped = true;
  ServerContext& context = state_->context;
  context.stopping = true;  // Answers from now on close their connection.
  // Stops the acceptor; queued connections are dropped, connections being served go on.
  state_->server->stop();
  // TCPServer::stop() leaves the socket listening: the kernel would still complete handshakes
  // nobody serves. Closing it refuses new clients at once.
  try {
    state_->listener.close();
  } catch (const Poco::Exception&) {
  }
  // Connections waiting for a next request (keep-alive) would hold on for their idle timeout.
  context.registry.ShutdownIdle();

  auto wait_idle = [&](auto bound) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (state_->pool->used() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      context.registry.ShutdownIdle();  // A connection that went idle since.
    }
    return state_->pool->used() == 0;
  };
  if (wait_idle(kStopGrace)) return;
  context.log.warning("web: requests still running after the grace period; aborting them");
  context.registry.ShutdownAll();
  if (!wait_idle(kStopAbortWait)) {
    context.log.error("web: a request handler did not return after Stop()");
  }
}

}  // namespace feedbridge::web
