// PocoHttpClient::Impl: following redirects (see poco_client_impl.h).

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <set>
#include <utility>

#include "common/ascii.h"
#include "http/poco_client_impl.h"

namespace feedbridge::http {
namespace {

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

SendResult PocoHttpClient::Impl::Follow(const HttpRequest& request, SteadyTime deadline,
                                        std::optional<Hop> first) {
  HttpResponse response;
  if (first && !first->body_error.ok()) {
    return SendResult(first->body_error.WithContext("http: " + request.url), first->status);
  }
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
    if (!hop->body_error.ok()) {
      return SendResult(hop->body_error.WithContext("http: " + url), hop->status);
    }
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

std::string PocoHttpClient::Impl::FindHeader(const std::vector<Header>& headers,
                                             std::string_view lower_name) {
  for (const Header& h : headers) {
    if (EqualsIgnoreAsciiCase(h.name, lower_name)) return h.value;
  }
  return {};
}

}  // namespace feedbridge::http
