#include "feeds/discovery.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ascii.h"
#include "common/c_ptr.h"
#include "common/utf8.h"
#include "feeds/url.h"

// Discovery reads whole pages, not fragments, so libxml2's HTML parser fits: it builds the
// <head> a page implies and tolerates tag soup. The input is repaired to valid UTF-8 first,
// because told "UTF-8", libxml2 2.9.14 stops at the first invalid byte ("encoder error").

namespace feedbridge::feeds {
namespace {

// Pages larger than this are cut: feed links live in <head>, and libxml2 takes an int length.
constexpr size_t kMaxPageBytes = 8 * 1024 * 1024;
// Elements deeper than this are not visited (the walk is iterative; this bounds the work on a
// "<div><div><div>..." page, not the stack).
constexpr int kMaxDepth = 256;
// LooksLikeHtml reads no further than this.
constexpr size_t kSniffBytes = 1024;

bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Length of the valid UTF-8 sequence at `i` (no overlongs, surrogates or values past
// U+10FFFF), or 0.
size_t Utf8Length(std::string_view s, size_t i) {
  const Utf8Char c = DecodeUtf8(s, i);
  return c.valid ? c.length : 0;
}

// Valid UTF-8 without NUL or other C0 controls libxml2 rejects: bad bytes become U+FFFD,
// controls become spaces.
std::string RepairForParser(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    const auto b = static_cast<unsigned char>(in[i]);
    if (b == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') {
      out += ' ';
      ++i;
    } else if (const size_t n = Utf8Length(in, i); n > 0) {
      out.append(in.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

void FreeXmlChars(xmlChar* p) { xmlFree(p); }

std::optional<std::string> Attr(xmlNode* node, const char* name) {
  CPtr<xmlChar, FreeXmlChars> value(xmlGetProp(node, reinterpret_cast<const xmlChar*>(name)));
  if (value == nullptr) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(value.get()));
}

// The scheme of an absolute URL, lower-cased; empty for a relative reference (RFC 3986 §3.1).
std::string Scheme(std::string_view url) {
  const size_t colon = url.find_first_of(":/?#");
  if (colon == std::string_view::npos || colon == 0 || url[colon] != ':') return {};
  return AsciiLower(url.substr(0, colon));
}

// The href as a browser would read it: trimmed, tabs and newlines removed (WHATWG URL).
std::string CleanHref(std::string_view href) {
  std::string out;
  for (const char c : Trim(href, kHtmlWhitespace)) {
    if (c != '\t' && c != '\n' && c != '\r') out += c;
  }
  return out;
}

// The feed: pseudo-scheme some sites use ("feed://ex.org/rss", "feed:https://ex.org/rss").
std::string UnwrapFeedScheme(std::string url) {
  if (!StartsWithIgnoreAsciiCase(url, "feed:")) return url;
  const std::string_view rest = std::string_view(url).substr(5);
  if (rest.substr(0, 2) == "//") return "http:" + std::string(rest);
  return std::string(rest);
}

struct FeedType {
  std::string_view mime;
  FeedFormat hint;
};
// The types feed readers look for. The hint is only a guess for the parser: application/json is
// what JSON Feed 1.0 told publishers to use, application/feed+json is 1.1's type.
constexpr std::array<FeedType, 9> kFeedTypes = {{
    {"application/rss+xml", FeedFormat::kRss20},
    {"application/x-rss+xml", FeedFormat::kRss20},
    {"application/atom+xml", FeedFormat::kAtom10},
    {"application/x-atom+xml", FeedFormat::kAtom10},
    {"application/feed+json", FeedFormat::kJsonFeed11},
    {"application/json", FeedFormat::kJsonFeed10},
    {"application/rdf+xml", FeedFormat::kRss10},
    {"text/xml", FeedFormat::kUnknown},
    {"application/xml", FeedFormat::kUnknown},
}};

// The type without parameters, lower-cased: "Application/RSS+XML; charset=utf-8" matches.
const FeedType* FindFeedType(std::string_view type) {
  const size_t semicolon = type.find(';');
  const std::string mime = AsciiLower(Trim(type.substr(0, semicolon), kHtmlWhitespace));
  for (const FeedType& t : kFeedTypes) {
    if (t.mime == mime) return &t;
  }
  return nullptr;
}

// rel is a set of space-separated, case-insensitive tokens (HTML §4.6.7).
bool HasRelToken(std::string_view rel, std::string_view token) {
  size_t i = 0;
  while (i < rel.size()) {
    while (i < rel.size() && IsAsciiSpace(rel[i])) ++i;
    size_t end = i;
    while (end < rel.size() && !IsAsciiSpace(rel[end])) ++end;
    if (end > i && AsciiLower(rel.substr(i, end - i)) == token) return true;
    i = end;
  }
  return false;
}

struct CandidateLink {
  std::string href;
  std::string type;
  std::string title;
  FeedFormat hint;
};

bool IsElement(const xmlNode* node, std::string_view name) {
  return node->type == XML_ELEMENT_NODE && node->name != nullptr &&
         AsciiLower(reinterpret_cast<const char*>(node->name)) == name;
}

struct PageLinks {
  std::optional<std::string> base_href;  // The first <base href>.
  std::vector<CandidateLink> links;      // Document order.
};

// The feed link candidates and the base of the page, found by an iterative walk that does not
// descend below kMaxDepth.
PageLinks CollectLinks(xmlNode* root) {
  PageLinks page;
  xmlNode* node = root;
  int depth = 0;
  while (node != nullptr) {
    if (IsElement(node, "base") && !page.base_href) {
      page.base_href = Attr(node, "href");
    } else if (IsElement(node, "link")) {
      const std::optional<std::string> rel = Attr(node, "rel");
      const std::optional<std::string> type = Attr(node, "type");
      const std::optional<std::string> href = Attr(node, "href");
      const FeedType* feed_type = type ? FindFeedType(*type) : nullptr;
      if (rel && href && feed_type != nullptr && HasRelToken(*rel, "alternate")) {
        page.links.push_back({*href, std::string(feed_type->mime),
                              std::string(Trim(Attr(node, "title").value_or(""), kHtmlWhitespace)),
                              feed_type->hint});
      }
    }
    if (node->children != nullptr && node->type == XML_ELEMENT_NODE && depth < kMaxDepth) {
      node = node->children;
      ++depth;
      continue;
    }
    while (node != nullptr && node->next == nullptr) {
      node = node->parent;
      --depth;
      if (depth < 0) return page;
    }
    if (node == nullptr || (depth == 0 && node == root)) return page;
    node = node->next;
  }
  return page;
}

// WordPress advertises its REST API on every page as rel=alternate type=application/json; that
// is a post as JSON, not a feed.
bool IsWordPressApi(std::string_view url) {
  return url.find("/wp-json/") != std::string_view::npos ||
         url.find("rest_route=") != std::string_view::npos;
}

}  // namespace

std::vector<DiscoveredFeed> DiscoverFeeds(std::string_view html, std::string_view page_url) {
  const std::string input = RepairForParser(html.substr(0, std::min(html.size(), kMaxPageBytes)));
  if (input.empty()) return {};
  CPtr<htmlParserCtxt, htmlFreeParserCtxt> ctxt(htmlNewParserCtxt());
  if (ctxt == nullptr) return {};
  // The encoding is given, never guessed from <meta charset> or bytes; NONET: no fetches.
  CPtr<xmlDoc, xmlFreeDoc> doc(htmlCtxtReadMemory(
      ctxt.get(), input.data(), static_cast<int>(input.size()), nullptr, "UTF-8",
      HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING));
  if (doc == nullptr) return {};
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr) return {};

  PageLinks page = CollectLinks(root);

  // HTML §2.4.1: the first <base href> sets the base for every URL in the document, including
  // links before it.
  std::string base(page_url);
  if (page.base_href) {
    const std::string cleaned = CleanHref(*page.base_href);
    if (!cleaned.empty()) base = ResolveUrl(page_url, cleaned);
  }

  std::vector<DiscoveredFeed> feeds;
  for (CandidateLink& link : page.links) {
    const std::string href = CleanHref(link.href);
    if (href.empty()) continue;
    std::string url = UnwrapFeedScheme(ResolveUrl(base, UnwrapFeedScheme(href)));
    // Only what the poller can fetch; drops javascript:, data:, file: and unresolvable
    // relative references.
    const std::string scheme = Scheme(url);
    if (scheme != "http" && scheme != "https") continue;
    if (link.type == "application/json" && IsWordPressApi(url)) continue;
    const bool seen = std::any_of(feeds.begin(), feeds.end(),
                                  [&](const DiscoveredFeed& f) { return f.url == url; });
    if (seen) continue;
    feeds.push_back({std::move(url), std::move(link.type), std::move(link.title), link.hint});
  }
  return feeds;
}

bool LooksLikeHtml(std::string_view bytes) {
  // UTF-16 pages: keep every other byte of the first kSniffBytes characters, enough to read
  // ASCII markup.
  std::string narrowed;
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    bytes.remove_prefix(3);
  } else if (bytes.substr(0, 2) == "\xFF\xFE" || bytes.substr(0, 2) == "\xFE\xFF") {
    const size_t offset = bytes[0] == '\xFF' ? 2 : 3;
    for (size_t i = offset; i < bytes.size() && narrowed.size() < kSniffBytes; i += 2) {
      narrowed += bytes[i];
    }
    bytes = narrowed;
  }
  const std::string_view s = bytes.substr(0, kSniffBytes);
  size_t i = 0;
  while (true) {
    while (i < s.size() && IsAsciiSpace(s[i])) ++i;
    if (i >= s.size() || s[i] != '<') return false;  // JSON, plain text, or nothing.
    const std::string_view rest = s.substr(i);
    size_t skip_to = std::string_view::npos;
    if (rest.substr(0, 4) == "<!--") {
      skip_to = s.find("-->", i + 4);
      if (skip_to != std::string_view::npos) skip_to += 3;
    } else if (rest.substr(0, 2) == "<?") {
      skip_to = s.find("?>", i + 2);
      if (skip_to != std::string_view::npos) skip_to += 2;
    } else if (StartsWithIgnoreAsciiCase(rest, "<!doctype")) {
      // <!DOCTYPE html> and the XHTML doctypes say HTML; <!DOCTYPE rss ...> (RSS 0.91) does not.
      if (StartsWithIgnoreAsciiCase(Trim(rest.substr(9), kHtmlWhitespace), "html")) return true;
      skip_to = s.find('>', i);
      if (skip_to != std::string_view::npos) skip_to += 1;
    } else if (rest.substr(0, 2) == "<!") {
      skip_to = s.find('>', i);
      if (skip_to != std::string_view::npos) skip_to += 1;
    } else {
      size_t end = 1;
      while (end < rest.size() && !IsAsciiSpace(rest[end]) && rest[end] != '>' &&
             rest[end] != '/') {
        ++end;
      }
      const std::string name = AsciiLower(rest.substr(1, end - 1));
      // The first element decides. Feeds start with rss, feed or rdf:RDF; a page starts with
      // html, or, when the author left it out, with what goes in a head or body.
      static constexpr std::array<std::string_view, 18> kHtmlStarts = {
          "html", "head", "body", "title", "meta", "link",   "script",   "style", "base",
          "div",  "p",    "a",    "table", "span", "center", "noscript", "h1",    "iframe"};
      return std::find(kHtmlStarts.begin(), kHtmlStarts.end(), name) != kHtmlStarts.end();
    }
    if (skip_to == std::string_view::npos) return false;
    i = skip_to;
  }
}

}  // namespace feedbridge::feeds
