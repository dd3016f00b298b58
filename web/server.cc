#include "web/server.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>
#include <Poco/Timespan.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "common/log.h"
#include "web/http_errors.h"

namespace feedbridge::web {
namespace {

// Longer URIs are answered 414. Ours are far shorter; a long one is a probe or an attack on
// some parser down the line.
constexpr size_t kMaxUriBytes = 8 << 10;
// Per-recv/send timeout of a connection. Short, so a client that sends half a request line and
// stalls (slowloris) frees its worker after this long. POCO 1.11 has no whole-request deadline.
constexpr long kIoTimeoutSeconds = 10;
// An idle keep-alive connection holds a worker; give it up quickly.
constexpr long kKeepAliveTimeoutSeconds = 5;
// Stop(): how long requests in flight may run on before their connections are aborted.
constexpr auto kStopGrace = std::chrono::seconds(10);
constexpr auto kStopAbortWait = std::chrono::seconds(2);

// Written by the acceptor thread on a connection it refuses because the queue is full.
constexpr std::string_view kBusyResponse =
    "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
    "Connection: close\r\n\r\n";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes the raw path of the request line and refuses what could escape a directory or
// confuse a later layer (path traversal): "." and ".." segments, NUL, '\', and an encoded '/'
// ("/a%2fb" would otherwise become a segment boundary after routing decisions were made).
Result<std::string> DecodePath(std::string_view raw) {
  if (raw.empty() || raw.front() != '/') {
    return Status::InvalidArgument("web: request path must start with '/'");
  }
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      if (i + 2 >= raw.size() || HexValue(raw[i + 1]) < 0 || HexValue(raw[i + 2]) < 0) {
        return Status::InvalidArgument("web: bad percent-encoding in path");
      }
      c = static_cast<char>(HexValue(raw[i + 1]) * 16 + HexValue(raw[i + 2]));
      i += 2;
      if (c == '/') return Status::InvalidArgument("web: encoded '/' in path");
    }
    if (c == '\0' || c == '\\') return Status::InvalidArgument("web: NUL or '\\' in path");
    out.push_back(c);
  }
  std::string_view rest = out;
  while (!rest.empty()) {
    rest.remove_prefix(1);  // The '/'.
    const size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment == "." || segment == "..") {
      return Status::InvalidArgument("web: dot segment in path");
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash);
  }
  return out;
}

// The raw path for the access log: bounded, control bytes replaced (log injection).
std::string LoggablePath(std::string_view uri) {
  std::string_view path = uri.substr(0, uri.find('?'));
  std::string out(path.substr(0, 256));
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '"') c = '?';
  }
  if (path.size() > 256) out += "...";
  return out;
}

}  // namespace

struct WebServerState {
  WebServerState(const config::ServerOptions& o, const Router& r, Poco::Logger& a, ErrorPages* p)
      : options(o), router(r), access_log(a), pages(p), log(ModuleLogger("web")) {}

  const config::ServerOptions options;
  const Router& router;
  Poco::Logger& access_log;
  ErrorPages* pages;  // Optional; not owned.
  Poco::Logger& log;
  std::atomic<bool> stopping{false};  // Set by Stop(): answers then close their connection.

  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<Poco::Net::HTTPServer> server;  // Uses `pool`; destroyed first.
  Poco::Net::ServerSocket listener;  // Shares the server's socket, to close it in Stop().
  uint16_t port = 0;

  std::mutex stop_mu;
  bool stopped = false;  // Guarded by stop_mu.

  WebResponse ErrorResponse(int status, const Status& cause) const;
};

WebResponse WebServerState::ErrorResponse(int status, const Status& cause) const {
  WebResponse response;
  bool rendered = false;
  if (pages != nullptr) {
    try {
      response = pages->Render(status, cause);
      rendered = true;
    } catch (const std::exception& e) {
      log.error(std::string("web: error page for ") + std::to_string(status) +
                " threw: " + e.what());
    }
  }
  if (!rendered) {
    response = WebResponse();
    response.content_type = "text/plain; charset=utf-8";
    response.body = std::to_string(status) + " " + ReasonPhrase(status) + "\n";
  }
  response.status = status;
  return response;
}

namespace {

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

class RequestHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit RequestHandler(const WebServerState& state) : state_(state) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    const auto start = std::chrono::steady_clock::now();
    WebRequest web_request;
    web_request.method = request.getMethod();
    web_request.remote_address = request.clientAddress().toString();
    bool close = false;
    WebResponse answer;
    try {
      answer = Answer(request, web_request, close);
    } catch (const std::exception& e) {
      state_.log.error("web: " + web_request.method + " " + LoggablePath(request.getURI()) +
                       ": handler threw: " + e.what());
      answer = state_.ErrorResponse(500, Status::Internal("web: handler threw"));
    } catch (...) {  // The top of a worker thread (STYLE.md §6.3): log and answer 500.
      state_.log.error("web: " + web_request.method + " " + LoggablePath(request.getURI()) +
                       ": handler threw a non-standard exception");
      answer = state_.ErrorResponse(500, Status::Internal("web: handler threw"));
    }
    const bool head = web_request.method == "HEAD";
    size_t sent = 0;
    try {
      Write(answer, head, close || state_.stopping.load(), response);
      sent = head ? 0 : answer.body.size();
    } catch (const Poco::Exception& e) {
      state_.log.debug("web: writing the response failed: " + e.displayText());
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    state_.access_log.information(web_request.remote_address + " " + web_request.method + " " +
                                  LoggablePath(request.getURI()) + " " +
                                  std::to_string(answer.status) + " " + std::to_string(sent) + " " +
                                  std::to_string(ms) + "ms");
  }

 private:
  WebResponse Answer(Poco::Net::HTTPServerRequest& request, WebRequest& out, bool& close) {
    const std::string& uri = request.getURI();
    if (uri.size() > kMaxUriBytes) {
      close = true;
      return state_.ErrorResponse(414, Status::InvalidArgument("web: URI over 8 KiB"));
    }
    size_t header_bytes = 0;
    for (const auto& [name, value] : request) header_bytes += name.size() + value.size() + 4;
    if (header_bytes > state_.options.max_header_bytes) {
      close = true;
      return state_.ErrorResponse(431, Status::ResourceExhausted("web: header block too large"));
    }

    const size_t q = uri.find('?');
    Result<std::string> path = DecodePath(std::string_view(uri).substr(0, q));
    if (!path.ok()) {
      close = true;
      return state_.ErrorResponse(400, path.status());
    }
    out.path = std::move(path).value();
    if (q != std::string::npos) out.query = uri.substr(q + 1);
    for (const auto& [name, value] : request) out.headers.emplace_back(name, value);

    Status body = ReadBody(request, out.body);
    if (!body.ok()) {
      // The rest of the body is unread: the connection cannot carry another request.
      close = true;
      return state_.ErrorResponse(HttpStatusFor(body.code()), body);
    }

    const Router::Match match = state_.router.Find(out.method, out.path);
    if (match.handler == nullptr) {
      if (match.allowed.empty()) {
        return state_.ErrorResponse(404, Status::NotFound("web: no route for " + out.path));
      }
      WebResponse r = state_.ErrorResponse(
          405, Status::InvalidArgument("web: " + out.method + " not allowed on " + out.path));
      std::string allow;
      for (const std::string& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
      r.SetHeader("Allow", std::move(allow));
      return r;
    }
    Result<WebResponse> result = (*match.handler)(out, match.params);
    if (result.ok()) return std::move(result).value();
    const int status = HttpStatusFor(result.status().code());
    if (status >= 500) {
      state_.log.error("web: " + out.method + " " + out.path + ": " + result.status().ToString());
    }
    return state_.ErrorResponse(status, result.status());
  }

  // Reads the body up to max_body_bytes. A declared Content-Length over the cap is refused
  // before a byte is read; a chunked body is counted as it arrives (memory exhaustion).
  Status ReadBody(Poco::Net::HTTPServerRequest& request, std::string& body) {
    const size_t max = state_.options.max_body_bytes;
    std::istream& in = request.stream();
    try {
      if (request.getChunkedTransferEncoding()) {
        char buf[8192];
        while (in) {
          in.read(buf, sizeof buf);
          const auto got = static_cast<size_t>(in.gcount());
          if (body.size() + got > max) {
            return Status::ResourceExhausted("web: request body over the cap");
          }
          body.append(buf, got);
        }
        return Status::Ok();
      }
      if (!request.hasContentLength()) return Status::Ok();  // No body (RFC 9112 §6.3).
      const Poco::Int64 length = request.getContentLength64();
      if (length < 0) return Status::InvalidArgument("web: bad Content-Length");
      if (static_cast<Poco::UInt64>(length) > max) {
        return Status::ResourceExhausted("web: Content-Length over the cap");
      }
      body.resize(static_cast<size_t>(length));
      in.read(body.data(), static_cast<std::streamsize>(length));
      if (in.gcount() != static_cast<std::streamsize>(length)) {
        return Status::InvalidArgument("web: request body shorter than Content-Length");
      }
    } catch (const Poco::TimeoutException&) {
      return Status::InvalidArgument("web: timed out reading the request body");
    } catch (const Poco::Exception& e) {
      return Status::InvalidArgument("web: reading the request body: " + e.displayText());
    }
    return Status::Ok();
  }

  static void Write(const WebResponse& answer, bool head, bool close,
                    Poco::Net::HTTPServerResponse& response) {
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status),
                                ReasonPhrase(answer.status));
    if (!answer.content_type.empty()) response.setContentType(answer.content_type);
    for (const auto& [name, value] : answer.headers) response.add(name, value);
    response.setDate(Poco::Timestamp());
    response.setContentLength64(static_cast<Poco::Int64>(answer.body.size()));
    if (close) response.setKeepAlive(false);
    std::ostream& out = response.send();  // For HEAD, POCO's stream writes the header only.
    if (!head) out.write(answer.body.data(), static_cast<std::streamsize>(answer.body.size()));
    out.flush();
  }

  const WebServerState& state_;
};

// POCO deletes the factory (HTTPServer owns it) and each handler (after its request).
class HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit HandlerFactory(const WebServerState& state) : state_(state) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new RequestHandler(state_);
  }

 private:
  const WebServerState& state_;
};

}  // namespace

Result<std::unique_ptr<WebServer>> WebServer::Start(const config::ServerOptions& options,
                                                    const Router& router, Poco::Logger& access_log,
                                                    ErrorPages* pages) {
  if (options.workers < 1 || options.max_queued < 1) {
    return Status::InvalidArgument("web: workers and max_queued must be at least 1");
  }
  auto state = std::make_unique<WebServerState>(options, router, access_log, pages);
  Poco::Net::SocketAddress address;
  try {
    address = Poco::Net::SocketAddress(options.listen);
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument("web: listen '" + options.listen + "': " + e.displayText());
  }
  try {
    Poco::Net::ServerSocket socket(address, 128);
    state->port = socket.address().port();
    state->listener = socket;

    // Owned by the HTTPServer (AutoPtr) from here.
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(options.workers);
    params->setMaxQueued(options.max_queued);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(kKeepAliveTimeoutSeconds, 0));
    params->setMaxKeepAliveRequests(100);
    params->setTimeout(Poco::Timespan(kIoTimeoutSeconds, 0));
    params->setServerName("feedbridge");

    // The dispatcher starts up to `workers` threads from this pool; a smaller pool would make
    // it refuse connections silently.
    state->pool = std::make_unique<Poco::ThreadPool>(1, options.workers);
    state->server = std::make_unique<Poco::Net::HTTPServer>(new HandlerFactory(*state),
                                                            *state->pool, socket, params);
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
  state_->stopping = true;  // Answers from now on close their connection.
  // Stops the acceptor; queued connections are dropped, connections being served go on.
  state_->server->stop();
  // TCPServer::stop() leaves the socket listening: the kernel would still complete handshakes
  // nobody serves. Closing it refuses new clients at once.
  try {
    state_->listener.close();
  } catch (const Poco::Exception&) {
  }

  auto wait_idle = [&](auto bound) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (state_->pool->used() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return state_->pool->used() == 0;
  };
  if (wait_idle(kStopGrace)) return;
  state_->log.warning("web: requests still running after the grace period; aborting them");
  state_->server->stopAll(true);  // Shuts the connections' sockets down.
  if (!wait_idle(kStopAbortWait)) {
    state_->log.error("web: a request handler did not return after Stop()");
  }
}

}  // namespace feedbridge::web
