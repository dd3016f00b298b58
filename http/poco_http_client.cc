#include "http/poco_http_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "common/ascii.h"
#include "common/deadline_watch.h"
#include "http/address_policy.h"
#include "http/body_reader.h"
#include "http/connection.h"
#include "http/connection_pool.h"
#include "http/host_slots.h"
#include "http/multiplexer.h"

namespace feedbridge::http {
namespace {

using Clock = std::chrono::steady_clock;

// SendEach: exchanges on the blocking path (https, POST) at once per call, each on a helper
// thread.
constexpr size_t kBlockingPerBatch = 4;

// Lookups in flight at once per client. A lookup abandoned at its deadline keeps its thread
// until the system resolver gives up (glibc: timeout x attempts per server, ~10-30 s); while DNS
// is down, new lookups fail at once past this many rather than pile up threads.
constexpr int kMaxLookupsInFlight = 32;

// `a` equals the lower-case `lower`, ignoring case.

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string Millis(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

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
    t.scheme = AsciiLower(uri.getScheme());
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

// A host name resolved and checked once for a SendEach batch.
struct ResolvedHost {
  Poco::Net::IPAddress address;
  std::string text;  // address.toString(), for the connection pool's key.
};

// One hop of the exchange: the request as sent to this URL (redirects may have changed the
// method, the body or the headers).
struct HopRequest {
  const Target& target;
  const std::string& method;
  const std::vector<Header>& headers;
  const std::string& body;
  const HttpRequest& original;  // Limits and timeout.
  SteadyTime deadline;
};

// What one hop of the exchange produced.
struct Hop {
  int status = 0;
  std::vector<Header> headers;
  std::string body;
};

// Runs HostResolver lookups on their own threads so that a request waits for one only until
// its deadline. A lookup the request stopped waiting for finishes (and is dropped) on its thread.
class BoundedResolver {
 public:
  explicit BoundedResolver(std::shared_ptr<HostResolver> resolver)
      : resolver_(std::move(resolver)), in_flight_(std::make_shared<std::atomic<int>>(0)) {}

  Result<std::vector<std::string>> Resolve(const std::string& host, SteadyTime deadline) {
    // Shared by this call and the lookup thread, which may outlive the call and the client.
    struct Lookup {
      std::mutex mu;
      std::condition_variable done;
      std::optional<Result<std::vector<std::string>>> result;  // Guarded by mu.
    };
    if (in_flight_->fetch_add(1) >= kMaxLookupsInFlight) {
      in_flight_->fetch_sub(1);
      return Status::Unavailable("DNS: " + host + ": over " + std::to_string(kMaxLookupsInFlight) +
                                 " lookups already in flight (is the resolver down?)");
    }
    auto lookup = std::make_shared<Lookup>();
    try {
      std::thread([lookup, resolver = resolver_, in_flight = in_flight_, host] {
        Result<std::vector<std::string>> r = Status::Internal("DNS: " + host + ": lookup failed");
        try {
          r = resolver->Resolve(host);
        } catch (const std::exception& e) {
          r = Status::Internal("DNS: " + host + ": " + e.what());
        }
        {
          std::lock_guard lock(lookup->mu);
          lookup->result = std::move(r);
        }
        lookup->done.notify_all();
        in_flight->fetch_sub(1);
      }).detach();
    } catch (const std::system_error& e) {
      in_flight_->fetch_sub(1);
      return Status::Unavailable("DNS: " + host + ": cannot start a lookup: " + e.what());
    }
    std::unique_lock lock(lookup->mu);
    if (!lookup->done.wait_until(lock, deadline, [&] { return lookup->result.has_value(); })) {
      return Status::DeadlineExceeded("DNS: timed out resolving " + host);
    }
    return std::move(*lookup->result);
  }

 private:
  // Shared with lookup threads, which may outlive the client (see HostResolver).
  std::shared_ptr<HostResolver> resolver_;
  std::shared_ptr<std::atomic<int>> in_flight_;
};

}  // namespace

class PocoHttpClient::Impl {
 public:
  explicit Impl(PocoHttpClientOptions options)
      : options_(std::move(options)),
        slots_(options_.per_host_concurrency),
        multiplexer_(slots_, options_.max_idle_connections_per_host),
        pool_({.max_idle_per_key = options_.max_idle_connections_per_host}),
        resolver_(options_.resolver != nullptr ? options_.resolver
                                               : std::make_shared<SystemHostResolver>()) {
    Poco::Net::initializeSSL();  // Reference-counted; undone in the destructor.
    try {
      // VERIFY_RELAXED on a client verifies the server's chain during the handshake against the
      // system CA store (Debian: /etc/ssl/certs) and options.ca_file. The name is checked by
      // Connection with OpenSSL's matchers; POCO's "extended" check is off because it resolves
      // the name again (a DNS lookup no deadline bounds) and skips loopback names.
      tls_ = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", options_.ca_file,
                                    Poco::Net::Context::VERIFY_RELAXED, 9, true,
                                    "HIGH:!aNULL:!eNULL:!MD5:!RC4:@STRENGTH");
      tls_->enableExtendedCertificateVerification(false);
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
    pool_.Clear();  // Their TLS sessions go before the SSL library is released.
    tls_.reset();
    Poco::Net::uninitializeSSL();
  }

  Result<HttpResponse> Send(const HttpRequest& request) {
    return Follow(request, Clock::now() + request.timeout, std::nullopt);
  }

  void SendEach(std::span<const HttpRequest> requests, SteadyTime start_by,
                const HttpClient::EachDone& done) {
    std::vector<bool> reported(requests.size(), false);
    bool go_on = true;
    auto report = [&](size_t i, EachResult result) {
      reported[i] = true;
      if (!done(i, std::move(result))) go_on = false;
      return go_on;
    };
    auto not_sent = [&](size_t i) {
      report(i, NotSent{"http: " + requests[i].url + ": not sent: " +
                        (go_on ? "the batch ran out of time" : "the batch was stopped")});
    };
    try {
      // Plain-http GETs go to the multiplexer, all at once; the rest (https, POST, anything
      // unusual) one after another on the blocking path, after them.
      std::vector<PlainRequest> plain;
      std::vector<size_t> plain_of;  // plain[k] is requests[plain_of[k]].
      std::vector<size_t> blocking;
      std::map<std::string, Result<ResolvedHost>> resolved;  // Per host, this batch.
      for (size_t i = 0; i < requests.size(); ++i) {
        // DNS lookups happen here, one host after another: a resolver that hangs must not hold
        // the batch past start_by.
        if (!go_on || Clock::now() >= start_by) {
          not_sent(i);
          continue;
        }
        Result<std::optional<PlainRequest>> prepared = PreparePlain(requests[i], resolved);
        if (!prepared.ok()) {
          report(i, prepared.status().WithContext("http: " + requests[i].url));
        } else if (prepared->has_value()) {
          plain.push_back(std::move(**prepared));
          plain_of.push_back(i);
        } else {
          blocking.push_back(i);
        }
      }
      multiplexer_.Run(
          plain, start_by, options_.max_exchanges_per_batch,
          [&](size_t k, Result<PlainResponse> result) {
            const size_t i = plain_of[k];
            const HttpRequest& request = requests[i];
            if (!result.ok() && result.status().code() == Status::Code::kFailedPrecondition) {
              // The multiplexer's "not sent" (http/multiplexer.h).
              report(i, NotSent{"http: " + request.url + ": " + result.status().message()});
              return go_on;
            }
            if (!result.ok()) {
              report(i, Result<HttpResponse>(result.status().WithContext("http: " + request.url)));
              return go_on;
            }
            Hop hop{result->status, std::move(result->headers), std::move(result->body)};
            report(i, Follow(request, result->deadline, std::move(hop)));
            return go_on;
          });
      if (go_on) SendBlocking(requests, blocking, start_by, report);
      for (const size_t i : blocking) {
        if (!reported[i]) not_sent(i);
      }
    } catch (const std::exception& e) {
      // Every request is reported once, whatever happened.
      for (size_t i = 0; i < requests.size(); ++i) {
        if (!reported[i]) {
          report(i, Status::Internal("http: " + requests[i].url + ": " + e.what()));
        }
      }
    }
  }

  // Send, with exceptions turned into results (as PocoHttpClient::Send does).
  Result<HttpResponse> SendCaught(const HttpRequest& request) {
    try {
      return Send(request);
    } catch (const Poco::Exception& e) {
      return StatusFromPocoException(e).WithContext("http: " + request.url);
    } catch (const std::exception& e) {
      return Status::Internal("http: " + request.url + ": " + e.what());
    }
  }

 private:
  // Sends requests[blocking...] on the blocking path, kBlockingPerBatch at once on helper
  // threads, and reports each on this thread as it ends. Stops starting new ones at `start_by`
  // or when `report` clears the caller's go-on flag (it returns it). The ones not started are
  // left unreported.
  template <class Report>
  void SendBlocking(std::span<const HttpRequest> requests, const std::vector<size_t>& blocking,
                    SteadyTime start_by, Report& report) {
    if (blocking.empty()) return;
    struct Shared {
      std::mutex mu;
      std::condition_variable cv;
      std::deque<std::pair<size_t, Result<HttpResponse>>> finished;  // Guarded by mu.
      size_t next = 0;                                               // Guarded by mu.
      bool stop = false;                                             // Guarded by mu.
      size_t running = 0;                                            // Guarded by mu.
    } shared;
    auto work = [&] {
      for (;;) {
        size_t i = 0;
        {
          // A new one starts only once the answers so far are reported: `report` may say stop.
          std::unique_lock lock(shared.mu);
          shared.cv.wait(lock, [&] { return shared.finished.empty() || shared.stop; });
          if (shared.stop || shared.next >= blocking.size() || Clock::now() >= start_by) break;
          i = blocking[shared.next++];
        }
        Result<HttpResponse> result = SendCaught(requests[i]);
        {
          std::lock_guard lock(shared.mu);
          shared.finished.emplace_back(i, std::move(result));
        }
        shared.cv.notify_all();
      }
      {
        std::lock_guard lock(shared.mu);
        --shared.running;
      }
      shared.cv.notify_all();
    };
    std::vector<std::thread> helpers;
    // Whatever happens below (even `report` throwing), the helpers stop and are joined.
    struct Joiner {
      Shared& shared;
      std::vector<std::thread>& helpers;
      ~Joiner() {
        {
          std::lock_guard lock(shared.mu);
          shared.stop = true;
        }
        shared.cv.notify_all();
        for (std::thread& t : helpers) t.join();
      }
    } joiner{shared, helpers};
    const size_t n = std::min(blocking.size(), kBlockingPerBatch);
    for (size_t k = 0; k < n; ++k) {
      {
        std::lock_guard lock(shared.mu);
        ++shared.running;
      }
      try {
        helpers.emplace_back(work);
      } catch (const std::system_error&) {
        std::lock_guard lock(shared.mu);
        --shared.running;
        if (helpers.empty()) throw;  // Not even one: reported as Internal by the caller.
        break;
      }
    }
    std::unique_lock lock(shared.mu);
    for (;;) {
      shared.cv.wait(lock, [&] { return !shared.finished.empty() || shared.running == 0; });
      if (shared.finished.empty()) break;  // All helpers are done.
      auto [i, result] = std::move(shared.finished.front());
      shared.finished.pop_front();
      lock.unlock();
      const bool go_on = report(i, std::move(result));
      lock.lock();
      if (!go_on) shared.stop = true;
      shared.cv.notify_all();  // Helpers waiting for the queue to empty.
    }
  }

  // The request for the multiplexer, or nullopt when the blocking path is to send it: https,
  // a method other than GET/HEAD, a body, a Host field of its own, or anything the blocking path
  // would rather check itself (odd bytes in the target or the fields). Errors are the
  // resolver's and the SSRF guard's.
  Result<std::optional<PlainRequest>> PreparePlain(
      const HttpRequest& request, std::map<std::string, Result<ResolvedHost>>& resolved) {
    if ((request.method != "GET" && request.method != "HEAD") || !request.body.empty()) {
      return std::optional<PlainRequest>();
    }
    Result<Target> target = ParseTarget(request.url);
    if (!target.ok() || target->scheme != "http") return std::optional<PlainRequest>();
    const auto plain_text = [](std::string_view s, char low) {
      return std::all_of(s.begin(), s.end(), [low](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= static_cast<unsigned char>(low) && u < 0x7f;
      });
    };
    if (!plain_text(target->path_and_query, '!')) return std::optional<PlainRequest>();
    for (const Header& h : request.headers) {
      if (h.name.empty() || !plain_text(h.name, '!') || h.name.find(':') != std::string::npos ||
          !plain_text(h.value, ' ') || EqualsIgnoreAsciiCase(h.name, "host")) {
        return std::optional<PlainRequest>();
      }
    }
    auto found = resolved.find(target->host);
    if (found == resolved.end()) {
      Result<Poco::Net::IPAddress> address = Resolve(target->host, Clock::now() + request.timeout);
      Result<ResolvedHost> entry = Status::Internal("unresolved");
      if (address.ok()) {
        entry = ResolvedHost{*address, address->toString()};
      } else {
        entry = address.status();
      }
      found = resolved.emplace(target->host, std::move(entry)).first;
    }
    if (!found->second.ok()) return found->second.status();
    const Poco::Net::IPAddress& address = found->second->address;

    PlainRequest plain;
    plain.host = target->host;
    plain.pool_key = PoolKey("http", target->host, target->port, found->second->text);
    plain.address = Poco::Net::SocketAddress(address, target->port);
    plain.head_request = request.method == "HEAD";
    plain.max_body_bytes = request.max_body_bytes;
    plain.timeout = request.timeout;
    std::string& head = plain.head;
    head.reserve(256);
    head += request.method;
    head += ' ';
    head += target->path_and_query;
    head += " HTTP/1.1\r\nHost: ";
    head += target->host.find(':') != std::string::npos ? "[" + target->host + "]" : target->host;
    if (target->port != 80) head += ":" + std::to_string(target->port);
    head += "\r\n";
    // The defaults, unless the request sets a field of that name itself.
    const auto set_by_request = [&](std::string_view name) {
      return std::any_of(request.headers.begin(), request.headers.end(),
                         [&](const Header& h) { return EqualsIgnoreAsciiCase(h.name, name); });
    };
    if (!set_by_request("accept-encoding")) head += "Accept-Encoding: gzip, deflate\r\n";
    if (!options_.user_agent.empty() && !set_by_request("user-agent")) {
      head += "User-Agent: " + options_.user_agent + "\r\n";
    }
    for (const Header& h : request.headers) {
      head += h.name;
      head += ": ";
      head += h.value;
      head += "\r\n";
    }
    head += "\r\n";
    return std::optional<PlainRequest>(std::move(plain));
  }

  // The exchange and the redirects it leads to, all within `deadline`. With `first`, the first
  // hop (to request.url) was already made by the multiplexer.
  Result<HttpResponse> Follow(const HttpRequest& request, SteadyTime deadline,
                              std::optional<Hop> first) {
    HttpResponse response;
    if (first && (!IsRedirect(first->status) || request.max_redirects <= 0 ||
                  FindHeader(first->headers, "location").empty())) {
      // The multiplexer's answer is the final one (the common case): nothing to follow.
      response.status = first->status;
      response.headers = std::move(first->headers);
      response.body = std::move(first->body);
      response.final_url = request.url;
      return response;
    }
    std::string url = request.url;
    std::string method = request.method;
    std::string body = request.body;
    std::vector<Header> headers = request.headers;
    std::set<std::string> visited = {url};
    for (;;) {
      Result<Target> target = ParseTarget(url);
      if (!target.ok()) return target.status().WithContext("http: " + url);
      Result<Hop> hop = Status::Internal("no exchange");
      if (first) {
        hop = std::move(*first);
        first.reset();
      } else {
        hop = Exchange({*target, method, headers, body, request, deadline});
      }
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
          const std::string name = AsciiLower(h.name);
          return name == "authorization" || name == "cookie";
        });
      }
      url = std::move(next);
    }
  }

  static std::string FindHeader(const std::vector<Header>& headers, std::string_view lower_name) {
    for (const Header& h : headers) {
      if (EqualsIgnoreAsciiCase(h.name, lower_name)) return h.value;
    }
    return {};
  }

  // The address to connect to: resolved here (within the deadline), checked by the SSRF policy.
  Result<Poco::Net::IPAddress> Resolve(const std::string& host, SteadyTime deadline) {
    Poco::Net::IPAddress literal;
    std::vector<Poco::Net::IPAddress> candidates;
    if (Poco::Net::IPAddress::tryParse(host, literal)) {
      candidates.push_back(literal);
    } else {
      // RFC 6761 §6.4: names under .invalid must fail without a query leaving the host.
      if (host == "invalid" || EndsWith(host, ".invalid") || EndsWith(host, ".invalid.")) {
        return Status::Unavailable("DNS: " + host + " is under the reserved .invalid domain");
      }
      Result<std::vector<std::string>> found = resolver_.Resolve(host, deadline);
      if (!found.ok()) return found.status();
      for (const std::string& text : *found) {
        Poco::Net::IPAddress a;
        if (Poco::Net::IPAddress::tryParse(text, a)) candidates.push_back(a);
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

  Poco::Net::HTTPRequest BuildRequest(const HopRequest& hop) {
    Poco::Net::HTTPRequest req(hop.method, hop.target.path_and_query,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.setHost(hop.target.host, hop.target.port);  // The name, though we connect to the address.
    req.setKeepAlive(true);
    req.set("Accept-Encoding", "gzip, deflate");
    if (!options_.user_agent.empty()) req.set("User-Agent", options_.user_agent);
    std::set<std::string> replaced;
    for (const Header& h : hop.headers) {
      if (replaced.insert(AsciiLower(h.name)).second) req.erase(h.name);
      req.add(h.name, h.value);
    }
    if (!hop.body.empty() || hop.method == "POST" || hop.method == "PUT") {
      req.setContentLength64(static_cast<Poco::Int64>(hop.body.size()));
    }
    return req;
  }

  Result<Hop> Exchange(const HopRequest& hop) {
    const Target& target = hop.target;
    Result<Poco::Net::IPAddress> address = Resolve(target.host, hop.deadline);
    if (!address.ok()) return address.status();
    if (!slots_.Acquire(target.host, hop.deadline)) {
      return Status::DeadlineExceeded("timed out waiting for a connection slot to " + target.host);
    }
    SlotGuard slot(slots_, target.host);
    const Endpoint endpoint{target.scheme, target.host, target.port, *address};
    const std::string key = PoolKey(target.scheme, target.host, target.port, address->toString());
    ConnectionPtr connection = pool_.Take(key).value_or(nullptr);
    const bool may_retry = connection != nullptr && (hop.method == "GET" || hop.method == "HEAD");
    Result<Hop> result = Attempt(hop, endpoint, key, std::move(connection));
    // A pooled connection the server closed meanwhile fails before any answer; an idempotent
    // request is then safe to send once more on a fresh connection.
    if (!result.ok() && may_retry && result.status().code() == Status::Code::kUnavailable &&
        Clock::now() < hop.deadline) {
      result = Attempt(hop, endpoint, key, nullptr);
    }
    return result;
  }

  Result<Hop> Attempt(const HopRequest& hop, const Endpoint& endpoint, const std::string& key,
                      ConnectionPtr connection) {
    if (connection == nullptr) {
      if (endpoint.scheme == "https" && !tls_error_.ok()) return tls_error_;
      connection = std::make_unique<Connection>(endpoint, tls_, watch_);
    }
    Poco::Net::HTTPClientSession& session = connection->Begin(hop.deadline);
    bool keep_alive = false;
    Result<Hop> result = Talk(hop, *connection, session, keep_alive);
    // Every step of the exchange is bounded by the one deadline: DeadlineWatch cut the socket if
    // it passed, whatever that did to the step in progress (an error, an early end of the body).
    if (connection->End() || (!result.ok() && Clock::now() >= hop.deadline)) {
      return Status::DeadlineExceeded("timed out " + std::string(connection->phase()) + " (" +
                                      Millis(hop.original.timeout) + " for the whole request)");
    }
    if (result.ok() && keep_alive) pool_.Put(key, std::move(connection));
    return result;
  }

  // One request and its answer. Sets `keep_alive` when the connection may be used again.
  Result<Hop> Talk(const HopRequest& hop, Connection& connection,
                   Poco::Net::HTTPClientSession& session, bool& keep_alive) {
    Hop out;
    try {
      Poco::Net::HTTPRequest req = BuildRequest(hop);
      std::ostream& body_out = session.sendRequest(req);
      body_out << hop.body;
      body_out.flush();
      connection.SetPhase("waiting for the response headers");
      Poco::Net::HTTPResponse res;
      std::istream& in = session.receiveResponse(res);
      connection.SetPhase("reading the body");
      out.status = static_cast<int>(res.getStatus());
      for (const auto& [name, value] : res) out.headers.push_back({name, value});

      // RFC 9112 §6.3: these answers have no body, whatever Content-Length says.
      const bool has_body =
          hop.method != "HEAD" && out.status >= 200 && out.status != 204 && out.status != 304;
      const size_t max_bytes = hop.original.max_body_bytes;
      if (has_body && res.hasContentLength() &&
          res.getContentLength64() > static_cast<Poco::Int64>(max_bytes)) {
        return Status::ResourceExhausted("Content-Length " +
                                         std::to_string(res.getContentLength64()) + " over " +
                                         std::to_string(max_bytes) + " bytes");
      }
      const Result<ContentCoding> coding = ParseContentCoding(res.get("Content-Encoding", ""));
      if (!coding.ok()) return coding.status();
      Result<std::string> read =
          ReadBody(in, *coding,
                   BodyLimits{max_bytes, hop.deadline,
                              has_body && res.hasContentLength() ? res.getContentLength64() : -1});
      if (!read.ok()) return read.status();
      out.body = std::move(*read);
      keep_alive = res.getKeepAlive() && !session.networkException();
    } catch (const Poco::Exception& e) {
      return StatusFromPocoException(e);
    }
    if (Clock::now() > hop.deadline) return Status::DeadlineExceeded("timed out");
    return out;
  }

  const PocoHttpClientOptions options_;
  HostSlots slots_;
  Multiplexer multiplexer_;  // Shares slots_ with the blocking path.
  DeadlineWatch watch_;      // Declared before pool_: outlives the pooled connections.
  ConnectionPool<ConnectionPtr> pool_;
  BoundedResolver resolver_;
  Poco::Net::Context::Ptr tls_;  // Null if tls_error_ is set. Immutable after construction.
  Status tls_error_;
};

PocoHttpClient::PocoHttpClient(PocoHttpClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

PocoHttpClient::~PocoHttpClient() = default;

Result<HttpResponse> PocoHttpClient::Send(const HttpRequest& request) {
  return impl_->SendCaught(request);
}

void PocoHttpClient::SendEach(std::span<const HttpRequest> requests,
                              std::chrono::steady_clock::time_point start_by,
                              const EachDone& done) {
  impl_->SendEach(requests, start_by, done);
}

}  // namespace feedbridge::http
