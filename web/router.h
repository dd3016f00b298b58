#pragma once

// Method + path -> handler. Patterns are literal segments and {name} captures of one segment
// ("/{nick}/feed.{format}" is not supported: use "/{nick}/feed.atom" etc.).

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "web/web_types.h"

namespace feedbridge::web {

// A handler answers or fails with a Status; the server maps Status codes to HTTP answers with
// the one table in web/http_errors.h (NotFound -> 404 page, InvalidArgument -> 400, ...).
// Handlers are called from the server's worker threads: they must be thread-safe.
using Handler = std::function<Result<WebResponse>(const WebRequest&, const PathParams&)>;

// Not thread-safe while routes are added; immutable (and thread-safe) once the server runs.
class Router {
 public:
  // GET routes also answer HEAD (the server drops the body).
  void Add(std::string method, std::string pattern, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // Null when nothing matched.
    PathParams params;
    // When the path matched but not the method: the methods it allows (for 405 + Allow).
    std::vector<std::string> allowed;
  };
  Match Find(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" for captures.
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace feedbridge::web
