#include "tests/support/http_test_server.h"

#include <Poco/DeflatingStream.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>

namespace feedbridge::testing {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string Compress(std::string_view data, Poco::DeflatingStreamBuf::StreamType type) {
  std::ostringstream out;
  Poco::DeflatingOutputStream deflater(out, type, 9);
  deflater.write(data.data(), static_cast<std::streamsize>(data.size()));
  deflater.close();
  return out.str();
}

}  // namespace

std::string GzipCompress(std::string_view data) {
  return Compress(data, Poco::DeflatingStreamBuf::STREAM_GZIP);
}

std::string ZlibCompress(std::string_view data) {
  return Compress(data, Poco::DeflatingStreamBuf::STREAM_ZLIB);
}

std::string HttpTestServer::Request::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return {};
}

void HttpTestServer::Response::SetHeader(std::string name, std::string value) {
  std::erase_if(headers_, [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
  headers_.emplace_back(std::move(name), std::move(value));
}

void HttpTestServer::Response::SetGzipBody(std::string_view plain) {
  SetHeader("Content-Encoding", "gzip");
  body_ = GzipCompress(plain);
}

void HttpTestServer::Response::SetDeflateBody(std::string_view plain) {
  SetHeader("Content-Encoding", "deflate");
  body_ = ZlibCompress(plain);
}

namespace internal {

struct HttpTestServerState {
  using Request = HttpTestServer::Request;
  using Response = HttpTestServer::Response;

  // Sleeps for `d` unless the server stops first. False if it stopped.
  bool SleepFor(std::chrono::milliseconds d) {
    std::unique_lock lock(mu);
    return !stop_cv.wait_for(lock, d, [&] { return stopping; });
  }

  void Handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
    Request r;
    r.method = req.getMethod();
    const Poco::URI uri(req.getURI());
    r.path = uri.getPath();
    r.query = uri.getRawQuery();
    for (const auto& [name, value] : req) r.headers.emplace_back(name, value);
    Poco::StreamCopier::copyToString(req.stream(), r.body);
    r.client_address = req.clientAddress().toString();

    HttpTestServer::Handler handler;
    {
      std::lock_guard lock(mu);
      ++counts[r.path];
      last[r.path] = r;
      connections.insert(r.client_address);
      max_in_flight = std::max(max_in_flight, ++in_flight);
      if (auto it = routes.find(r.path); it != routes.end()) handler = it->second;
    }
    struct InFlight {
      HttpTestServerState& s;
      ~InFlight() {
        std::lock_guard lock(s.mu);
        --s.in_flight;
      }
    } in_flight_guard{*this};
    Response out;
    if (handler) {
      handler(r, out);
    } else {
      out.SetStatus(404);
    }
    Send(req, resp, out);
  }

  void Send(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp,
            const Response& out) {
    if (out.hang_ && !SleepFor(*out.hang_)) return;
    resp.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(out.status_));
    for (const auto& [name, value] : out.headers_) resp.set(name, value);
    switch (out.framing_) {
      case Response::Framing::kContentLength:
        resp.setContentLength64(static_cast<Poco::Int64>(out.body_.size()));
        break;
      case Response::Framing::kChunked:
        resp.setChunkedTransferEncoding(true);
        break;
      case Response::Framing::kUntilClose:
        resp.setKeepAlive(false);
        break;
    }
    std::ostream& body = resp.send();
    if (out.close_early_) {
      body.write(out.body_.data(), static_cast<std::streamsize>(out.body_.size() / 2));
      body.flush();
      dynamic_cast<Poco::Net::HTTPServerRequestImpl&>(req).socket().shutdown();
      return;
    }
    if (out.trickle_) {
      for (char c : out.body_) {
        body.put(c);
        body.flush();
        if (!body || !SleepFor(*out.trickle_)) return;
      }
      return;
    }
    body.write(out.body_.data(), static_cast<std::streamsize>(out.body_.size()));
  }

  std::mutex mu;
  std::condition_variable stop_cv;
  bool stopping = false;                                               // Guarded by mu.
  std::map<std::string, HttpTestServer::Handler, std::less<>> routes;  // Guarded by mu.
  std::map<std::string, int, std::less<>> counts;                      // Guarded by mu.
  std::map<std::string, Request, std::less<>> last;                    // Guarded by mu.
  std::set<std::string> connections;                                   // Guarded by mu.
  int in_flight = 0;                                                   // Guarded by mu.
  int max_in_flight = 0;                                               // Guarded by mu.

  uint16_t port = 0;
  bool tls = false;  // Set before start; then read only.
  Poco::ThreadPool threads{2, 32};
  std::unique_ptr<Poco::Net::HTTPServer> server;  // Declared after `threads`: destroyed first.
};

}  // namespace internal

namespace {

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(internal::HttpTestServerState& state) : state_(state) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& resp) override {
    try {
      state_.Handle(req, resp);
    } catch (const Poco::Exception& e) {
      // The client went away mid-answer: expected in fault tests.
      std::clog << "HttpTestServer: " << e.displayText() << "\n";
    } catch (const std::exception& e) {
      std::clog << "HttpTestServer: handler failed: " << e.what() << "\n";
    }
  }

 private:
  internal::HttpTestServerState& state_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(internal::HttpTestServerState& state) : state_(state) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(state_);  // Deleted by Poco's HTTPServerConnection after the request.
  }

 private:
  internal::HttpTestServerState& state_;
};

// Starts `state`'s server on `socket` (plain or TLS).
void Serve(internal::HttpTestServerState& state, const Poco::Net::ServerSocket& socket) {
  // Owned by the HTTPServer (reference-counted Poco::AutoPtr).
  auto* params = new Poco::Net::HTTPServerParams;
  params->setKeepAlive(true);
  params->setMaxKeepAliveRequests(1000);
  params->setKeepAliveTimeout(Poco::Timespan(10, 0));
  params->setTimeout(Poco::Timespan(10, 0));
  params->setMaxThreads(30);
  params->setMaxQueued(100);
  state.port = socket.address().port();
  // The factory is owned by the HTTPServer (Poco::SharedPtr).
  state.server =
      std::make_unique<Poco::Net::HTTPServer>(new Factory(state), state.threads, socket, params);
  state.server->start();
}

}  // namespace

HttpTestServer::HttpTestServer() : state_(std::make_unique<internal::HttpTestServerState>()) {
  Serve(*state_, Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0)));
}

HttpTestServer::HttpTestServer(const TlsFiles& tls)
    : state_(std::make_unique<internal::HttpTestServerState>()) {
  Poco::Net::initializeSSL();  // Reference-counted; undone in the destructor.
  state_->tls = true;
  // No client certificates (VERIFY_NONE); TLS 1.2 and later only, as PocoHttpClient requires.
  Poco::Net::Context::Ptr context = new Poco::Net::Context(
      Poco::Net::Context::TLS_SERVER_USE, tls.key_file.string(), tls.cert_file.string(), "",
      Poco::Net::Context::VERIFY_NONE, 9, false, "HIGH:!aNULL:!eNULL:!MD5:!RC4:@STRENGTH");
  context->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                            Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
  Serve(*state_,
        Poco::Net::SecureServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, context));
}

HttpTestServer::~HttpTestServer() {
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
  }
  state_->stop_cv.notify_all();
  state_->server->stopAll(true);
  state_->threads.joinAll();
  state_->server.reset();
  if (state_->tls) Poco::Net::uninitializeSSL();
}

void HttpTestServer::Route(std::string path, Handler handler) {
  std::lock_guard lock(state_->mu);
  state_->routes[std::move(path)] = std::move(handler);
}

uint16_t HttpTestServer::port() const { return state_->port; }

std::string HttpTestServer::Url(std::string_view path) const {
  return std::string(state_->tls ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(state_->port) + std::string(path);
}

int HttpTestServer::RequestCount(std::string_view path) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->counts.find(path);
  return it == state_->counts.end() ? 0 : it->second;
}

std::optional<HttpTestServer::Request> HttpTestServer::LastRequest(std::string_view path) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->last.find(path);
  if (it == state_->last.end()) return std::nullopt;
  return it->second;
}

int HttpTestServer::ConnectionCount() const {
  std::lock_guard lock(state_->mu);
  return static_cast<int>(state_->connections.size());
}

int HttpTestServer::MaxConcurrentRequests() const {
  std::lock_guard lock(state_->mu);
  return state_->max_in_flight;
}

}  // namespace feedbridge::testing
