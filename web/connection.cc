#include "web/connection.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPChunkedStream.h>
#include <Poco/Net/HTTPFixedLengthStream.h>
#include <Poco/Net/HTTPHeaderStream.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Timespan.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "common/log.h"
#include "web/http_errors.h"

namespace feedbridge::web {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Longer URIs are answered 414. Ours are far shorter; a long one is a probe or an attack on
// some parser down the line.
constexpr size_t kMaxUriBytes = 8 << 10;
// Per-recv timeout of a connection, which is also how long a keep-alive connection may sit idle
// (it holds a worker) and how long a new one may take to send its first byte. A client silent
// that long while sending its request is dropped; a whole request is bounded by
// options.request_timeout (ConnectionRegistry).
constexpr long kReadTimeoutSeconds = 5;
// Per-send timeout: a client that does not read its answer frees its worker after this long.
constexpr long kSendTimeoutSeconds = 10;
constexpr int kMaxKeepAliveRequests = 100;
// Bodies up to this size are copied behind the head and sent with it in one send().
constexpr size_t kCoalesceBytes = 16 << 10;

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
void AppendLoggablePath(std::string_view uri, std::string& out) {
  const std::string_view path = uri.substr(0, uri.find('?'));
  const size_t start = out.size();
  out.append(path.substr(0, 256));
  for (size_t i = start; i < out.size(); ++i) {
    const auto u = static_cast<unsigned char>(out[i]);
    if (u < 0x20 || u == 0x7f || out[i] == '"') out[i] = '?';
  }
  if (path.size() > 256) out += "...";
}

// The Date header value, formatted once a second per worker thread.
std::string_view HttpDate() {
  thread_local Poco::Timestamp::TimeVal second = -1;
  thread_local std::string text;
  const Poco::Timestamp now;
  const Poco::Timestamp::TimeVal s = now.epochMicroseconds() / Poco::Timestamp::resolution();
  if (s != second) {
    text = Poco::DateTimeFormatter::format(now, Poco::DateTimeFormat::HTTP_FORMAT);
    second = s;
  }
  return text;
}

// The cause shown with an answer to a request POCO's parser refused (see StatusForParseFailure).
Status ParseFailureCause(int status) {
  switch (status) {
    case 408:
      return Status::DeadlineExceeded("web: request not received within request_timeout");
    case 414:
      return Status::InvalidArgument("web: request line over 16 KiB");
    case 431:
      return Status::ResourceExhausted(
          "web: header field over 8 KiB, name over 256 bytes, or more than 100 fields");
    default:
      return Status::InvalidArgument("web: malformed request");
  }
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Status line and header block. RFC 9110 §8.6: no Content-Length on 1xx, 204 and 304 (a 304's
// would have to be the length of the 200 it stands for).
std::string Head(const WebResponse& answer, bool http10, bool keep_alive, size_t length,
                 Poco::Logger& log) {
  std::string out;
  out.reserve(256 + answer.content_type.size());
  out.append(http10 ? "HTTP/1.0 " : "HTTP/1.1 ").append(std::to_string(answer.status));
  out.append(" ").append(ReasonPhrase(answer.status)).append("\r\nDate: ").append(HttpDate());
  out.append(keep_alive ? "\r\nConnection: Keep-Alive\r\n" : "\r\nConnection: Close\r\n");
  if (!answer.content_type.empty()) {
    out.append("Content-Type: ").append(answer.content_type).append("\r\n");
  }
  for (const auto& [name, value] : answer.headers) {
    if (HasLineBreak(name) || HasLineBreak(value)) {
      // A handler put a line break into a header (response splitting): drop the header.
      log.error("web: header '" + name.substr(0, 64) + "' with a line break dropped");
      continue;
    }
    out.append(name).append(": ").append(value).append("\r\n");
  }
  const bool bodyless = answer.status < 200 || answer.status == 204 || answer.status == 304;
  if (!bodyless) out.append("Content-Length: ").append(std::to_string(length)).append("\r\n");
  out.append("\r\n");
  return out;
}

// POCO's server session (its read buffer and receive timeout), used without
// HTTPServerSession::hasMoreRequests(), which polls through a new epoll instance per call
// (epoll_create, epoll_ctl, epoll_wait, close: four system calls a request), and without
// HTTPServerRequestImpl, which asks the kernel for both addresses (two more) for every request.
class Session : public Poco::Net::HTTPServerSession {
 public:
  using Poco::Net::HTTPServerSession::HTTPServerSession;
  using Poco::Net::HTTPServerSession::peek;
};

// Blocks until the next request's first byte is there (a single recv, bounded by the receive
// timeout; at once if it was read ahead). False on end of stream (the client closed, or Stop()
// shut the socket), idle timeout or error: the connection is done.
bool NextRequestStarted(Session& session) {
  try {
    return session.peek() != std::char_traits<char>::eof();
  } catch (const Poco::Exception&) {
    return false;
  }
}

// The status for a request whose line or headers could not be read: 408 when time ran out (the
// deadline cut it, or a read timed out), else from POCO's parse failure; 0 when the connection
// failed (reset): there is nobody to answer.
int StatusForUnreadRequest(const Session& session, const ConnectionRegistry::Slot& slot,
                           const Poco::Exception& failure) {
  if (slot.timed_out()) return 408;
  if (const Poco::Exception* io = session.networkException(); io != nullptr) {
    return dynamic_cast<const Poco::TimeoutException*>(io) != nullptr ? 408 : 0;
  }
  if (dynamic_cast<const Poco::TimeoutException*>(&failure) != nullptr) return 408;
  if (dynamic_cast<const Poco::Net::MessageException*>(&failure) == nullptr) return 0;
  return StatusForParseFailure(failure.message());
}

class Connection : public Poco::Net::TCPServerConnection {
 public:
  Connection(const Poco::Net::StreamSocket& socket, ServerContext& context)
      : Poco::Net::TCPServerConnection(socket), context_(context) {}

  void run() override {
    try {
      Serve();
    } catch (const Poco::Exception& e) {
      context_.log.debug("web: connection ended: " + e.displayText());
    }
  }

 private:
  using Slot = ConnectionRegistry::Slot;

  void Serve() {
    Poco::Net::StreamSocket& socket = this->socket();
    // Answers are written whole: no reason to hold their last segment back for an ACK.
    socket.setNoDelay(true);
    // POCO's server session sets the receive timeout only: a client that never reads its answer
    // would block a worker in send() for ever.
    socket.setSendTimeout(Poco::Timespan(kSendTimeoutSeconds, 0));
    remote_ = socket.peerAddress().toString();
    Session session(socket, context_.params);  // Sets the receive timeout.
    // Destroyed before `session`, which closes the socket: the watchdog never sees a closed fd.
    Slot slot(context_.registry, socket.impl()->sockfd());
    const auto timeout = context_.options.request_timeout;
    // The first request's clock starts at accept: a client that connects and sends nothing, or
    // sends slowly, is bounded the same way.
    slot.Arm(SteadyClock::now() + timeout);
    for (int served = 0; !context_.stopping.load(); ++served) {
      if (served > 0) slot.Idle();
      if (!NextRequestStarted(session) || context_.stopping.load()) break;
      if (served > 0) slot.Arm(SteadyClock::now() + timeout);
      if (!ServeOne(session, slot, served + 1 < kMaxKeepAliveRequests)) break;
    }
  }

  // Reads, answers and logs one request. False when the connection is to close.
  // `may_keep_alive`: the connection may carry another request after this one.
  bool ServeOne(Session& session, Slot& slot, bool may_keep_alive) {
    const auto start = SteadyClock::now();
    Poco::Net::HTTPRequest req;
    int refused = 0;
    try {
      Poco::Net::HTTPHeaderInputStream head(session);
      req.read(head);
    } catch (const Poco::Net::NoMessageException&) {
      return false;  // Closed between requests (or woken by Stop()).
    } catch (const Poco::Exception& e) {
      refused = StatusForUnreadRequest(session, slot, e);
      if (refused == 0) return false;
    }
    slot.Busy();
    if (refused != 0) {
      if (context_.stopping.load()) return false;
      const WebResponse answer = context_.ErrorResponse(refused, ParseFailureCause(refused));
      Finish(answer, false, false, false);
      Log("-", "-", answer.status, 0, start);
      return false;
    }

    WebRequest web_request;
    web_request.method = req.getMethod();
    web_request.remote_address = remote_;
    bool close = false;
    WebResponse answer;
    try {
      std::optional<WebResponse> refusal = Admit(req, session, slot, web_request, close);
      slot.Busy();
      answer = refusal ? std::move(*refusal) : Dispatch(web_request);
    } catch (const std::exception& e) {
      context_.log.error("web: " + web_request.method + " " + web_request.path +
                         ": handler threw: " + e.what());
      answer = context_.ErrorResponse(500, Status::Internal("web: handler threw"));
      close = true;  // Whatever threw may have left the body half read.
    } catch (...) {  // The top of a worker thread (STYLE.md §6.3): log and answer 500.
      context_.log.error("web: " + web_request.method + " " + web_request.path +
                         ": handler threw a non-standard exception");
      answer = context_.ErrorResponse(500, Status::Internal("web: handler threw"));
      close = true;
    }
    slot.Busy();
    const bool head = web_request.method == "HEAD";
    const bool keep_alive =
        may_keep_alive && !close && !context_.stopping.load() && req.getKeepAlive();
    const bool http10 = req.getVersion() == Poco::Net::HTTPMessage::HTTP_1_0;
    const bool sent = Finish(answer, head, keep_alive, http10);
    Log(web_request.method, req.getURI(), answer.status, sent && !head ? answer.Body().size() : 0,
        start);
    return sent && keep_alive;
  }

  // The checks made before any handler runs, and the body read (still under the deadline).
  // A refusal to answer instead of routing, or nothing.
  std::optional<WebResponse> Admit(const Poco::Net::HTTPRequest& request, Session& session,
                                   Slot& slot, WebRequest& out, bool& close) {
    const std::string& uri = request.getURI();
    if (uri.size() > kMaxUriBytes) {
      close = true;
      return context_.ErrorResponse(414, Status::InvalidArgument("web: URI over 8 KiB"));
    }
    size_t header_bytes = 0;
    for (const auto& [name, value] : request) header_bytes += name.size() + value.size() + 4;
    if (header_bytes > context_.options.max_header_bytes) {
      close = true;
      return context_.ErrorResponse(431, Status::ResourceExhausted("web: header block too large"));
    }

    const size_t q = uri.find('?');
    Result<std::string> path = DecodePath(std::string_view(uri).substr(0, q));
    if (!path.ok()) {
      close = true;
      return context_.ErrorResponse(400, path.status());
    }
    out.path = std::move(path).value();
    if (q != std::string::npos) out.query = uri.substr(q + 1);
    out.headers.reserve(request.size());
    for (const auto& [name, value] : request) out.headers.emplace_back(name, value);

    Status body = ReadBody(request, session, out.body);
    if (!body.ok()) {
      // The rest of the body is unread: the connection cannot carry another request.
      close = true;
      if (slot.timed_out()) {
        return context_.ErrorResponse(
            408, Status::DeadlineExceeded("web: request not received within request_timeout"));
      }
      return context_.ErrorResponse(HttpStatusFor(body.code()), body);
    }
    return std::nullopt;
  }

  // Reads the body up to max_body_bytes. A declared Content-Length over the cap is refused
  // before a byte is read; a chunked body is counted as it arrives (memory exhaustion).
  Status ReadBody(const Poco::Net::HTTPRequest& request, Session& session, std::string& body) {
    const size_t max = context_.options.max_body_bytes;
    try {
      const bool chunked = request.getChunkedTransferEncoding();
      if (!chunked && !request.hasContentLength()) return Status::Ok();  // RFC 9112 §6.3.
      const Poco::Int64 length = chunked ? 0 : request.getContentLength64();
      if (length < 0) return Status::InvalidArgument("web: bad Content-Length");
      if (static_cast<Poco::UInt64>(length) > max) {
        return Status::ResourceExhausted("web: Content-Length over the cap");
      }
      // RFC 9110 §10.1.1: the client waits for this before sending the body.
      if (request.getExpectContinue()) {
        const std::string go_on = request.getVersion() + " 100 Continue\r\n\r\n";
        session.socket().sendBytes(go_on.data(), static_cast<int>(go_on.size()));
      }
      if (chunked) {
        Poco::Net::HTTPChunkedInputStream in(session);
        char buf[8192];
        while (in) {
          in.read(buf, sizeof buf);
          const auto got = static_cast<size_t>(in.gcount());
          if (body.size() + got > max) {
            return Status::ResourceExhausted("web: request body over the cap");
          }
          body.append(buf, got);
        }
        if (in.bad())
          return Status::InvalidArgument("web: reading the chunked request body failed");
        return Status::Ok();
      }
      Poco::Net::HTTPFixedLengthInputStream in(session, length);
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

  WebResponse Dispatch(WebRequest& request) {
    const Router::Match match = context_.router.Find(request.method, request.path);
    if (match.handler == nullptr) {
      if (match.allowed.empty()) {
        return context_.ErrorResponse(404, Status::NotFound("web: no route for " + request.path));
      }
      WebResponse r = context_.ErrorResponse(
          405,
          Status::InvalidArgument("web: " + request.method + " not allowed on " + request.path));
      std::string allow;
      for (const std::string& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
      r.SetHeader("Allow", std::move(allow));
      return r;
    }
    Result<WebResponse> result = (*match.handler)(request, match.params);
    if (result.ok()) return std::move(result).value();
    const int status = HttpStatusFor(result.status().code());
    if (status >= 500) {
      context_.log.error("web: " + request.method + " " + request.path + ": " +
                         result.status().ToString());
    }
    return context_.ErrorResponse(status, result.status());
  }

  // Writes the answer. False when the client is gone.
  bool Finish(const WebResponse& answer, bool head, bool keep_alive, bool http10) {
    const std::string_view body = answer.Body();
    std::string out = Head(answer, http10, keep_alive, body.size(), context_.log);
    const bool with_body = !head && !body.empty() && answer.status != 304;
    try {
      Poco::Net::StreamSocket& socket = this->socket();
      if (with_body && body.size() <= kCoalesceBytes) {
        out.append(body);
        socket.sendBytes(out.data(), static_cast<int>(out.size()));
      } else {
        socket.sendBytes(out.data(), static_cast<int>(out.size()));
        if (with_body) socket.sendBytes(body.data(), static_cast<int>(body.size()));
      }
    } catch (const Poco::Exception& e) {
      context_.log.debug("web: writing the response failed: " + e.displayText());
      return false;
    }
    return true;
  }

  // One access log line: "REMOTE METHOD PATH STATUS BYTES MSms", built in one string.
  void Log(std::string_view method, std::string_view uri, int status, size_t bytes,
           SteadyClock::time_point start) {
    if (!context_.access_log.information()) return;
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start).count();
    std::string line;
    line.reserve(remote_.size() + method.size() + std::min<size_t>(uri.size(), 260) + 40);
    line.append(remote_).append(" ").append(method).append(" ");
    AppendLoggablePath(uri, line);
    line.append(" ").append(std::to_string(status)).append(" ").append(std::to_string(bytes));
    line.append(" ").append(std::to_string(ms)).append("ms");
    context_.access_log.information(line);
  }

  ServerContext& context_;
  std::string remote_;  // "127.0.0.1:54321".
};

}  // namespace

ServerContext::ServerContext(const config::ServerOptions& o, const Router& r, Poco::Logger& a,
                             ErrorPages* p)
    : options(o),
      router(r),
      access_log(a),
      pages(p),
      log(ModuleLogger("web")),
      params(new Poco::Net::HTTPServerParams) {  // Reference-counted (AutoPtr).
  params->setMaxThreads(options.workers);
  params->setMaxQueued(options.max_queued);
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(kReadTimeoutSeconds, 0));
  params->setMaxKeepAliveRequests(kMaxKeepAliveRequests);
  params->setTimeout(Poco::Timespan(kReadTimeoutSeconds, 0));
}

WebResponse ServerContext::ErrorResponse(int status, const Status& cause) const {
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

int StatusForParseFailure(std::string_view message) {
  // POCO 1.11's texts: HTTPRequest::read ("HTTP request URI invalid or too long") and
  // MessageHeader::read ("Field name too long/no colon found", "Field value too long/no CRLF
  // found", "Folded field value too long/no CRLF found", "Too many header fields"). A name is
  // read until ':', a line end or 256 bytes, so "no colon" means too long (or the end of the
  // stream, when there is nobody left to answer); the same holds for the URI.
  const auto has = [&](std::string_view text) { return message.find(text) != message.npos; };
  if (has("URI invalid or too long")) return 414;
  if (has("Too many header fields") || has("name too long") || has("value too long")) return 431;
  return 400;
}

Poco::Net::TCPServerConnection* ConnectionFactory::createConnection(
    const Poco::Net::StreamSocket& socket) {
  return new Connection(socket, context_);
}

}  // namespace feedbridge::web
