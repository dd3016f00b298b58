#include "web/http_errors.h"

#include "common/http_status.h"

namespace feedbridge::web {

int HttpStatusFor(Status::Code code) {
  using Code = Status::Code;
  switch (code) {
    case Code::kInvalidArgument:
      return 400;
    case Code::kUnauthenticated:
      return 401;
    case Code::kPermissionDenied:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kAlreadyExists:
    case Code::kFailedPrecondition:
      return 409;
    case Code::kResourceExhausted:
      return 413;
    case Code::kUnavailable:
      return 503;
    case Code::kDeadlineExceeded:
      return 504;
    case Code::kOk:  // A handler failing with OK is a bug: say so rather than pretend success.
    case Code::kInternal:
      return 500;
  }
  return 500;
}

const char* ReasonPhrase(int status) {
  const std::string_view phrase = feedbridge::ReasonPhrase(status);
  return phrase.empty() ? "Unknown" : phrase.data();
}

}  // namespace feedbridge::web
