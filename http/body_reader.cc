#include "http/body_reader.h"

#include <Poco/Exception.h>
#include <Poco/InflatingStream.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Timespan.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <sstream>
#include <streambuf>

#include "common/ascii.h"
#include "common/text.h"

namespace feedbridge::http {
namespace {

constexpr size_t kChunk = 16 * 1024;

// The raw body bytes, one socket read at a time. A trickling server cannot hold a read past the
// deadline: the connection's DeadlineWatch cuts a read blocked at the deadline, and the deadline
// is checked between reads (a per-read timeout alone would let one byte per second go on).
class RawSource {
 public:
  RawSource(std::streambuf& raw, const BodyLimits& limits) : raw_(raw), limits_(limits) {}

  // Up to `n` bytes into `out`; 0 at the end of the body or on error (then status() says which).
  size_t Read(char* out, size_t n) {
    if (!status_.ok() || eof_) return 0;
    try {
      if (raw_.in_avail() <= 0) {
        const auto left = limits_.deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero()) {
          status_ = Status::DeadlineExceeded("timed out reading the body");
          return 0;
        }
        if (raw_.sgetc() == std::streambuf::traits_type::eof()) {  // One socket read.
          eof_ = true;
          // POCO ends a fixed-length body quietly when the peer closes early; a cut-off feed
          // must not pass for a whole one.
          if (limits_.content_length >= 0 &&
              total_ < static_cast<uint64_t>(limits_.content_length)) {
            status_ =
                Status::Unavailable("connection closed after " + std::to_string(total_) + " of " +
                                    std::to_string(limits_.content_length) + " body bytes");
          }
          return 0;
        }
      }
      const auto available = static_cast<size_t>(std::max<std::streamsize>(raw_.in_avail(), 1));
      const auto got = static_cast<size_t>(
          raw_.sgetn(out, static_cast<std::streamsize>(std::min(n, available))));
      total_ += got;
      if (total_ > limits_.max_bytes) {
        status_ =
            Status::ResourceExhausted("body over " + std::to_string(limits_.max_bytes) + " bytes");
        return 0;
      }
      return got;
    } catch (const Poco::Exception& e) {
      status_ = StatusFromPocoException(e);
      return 0;
    }
  }

  const Status& status() const { return status_; }
  void Fail(Status s) {
    if (status_.ok()) status_ = std::move(s);
  }

 private:
  std::streambuf& raw_;
  const BodyLimits& limits_;
  uint64_t total_ = 0;
  bool eof_ = false;
  Status status_;
};

// Lets Poco::InflatingInputStream pull from a RawSource.
class RawSourceBuf final : public std::streambuf {
 public:
  explicit RawSourceBuf(RawSource& source) : source_(source) {}

 protected:
  int_type underflow() override {
    const size_t got = source_.Read(buffer_.data(), buffer_.size());
    if (got == 0) return traits_type::eof();
    setg(buffer_.data(), buffer_.data(), buffer_.data() + got);
    return traits_type::to_int_type(buffer_[0]);
  }

 private:
  RawSource& source_;
  std::array<char, kChunk> buffer_{};
};

Result<std::string> ReadIdentity(RawSource& source) {
  std::string body;
  std::array<char, kChunk> chunk{};
  for (;;) {
    const size_t got = source.Read(chunk.data(), chunk.size());
    if (got == 0) break;
    body.append(chunk.data(), got);
  }
  if (!source.status().ok()) return source.status();
  return body;
}

Result<std::string> ReadInflated(RawSource& source, ContentCoding coding, size_t max_bytes) {
  RawSourceBuf buf(source);
  std::istream compressed(&buf);
  // "deflate" is the zlib format (RFC 9110 §8.4.1.2).
  Poco::InflatingInputStream inflater(compressed, coding == ContentCoding::kGzip
                                                      ? Poco::InflatingStreamBuf::STREAM_GZIP
                                                      : Poco::InflatingStreamBuf::STREAM_ZLIB);
  // Rethrow the zlib error rather than turn it into a silent end of stream.
  inflater.exceptions(std::ios::badbit);
  std::string body;
  std::array<char, kChunk> chunk{};
  try {
    while (inflater) {
      inflater.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      const auto got = static_cast<size_t>(inflater.gcount());
      if (got == 0) break;
      // A gzip bomb stops here: decoded bytes are counted before they are kept.
      if (body.size() + got > max_bytes) {
        source.Fail(Status::ResourceExhausted("decompressed body over " + SizeText(max_bytes)));
        break;
      }
      // Grown by doubling, but never past the cap: a body near the cap must not reserve twice it.
      if (body.size() + got > body.capacity()) {
        body.reserve(std::min(max_bytes, std::max(body.capacity() * 2, body.size() + got)));
      }
      body.append(chunk.data(), got);
    }
  } catch (const Poco::Exception& e) {
    source.Fail(Status::Unavailable(
        "corrupt " + std::string(coding == ContentCoding::kGzip ? "gzip" : "deflate") +
        " body: " + e.message()));
  } catch (const std::ios::failure& e) {
    source.Fail(Status::Unavailable(std::string("corrupt compressed body: ") + e.what()));
  }
  if (!source.status().ok()) return source.status();
  // Anything after the compressed stream ends is read (and counted) so the connection can be
  // reused.
  while (source.Read(chunk.data(), chunk.size()) > 0) {
  }
  if (!source.status().ok()) return source.status();
  return body;
}

}  // namespace

Result<std::string> ReadBody(std::istream& raw, ContentCoding coding, const BodyLimits& limits) {
  RawSource source(*raw.rdbuf(), limits);
  if (coding == ContentCoding::kIdentity) return ReadIdentity(source);
  return ReadInflated(source, coding, limits.max_bytes);
}

Result<ContentCoding> ParseContentCoding(std::string_view value) {
  const std::string coding = AsciiLower(value);
  if (coding.empty() || coding == "identity") return ContentCoding::kIdentity;
  if (coding == "gzip" || coding == "x-gzip") return ContentCoding::kGzip;
  if (coding == "deflate") return ContentCoding::kDeflate;
  return Status::Unavailable("unsupported Content-Encoding: " + coding);
}

Result<std::string> DecodeBody(std::string raw, ContentCoding coding, size_t max_bytes) {
  if (coding == ContentCoding::kIdentity) return raw;
  std::istringstream in(std::move(raw));
  // The bytes are all here: no read can block, so no deadline applies. The raw bytes were
  // capped as they arrived; the cap applies to the decoded ones here.
  return ReadBody(in, coding, BodyLimits{max_bytes, SteadyTime::max(), -1});
}

Status StatusFromPocoException(const Poco::Exception& e) {
  const std::string text = e.displayText();
  if (dynamic_cast<const Poco::TimeoutException*>(&e) != nullptr) {
    return Status::DeadlineExceeded("timed out: " + text);
  }
  if (dynamic_cast<const Poco::Net::DNSException*>(&e) != nullptr) {
    return Status::Unavailable("DNS: " + text);
  }
  if (dynamic_cast<const Poco::Net::SSLException*>(&e) != nullptr) {
    return Status::Unavailable("TLS: " + text);
  }
  if (dynamic_cast<const Poco::Net::ConnectionRefusedException*>(&e) != nullptr) {
    return Status::Unavailable("connection refused: " + text);
  }
  if (dynamic_cast<const Poco::IOException*>(&e) != nullptr) {  // NetException and friends.
    return Status::Unavailable(text);
  }
  if (dynamic_cast<const Poco::SyntaxException*>(&e) != nullptr) {
    return Status::InvalidArgument(text);
  }
  return Status::Internal(text);
}

}  // namespace feedbridge::http
