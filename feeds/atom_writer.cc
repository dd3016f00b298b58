// Atom 1.0 (RFC 4287) output. Required elements are always written, derived when the model
// lacks them; see the comments at each fallback.

#include <Poco/DigestEngine.h>
#include <Poco/SHA1Engine.h>

#include <algorithm>
#include <chrono>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/dates.h"
#include "feeds/identity.h"
#include "feeds/writer_util.h"
#include "feeds/writers.h"

namespace feedbridge::feeds {
namespace {

using writer_internal::kAtomNs;
using writer_internal::kMediaNs;
using writer_internal::XmlAttrs;
using writer_internal::XmlOut;

// RFC 4287 §3.1.1: a Text construct is "text", "html" or "xhtml". XHTML from the model is
// written as type="html" (escaped): the model keeps it as a string we cannot prove
// well-formed, and inline xhtml that is not would break the whole document, while every Atom
// reader renders escaped html the same way.
std::string_view TextConstructType(const Text& text) { return text.is_html() ? "html" : "text"; }

// xml:lang for a text when it differs from the language already in effect.
void AddLanguage(const Text& text, std::string_view inherited, XmlAttrs& attrs) {
  if (!text.language.empty() && text.language != inherited) attrs.AddXml("lang", text.language);
}

void WriteText(XmlOut& out, const std::string& name, const Text& text,
               std::string_view inherited_language) {
  XmlAttrs attrs;
  attrs.Add("type", TextConstructType(text));
  AddLanguage(text, inherited_language, attrs);
  // XML Base §3: relative URLs inside HTML resolve against xml:base.
  if (text.is_html()) attrs.AddXml("base", text.base);
  out.Element(kAtomNs, name, text.value, attrs);
}

// RFC 4648 §4 base64, for content of a non-text, non-XML media type (RFC 4287 §4.1.3.3 item 5).
std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                       static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kAlphabet[n >> 18]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  if (i < bytes.size()) {
    uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    const bool two = i + 1 < bytes.size();
    if (two) n |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out.push_back(kAlphabet[n >> 18]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(two ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

bool IsXmlMediaType(std::string_view type) {
  return type.ends_with("+xml") || type.ends_with("/xml");
}

// RFC 4287 §4.1.3: one atom:content per entry. HTML is preferred (it carries the most), then
// the first other content. Out-of-line content (src) is written as such with its media type.
const Text* ChooseContent(const Entry& entry) {
  if (const Text* html = writer_internal::HtmlContent(entry); html != nullptr) return html;
  for (const Text& content : entry.contents) {
    if (!content.empty()) return &content;
  }
  return nullptr;
}

void WriteContent(XmlOut& out, const Text& content, std::string_view inherited_language) {
  XmlAttrs attrs;
  AddLanguage(content, inherited_language, attrs);
  if (content.value.empty() && !content.src.empty()) {
    // §4.1.3.1-2: src with empty content; type, when given, is a MIME media type (the
    // model's types all are), never "text"/"html"/"xhtml".
    attrs.Add("src", content.src).Add("type", content.type);
    out.Empty(kAtomNs, "content", attrs);
    return;
  }
  if (content.is_html() || content.type.empty() || content.type == kTextPlain ||
      IsXmlMediaType(content.type)) {
    // XML media types would need a child element (§4.1.3.3 item 4) we cannot verify: written
    // as text, which keeps the document valid and the characters intact.
    attrs.Add("type", TextConstructType(content));
    if (content.is_html()) attrs.AddXml("base", content.base);
    out.Element(kAtomNs, "content", content.value, attrs);
  } else if (content.type.starts_with("text/")) {
    attrs.Add("type", content.type);  // §4.1.3.3 item 3: other text types, escaped.
    out.Element(kAtomNs, "content", content.value, attrs);
  } else {
    attrs.Add("type", content.type);  // §4.1.3.3 item 5: anything else is base64.
    out.Element(kAtomNs, "content", Base64(content.value), attrs);
  }
}

// §3.2: a Person construct; atom:name is required, so it falls back to the email or "unknown".
void WritePerson(XmlOut& out, const std::string& element, const Person& person) {
  out.Start(kAtomNs, element);
  out.Element(kAtomNs, "name", writer_internal::PersonName(person));
  out.Optional(kAtomNs, "uri", person.uri);
  out.Optional(kAtomNs, "email", person.email);
  out.End(kAtomNs, element);
}

void WritePeople(XmlOut& out, const std::string& element, const std::vector<Person>& people) {
  for (const Person& person : people) {
    if (!person.empty()) WritePerson(out, element, person);
  }
}

// §4.2.7: href is required; length only when known.
void WriteLink(XmlOut& out, const Link& link) {
  if (link.href.empty()) return;
  XmlAttrs attrs;
  attrs.Add("href", link.href)
      .Add("rel", link.rel.empty() ? "alternate" : link.rel)
      .Add("type", link.type)
      .Add("hreflang", link.hreflang)
      .Add("title", link.title);
  if (link.length && *link.length >= 0)
    attrs.Add("length", writer_internal::IntToString(*link.length));
  out.Empty(kAtomNs, "link", attrs);
}

void WriteDocumentLink(XmlOut& out, std::string_view rel, const std::string& href,
                       std::string_view type = {}) {
  if (href.empty()) return;
  XmlAttrs attrs;
  attrs.Add("href", href).Add("rel", rel).Add("type", type);
  out.Empty(kAtomNs, "link", attrs);
}

// §4.2.2: term is required.
void WriteCategories(XmlOut& out, const std::vector<Category>& categories) {
  for (const Category& category : categories) {
    if (category.term.empty()) continue;
    XmlAttrs attrs;
    attrs.Add("term", category.term).Add("scheme", category.scheme).Add("label", category.label);
    out.Empty(kAtomNs, "category", attrs);
  }
}

void WriteDate(XmlOut& out, const std::string& name, writer_internal::OptionalTime t) {
  if (t) out.Element(kAtomNs, name, FormatRfc3339(*t));
}

// "urn:sha1:" + hex SHA-1 of `text`: a stable IRI for a feed that names itself no other way.
std::string Sha1Urn(std::string_view text) {
  Poco::SHA1Engine sha1;
  sha1.update(text.data(), text.size());
  return "urn:sha1:" + Poco::DigestEngine::digestToHex(sha1.digest());
}

// §4.2.6 atom:id must be an IRI.
std::string FeedId(const Feed& feed, const std::string& self_url, const std::string& home) {
  if (!feed.id.empty()) return feed.id;
  if (!self_url.empty()) return self_url;
  if (!home.empty()) return home;
  return Sha1Urn(feed.title.value);
}

// §4.2.11 atom:source: the head of the feed an entry was copied from.
void WriteSource(XmlOut& out, const FeedHead& source, std::string_view language) {
  out.Start(kAtomNs, "source");
  out.Optional(kAtomNs, "id", source.id);
  if (!source.title.empty()) WriteText(out, "title", source.title, language);
  WriteDate(out, "updated", writer_internal::Later(source.updated.utc, source.published.utc));
  for (const Link& link : source.links) WriteLink(out, link);
  WritePeople(out, "author", source.authors);
  out.End(kAtomNs, "source");
}

void WriteEntry(XmlOut& out, const Entry& entry, std::chrono::sys_seconds feed_updated,
                std::string_view feed_language) {
  XmlAttrs entry_attrs;
  if (entry.language != feed_language) entry_attrs.AddXml("lang", entry.language);
  const std::string_view language = entry.language.empty() ? feed_language : entry.language;
  out.Start(kAtomNs, "entry", entry_attrs);

  // §4.1.2: id, title and updated are required. The id falls back to the URL, then to a hash
  // of title and content. An empty title is valid and more honest than an invented one.
  out.Element(kAtomNs, "id", EntryIdentity(entry));
  WriteText(out, "title", entry.title, language);
  // updated: updated, else published, else created; an undated entry gets the feed's date.
  WriteDate(out, "updated", writer_internal::EntryUpdated(entry).value_or(feed_updated));
  WriteDate(out, "published", entry.published.utc);

  // Enclosures are written from entry.enclosures (they carry length and type); rel="enclosure"
  // links naming the same URL are skipped so they are not listed twice.
  std::vector<std::string_view> enclosure_urls;
  enclosure_urls.reserve(entry.enclosures.size());
  for (const Enclosure& enclosure : entry.enclosures) enclosure_urls.push_back(enclosure.url);
  std::sort(enclosure_urls.begin(), enclosure_urls.end());
  bool has_alternate = false;
  for (const Link& link : entry.links) {
    if (link.rel == "enclosure" &&
        std::binary_search(enclosure_urls.begin(), enclosure_urls.end(), link.href)) {
      continue;
    }
    has_alternate = has_alternate || link.rel.empty() || link.rel == "alternate";
    WriteLink(out, link);
  }
  // A permalink guid (RSS) is the entry's URL: say so as an alternate link.
  if (!has_alternate && entry.id_is_permalink && !entry.id.empty()) {
    WriteDocumentLink(out, "alternate", entry.id);
  }
  for (const Enclosure& enclosure : entry.enclosures) {
    if (enclosure.url.empty()) continue;
    XmlAttrs attrs;
    attrs.Add("href", enclosure.url)
        .Add("rel", "enclosure")
        .Add("type", enclosure.type)
        .Add("title", enclosure.title);
    if (enclosure.length && *enclosure.length > 0) {
      attrs.Add("length", writer_internal::IntToString(*enclosure.length));
    }
    out.Empty(kAtomNs, "link", attrs);
  }
  if (!entry.comments.empty()) WriteDocumentLink(out, "replies", entry.comments, "text/html");
  if (!entry.license.empty()) WriteDocumentLink(out, "license", entry.license);

  WritePeople(out, "author", entry.authors);
  WritePeople(out, "contributor", entry.contributors);
  WriteCategories(out, entry.categories);
  if (!entry.summary.empty()) WriteText(out, "summary", entry.summary, language);
  if (const Text* content = ChooseContent(entry); content != nullptr) {
    WriteContent(out, *content, language);
  }
  if (!entry.rights.empty()) WriteText(out, "rights", entry.rights, language);
  if (entry.source) WriteSource(out, *entry.source, language);
  // The entry's images, as Media RSS thumbnails (readers of Atom feeds know them: feedparser,
  // YouTube's own feeds).
  writer_internal::WriteMediaThumbnails(out, entry.thumbnails);
  out.End(kAtomNs, "entry");
}

}  // namespace

std::string WriteAtom(const Feed& feed, const WriteOptions& options) {
  std::string document;
  document.reserve(1024 + feed.entries.size() * writer_internal::kReservePerEntry);
  writer_internal::StringSink sink(document);
  std::ostream stream(&sink);
  XmlOut out(stream, options.pretty);
  out.Namespace("", kAtomNs);
  for (const Entry& entry : feed.entries) {
    if (!entry.thumbnails.empty()) {
      out.Namespace("media", kMediaNs);
      break;
    }
  }
  XmlAttrs feed_attrs;
  feed_attrs.AddXml("lang", feed.language);
  out.Start(kAtomNs, "feed", feed_attrs);

  const std::string self_url = writer_internal::SelfUrl(feed, options);
  const std::string home = writer_internal::HomePageUrl(feed);
  // With no date anywhere the epoch keeps the document valid and the output deterministic
  // (the same feed always yields the same bytes, so ETags stay stable).
  const std::chrono::sys_seconds updated =
      writer_internal::FeedUpdated(feed).value_or(std::chrono::sys_seconds{});

  // §4.1.1: id, title and updated are required.
  out.Element(kAtomNs, "id", FeedId(feed, self_url, home));
  if (!feed.title.empty()) {
    WriteText(out, "title", feed.title, feed.language);
  } else {
    out.Element(kAtomNs, "title", home.empty() ? self_url : home, XmlAttrs().Add("type", "text"));
  }
  if (!feed.subtitle.empty()) WriteText(out, "subtitle", feed.subtitle, feed.language);
  WriteDate(out, "updated", updated);

  bool has_alternate = false;
  for (const Link& link : feed.links) {
    if (writer_internal::IsDocumentRel(link.rel)) continue;
    has_alternate = has_alternate || link.rel.empty() || link.rel == "alternate";
    WriteLink(out, link);
  }
  if (!has_alternate) WriteDocumentLink(out, "alternate", home, "text/html");
  WriteDocumentLink(out, "self", self_url, "application/atom+xml");
  // RFC 5005 §3: the next (older) page of a paged feed.
  WriteDocumentLink(out, "next", options.next_url, "application/atom+xml");
  // WebSub §4: hubs are advertised as rel="hub" links.
  for (const std::string& hub : writer_internal::Hubs(feed)) WriteDocumentLink(out, "hub", hub);

  // §4.1.1: a feed needs an author unless every entry has one.
  const bool every_entry_has_author =
      std::all_of(feed.entries.begin(), feed.entries.end(), [](const Entry& entry) {
        return std::any_of(entry.authors.begin(), entry.authors.end(),
                           [](const Person& p) { return !p.empty(); });
      });
  const bool feed_has_author = std::any_of(feed.authors.begin(), feed.authors.end(),
                                           [](const Person& p) { return !p.empty(); });
  if (feed_has_author) {
    WritePeople(out, "author", feed.authors);
  } else if (!every_entry_has_author) {
    WritePerson(out, "author", feed.publisher.empty() ? Person{.name = "unknown"} : feed.publisher);
  }
  WritePeople(out, "contributor", feed.contributors);
  WriteCategories(out, feed.categories);
  out.Element(kAtomNs, "generator", "feedbridge");
  out.Optional(kAtomNs, "icon", feed.icon);
  // logo: the large image (RFC 4287 §4.2.8: 2:1), else the RSS image, else the podcast's art.
  out.Optional(kAtomNs, "logo",
               !feed.logo.empty()        ? feed.logo
               : !feed.image.url.empty() ? feed.image.url
                                         : feed.itunes.image);
  if (!feed.rights.empty()) WriteText(out, "rights", feed.rights, feed.language);

  for (const Entry& entry : feed.entries) WriteEntry(out, entry, updated, feed.language);
  out.End(kAtomNs, "feed");
  out.Finish();
  stream.flush();
  return document;
}

}  // namespace feedbridge::feeds
