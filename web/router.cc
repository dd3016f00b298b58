#include "web/router.h"

#include <algorithm>
#include <utility>

namespace feedbridge::web {
namespace {

// Splits "/a/b" into {"a", "b"}. The text after the last '/' is always a segment, so "/" is {""}
// and "/x/" is {"x", ""}: a trailing slash is an empty last segment, which only a pattern with a
// trailing slash matches (no capture matches an empty segment). "/x/" therefore never matches
// "/x"; the two are different resources, as they are for relative links in the pages.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool IsCapture(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Fills `params` when every segment matches.
bool MatchSegments(const std::vector<std::string>& pattern,
                   const std::vector<std::string_view>& path, PathParams& params) {
  if (pattern.size() != path.size()) return false;
  PathParams captured;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (IsCapture(pattern[i])) {
      if (path[i].empty()) return false;
      captured.emplace(pattern[i].substr(1, pattern[i].size() - 2), std::string(path[i]));
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  params = std::move(captured);
  return true;
}

void AddAllowed(std::vector<std::string>& allowed, const std::string& method) {
  if (std::find(allowed.begin(), allowed.end(), method) == allowed.end()) {
    allowed.push_back(method);
  }
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler) {
  std::vector<std::string> segments;
  for (std::string_view s : SplitPath(pattern)) segments.emplace_back(s);
  routes_.push_back(Route{std::move(method), std::move(segments), std::move(handler)});
}

// Routes are tried in the order they were added; the first that matches path and method wins.
Router::Match Router::Find(std::string_view method, std::string_view path) const {
  const std::vector<std::string_view> segments = SplitPath(path);
  Match match;
  for (const Route& route : routes_) {
    PathParams params;
    if (!MatchSegments(route.segments, segments, params)) continue;
    if (route.method == method || (route.method == "GET" && method == "HEAD")) {
      match.handler = &route.handler;
      match.params = std::move(params);
      match.allowed.clear();
      return match;
    }
    AddAllowed(match.allowed, route.method);
    if (route.method == "GET") AddAllowed(match.allowed, "HEAD");
  }
  return match;
}

}  // namespace feedbridge::web
