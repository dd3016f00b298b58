#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace feedbridge {

// The outcome of an operation: ok, or a code and a message that names the module and the object
// ("poller: https://ex.org/feed: HTTP 503"). Immutable value type.
class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk,
    kInvalidArgument,     // Malformed input: XML, form, flag. HTTP 400.
    kNotFound,            // HTTP 404.
    kAlreadyExists,       // Duplicate, replayed nonce. HTTP 409.
    kUnauthenticated,     // Bad signature or credentials. HTTP 401.
    kPermissionDenied,    // Revoked or unknown token. HTTP 403.
    kResourceExhausted,   // Over a size, depth or expansion limit. HTTP 413.
    kFailedPrecondition,  // The system is not in a state to do this.
    kUnavailable,         // A peer, Redis or the database is down: retry. HTTP 503.
    kDeadlineExceeded,    // Timed out: retry. HTTP 504.
    kInternal,            // A bug or an unexpected failure. HTTP 500.
  };

  Status() = default;  // OK.

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {Code::kAlreadyExists, std::move(msg)}; }
  static Status Unauthenticated(std::string msg) {
    return {Code::kUnauthenticated, std::move(msg)};
  }
  static Status PermissionDenied(std::string msg) {
    return {Code::kPermissionDenied, std::move(msg)};
  }
  static Status ResourceExhausted(std::string msg) {
    return {Code::kResourceExhausted, std::move(msg)};
  }
  static Status FailedPrecondition(std::string msg) {
    return {Code::kFailedPrecondition, std::move(msg)};
  }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status DeadlineExceeded(std::string msg) {
    return {Code::kDeadlineExceeded, std::move(msg)};
  }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // True for the failures worth trying again later: Unavailable and DeadlineExceeded.
  bool IsRetryable() const {
    return code_ == Code::kUnavailable || code_ == Code::kDeadlineExceeded;
  }

  // Returns a copy whose message is "prefix: message"; the code (the cause) is kept.
  Status WithContext(std::string_view prefix) const;

  // "OK" or "<CodeName>: <message>".
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// "InvalidArgument", "NotFound", ...
std::string_view CodeName(Status::Code code);

}  // namespace feedbridge
