#include "http/poco_http_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>

#include <mutex>
#include <utility>

#include "http/address_policy.h"
#include "http/body_reader.h"
#include "http/poco_client_impl.h"

namespace feedbridge::http {
namespace {

using Clock = std::chrono::steady_clock;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string Millis(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

}  // namespace

PocoHttpClient::Impl::Impl(PocoHttpClientOptions options)
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

PocoHttpClient::Impl::~Impl() {
  pool_.Clear();  // Their TLS sessions go before the SSL library is released.
  tls_.reset();
  Poco::Net::uninitializeSSL();
}

SendResult PocoHttpClient::Impl::Send(const HttpRequest& request) {
  return Follow(request, Clock::now() + request.timeout, std::nullopt);
}

SendResult PocoHttpClient::Impl::SendCaught(const HttpRequest& request) {
  try {
    return Send(request);
  } catch (const Poco::Exception& e) {
    return StatusFromPocoException(e).WithContext("http: " + request.url);
  } catch (const std::exception& e) {
    return Status::Internal("http: " + request.url + ": " + e.what());
  }
}

Result<Poco::Net::IPAddress> PocoHttpClient::Impl::Resolve(const std::string& host,
                                                           SteadyTime deadline) {
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

auto PocoHttpClient::Impl::Exchange(const HopRequest& hop) -> Result<Hop> {
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
  if (!Failure(result).ok() && may_retry && Failure(result).code() == Status::Code::kUnavailable &&
      Clock::now() < hop.deadline) {
    result = Attempt(hop, endpoint, key, nullptr);
  }
  return result;
}

auto PocoHttpClient::Impl::Attempt(const HopRequest& hop, const Endpoint& endpoint,
                                   const std::string& key, ConnectionPtr connection)
    -> Result<Hop> {
  if (connection == nullptr) {
    if (endpoint.scheme == "https" && !tls_error_.ok()) return tls_error_;
    connection = std::make_unique<Connection>(endpoint, tls_, watch_);
  }
  Poco::Net::HTTPClientSession& session = connection->Begin(hop.deadline);
  bool keep_alive = false;
  Result<Hop> result = Talk(hop, *connection, session, keep_alive);
  // Every step of the exchange is bounded by the one deadline: DeadlineWatch cut the socket if
  // it passed, whatever that did to the step in progress (an error, an early end of the body).
  if (connection->End() || (!Failure(result).ok() && Clock::now() >= hop.deadline)) {
    return Status::DeadlineExceeded("timed out " + std::string(connection->phase()) + " (" +
                                    Millis(hop.original.timeout) + " for the whole request)");
  }
  if (result.ok() && keep_alive) pool_.Put(key, std::move(connection));
  return result;
}

auto PocoHttpClient::Impl::Talk(const HopRequest& hop, Connection& connection,
                                Poco::Net::HTTPClientSession& session, bool& keep_alive)
    -> Result<Hop> {
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
      out.body_error =
          Status::ResourceExhausted("Content-Length " + std::to_string(res.getContentLength64()) +
                                    " over " + std::to_string(max_bytes) + " bytes");
      return out;
    }
    const Result<ContentCoding> coding = ParseContentCoding(res.get("Content-Encoding", ""));
    if (!coding.ok()) {
      out.body_error = coding.status();
      return out;
    }
    Result<std::string> read =
        ReadBody(in, *coding,
                 BodyLimits{max_bytes, hop.deadline,
                            has_body && res.hasContentLength() ? res.getContentLength64() : -1});
    if (!read.ok()) {
      out.body_error = read.status();
      return out;
    }
    out.body = std::move(*read);
    keep_alive = res.getKeepAlive() && !session.networkException();
  } catch (const Poco::Exception& e) {
    return StatusFromPocoException(e);
  }
  if (Clock::now() > hop.deadline) return Status::DeadlineExceeded("timed out");
  return out;
}

PocoHttpClient::PocoHttpClient(PocoHttpClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

PocoHttpClient::~PocoHttpClient() = default;

SendResult PocoHttpClient::Send(const HttpRequest& request) { return impl_->SendCaught(request); }

void PocoHttpClient::SendEach(std::span<const HttpRequest> requests,
                              std::chrono::steady_clock::time_point start_by,
                              const EachDone& done) {
  impl_->SendEach(requests, start_by, done);
}

}  // namespace feedbridge::http
