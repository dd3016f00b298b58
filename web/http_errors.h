#pragma once

// The one table that maps Status codes to HTTP answers (STYLE.md §6.3). The publisher's
// drop-or-retry decision reads the same codes.

#include "common/status.h"

namespace feedbridge::web {

// InvalidArgument 400, Unauthenticated 401, PermissionDenied 403, NotFound 404,
// AlreadyExists 409, FailedPrecondition 409, ResourceExhausted 413, Unavailable 503,
// DeadlineExceeded 504, Internal (and OK by mistake) 500.
int HttpStatusFor(Status::Code code);

// The reason phrase for an HTTP status ("Not Found"; common/http_status.h), "Unknown" for one
// outside the table: a status line needs some phrase.
const char* ReasonPhrase(int status);

}  // namespace feedbridge::web
