#include "http/response_parser.h"

#include <algorithm>
#include <cctype>

#include "common/ascii.h"

namespace feedbridge::http {
namespace {

// A chunk-size or trailer line longer than this is not a line we will keep reading.
constexpr size_t kMaxLineBytes = 4096;

bool IsTokenChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (std::isalnum(u)) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// The comma-separated, lower-cased tokens of every field named `name`.
std::vector<std::string> Tokens(const std::vector<Header>& headers, std::string_view name) {
  std::vector<std::string> out;
  for (const Header& h : headers) {
    if (!EqualsIgnoreAsciiCase(h.name, name)) continue;
    std::string_view rest = h.value;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      const std::string_view token = Trim(rest.substr(0, comma), kHttpWhitespace);
      if (!token.empty()) out.push_back(AsciiLower(token));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return out;
}

// Printable, short: a malformed line quoted in an error message.
std::string Quote(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 60)) {
    out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  }
  if (s.size() > 60) out += "...";
  return "'" + out + "'";
}

}  // namespace

ResponseParser::ResponseParser(bool head_request, size_t max_body_bytes)
    : head_request_(head_request), max_body_bytes_(max_body_bytes) {}

std::string_view ResponseParser::phase() const {
  return state_ == State::kHead ? "waiting for the response headers" : "reading the body";
}

void ResponseParser::Fail(Status s) {
  if (status_.ok()) status_ = std::move(s);
}

size_t ResponseParser::Feed(std::string_view data) {
  received_ += data.size();
  size_t used = 0;
  while (used < data.size() && state_ != State::kDone && status_.ok()) {
    const std::string_view rest = data.substr(used);
    switch (state_) {
      case State::kHead:
        used += FeedHead(rest);
        break;
      case State::kLengthBody:
      case State::kChunkData: {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, rest.size()));
        if (!AppendBody(rest.substr(0, n))) return used;
        used += n;
        remaining_ -= n;
        if (remaining_ == 0) {
          state_ = state_ == State::kLengthBody ? State::kDone : State::kChunkDataEnd;
        }
        break;
      }
      case State::kUntilClose:
        if (!AppendBody(rest)) return used;
        used += rest.size();
        break;
      case State::kChunkSize: {
        bool complete = false;
        used += TakeLine(rest, &complete);
        if (!complete) break;
        std::string_view size = line_;
        size =
            Trim(size.substr(0, size.find(';')), kHttpWhitespace);  // Chunk extensions are ignored.
        uint64_t n = 0;
        if (size.empty() || size.size() > 15) {
          Fail(Status::Unavailable("malformed chunk size " + Quote(line_)));
          return used;
        }
        for (char c : size) {
          if (!std::isxdigit(static_cast<unsigned char>(c))) {
            Fail(Status::Unavailable("malformed chunk size " + Quote(line_)));
            return used;
          }
          n = n * 16 + static_cast<uint64_t>(std::isdigit(static_cast<unsigned char>(c))
                                                 ? c - '0'
                                                 : AsciiLower(c) - 'a' + 10);
        }
        line_.clear();
        if (n == 0) {
          state_ = State::kTrailers;
          remaining_ = 0;  // Trailer bytes so far.
        } else if (body_.size() + n > max_body_bytes_) {
          Fail(
              Status::ResourceExhausted("body over " + std::to_string(max_body_bytes_) + " bytes"));
          return used;
        } else {
          remaining_ = n;
          state_ = State::kChunkData;
        }
        break;
      }
      case State::kChunkDataEnd: {
        bool complete = false;
        used += TakeLine(rest, &complete);
        if (!complete) break;
        if (!line_.empty()) {
          Fail(Status::Unavailable("malformed chunked body: chunk longer than its size"));
          return used;
        }
        state_ = State::kChunkSize;
        break;
      }
      case State::kTrailers: {
        bool complete = false;
        const size_t n = TakeLine(rest, &complete);
        used += n;
        remaining_ += n;
        if (remaining_ > kMaxHeadBytes) {
          Fail(Status::Unavailable("trailer fields over " + std::to_string(kMaxHeadBytes) +
                                   " bytes"));
          return used;
        }
        if (!complete) break;
        if (line_.empty()) state_ = State::kDone;  // Trailer fields themselves are not kept.
        line_.clear();
        break;
      }
      case State::kDone:
        break;
    }
  }
  return used;
}

size_t ResponseParser::TakeLine(std::string_view data, bool* complete) {
  const size_t newline = data.find('\n');
  const std::string_view piece = data.substr(0, newline);
  if (line_.size() + piece.size() > kMaxLineBytes) {
    Fail(Status::Unavailable("line in the body framing over " + std::to_string(kMaxLineBytes) +
                             " bytes"));
    return data.size();
  }
  line_.append(piece);
  if (newline == std::string_view::npos) return data.size();
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  *complete = true;
  return newline + 1;
}

size_t ResponseParser::FeedHead(std::string_view data) {
  size_t used = 0;
  if (head_.empty()) {
    // Blank lines before the status line are tolerated (RFC 9112 §2.2).
    while (used < data.size() && (data[used] == '\r' || data[used] == '\n')) ++used;
    data.remove_prefix(used);
  }
  const size_t before = head_.size();
  const size_t room = kMaxHeadBytes + 4 - before;
  head_.append(data.substr(0, room));
  // The block ends at the first empty line: LF CR LF or LF LF.
  size_t end = std::string::npos;
  for (size_t i = before >= 2 ? before - 2 : 0; i < head_.size(); ++i) {
    if (head_[i] != '\n') continue;
    if (i + 1 < head_.size() && head_[i + 1] == '\n') {
      end = i + 2;
      break;
    }
    if (i + 2 < head_.size() && head_[i + 1] == '\r' && head_[i + 2] == '\n') {
      end = i + 3;
      break;
    }
  }
  if (end == std::string::npos) {
    if (head_.size() > kMaxHeadBytes) {
      Fail(Status::Unavailable("response header block over " + std::to_string(kMaxHeadBytes) +
                               " bytes"));
    }
    return used + std::min(room, data.size());
  }
  used += end - before;
  head_.resize(end);
  if (end > kMaxHeadBytes) {
    Fail(Status::Unavailable("response header block over " + std::to_string(kMaxHeadBytes) +
                             " bytes"));
    return used;
  }
  ParseHead();
  return used;
}

bool ResponseParser::ParseHead() {
  std::vector<std::string_view> lines;
  std::string_view rest = head_;
  while (!rest.empty()) {
    const size_t newline = rest.find('\n');
    std::string_view line = rest.substr(0, newline);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) lines.push_back(line);
    if (newline == std::string_view::npos) break;
    rest.remove_prefix(newline + 1);
  }
  // The status line: HTTP/1.x SP 3DIGIT [SP reason].
  const std::string_view status_line = lines.empty() ? std::string_view() : lines.front();
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." ||
      !std::isdigit(static_cast<unsigned char>(status_line[7])) || status_line[8] != ' ' ||
      !std::all_of(status_line.begin() + 9, status_line.begin() + 12,
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    Fail(Status::Unavailable("malformed status line " + Quote(status_line)));
    return false;
  }
  http11_ = status_line[7] != '0';
  status_code_ = std::stoi(std::string(status_line.substr(9, 3)));
  if (status_code_ < 100) {
    Fail(Status::Unavailable("malformed status line " + Quote(status_line)));
    return false;
  }
  headers_.clear();
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (line.front() == ' ' || line.front() == '\t') {
      // obs-fold (RFC 9112 §5.2): the continuation joins the previous value with a space.
      if (headers_.empty()) {
        Fail(Status::Unavailable("malformed header line " + Quote(line)));
        return false;
      }
      headers_.back().value += ' ';
      headers_.back().value += Trim(line, kHttpWhitespace);
      continue;
    }
    const size_t colon = line.find(':');
    const std::string_view name = line.substr(0, colon);
    if (colon == std::string_view::npos || name.empty() ||
        !std::all_of(name.begin(), name.end(), IsTokenChar)) {
      Fail(Status::Unavailable("malformed header line " + Quote(line)));
      return false;
    }
    if (headers_.size() >= kMaxFields) {
      Fail(Status::Unavailable("over " + std::to_string(kMaxFields) + " response header fields"));
      return false;
    }
    headers_.push_back(
        {std::string(name), std::string(Trim(line.substr(colon + 1), kHttpWhitespace))});
  }
  head_.clear();

  if (status_code_ == 101) {
    Fail(Status::Unavailable("unexpected 101 Switching Protocols"));
    return false;
  }
  if (status_code_ < 200) return true;  // An interim answer (100, 103): the real one follows.

  const std::vector<std::string> connection = Tokens(headers_, "connection");
  const auto has = [&](std::string_view token) {
    return std::find(connection.begin(), connection.end(), token) != connection.end();
  };
  keep_alive_ = http11_ ? !has("close") : has("keep-alive");

  // RFC 9112 §6.3: the answer to HEAD, 204 and 304 have no body whatever their fields say.
  if (head_request_ || status_code_ == 204 || status_code_ == 304) {
    state_ = State::kDone;
    return true;
  }
  const std::vector<std::string> coding = Tokens(headers_, "transfer-encoding");
  if (!coding.empty()) {
    // Transfer-Encoding overrides Content-Length; a final coding other than chunked is read to
    // the close. Either way such a connection is not trusted with another request but chunked.
    if (coding.back() == "chunked") {
      state_ = State::kChunkSize;
    } else {
      state_ = State::kUntilClose;
      keep_alive_ = false;
    }
    return true;
  }
  const std::vector<std::string> lengths = Tokens(headers_, "content-length");
  if (lengths.empty()) {
    state_ = State::kUntilClose;
    keep_alive_ = false;
    return true;
  }
  for (const std::string& l : lengths) {
    if (l != lengths.front() || l.size() > 18 ||
        !std::all_of(l.begin(), l.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      Fail(Status::Unavailable("malformed or conflicting Content-Length"));
      return false;
    }
  }
  content_length_ = std::stoull(lengths.front());
  if (content_length_ > max_body_bytes_) {
    Fail(Status::ResourceExhausted("Content-Length " + std::to_string(content_length_) + " over " +
                                   std::to_string(max_body_bytes_) + " bytes"));
    return false;
  }
  remaining_ = content_length_;
  body_.reserve(static_cast<size_t>(content_length_));
  state_ = remaining_ == 0 ? State::kDone : State::kLengthBody;
  return true;
}

bool ResponseParser::AppendBody(std::string_view bytes) {
  if (body_.size() + bytes.size() > max_body_bytes_) {
    Fail(Status::ResourceExhausted("body over " + std::to_string(max_body_bytes_) + " bytes"));
    return false;
  }
  body_.append(bytes);
  return true;
}

void ResponseParser::End() {
  switch (state_) {
    case State::kDone:
      return;
    case State::kUntilClose:
      state_ = State::kDone;
      keep_alive_ = false;
      return;
    case State::kHead:
      Fail(Status::Unavailable(received_ == 0
                                   ? "connection closed by the server before any response"
                                   : "connection closed in the middle of the response headers"));
      return;
    case State::kLengthBody:
      Fail(Status::Unavailable("connection closed after " + std::to_string(body_.size()) + " of " +
                               std::to_string(content_length_) + " body bytes"));
      return;
    case State::kChunkSize:
    case State::kChunkData:
    case State::kChunkDataEnd:
    case State::kTrailers:
      Fail(Status::Unavailable("connection closed in the middle of the chunked body"));
      return;
  }
}

}  // namespace feedbridge::http
