#include "feeds/url.h"

#include <optional>

#include "common/ascii.h"

namespace feedbridge::feeds {
namespace {

// WHATWG URL: leading and trailing "C0 control or space" are stripped before parsing.
bool IsC0ControlOrSpace(char c) { return static_cast<unsigned char>(c) <= 0x20; }

std::string_view TrimControlsAndSpace(std::string_view s) {
  while (!s.empty() && IsC0ControlOrSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsC0ControlOrSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
bool IsValidScheme(std::string_view s) {
  if (s.empty() || !IsAlpha(s.front())) return false;
  for (char c : s) {
    if (!IsAlpha(c) && !IsDigit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  return true;
}

// The five components of RFC 3986 §3, split as Appendix B does. Undefined components are
// nullopt (an empty query "?" differs from no query).
struct UriParts {
  std::optional<std::string_view> scheme;
  std::optional<std::string_view> authority;
  std::string_view path;
  std::optional<std::string_view> query;
  std::optional<std::string_view> fragment;
};

UriParts Split(std::string_view s) {
  UriParts u;
  if (const size_t hash = s.find('#'); hash != std::string_view::npos) {
    u.fragment = s.substr(hash + 1);
    s = s.substr(0, hash);
  }
  if (const size_t q = s.find('?'); q != std::string_view::npos) {
    u.query = s.substr(q + 1);
    s = s.substr(0, q);
  }
  // A colon before any '/' ends the scheme; if what precedes it is not a valid scheme this is
  // a relative path whose first segment contains a colon (malformed, §4.2, but kept as a path).
  if (const size_t colon = s.find(':'); colon != std::string_view::npos) {
    const std::string_view candidate = s.substr(0, colon);
    if (candidate.find('/') == std::string_view::npos && IsValidScheme(candidate)) {
      u.scheme = candidate;
      s = s.substr(colon + 1);
    }
  }
  if (s.substr(0, 2) == "//") {
    s.remove_prefix(2);
    const size_t slash = s.find('/');
    u.authority = s.substr(0, slash);
    s = slash == std::string_view::npos ? std::string_view() : s.substr(slash);
  }
  u.path = s;
  return u;
}

// Drops the last segment of `out` and the '/' before it (RFC 3986 §5.2.4, step 2C).
void PopSegment(std::string& out) {
  const size_t slash = out.rfind('/');
  out.erase(slash == std::string::npos ? 0 : slash);
}

// RFC 3986 §5.2.4 remove_dot_segments, step letters as in the RFC.
std::string RemoveDotSegments(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  while (!in.empty()) {
    if (in.substr(0, 3) == "../") {  // A
      in.remove_prefix(3);
    } else if (in.substr(0, 2) == "./") {  // A
      in.remove_prefix(2);
    } else if (in.substr(0, 3) == "/./") {  // B: "/./" -> "/"
      in.remove_prefix(2);
    } else if (in == "/.") {  // B
      out += '/';
      break;
    } else if (in.substr(0, 4) == "/../") {  // C: "/../" -> "/", drop a segment
      in.remove_prefix(3);
      PopSegment(out);
    } else if (in == "/..") {  // C
      PopSegment(out);
      out += '/';
      break;
    } else if (in == "." || in == "..") {  // D
      break;
    } else {  // E: move the first segment, with its leading '/', to the output.
      const size_t next = in.find('/', 1);
      const size_t len = next == std::string_view::npos ? in.size() : next;
      out.append(in.substr(0, len));
      in.remove_prefix(len);
    }
  }
  return out;
}

// RFC 3986 §5.2.3 merge.
std::string Merge(const UriParts& base, std::string_view ref_path) {
  if (base.authority && base.path.empty()) return "/" + std::string(ref_path);
  const size_t slash = base.path.rfind('/');
  if (slash == std::string_view::npos) return std::string(ref_path);
  return std::string(base.path.substr(0, slash + 1)) + std::string(ref_path);
}

}  // namespace

std::string ResolveUrl(std::string_view base, std::string_view ref) {
  ref = TrimControlsAndSpace(ref);
  base = TrimControlsAndSpace(base);
  if (base.empty()) return std::string(ref);
  const UriParts r = Split(ref);
  if (r.scheme) return std::string(ref);
  const UriParts b = Split(base);

  // RFC 3986 §5.2.2, non-strict branch not needed: r has no scheme here. A relative base
  // (an xml:base of "/blog/") resolves the same way and yields a relative result.
  std::optional<std::string_view> authority;
  std::string path;
  std::optional<std::string_view> query;
  if (r.authority) {
    authority = r.authority;
    path = RemoveDotSegments(r.path);
    query = r.query;
  } else {
    if (r.path.empty()) {
      path = std::string(b.path);
      query = r.query ? r.query : b.query;
    } else {
      path = RemoveDotSegments(r.path.front() == '/' ? std::string(r.path) : Merge(b, r.path));
      query = r.query;
    }
    authority = b.authority;
  }

  // §5.3 component recomposition.
  std::string out;
  out.reserve(base.size() + ref.size());
  if (b.scheme) {
    out.append(*b.scheme);
    out += ':';
  }
  if (authority) {
    out += "//";
    out.append(*authority);
  }
  out += path;
  if (query) {
    out += '?';
    out.append(*query);
  }
  if (r.fragment) {
    out += '#';
    out.append(*r.fragment);
  }
  return out;
}

std::string UrlScheme(std::string_view url) {
  url = TrimControlsAndSpace(url);
  std::string scheme;
  for (char c : url) {
    if (c == ':') return IsValidScheme(scheme) ? scheme : std::string();
    // Browsers drop tab and newline anywhere in a URL ("java\tscript:" runs script). We drop
    // every control character and space, which can only make more URLs look unsafe.
    if (IsC0ControlOrSpace(c) || c == '\x7F') continue;
    if (!IsAlpha(c) && !IsDigit(c) && c != '+' && c != '-' && c != '.') return "";
    scheme += AsciiLower(c);
  }
  return "";
}

bool IsSafeUrl(std::string_view url) {
  const std::string scheme = UrlScheme(url);
  return scheme.empty() || scheme == "http" || scheme == "https" || scheme == "mailto";
}

}  // namespace feedbridge::feeds
