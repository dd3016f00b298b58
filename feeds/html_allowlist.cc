#include "feeds/html_allowlist.h"

#include "common/ascii.h"
#include "feeds/html_tokenizer.h"
#include "feeds/url.h"

namespace feedbridge::feeds::html_internal {
namespace {

bool IsAllowedScheme(const std::optional<std::string>& scheme) {
  return !scheme || std::find(kAllowedUrlSchemes.begin(), kAllowedUrlSchemes.end(), *scheme) !=
                        kAllowedUrlSchemes.end();
}

}  // namespace

bool IsRemovedElement(std::string_view n) {
  return std::find(kRemovedElements.begin(), kRemovedElements.end(), n) != kRemovedElements.end();
}

std::optional<size_t> AllowedElementId(std::string_view name) {
  const auto it = std::lower_bound(kAllowedElements.begin(), kAllowedElements.end(), name);
  if (it == kAllowedElements.end() || *it != name) return std::nullopt;
  return static_cast<size_t>(it - kAllowedElements.begin());
}

std::string_view ElementSpecificAttributes(std::string_view element) {
  for (const ElementAttributes& e : kElementAttributes) {
    if (e.element == element) return e.attributes;
  }
  return {};
}

bool ListContains(std::string_view list, std::string_view word) {
  size_t i = 0;
  while (i < list.size()) {
    size_t end = list.find(' ', i);
    if (end == std::string_view::npos) end = list.size();
    if (list.substr(i, end - i) == word) return true;
    i = end + 1;
  }
  return false;
}

bool IsVoidElement(std::string_view n) {
  static constexpr std::array<std::string_view, 17> kVoid = {
      "area", "base",  "basefont", "br",   "col",  "embed", "frame",  "hr",   "image",
      "img",  "input", "keygen",   "link", "meta", "param", "source", "track"};
  return n == "wbr" || std::find(kVoid.begin(), kVoid.end(), n) != kVoid.end();
}

bool IsUrlAttribute(std::string_view n) { return n == "href" || n == "src" || n == "cite"; }

std::optional<std::string> SchemeForSafety(std::string_view url) {
  const size_t colon = url.find_first_of(":/?#");
  if (colon == std::string_view::npos || url[colon] != ':') return std::nullopt;
  std::string scheme;
  for (const char c : url.substr(0, colon)) {
    if (static_cast<unsigned char>(c) > 0x20) scheme += AsciiLower(c);
  }
  return scheme;
}

std::string NormalizeUrlValue(std::string_view value) {
  size_t begin = 0;
  size_t end = value.size();
  while (begin < end && static_cast<unsigned char>(value[begin]) <= 0x20) ++begin;
  while (end > begin && static_cast<unsigned char>(value[end - 1]) <= 0x20) --end;
  std::string url;
  for (const char c : value.substr(begin, end - begin)) {
    if (c != '\t' && c != '\n' && c != '\r') url += c;
  }
  return url;
}

std::optional<std::string> SafeUrl(std::string_view value, std::string_view base_url) {
  const std::string url = NormalizeUrlValue(value);
  const std::optional<std::string> scheme = SchemeForSafety(url);
  if (!IsAllowedScheme(scheme)) return std::nullopt;
  if (scheme || base_url.empty()) return url;
  std::string resolved = ResolveUrl(base_url, url);
  if (!IsAllowedScheme(SchemeForSafety(resolved))) return std::nullopt;
  return resolved;
}

}  // namespace feedbridge::feeds::html_internal
