#include "feeds/parser.h"

#include <algorithm>

#include "feeds/encoding.h"
#include "feeds/json_feed_parser.h"
#include "feeds/xml_feed_builder.h"
#include "feeds/xml_sax.h"

namespace feedbridge::feeds {
namespace {

// JSON Feed is the only format that starts with '{' (after a BOM and white space).
bool LooksLikeJson(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  for (char c : bytes) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{';
  }
  return false;
}

size_t CountEntryTags(std::string_view doc) {
  size_t count = 0;
  for (size_t pos = doc.find('<'); pos != std::string_view::npos; pos = doc.find('<', pos + 1)) {
    const std::string_view rest = doc.substr(pos + 1, 6);
    if (rest.starts_with("item") || rest.starts_with("entry")) ++count;
  }
  return count;
}

// What the elements do not say of the version: RSS 0.91 is Netscape's when its DOCTYPE names
// Netscape's DTD, and an RDF document whose default namespace is RSS 0.90's is 0.90 even
// without a <channel> (feedparser's rss091n and rss090). Only the prolog and the root's start
// tag are read.
void RefineRssVersion(std::string_view doc, Feed& feed) {
  if (feed.format != FeedFormat::kRss091 && feed.format != FeedFormat::kRss10) return;
  const std::string_view root_tag = feed.format == FeedFormat::kRss091 ? "<rss" : "RDF";
  size_t root = doc.substr(0, 64 * 1024).find(root_tag);
  if (root == std::string_view::npos) return;
  if (feed.format == FeedFormat::kRss091) {
    if (doc.substr(0, root).find("-//Netscape Communications//DTD RSS 0.91//EN") !=
        std::string_view::npos) {
      feed.rss091_netscape = true;
    }
    return;
  }
  const size_t end = doc.find('>', root);
  const std::string_view tag = doc.substr(root, end == std::string_view::npos ? 0 : end - root);
  for (std::string_view uri :
       {"http://my.netscape.com/rdf/simple/0.9/", "http://channel.netscape.com/rdf/simple/0.9/"}) {
    for (std::string_view quote : {"\"", "'"}) {
      if (tag.find("xmlns=" + std::string(quote) + std::string(uri)) != std::string_view::npos) {
        feed.format = FeedFormat::kRss090;
        return;
      }
    }
  }
}

}  // namespace

Result<Feed> ParseFeed(std::string_view bytes, const ParseOptions& options) {
  if (bytes.size() > options.max_document_bytes) {
    return Status::ResourceExhausted("feeds: document of " + std::to_string(bytes.size()) +
                                     " bytes is over the limit of " +
                                     std::to_string(options.max_document_bytes));
  }
  if (LooksLikeJson(bytes)) {
    if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
    if (IsValidUtf8(bytes)) return internal::ParseJsonFeed(bytes, options);
    Result<Feed> feed = internal::ParseJsonFeed(RepairUtf8(bytes), options);
    if (feed.ok()) {
      feed->recovered = true;
      feed->problems.push_back("invalid UTF-8 replaced");
    }
    return feed;
  }

  Result<DecodedDocument> decoded = DecodeXmlDocument(bytes, options.content_type);
  if (!decoded.ok()) return decoded.status();
  Feed feed;
  feed.encoding = std::move(decoded->encoding);
  for (std::string& p : decoded->problems) {
    feed.recovered = true;
    feed.problems.push_back(std::move(p));
  }

  // Reserve the entries up front: a vector of large structs that doubles as it grows would need
  // twice the memory at its last reallocation. Counting "<item" and "<entry" costs a memchr-speed
  // pass and over-counts only by what CDATA sections mention.
  feed.entries.reserve(std::min(options.max_entries, CountEntryTags(decoded->utf8())));
  internal::XmlLimits limits;
  limits.max_depth = options.max_depth;
  limits.max_entity_expansion = options.max_entity_expansion;
  internal::XmlOutcome outcome;
  {
    internal::FeedBuilder builder(options, feed);
    if (Status s = internal::ReadXml(decoded->utf8(), limits, builder, outcome); !s.ok()) return s;
    if (Status s = builder.Finish(); !s.ok() && !outcome.lost_ampersands) return s;
  }
  if (outcome.lost_ampersands) {
    // "?a=1&b=2" and "&unknown;" are not XML, and libxml2 drops them while recovering. Read the
    // document again with those ampersands escaped, so their text survives as readers show it.
    const std::string repaired = internal::RepairAmpersands(decoded->utf8());
    Feed second;
    second.encoding = feed.encoding;
    second.problems = feed.problems;
    second.recovered = feed.recovered;
    second.entries.reserve(feed.entries.capacity());
    feed = std::move(second);
    internal::FeedBuilder builder(options, feed);
    internal::XmlOutcome again;
    if (Status s = internal::ReadXml(repaired, limits, builder, again); !s.ok()) return s;
    if (Status s = builder.Finish(); !s.ok()) return s;
    outcome.problems.insert(outcome.problems.begin(), "stray '&' escaped and read again");
    for (std::string& p : again.problems) outcome.problems.push_back(std::move(p));
  }
  RefineRssVersion(decoded->utf8(), feed);
  decoded->converted = std::string();  // Free a converted copy.
  if (!outcome.well_formed) {
    feed.recovered = true;
    for (std::string& p : outcome.problems) {
      if (feed.problems.size() < 20) feed.problems.push_back(std::move(p));
    }
  }
  return feed;
}

Result<Feed> ParseFeed(std::string_view bytes, std::string_view base_url) {
  ParseOptions options;
  options.base_url = std::string(base_url);
  return ParseFeed(bytes, options);
}

}  // namespace feedbridge::feeds
