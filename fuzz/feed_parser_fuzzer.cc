// libFuzzer target: any bytes through the feed parser, then everything we do with a parsed feed
// (HTML to text, sanitizing, the three writers and reading their output back). Finds crashes,
// hangs, leaks and undefined behaviour; build with scripts/fuzz.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "feeds/html.h"
#include "feeds/parser.h"
#include "feeds/writers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace feedbridge::feeds;  // NOLINT: fuzz entry point.
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ParseOptions options;
  options.base_url = "http://127.0.0.1/feed";
  options.max_document_bytes = 1u << 20;
  options.max_entries = 200;
  feedbridge::Result<Feed> feed = ParseFeed(bytes, options);
  if (!feed.ok()) return 0;
  for (Entry& entry : feed->entries) {
    (void)HtmlToText(entry.title.value);
    for (Text& content : entry.contents) {
      content.value = SanitizeHtml(content.value, content.base);
    }
  }
  const std::string atom = WriteAtom(*feed);
  const std::string rss = WriteRss(*feed);
  const std::string json = WriteJsonFeed(*feed);
  // What we write must parse again.
  for (const std::string* out : {&atom, &rss, &json}) {
    if (!ParseFeed(*out, options).ok()) __builtin_trap();
  }
  return 0;
}
