#pragma once

// The request and response values handlers see. Plain values; no POCO type leaks into handlers,
// so they are tested without a socket and the server adapter stays small.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"

namespace feedbridge::web {

struct WebRequest {
  std::string method;  // "GET", "HEAD", "POST", ...
  std::string path;    // Percent-decoded path, always starting with '/'.
  std::string query;   // Raw query string after '?', may be empty.
  std::vector<std::pair<std::string, std::string>> headers;  // As received.
  std::string body;
  std::string remote_address;  // "127.0.0.1:54321".

  // The first header of that name (case-insensitive), or empty.
  std::string_view Header(std::string_view name) const;
  // The first query parameter of that name, percent-decoded, or empty.
  std::string QueryParam(std::string_view name) const;
};

struct WebResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // Extra headers (ETag, Location...).
  std::string body;
  // When set, the body instead of `body`: a document shared with a cache (immutable), so a large
  // cached feed is not copied for every request.
  std::shared_ptr<const std::string> shared_body;

  void SetHeader(std::string name, std::string value);
  // The body to send: *shared_body when set, else body.
  std::string_view Body() const { return shared_body ? std::string_view(*shared_body) : body; }
};

// Path parameters captured by the router: "/{nick}/feed.atom" on "/garden/feed.atom" gives
// {"nick": "garden"}.
using PathParams = std::map<std::string, std::string, std::less<>>;

}  // namespace feedbridge::web
