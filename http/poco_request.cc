// PocoHttpClient::Impl: the URL and the request (see poco_client_impl.h).

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <set>
#include <utility>

#include "common/ascii.h"
#include "http/poco_client_impl.h"

namespace feedbridge::http {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

auto PocoHttpClient::Impl::ParseTarget(const std::string& url) -> Result<Target> {
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

Poco::Net::HTTPRequest PocoHttpClient::Impl::BuildRequest(const HopRequest& hop) {
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

Result<std::optional<PlainRequest>> PocoHttpClient::Impl::PreparePlain(
    const HttpRequest& request, std::map<std::string, Result<ResolvedHost>>& resolved) {
  const bool post = request.method == "POST";
  if (!post && (request.method != "GET" && request.method != "HEAD")) {
    return std::optional<PlainRequest>();
  }
  if (!post && !request.body.empty()) return std::optional<PlainRequest>();
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
        !plain_text(h.value, ' ') || EqualsIgnoreAsciiCase(h.name, "host") ||
        EqualsIgnoreAsciiCase(h.name, "content-length") ||
        EqualsIgnoreAsciiCase(h.name, "transfer-encoding")) {
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
  plain.idempotent = !post;
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
  if (post) head += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  head += "\r\n";
  if (post) head += request.body;
  return std::optional<PlainRequest>(std::move(plain));
}

}  // namespace feedbridge::http
