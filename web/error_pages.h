#pragma once

// The interface the server renders its error answers through; the handlers implement it
// (web/page_handlers.h) without depending on the server.

#include "common/status.h"
#include "web/web_types.h"

namespace feedbridge::web {

// Renders error answers (404, 405, 500, ...) in the site's look. Called from worker threads:
// implementations must be thread-safe. `cause` is the failure behind the answer; it may name
// internals, so show it only where that is safe (4xx).
class ErrorPages {
 public:
  virtual ~ErrorPages() = default;
  // The server overrides the response's status with `status`.
  virtual WebResponse Render(int status, const Status& cause) = 0;
};

}  // namespace feedbridge::web
