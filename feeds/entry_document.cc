#include "feeds/entry_document.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>
#include <string>
#include <utility>

#include "feeds/entry_patch.h"
#include "feeds/entry_tree.h"
#include "feeds/parser.h"
#include "feeds/writers.h"

namespace feedbridge::feeds {
namespace {

using entry_internal::Apply;
using entry_internal::Diff;
using entry_internal::FromEntry;
using entry_internal::ToEntry;
using Poco::JSON::Object;

// The extension key, written last so the JSON Feed part before it stands alone. JSON strings
// escape '"', so the bytes `,"_feedbridge":` cannot occur inside a value.
constexpr std::string_view kExtensionKey = ",\"_feedbridge\":";
// 1: the whole entry as "entry" (the JSON Feed item held it a second time). 2: only "patch", what
// the item does not say (exactly); see feeds/entry_patch.h.
constexpr int kVersion = 2;

// The one-item JSON Feed part of a document, read as the entry it gives. The base URL is empty
// so that what it gives depends on the document alone (the patch was made against it).
Result<Feed> ReadItemPart(std::string_view json_feed) { return ParseFeed(json_feed, ""); }

// JSON Feed requires content: an entry with a summary and no content has the summary written as
// the item's content (feeds/json_feed_writer.cc). The extension says so ("summary_is_content")
// rather than giving the summary a second time, and the item's content goes back to the summary.
bool SummaryStoodInForContent(const Entry& entry, const Entry& item) {
  return entry.contents.empty() && !entry.summary.empty() && item.summary.empty() &&
         item.contents.size() == 1 && item.contents.front().value == entry.summary.value;
}
void ContentBackToSummary(Entry& item) {
  item.summary = std::move(item.contents.front());
  item.contents.clear();
}

}  // namespace

std::string EncodeEntryDocument(const Feed& feed, const Entry& entry) {
  Feed one = feed;
  one.entries.assign(1, entry);
  std::string out = WriteJsonFeed(one, {.pretty = false});

  Object extension;
  extension.set("version", kVersion);
  const Object::Ptr want = FromEntry(entry);
  Result<Feed> item = ReadItemPart(out);
  if (item.ok() && item->entries.size() == 1) {
    Entry& read = item->entries.front();
    if (SummaryStoodInForContent(entry, read)) {
      ContentBackToSummary(read);
      extension.set("summary_is_content", true);
    }
    const Object::Ptr patch = Diff(*FromEntry(read), *want);
    if (patch->size() > 0) extension.set("patch", patch);
  } else {
    extension.set("entry", want);  // Not expected: our own JSON Feed reads back.
  }
  std::ostringstream json;
  extension.stringify(json);
  // The JSON Feed object is compact and ends with its closing brace: the extension goes before
  // it, as the last member.
  out.pop_back();
  out.append(kExtensionKey).append(json.str()).push_back('}');
  return out;
}

Result<EntryDocument> DecodeEntryDocument(std::string_view document, std::string_view url) {
  const size_t at = document.rfind(kExtensionKey);
  if (at == std::string_view::npos) {
    // A plain one-item JSON Feed, written before the extension existed: read as it is.
    Result<Feed> parsed = ParseFeed(document, url);
    if (!parsed.ok()) return parsed.status();
    if (parsed->entries.empty()) {
      return Status::InvalidArgument("feeds: stored entry document holds no entry");
    }
    EntryDocument out;
    out.entry = std::move(parsed->entries.front());
    parsed->entries.clear();
    out.feed = std::move(parsed).value();
    return out;
  }
  std::string feed_part;  // The JSON Feed object without the extension.
  feed_part.reserve(at + 1);
  feed_part.append(document.substr(0, at)).push_back('}');
  std::string_view extension = document.substr(at + kExtensionKey.size());
  if (!extension.empty() && extension.back() == '}') extension.remove_suffix(1);

  Object::Ptr root;
  try {
    Poco::JSON::Parser parser;
    root = parser.parse(std::string(extension)).extract<Object::Ptr>();
  } catch (const Poco::Exception&) {
    // A damaged extension (JSONException, BadCastException): the JSON Feed part still holds
    // the entry, less exactly.
  }
  const Object::Ptr whole = root.isNull() ? Object::Ptr() : root->getObject("entry");
  // Version 1 held the whole entry in the extension ("entry"), the item only for other readers;
  // the item part is read with the URL as its base, as it always was.
  Result<Feed> parsed =
      !whole.isNull() || root.isNull() ? ParseFeed(feed_part, url) : ReadItemPart(feed_part);
  if (!parsed.ok()) return parsed.status();
  if (parsed->entries.empty() && whole.isNull()) {
    return Status::InvalidArgument("feeds: stored entry document holds no entry");
  }
  EntryDocument out;
  if (!whole.isNull()) {
    out.entry = ToEntry(*whole);
  } else {
    out.entry = std::move(parsed->entries.front());
    if (!root.isNull()) {
      const Poco::Dynamic::Var summary_is_content = root->get("summary_is_content");
      if (summary_is_content.isBoolean() && summary_is_content.extract<bool>() &&
          out.entry.contents.size() == 1) {
        ContentBackToSummary(out.entry);
      }
      if (const Object::Ptr patch = root->getObject("patch"); !patch.isNull()) {
        Object::Ptr tree = FromEntry(out.entry);
        Apply(*tree, *patch);
        out.entry = ToEntry(*tree);
      }
    }
  }
  parsed->entries.clear();
  out.feed = std::move(parsed).value();
  return out;
}

}  // namespace feedbridge::feeds
