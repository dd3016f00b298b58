#pragma once

// Internal to http/: an incremental HTTP/1.x response parser for the event-driven client
// (http/multiplexer.h). Bytes go in as they arrive, in pieces of any size; it finds the status
// line, the header fields and the body's end (Content-Length, chunked, or the connection's close),
// under caps on the header size and on the raw body. Pure: no I/O, no clock.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "http/http_client.h"

namespace feedbridge::http {

class ResponseParser {
 public:
  // The header block (status line and fields) may not be longer than this.
  static constexpr size_t kMaxHeadBytes = 64 * 1024;
  static constexpr size_t kMaxFields = 100;

  // `head_request`: the answer to a HEAD has no body, whatever its fields say. `max_body_bytes`
  // caps the raw (still encoded) body.
  ResponseParser(bool head_request, size_t max_body_bytes);

  // Takes bytes from `data`; returns how many it used. Stops at the end of the response (done())
  // or at the first error (!status().ok()); what it did not use came after the response.
  size_t Feed(std::string_view data);
  // The peer closed the connection: ends a body delimited by the close; anything else still
  // missing is an error (Unavailable).
  void End();

  bool done() const { return state_ == State::kDone; }
  // Errors: Unavailable (malformed or incomplete response, header block over kMaxHeadBytes),
  // ResourceExhausted (body over max_body_bytes, by Content-Length or as counted).
  const Status& status() const { return status_; }
  // No byte arrived yet (a reused connection that failed now may be retried).
  bool started() const { return received_ > 0; }
  // "waiting for the response headers" or "reading the body", for timeout messages.
  std::string_view phase() const;

  // The final answer's status line and fields were read (what failed after it, if anything,
  // was its body).
  bool headers_done() const { return state_ != State::kHead; }
  int status_code() const { return status_code_; }
  const std::vector<Header>& headers() const { return headers_; }
  std::vector<Header>& headers() { return headers_; }  // Moved out once done.
  // The raw body (chunked framing removed, content coding not). Moved out once done.
  std::string& body() { return body_; }
  // The connection may carry another request: the response was framed by length or chunks and
  // neither side asked to close it.
  bool keep_alive() const { return keep_alive_; }

 private:
  enum class State {
    kHead,          // Collecting the header block.
    kLengthBody,    // Content-Length bytes to go.
    kChunkSize,     // A chunk-size line.
    kChunkData,     // Chunk bytes to go.
    kChunkDataEnd,  // The CRLF after a chunk.
    kTrailers,      // Trailer fields up to the empty line.
    kUntilClose,    // Everything up to the close.
    kDone,
  };

  size_t FeedHead(std::string_view data);
  // Parses head_ (one complete block); sets the framing. False on error (status_ set).
  bool ParseHead();
  // Reads one line (without CR LF) into line_; returns bytes used, sets *complete.
  size_t TakeLine(std::string_view data, bool* complete);
  bool AppendBody(std::string_view bytes);
  void Fail(Status s);

  const bool head_request_;
  const size_t max_body_bytes_;
  State state_ = State::kHead;
  Status status_;
  uint64_t received_ = 0;
  std::string head_;        // The header block so far.
  std::string line_;        // A chunk-size or trailer line so far.
  uint64_t remaining_ = 0;  // Body or chunk bytes to go; trailer bytes so far.
  uint64_t content_length_ = 0;
  int status_code_ = 0;
  bool http11_ = true;
  std::vector<Header> headers_;
  std::string body_;
  bool keep_alive_ = false;
};

}  // namespace feedbridge::http
