#pragma once

// The document stored with each entry (store::NewEntry::document): the one owner of its format.
// The poller encodes it when an entry is first seen; the mirror feeds and the notice pages decode
// it. It is a JSON Feed 1.1 document of one item, so any JSON Feed reader (ParseFeed included)
// still reads it, plus a "_feedbridge" extension object (JSON Feed §Extensions) holding what the
// item does not say of the entry as the model holds it (a category's scheme and label, link
// relations, contributors, e-mail addresses, raw dates, extensions, Podcasting 2.0, ...): each
// datum once. Decoding reads the item with ParseFeed and applies the extension, so how ParseFeed
// reads what WriteJsonFeed writes is part of this format (tests/feeds/entry_document_test.cc).
// Documents of the older shapes still decode: version 1 (the whole entry in the extension beside
// the item) and plain one-item JSON Feeds from before the extension.

#include <string>
#include <string_view>

#include "common/result.h"
#include "feeds/model.h"

namespace feedbridge::feeds {

// A stored entry read back: the feed's head as stored with it, and the entry.
struct EntryDocument {
  // Title, home page, feed URL, authors, language and icon of the feed; no entries.
  Feed feed;
  Entry entry;
};

// The document for `entry` of the feed whose head is `feed` (its entries are ignored). Compact
// JSON, UTF-8. Decoding it gives back `entry` field for field.
std::string EncodeEntryDocument(const Feed& feed, const Entry& entry);

// Reads a document written by EncodeEntryDocument, or by an older version (version 1, or a plain
// one-item JSON Feed read with ParseFeed: what JSON Feed cannot hold is then missing). `url` is the
// entry's URL, the base of relative references in old documents. InvalidArgument when the document
// is not a feed or holds no entry.
Result<EntryDocument> DecodeEntryDocument(std::string_view document, std::string_view url);

}  // namespace feedbridge::feeds
