#pragma once

// A real POCO HTTPServer on 127.0.0.1, port 0, with scripted routes, for tests of anything that
// speaks HTTP (the http client, the poller, web handlers' peers). Loopback only; stopped in the
// destructor.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace feedbridge::testing {

namespace internal {
struct HttpTestServerState;
}

// gzip (RFC 1952) and zlib (RFC 1950, HTTP "deflate") encodings of `data`.
std::string GzipCompress(std::string_view data);
std::string ZlibCompress(std::string_view data);

// Thread-safe; handlers run on the server's threads.
class HttpTestServer {
 public:
  struct Request {
    std::string method;
    std::string path;   // Without the query.
    std::string query;  // After '?', empty if none.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string client_address;  // "127.0.0.1:54321": one per connection.

    // The first header of that name (case-insensitive), or empty.
    std::string Header(std::string_view name) const;
  };

  // What a route answers. Defaults: 200, no headers, empty body, sent with Content-Length.
  class Response {
   public:
    enum class Framing {
      kContentLength,  // Content-Length: body size.
      kChunked,        // Transfer-Encoding: chunked.
      kUntilClose,     // No length; the body ends when the server closes the connection.
    };

    void SetStatus(int status) { status_ = status; }
    // Replaces any header of that name.
    void SetHeader(std::string name, std::string value);
    void SetBody(std::string body) { body_ = std::move(body); }
    // Sends GzipCompress(plain) / ZlibCompress(plain) with the matching Content-Encoding.
    void SetGzipBody(std::string_view plain);
    void SetDeflateBody(std::string_view plain);
    void SetFraming(Framing framing) { framing_ = framing; }
    // Sends the body one byte at a time, `interval` apart (a slow or hostile server).
    void Trickle(std::chrono::milliseconds interval) { trickle_ = interval; }
    // Announces the full Content-Length, sends half the body, then closes the connection.
    void CloseEarly() { close_early_ = true; }
    // Waits this long (or until the server stops) before answering at all.
    void Hang(std::chrono::milliseconds duration) { hang_ = duration; }

   private:
    friend struct internal::HttpTestServerState;
    int status_ = 200;
    std::vector<std::pair<std::string, std::string>> headers_;
    std::string body_;
    Framing framing_ = Framing::kContentLength;
    std::optional<std::chrono::milliseconds> trickle_;
    std::optional<std::chrono::milliseconds> hang_;
    bool close_early_ = false;
  };

  using Handler = std::function<void(const Request&, Response&)>;

  // A server certificate chain and its private key, PEM files (see test_certificates.h).
  struct TlsFiles {
    std::filesystem::path cert_file;
    std::filesystem::path key_file;
  };

  // Starts listening at once. Routes may be added later. Unrouted paths answer 404.
  HttpTestServer();
  // The same, speaking HTTPS (TLS 1.2 or later) with `tls`; Url() gives https:// URLs. The TLS
  // handshake runs on the connection's thread, so a client that gives up on it blocks nothing.
  explicit HttpTestServer(const TlsFiles& tls);
  // Stops the server, aborts open connections and wakes hanging or trickling handlers.
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  // `handler` runs on server threads, possibly concurrently; it must be thread-safe.
  void Route(std::string path, Handler handler);

  uint16_t port() const;
  // "http://127.0.0.1:PORT" + path ("https://..." for a TLS server).
  std::string Url(std::string_view path) const;

  // Requests that reached `path` so far.
  int RequestCount(std::string_view path) const;
  // The last request that reached `path`, if any.
  std::optional<Request> LastRequest(std::string_view path) const;
  // Distinct TCP connections that carried at least one request.
  int ConnectionCount() const;
  // The most requests ever being handled at the same time, over all paths.
  int MaxConcurrentRequests() const;

 private:
  std::unique_ptr<internal::HttpTestServerState> state_;
};

}  // namespace feedbridge::testing
