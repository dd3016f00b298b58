#pragma once

// What the web handlers (mirror feeds, pages) share: paging parameters, conditional requests,
// ETag fingerprints, and which URLs may be linked to. Pure functions and a value type.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "web/web_types.h"

namespace feedbridge::web {

// An id or a count as written in a URL: digits only (no sign, space, hex or fraction), > 0,
// within int64. Else nullopt.
std::optional<int64_t> PositiveInteger(std::string_view text);

// An optional paging parameter (?before=, ?after=, ?limit=): a PositiveInteger. Absent: nullopt
// (the first page); present but anything else, "?before=" with an empty value included:
// InvalidArgument ("web: ?before=x: not a positive integer", the value cut at 64 bytes).
Result<std::optional<int64_t>> PagingParam(const WebRequest& request, std::string_view name);

// RFC 9110 §13.1.2: whether an If-None-Match header names `etag` (a quoted strong tag). The
// comparison is weak (W/ ignored); "*" matches any current representation.
bool IfNoneMatchHits(std::string_view header, std::string_view etag);

// Only absolute http(s) URLs go into links, images and enclosures served to readers: no
// javascript:, data: or file:, none of the "java\tscript:" tricks browsers would run
// (feeds::IsSafeUrl), and no relative reference a reader would resolve against the bridge.
bool IsWebUrl(std::string_view url);

// A time to the second, as HTTP dates and feed dates carry it.
std::chrono::sys_seconds Seconds(TimePoint t);
std::optional<std::chrono::sys_seconds> Seconds(const std::optional<TimePoint>& t);

// FNV-1a, 64 bits: a fast fingerprint, stable across builds and processes (std::hash is
// neither), for ETags. Not a defence against anyone: the inputs are public. Not thread-safe.
class Fingerprint {
 public:
  // The bytes of `s`.
  void AddBytes(std::string_view s);
  // The bytes of `s` and a separator: ("ab","c") and ("a","bc") differ.
  void Add(std::string_view s);
  // The 8 bytes of `v`, little end first.
  void Add(int64_t v);
  uint64_t value() const { return h_; }
  // value() as 16 lower-case hex digits.
  std::string Hex() const;

 private:
  void Mix(unsigned char c) {
    h_ ^= c;
    h_ *= 0x100000001b3ULL;
  }
  uint64_t h_ = 0xcbf29ce484222325ULL;
};

}  // namespace feedbridge::web
