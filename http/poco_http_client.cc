#include "http/poco_http_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/DNS.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

#include "http/address_policy.h"
#include "http/body_reader.h"

namespace feedbridge::http {
namespace {

using Clock = std::chrono::steady_clock;
using SessionPtr = std::unique_ptr<Poco::Net::HTTPClientSession>;

// Servers close idle keep-alive connections after a few seconds (Apache: 5 s); reusing one
// older than this risks a request racing the server's close.
constexpr auto kMaxIdle = std::chrono::seconds(4);

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Poco::Timespan TimeLeft(SteadyTime deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
  return Poco::Timespan(std::max<int64_t>(1000, left.count()));
}

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// A parsed, checked http(s) URL.
struct Target {
  std::string scheme;  // "http" or "https".
  std::string host;    // As written (lower-cased by Poco::URI), no brackets.
  uint16_t port = 0;
  std::string path_and_query;
};

Result<Target> ParseTarget(const std::string& url) {
  Target t;
  try {
    const Poco::URI uri(url);
    t.scheme = Lower(uri.getScheme());
    t.host = uri.getHost();
    t.port = uri.getPort();
    t.path_and_query = uri.getPathEtc();
  } catch (const Poco::SyntaxException& e) {
    return Status::InvalidArgument("bad URL: " + e.message());
  }
  if (t.scheme != "http" && t.scheme != "https") {
    return Status::InvalidArgument("not an http(s) URL");
  }
  if (t.host.empty()) return Status::InvalidArgument("URL has no host");
  if (t.path_and_query.empty()) t.path_and_query = "/";
  return t;
}

// Exchanges in flight per host, bounded (a counting semaphore per host name).
class HostSlots {
 public:
  explicit HostSlots(int limit) : limit_(std::max(1, limit)) {}

  // False if no slot freed up before `deadline`.
  bool Acquire(const std::string& host, SteadyTime deadline) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_until(lock, deadline, [&] { return in_flight_[host] < limit_; })) {
      if (in_flight_[host] == 0) in_flight_.erase(host);
      return false;
    }
    ++in_flight_[host];
    return true;
  }

  void Release(const std::string& host) {
    {
      std::lock_guard lock(mu_);
      if (--in_flight_[host] <= 0) in_flight_.erase(host);
    }
    cv_.notify_all();
  }

 private:
  const int limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> in_flight_;  // Guarded by mu_.
};

class SlotGuard {
 public:
  SlotGuard(HostSlots& slots, std::string host) : slots_(slots), host_(std::move(host)) {}
  ~SlotGuard() { slots_.Release(host_); }
  SlotGuard(const SlotGuard&) = delete;
  SlotGuard& operator=(const SlotGuard&) = delete;

 private:
  HostSlots& slots_;
  std::string host_;
};

// Idle keep-alive sessions per (scheme, host, port, checked address).
class SessionPool {
 public:
  explicit SessionPool(size_t max_per_key) : max_per_key_(max_per_key) {}

  // A live idle session, or null.
  SessionPtr Take(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = idle_.find(key);
    if (it == idle_.end()) return nullptr;
    SessionPtr found;
    while (!it->second.empty() && found == nullptr) {
      Idle idle = std::move(it->second.back());
      it->second.pop_back();
      if (Clock::now() - idle.since > kMaxIdle) continue;
      try {
        // Readable while idle means the server closed it (or sent junk): not reusable.
        if (idle.session->socket().poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ)) {
          continue;
        }
      } catch (const Poco::Exception&) {
        continue;
      }
      found = std::move(idle.session);
    }
    if (it->second.empty()) idle_.erase(it);
    return found;
  }

  void Put(const std::string& key, SessionPtr session) {
    std::lock_guard lock(mu_);
    std::vector<Idle>& list = idle_[key];
    if (list.size() >= max_per_key_) return;  // `session` closes here.
    list.push_back({std::move(session), Clock::now()});
  }

 private:
  struct Idle {
    SessionPtr session;
    Clock::time_point since;
  };
  const size_t max_per_key_;
  std::mutex mu_;
  std::map<std::string, std::vector<Idle>> idle_;  // Guarded by mu_.
};

ContentCoding CodingOf(const Poco::Net::HTTPResponse& response, Status* error) {
  const std::string coding = Lower(response.get("Content-Encoding", ""));
  if (coding.empty() || coding == "identity") return ContentCoding::kIdentity;
  if (coding == "gzip" || coding == "x-gzip") return ContentCoding::kGzip;
  if (coding == "deflate") return ContentCoding::kDeflate;
  *error = Status::Unavailable("unsupported Content-Encoding: " + coding);
  return ContentCoding::kIdentity;
}

// What one hop of the exchange produced.
struct Hop {
  int status = 0;
  std::vector<Header> headers;
  std::string body;
};

}  // namespace

class PocoHttpClient::Impl {
 public:
  explicit Impl(PocoHttpClientOptions options)
      : options_(std::move(options)),
        slots_(options_.per_host_concurrency),
        pool_(options_.max_idle_connections_per_host) {
    Poco::Net::initializeSSL();  // Reference-counted; undone in the destructor.
    try {
      // VERIFY_RELAXED on a client verifies the server's chain against the system CA store
      // (Debian: /etc/ssl/certs) and, after the handshake, its name against the host.
      tls_ = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                    Poco::Net::Context::VERIFY_RELAXED, 9, true,
                                    "HIGH:!aNULL:!eNULL:!MD5:!RC4:@STRENGTH");
      tls_->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                             Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
      // Without a handler SSLManager lazily builds one from configuration, whose default asks on
      // the console. A bridge must reject instead. SSLManager is process-wide, so this runs once.
      static std::once_flag once;
      std::call_once(once, [this] {
        Poco::Net::SSLManager::instance().initializeClient(
            nullptr, new Poco::Net::RejectCertificateHandler(false), tls_);
      });
    } catch (const Poco::Exception& e) {
      tls_error_ = Status::Unavailable("TLS: " + e.displayText());
    }
  }

  ~Impl() {
    tls_.reset();
    Poco::Net::uninitializeSSL();
  }

  Result<HttpResponse> Send(const HttpRequest& request) {
    const SteadyTime deadline = Clock::now() + request.timeout;
    HttpResponse response;
    std::string url = request.url;
    std::string method = request.method;
    std::string body = request.body;
    std::vector<Header> headers = request.headers;
    std::set<std::string> visited = {url};
    for (;;) {
      Result<Target> target = ParseTarget(url);
      if (!target.ok()) return target.status().WithContext("http: " + url);
      Result<Hop> hop = Exchange(*target, method, headers, body, request, deadline);
      if (!hop.ok()) return hop.status().WithContext("http: " + url);

      const std::string location = FindHeader(hop->headers, "location");
      if (!IsRedirect(hop->status) || location.empty() || request.max_redirects <= 0) {
        response.status = hop->status;
        response.headers = std::move(hop->headers);
        response.body = std::move(hop->body);
        response.final_url = url;
        return response;
      }
      if (response.redirects.size() >= static_cast<size_t>(request.max_redirects)) {
        return Status::InvalidArgument("http: " + request.url + ": too many redirects (over " +
                                       std::to_string(request.max_redirects) + ")");
      }
      std::string next;
      try {
        Poco::URI resolved(url);
        resolved.resolve(location);
        next = resolved.toString();
      } catch (const Poco::SyntaxException& e) {
        return Status::InvalidArgument("http: " + url + ": bad redirect Location: " + e.message());
      }
      if (!visited.insert(next).second) {
        return Status::InvalidArgument("http: " + request.url + ": redirect loop at " + next);
      }
      response.redirects.push_back({hop->status, next});
      // RFC 9110 §15.4: 303 (and, as every browser does, 301/302 after a POST) turns into a GET.
      if (hop->status == 303 || ((hop->status == 301 || hop->status == 302) && method == "POST")) {
        if (method != "HEAD") method = "GET";
        body.clear();
      }
      Result<Target> next_target = ParseTarget(next);
      if (next_target.ok() && next_target->host != target->host) {
        // Credentials meant for one host are not handed to another.
        std::erase_if(headers, [](const Header& h) {
          const std::string name = Lower(h.name);
          return name == "authorization" || name == "cookie";
        });
      }
      url = std::move(next);
    }
  }

 private:
  static std::string FindHeader(const std::vector<Header>& headers, std::string_view lower_name) {
    for (const Header& h : headers) {
      if (Lower(h.name) == lower_name) return h.value;
    }
    return {};
  }

  // The address to connect to: resolved here, checked by the SSRF policy.
  Result<Poco::Net::IPAddress> Resolve(const std::string& host) {
    Poco::Net::IPAddress literal;
    std::vector<Poco::Net::IPAddress> candidates;
    if (Poco::Net::IPAddress::tryParse(host, literal)) {
      candidates.push_back(literal);
    } else {
      // RFC 6761 §6.4: names under .invalid must fail without a query leaving the host.
      if (host == "invalid" || EndsWith(host, ".invalid") || EndsWith(host, ".invalid.")) {
        return Status::Unavailable("DNS: " + host + " is under the reserved .invalid domain");
      }
      try {
        candidates = Poco::Net::DNS::resolve(host).addresses();
      } catch (const Poco::Exception& e) {
        return Status::Unavailable("DNS: " + e.displayText());
      }
      if (candidates.empty()) return Status::Unavailable("DNS: no address for " + host);
    }
    if (options_.allow_private_networks) return candidates.front();
    for (const Poco::Net::IPAddress& a : candidates) {
      if (IsPublicAddress(a)) return a;
    }
    return Status::PermissionDenied(host + " resolves to a non-public address (" +
                                    candidates.front().toString() + ")");
  }

  // An unconnected session aimed at the checked address; POCO connects on the first request
  // (within the connection timeout Attempt sets). The session's "host" is the address literal,
  // so a reconnect cannot resolve the name again; the name goes into Host, SNI and the
  // certificate check instead.
  Result<SessionPtr> NewSession(const Target& target, const Poco::Net::IPAddress& address) {
    SessionPtr session;
    try {
      if (target.scheme == "https") {
        if (!tls_error_.ok()) return tls_error_;
        auto tls = std::make_unique<Poco::Net::HTTPSClientSession>(tls_);
        Poco::Net::SecureStreamSocket(tls->socket()).setPeerHostName(target.host);
        session = std::move(tls);
      } else {
        session = std::make_unique<Poco::Net::HTTPClientSession>();
      }
      session->setHost(address.toString());
      session->setPort(target.port);
      session->setKeepAlive(true);
    } catch (const Poco::Exception& e) {
      return StatusFromPocoException(e);
    }
    return session;
  }

  Poco::Net::HTTPRequest BuildRequest(const Target& target, const std::string& method,
                                      const std::vector<Header>& headers, size_t body_size) {
    Poco::Net::HTTPRequest req(method, target.path_and_query, Poco::Net::HTTPMessage::HTTP_1_1);
    req.setHost(target.host, target.port);  // The name, though we connect to the address.
    req.setKeepAlive(true);
    req.set("Accept-Encoding", "gzip, deflate");
    if (!options_.user_agent.empty()) req.set("User-Agent", options_.user_agent);
    std::set<std::string> replaced;
    for (const Header& h : headers) {
      if (replaced.insert(Lower(h.name)).second) req.erase(h.name);
      req.add(h.name, h.value);
    }
    if (body_size > 0 || method == "POST" || method == "PUT") {
      req.setContentLength64(static_cast<Poco::Int64>(body_size));
    }
    return req;
  }

  Result<Hop> Exchange(const Target& target, const std::string& method,
                       const std::vector<Header>& headers, const std::string& body,
                       const HttpRequest& request, SteadyTime deadline) {
    Result<Poco::Net::IPAddress> address = Resolve(target.host);
    if (!address.ok()) return address.status();
    if (!slots_.Acquire(target.host, deadline)) {
      return Status::DeadlineExceeded("timed out waiting for a connection slot to " + target.host);
    }
    SlotGuard slot(slots_, target.host);
    const std::string key = target.scheme + "://" + target.host + ":" +
                            std::to_string(target.port) + "@" + address->toString();
    SessionPtr session = pool_.Take(key);
    const bool may_retry = session != nullptr && (method == "GET" || method == "HEAD");
    Result<Hop> hop = Attempt(target, *address, key, std::move(session), method, headers, body,
                              request, deadline);
    // A pooled connection the server closed meanwhile fails before any answer; an idempotent
    // request is then safe to send once more on a fresh connection.
    if (!hop.ok() && may_retry && hop.status().code() == Status::Code::kUnavailable &&
        Clock::now() < deadline) {
      hop = Attempt(target, *address, key, nullptr, method, headers, body, request, deadline);
    }
    return hop;
  }

  Result<Hop> Attempt(const Target& target, const Poco::Net::IPAddress& address,
                      const std::string& key, SessionPtr session, const std::string& method,
                      const std::vector<Header>& headers, const std::string& body,
                      const HttpRequest& request, SteadyTime deadline) {
    if (session == nullptr) {
      Result<SessionPtr> fresh = NewSession(target, address);
      if (!fresh.ok()) return fresh.status();
      session = std::move(*fresh);
    }
    Hop hop;
    try {
      const Poco::Timespan left = TimeLeft(deadline);
      session->setTimeout(left, left, left);
      Poco::Net::HTTPRequest req = BuildRequest(target, method, headers, body.size());
      std::ostream& out = session->sendRequest(req);
      session->socket().setNoDelay(true);
      out << body;
      out.flush();
      Poco::Net::HTTPResponse res;
      session->socket().setReceiveTimeout(TimeLeft(deadline));
      std::istream& in = session->receiveResponse(res);
      hop.status = static_cast<int>(res.getStatus());
      for (const auto& [name, value] : res) hop.headers.push_back({name, value});

      // RFC 9112 §6.3: these answers have no body, whatever Content-Length says.
      const bool has_body =
          method != "HEAD" && hop.status >= 200 && hop.status != 204 && hop.status != 304;
      if (has_body && res.hasContentLength() &&
          res.getContentLength64() > static_cast<Poco::Int64>(request.max_body_bytes)) {
        return Status::ResourceExhausted("Content-Length " +
                                         std::to_string(res.getContentLength64()) + " over " +
                                         std::to_string(request.max_body_bytes) + " bytes");
      }
      Status coding_error;
      const ContentCoding coding = CodingOf(res, &coding_error);
      if (!coding_error.ok()) return coding_error;
      Result<std::string> read =
          ReadBody(in, *session, coding,
                   BodyLimits{request.max_body_bytes, deadline,
                              has_body && res.hasContentLength() ? res.getContentLength64() : -1});
      if (!read.ok()) return read.status();
      hop.body = std::move(*read);
      if (res.getKeepAlive() && !session->networkException()) {
        pool_.Put(key, std::move(session));
      }
    } catch (const Poco::Exception& e) {
      return StatusFromPocoException(e);
    }
    if (Clock::now() > deadline) return Status::DeadlineExceeded("timed out");
    return hop;
  }

  const PocoHttpClientOptions options_;
  HostSlots slots_;
  SessionPool pool_;
  Poco::Net::Context::Ptr tls_;  // Null if tls_error_ is set. Immutable after construction.
  Status tls_error_;
};

PocoHttpClient::PocoHttpClient(PocoHttpClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

PocoHttpClient::~PocoHttpClient() = default;

Result<HttpResponse> PocoHttpClient::Send(const HttpRequest& request) {
  try {
    return impl_->Send(request);
  } catch (const Poco::Exception& e) {
    return StatusFromPocoException(e).WithContext("http: " + request.url);
  } catch (const std::exception& e) {
    return Status::Internal("http: " + request.url + ": " + e.what());
  }
}

}  // namespace feedbridge::http
