#pragma once

// Internal to the POCO client (target fb_http_poco): PocoHttpClient::Impl. Its methods are
// defined along the client's seams: poco_http_client.cc (construction, TLS, one exchange on the
// blocking path: resolve and check the address, connect or reuse, send, read the answer),
// poco_request.cc (the URL and the request: parsing the target, the POCO request of a hop, the
// multiplexer's request with its head), poco_redirects.cc (following redirects) and
// poco_send_each.cc (batches: plain-http GETs on the multiplexer, the rest on helper threads).

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/IPAddress.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/deadline_watch.h"
#include "common/result.h"
#include "http/connection.h"
#include "http/connection_pool.h"
#include "http/host_resolver.h"
#include "http/host_slots.h"
#include "http/multiplexer.h"
#include "http/poco_http_client.h"

namespace feedbridge::http {

// Thread-safe as PocoHttpClient is: the members are immutable after construction or
// thread-safe themselves.
class PocoHttpClient::Impl {
 public:
  explicit Impl(PocoHttpClientOptions options);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  SendResult Send(const HttpRequest& request);
  void SendEach(std::span<const HttpRequest> requests, SteadyTime start_by,
                const HttpClient::EachDone& done);
  // Send, with exceptions turned into results (as PocoHttpClient::Send does).
  SendResult SendCaught(const HttpRequest& request);

 private:
  // A parsed, checked http(s) URL.
  struct Target {
    std::string scheme;  // "http" or "https".
    std::string host;    // As written (lower-cased by Poco::URI), no brackets.
    uint16_t port = 0;
    std::string path_and_query;
  };

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

  // What one hop of the exchange produced: an answer, whose body may have failed.
  struct Hop {
    int status = 0;
    std::vector<Header> headers;
    std::string body;
    Status body_error;  // Not OK: reading the body failed (over the cap, cut short, corrupt).
  };
  // Why the hop failed, before or after an answer; OK when it did not.
  static Status Failure(const Result<Hop>& hop) {
    return hop.ok() ? hop->body_error : hop.status();
  }

  // poco_request.cc
  static Result<Target> ParseTarget(const std::string& url);
  // The request for the multiplexer, or nullopt when the blocking path is to send it: https,
  // a method other than GET/HEAD, a body, a Host field of its own, or anything the blocking path
  // would rather check itself (odd bytes in the target or the fields). Errors are the
  // resolver's and the SSRF guard's.
  Result<std::optional<PlainRequest>> PreparePlain(
      const HttpRequest& request, std::map<std::string, Result<ResolvedHost>>& resolved);
  // The POCO request of one hop: our defaults, then the request's own fields.
  Poco::Net::HTTPRequest BuildRequest(const HopRequest& hop);

  // poco_redirects.cc
  // The exchange and the redirects it leads to, all within `deadline`. With `first`, the first
  // hop (to request.url) was already made by the multiplexer.
  SendResult Follow(const HttpRequest& request, SteadyTime deadline, std::optional<Hop> first);
  // The value of the first field named `lower_name` (lower case), ignoring case; "" if none.
  static std::string FindHeader(const std::vector<Header>& headers, std::string_view lower_name);

  // poco_send_each.cc
  // Sends requests[blocking...] on the blocking path, kBlockingPerBatch at once on helper
  // threads, and reports each on this thread as it ends. Stops starting new ones at `start_by`
  // or when `report` clears the caller's go-on flag (it returns it). The ones not started are
  // left unreported.
  template <class Report>
  void SendBlocking(std::span<const HttpRequest> requests, const std::vector<size_t>& blocking,
                    SteadyTime start_by, Report& report);

  // poco_http_client.cc
  // The address to connect to: resolved here (within the deadline), checked by the SSRF policy.
  Result<Poco::Net::IPAddress> Resolve(const std::string& host, SteadyTime deadline);
  // One hop on the blocking path: a slot for the host, a pooled or new connection, and one retry
  // on a new connection when a pooled one fails before any answer (GET and HEAD).
  Result<Hop> Exchange(const HopRequest& hop);
  // One exchange on `connection` (a new one if null), bounded by the hop's deadline; the
  // connection goes back to the pool if it may be used again.
  Result<Hop> Attempt(const HopRequest& hop, const Endpoint& endpoint, const std::string& key,
                      ConnectionPtr connection);
  // One request and its answer. Sets `keep_alive` when the connection may be used again.
  Result<Hop> Talk(const HopRequest& hop, Connection& connection,
                   Poco::Net::HTTPClientSession& session, bool& keep_alive);

  const PocoHttpClientOptions options_;
  HostSlots slots_;
  Multiplexer multiplexer_;  // Shares slots_ with the blocking path.
  DeadlineWatch watch_;      // Declared before pool_: outlives the pooled connections.
  ConnectionPool<ConnectionPtr> pool_;
  BoundedResolver resolver_;
  Poco::Net::Context::Ptr tls_;  // Null if tls_error_ is set. Immutable after construction.
  Status tls_error_;
};

}  // namespace feedbridge::http
