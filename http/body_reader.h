#pragma once

// Internal to http/: reads a response body from a POCO session under a byte cap and a deadline,
// decoding gzip/deflate. Never allocates more than about the cap, whatever the server sends.

#include <Poco/Exception.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>

#include "common/result.h"

namespace feedbridge::http {

using SteadyTime = std::chrono::steady_clock::time_point;

enum class ContentCoding { kIdentity, kGzip, kDeflate };

struct BodyLimits {
  size_t max_bytes = 0;         // Cap on the raw and on the decoded body.
  SteadyTime deadline;          // Checked before and after every read from the socket.
  int64_t content_length = -1;  // The announced raw length; a shorter body is an error. -1: none.
};

// Reads `raw` (the stream POCO returned from receiveResponse) to its end, decoding `coding`.
// A read blocked at the deadline is cut by the connection's DeadlineWatch; ReadBody checks the
// deadline between reads.
// Errors: ResourceExhausted (over the cap), DeadlineExceeded, Unavailable (connection failure or
// close before Content-Length bytes, corrupt compressed data). Messages have no prefix; the caller
// adds the URL. On success the raw stream has been read to its end, so the session may be reused.
Result<std::string> ReadBody(std::istream& raw, ContentCoding coding, const BodyLimits& limits);

// The coding a Content-Encoding value names: empty or "identity", "gzip" (or "x-gzip"),
// "deflate". Anything else is Unavailable "unsupported Content-Encoding: ...".
Result<ContentCoding> ParseContentCoding(std::string_view value);

// Decodes a body already read whole (the event-driven path), under the same cap as ReadBody:
// ResourceExhausted past `max_bytes` decoded, Unavailable for corrupt compressed data.
Result<std::string> DecodeBody(std::string raw, ContentCoding coding, size_t max_bytes);

// Maps a POCO exception to a Status (no prefix): TimeoutException -> DeadlineExceeded; DNS ->
// Unavailable "DNS: ..."; SSL -> Unavailable "TLS: ..."; other network and I/O errors ->
// Unavailable; SyntaxException -> InvalidArgument; anything else -> Internal.
Status StatusFromPocoException(const Poco::Exception& e);

}  // namespace feedbridge::http
