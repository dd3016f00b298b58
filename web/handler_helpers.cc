#include "web/handler_helpers.h"

#include <algorithm>
#include <charconv>

#include "common/ascii.h"
#include "feeds/url.h"

namespace feedbridge::web {
namespace {

constexpr size_t kMaxEchoedValue = 64;  // Of a bad parameter, quoted back in the 400 answer.

// True when the raw query names `name` at all (QueryParam cannot tell "?before=" from absent).
bool HasQueryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.substr(0, pair.find('=')) == name) return true;
  }
  return false;
}

}  // namespace

std::optional<int64_t> PositiveInteger(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

Result<std::optional<int64_t>> PagingParam(const WebRequest& request, std::string_view name) {
  if (!HasQueryParam(request.query, name)) return std::optional<int64_t>();
  const std::string raw = request.QueryParam(name);
  const std::optional<int64_t> value = PositiveInteger(raw);
  if (!value) {
    return Status::InvalidArgument("web: ?" + std::string(name) + "=" +
                                   raw.substr(0, kMaxEchoedValue) + ": not a positive integer");
  }
  return value;
}

bool IfNoneMatchHits(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view tag = Trim(header.substr(0, comma), kHttpWhitespace);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (tag == "*") return true;
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag) return true;
  }
  return false;
}

bool IsWebUrl(std::string_view url) {
  const std::string scheme = feeds::UrlScheme(url);
  return (scheme == "http" || scheme == "https") && feeds::IsSafeUrl(url);
}

std::chrono::sys_seconds Seconds(TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t);
}

std::optional<std::chrono::sys_seconds> Seconds(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return Seconds(*t);
}

void Fingerprint::AddBytes(std::string_view s) {
  for (const char c : s) Mix(static_cast<unsigned char>(c));
}

void Fingerprint::Add(std::string_view s) {
  AddBytes(s);
  Mix(0);
}

void Fingerprint::Add(int64_t v) {
  auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i, u >>= 8) Mix(static_cast<unsigned char>(u & 0xFF));
}

std::string Fingerprint::Hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  uint64_t h = h_;
  for (size_t i = 16; i-- > 0; h >>= 4) out[i] = kDigits[h & 0xF];
  return out;
}

}  // namespace feedbridge::web
