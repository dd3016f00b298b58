#include "feeds/entry_document.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <sstream>
#include <utility>

#include "feeds/parser.h"
#include "feeds/writers.h"

namespace feedbridge::feeds {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// The extension key, written last so the JSON Feed part before it stands alone. JSON strings
// escape '"', so the bytes `,"_feedbridge":` cannot occur inside a value.
constexpr std::string_view kExtensionKey = ",\"_feedbridge\":";
// 1: the whole entry as "entry" (the JSON Feed item held it a second time). 2: only "patch", what
// the item does not say (exactly); see Diff below.
constexpr int kVersion = 2;

// ---- Encoding: empty fields are left out, so a decoded field is its default. ----

void Put(Object& o, const std::string& key, const std::string& value) {
  if (!value.empty()) o.set(key, value);
}
void Put(Object& o, const std::string& key, const std::optional<int64_t>& value) {
  if (value) o.set(key, *value);
}
void Put(Object& o, const std::string& key, const Object::Ptr& value) {
  if (value->size() > 0) o.set(key, value);
}
void Put(Object& o, const std::string& key, const Array::Ptr& value) {
  if (value->size() > 0) o.set(key, value);
}

Object::Ptr FromText(const Text& t) {
  Object::Ptr o = new Object;  // Poco::SharedPtr owns it.
  Put(*o, "value", t.value);
  if (t.type != kTextPlain) o->set("type", t.type);
  Put(*o, "language", t.language);
  Put(*o, "base", t.base);
  Put(*o, "src", t.src);
  return o;
}

Object::Ptr FromLink(const Link& l) {
  Object::Ptr o = new Object;
  Put(*o, "href", l.href);
  Put(*o, "rel", l.rel);
  Put(*o, "type", l.type);
  Put(*o, "title", l.title);
  Put(*o, "hreflang", l.hreflang);
  Put(*o, "length", l.length);
  return o;
}

Object::Ptr FromPerson(const Person& p) {
  Object::Ptr o = new Object;
  Put(*o, "name", p.name);
  Put(*o, "email", p.email);
  Put(*o, "uri", p.uri);
  return o;
}

Object::Ptr FromCategory(const Category& c) {
  Object::Ptr o = new Object;
  Put(*o, "term", c.term);
  Put(*o, "scheme", c.scheme);
  Put(*o, "label", c.label);
  return o;
}

Object::Ptr FromDate(const Date& d) {
  Object::Ptr o = new Object;
  Put(*o, "raw", d.raw);
  if (d.utc) o->set("utc", static_cast<int64_t>(d.utc->time_since_epoch().count()));
  return o;
}

Object::Ptr FromEnclosure(const Enclosure& e) {
  Object::Ptr o = new Object;
  Put(*o, "url", e.url);
  Put(*o, "type", e.type);
  Put(*o, "length", e.length);
  Put(*o, "duration_seconds", e.duration_seconds);
  Put(*o, "title", e.title);
  Put(*o, "medium", e.medium);
  return o;
}

Object::Ptr FromImage(const Image& i) {
  Object::Ptr o = new Object;
  Put(*o, "url", i.url);
  Put(*o, "title", i.title);
  Put(*o, "link", i.link);
  Put(*o, "description", i.description);
  if (i.width) o->set("width", *i.width);
  if (i.height) o->set("height", *i.height);
  return o;
}

Object::Ptr FromExtension(const Extension& e) {
  Object::Ptr o = new Object;
  Put(*o, "ns", e.ns);
  Put(*o, "name", e.name);
  Put(*o, "value", e.value);
  Put(*o, "prefix", e.prefix);
  return o;
}

Object::Ptr FromITunes(const ITunes& i) {
  Object::Ptr o = new Object;
  Put(*o, "author", i.author);
  Put(*o, "subtitle", i.subtitle);
  Put(*o, "summary", i.summary);
  Put(*o, "image", i.image);
  Put(*o, "explicit", i.explicit_);
  Put(*o, "keywords", i.keywords);
  Put(*o, "duration", i.duration);
  if (i.block) o->set("block", true);
  if (i.block_given) o->set("block_given", true);
  Put(*o, "episode", i.episode);
  Put(*o, "season", i.season);
  Put(*o, "episode_type", i.episode_type);
  Array::Ptr categories = new Array;
  for (const std::string& c : i.categories) categories->add(c);
  Put(*o, "categories", categories);
  return o;
}

template <class T, class F>
Array::Ptr FromList(const std::vector<T>& items, F from) {
  Array::Ptr a = new Array;
  for (const T& item : items) a->add(from(item));
  return a;
}

Object::Ptr FromPodcastLink(const PodcastLink& l) {
  Object::Ptr o = new Object;
  Put(*o, "url", l.url);
  Put(*o, "type", l.type);
  Put(*o, "language", l.language);
  Put(*o, "rel", l.rel);
  Put(*o, "text", l.text);
  return o;
}

Object::Ptr FromPodcastPerson(const PodcastPerson& p) {
  Object::Ptr o = new Object;
  Put(*o, "name", p.name);
  Put(*o, "role", p.role);
  Put(*o, "group", p.group);
  Put(*o, "img", p.img);
  Put(*o, "href", p.href);
  return o;
}

Object::Ptr FromPodcast(const Podcast& p) {
  Object::Ptr o = new Object;
  Put(*o, "guid", p.guid);
  Put(*o, "locked", p.locked);
  Put(*o, "locked_owner", p.locked_owner);
  Put(*o, "transcripts", FromList(p.transcripts, FromPodcastLink));
  Put(*o, "chapters", FromList(p.chapters, FromPodcastLink));
  Put(*o, "funding", FromList(p.funding, FromPodcastLink));
  Put(*o, "persons", FromList(p.persons, FromPodcastPerson));
  return o;
}

Object::Ptr FromMediaCredit(const MediaCredit& c) {
  Object::Ptr o = new Object;
  Put(*o, "name", c.name);
  Put(*o, "role", c.role);
  Put(*o, "scheme", c.scheme);
  return o;
}

Object::Ptr FromMedia(const MediaRss& m) {
  Object::Ptr o = new Object;
  Put(*o, "credits", FromList(m.credits, FromMediaCredit));
  Put(*o, "rating", m.rating);
  Put(*o, "rating_scheme", m.rating_scheme);
  Put(*o, "license_url", m.license_url);
  Put(*o, "license_type", m.license_type);
  Put(*o, "license_text", m.license_text);
  return o;
}

Object::Ptr FromHead(const FeedHead& h) {
  Object::Ptr o = new Object;
  Put(*o, "id", h.id);
  Put(*o, "title", FromText(h.title));
  Put(*o, "subtitle", FromText(h.subtitle));
  Put(*o, "rights", FromText(h.rights));
  Put(*o, "links", FromList(h.links, FromLink));
  Put(*o, "authors", FromList(h.authors, FromPerson));
  Put(*o, "contributors", FromList(h.contributors, FromPerson));
  Put(*o, "categories", FromList(h.categories, FromCategory));
  Put(*o, "updated", FromDate(h.updated));
  Put(*o, "published", FromDate(h.published));
  Object::Ptr generator = new Object;
  Put(*generator, "name", h.generator.name);
  Put(*generator, "uri", h.generator.uri);
  Put(*generator, "version", h.generator.version);
  Put(*o, "generator", generator);
  Put(*o, "icon", h.icon);
  Put(*o, "logo", h.logo);
  Put(*o, "language", h.language);
  return o;
}

Object::Ptr FromEntry(const Entry& e) {
  Object::Ptr o = new Object;
  Put(*o, "id", e.id);
  if (e.id_is_permalink) o->set("id_is_permalink", true);
  Put(*o, "title", FromText(e.title));
  Put(*o, "summary", FromText(e.summary));
  Put(*o, "contents", FromList(e.contents, FromText));
  Put(*o, "links", FromList(e.links, FromLink));
  Put(*o, "published", FromDate(e.published));
  Put(*o, "updated", FromDate(e.updated));
  Put(*o, "created", FromDate(e.created));
  Put(*o, "expired", FromDate(e.expired));
  Put(*o, "authors", FromList(e.authors, FromPerson));
  Put(*o, "contributors", FromList(e.contributors, FromPerson));
  Put(*o, "publisher", FromPerson(e.publisher));
  Put(*o, "categories", FromList(e.categories, FromCategory));
  Put(*o, "enclosures", FromList(e.enclosures, FromEnclosure));
  Put(*o, "thumbnails", FromList(e.thumbnails, FromImage));
  Put(*o, "rights", FromText(e.rights));
  Put(*o, "comments", e.comments);
  Put(*o, "license", e.license);
  Put(*o, "language", e.language);
  Put(*o, "itunes", FromITunes(e.itunes));
  if (e.podcast) o->set("podcast", FromPodcast(*e.podcast));
  if (e.media) o->set("media", FromMedia(*e.media));
  if (e.source) o->set("source", FromHead(*e.source));
  Put(*o, "extensions", FromList(e.extensions, FromExtension));
  return o;
}

// ---- Decoding: a missing or mistyped field is left at its default (the document is ours, but
// a stored row must not cost the page). ----

std::string Str(const Object& o, const std::string& key) {
  const Poco::Dynamic::Var v = o.get(key);
  return v.isString() ? v.extract<std::string>() : std::string();
}
std::optional<int64_t> Int(const Object& o, const std::string& key) {
  const Poco::Dynamic::Var v = o.get(key);
  if (!v.isInteger()) return std::nullopt;
  return v.convert<int64_t>();
}
bool Bool(const Object& o, const std::string& key) {
  const Poco::Dynamic::Var v = o.get(key);
  return v.isBoolean() && v.extract<bool>();
}
Object::Ptr Obj(const Object& o, const std::string& key) {
  Object::Ptr p = o.getObject(key);
  return p.isNull() ? Object::Ptr(new Object) : p;
}

template <class T, class F>
std::vector<T> ToList(const Object& o, const std::string& key, F to) {
  std::vector<T> out;
  const Array::Ptr a = o.getArray(key);
  if (a.isNull()) return out;
  for (size_t i = 0; i < a->size(); ++i) {
    const Object::Ptr item = a->getObject(static_cast<unsigned>(i));
    if (!item.isNull()) out.push_back(to(*item));
  }
  return out;
}

Text ToText(const Object& o) {
  Text t;
  t.value = Str(o, "value");
  if (o.has("type")) t.type = Str(o, "type");
  t.language = Str(o, "language");
  t.base = Str(o, "base");
  t.src = Str(o, "src");
  return t;
}

Link ToLink(const Object& o) {
  return {.href = Str(o, "href"),
          .rel = Str(o, "rel"),
          .type = Str(o, "type"),
          .title = Str(o, "title"),
          .hreflang = Str(o, "hreflang"),
          .length = Int(o, "length")};
}

Person ToPerson(const Object& o) {
  return {.name = Str(o, "name"), .email = Str(o, "email"), .uri = Str(o, "uri")};
}

Category ToCategory(const Object& o) {
  return {.term = Str(o, "term"), .scheme = Str(o, "scheme"), .label = Str(o, "label")};
}

Date ToDate(const Object& o) {
  Date d;
  d.raw = Str(o, "raw");
  if (const std::optional<int64_t> utc = Int(o, "utc")) {
    d.utc = std::chrono::sys_seconds(std::chrono::seconds(*utc));
  }
  return d;
}

Enclosure ToEnclosure(const Object& o) {
  return {.url = Str(o, "url"),
          .type = Str(o, "type"),
          .length = Int(o, "length"),
          .duration_seconds = Int(o, "duration_seconds"),
          .title = Str(o, "title"),
          .medium = Str(o, "medium")};
}

std::optional<int> SmallInt(const Object& o, const std::string& key) {
  const std::optional<int64_t> v = Int(o, key);
  if (!v || *v < INT32_MIN || *v > INT32_MAX) return std::nullopt;
  return static_cast<int>(*v);
}

Image ToImage(const Object& o) {
  return {.url = Str(o, "url"),
          .title = Str(o, "title"),
          .link = Str(o, "link"),
          .description = Str(o, "description"),
          .width = SmallInt(o, "width"),
          .height = SmallInt(o, "height")};
}

Extension ToExtension(const Object& o) {
  return {.ns = Str(o, "ns"),
          .name = Str(o, "name"),
          .value = Str(o, "value"),
          .prefix = Str(o, "prefix")};
}

ITunes ToITunes(const Object& o) {
  ITunes i;
  i.author = Str(o, "author");
  i.subtitle = Str(o, "subtitle");
  i.summary = Str(o, "summary");
  i.image = Str(o, "image");
  i.explicit_ = Str(o, "explicit");
  i.keywords = Str(o, "keywords");
  i.duration = Str(o, "duration");
  i.block = Bool(o, "block");
  i.block_given = Bool(o, "block_given");
  i.episode = Int(o, "episode");
  i.season = Int(o, "season");
  i.episode_type = Str(o, "episode_type");
  if (const Array::Ptr a = o.getArray("categories"); !a.isNull()) {
    for (size_t k = 0; k < a->size(); ++k) {
      const Poco::Dynamic::Var v = a->get(static_cast<unsigned>(k));
      if (v.isString()) i.categories.push_back(v.extract<std::string>());
    }
  }
  return i;
}

PodcastLink ToPodcastLink(const Object& o) {
  return {.url = Str(o, "url"),
          .type = Str(o, "type"),
          .language = Str(o, "language"),
          .rel = Str(o, "rel"),
          .text = Str(o, "text")};
}

PodcastPerson ToPodcastPerson(const Object& o) {
  return {.name = Str(o, "name"),
          .role = Str(o, "role"),
          .group = Str(o, "group"),
          .img = Str(o, "img"),
          .href = Str(o, "href")};
}

Podcast ToPodcast(const Object& o) {
  Podcast p;
  p.guid = Str(o, "guid");
  p.locked = Str(o, "locked");
  p.locked_owner = Str(o, "locked_owner");
  p.transcripts = ToList<PodcastLink>(o, "transcripts", ToPodcastLink);
  p.chapters = ToList<PodcastLink>(o, "chapters", ToPodcastLink);
  p.funding = ToList<PodcastLink>(o, "funding", ToPodcastLink);
  p.persons = ToList<PodcastPerson>(o, "persons", ToPodcastPerson);
  return p;
}

MediaCredit ToMediaCredit(const Object& o) {
  return {.name = Str(o, "name"), .role = Str(o, "role"), .scheme = Str(o, "scheme")};
}

MediaRss ToMedia(const Object& o) {
  MediaRss m;
  m.credits = ToList<MediaCredit>(o, "credits", ToMediaCredit);
  m.rating = Str(o, "rating");
  m.rating_scheme = Str(o, "rating_scheme");
  m.license_url = Str(o, "license_url");
  m.license_type = Str(o, "license_type");
  m.license_text = Str(o, "license_text");
  return m;
}

FeedHead ToHead(const Object& o) {
  FeedHead h;
  h.id = Str(o, "id");
  h.title = ToText(*Obj(o, "title"));
  h.subtitle = ToText(*Obj(o, "subtitle"));
  h.rights = ToText(*Obj(o, "rights"));
  h.links = ToList<Link>(o, "links", ToLink);
  h.authors = ToList<Person>(o, "authors", ToPerson);
  h.contributors = ToList<Person>(o, "contributors", ToPerson);
  h.categories = ToList<Category>(o, "categories", ToCategory);
  h.updated = ToDate(*Obj(o, "updated"));
  h.published = ToDate(*Obj(o, "published"));
  const Object::Ptr generator = Obj(o, "generator");
  h.generator = {.name = Str(*generator, "name"),
                 .uri = Str(*generator, "uri"),
                 .version = Str(*generator, "version")};
  h.icon = Str(o, "icon");
  h.logo = Str(o, "logo");
  h.language = Str(o, "language");
  return h;
}

Entry ToEntry(const Object& o) {
  Entry e;
  e.id = Str(o, "id");
  e.id_is_permalink = Bool(o, "id_is_permalink");
  e.title = ToText(*Obj(o, "title"));
  e.summary = ToText(*Obj(o, "summary"));
  e.contents = ToList<Text>(o, "contents", ToText);
  e.links = ToList<Link>(o, "links", ToLink);
  e.published = ToDate(*Obj(o, "published"));
  e.updated = ToDate(*Obj(o, "updated"));
  e.created = ToDate(*Obj(o, "created"));
  e.expired = ToDate(*Obj(o, "expired"));
  e.authors = ToList<Person>(o, "authors", ToPerson);
  e.contributors = ToList<Person>(o, "contributors", ToPerson);
  e.publisher = ToPerson(*Obj(o, "publisher"));
  e.categories = ToList<Category>(o, "categories", ToCategory);
  e.enclosures = ToList<Enclosure>(o, "enclosures", ToEnclosure);
  e.thumbnails = ToList<Image>(o, "thumbnails", ToImage);
  e.rights = ToText(*Obj(o, "rights"));
  e.comments = Str(o, "comments");
  e.license = Str(o, "license");
  e.language = Str(o, "language");
  e.itunes = ToITunes(*Obj(o, "itunes"));
  if (const Object::Ptr podcast = o.getObject("podcast"); !podcast.isNull()) {
    e.podcast = ToPodcast(*podcast);
  }
  if (const Object::Ptr media = o.getObject("media"); !media.isNull()) e.media = ToMedia(*media);
  if (const Object::Ptr source = o.getObject("source"); !source.isNull()) {
    e.source = ToHead(*source);
  }
  e.extensions = ToList<Extension>(o, "extensions", ToExtension);
  return e;
}

// ---- The patch: what the JSON Feed item does not say (exactly) of the entry. ----
//
// Both sides are the entry as a tree of the shape above (FromEntry). Where the trees agree the
// patch says nothing; where they differ it gives the entry's value: a member the item lacks or
// holds otherwise is given whole (a sub-object as a patch of its own), a member only the item has
// is null, and a list of objects is patched element by element, written as an object (where the
// tree holds a list: never a value of its own) {"each": [patch, ...], "more": [element, ...],
// "keep": n}: patches of the elements both have, the entry's elements past the item's, and the
// length to cut the item's list to when it has more.

using Poco::Dynamic::Var;

bool IsObject(const Var& v) { return v.type() == typeid(Object::Ptr); }
bool IsArray(const Var& v) { return v.type() == typeid(Array::Ptr); }

bool SameTree(const Var& a, const Var& b);

bool SameObject(const Object& a, const Object& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [key, value] : a) {
    if (!b.has(key) || !SameTree(value, b.get(key))) return false;
  }
  return true;
}

bool SameTree(const Var& a, const Var& b) {
  if (IsObject(a) || IsObject(b)) {
    return IsObject(a) && IsObject(b) &&
           SameObject(*a.extract<Object::Ptr>(), *b.extract<Object::Ptr>());
  }
  if (IsArray(a) || IsArray(b)) {
    if (!IsArray(a) || !IsArray(b)) return false;
    const Array& x = *a.extract<Array::Ptr>();
    const Array& y = *b.extract<Array::Ptr>();
    if (x.size() != y.size()) return false;
    for (unsigned i = 0; i < x.size(); ++i) {
      if (!SameTree(x.get(i), y.get(i))) return false;
    }
    return true;
  }
  // Leaves are strings, integers and booleans (FromEntry writes nothing else).
  if (a.isString() != b.isString() || a.isBoolean() != b.isBoolean()) return false;
  return a.convert<std::string>() == b.convert<std::string>();
}

Object::Ptr Diff(const Object& item, const Object& entry);

// The patch of one member both trees have, or an empty Var when they agree.
Var DiffMember(const Var& item, const Var& entry) {
  if (SameTree(item, entry)) return {};
  if (IsObject(item) && IsObject(entry)) {
    return Diff(*item.extract<Object::Ptr>(), *entry.extract<Object::Ptr>());
  }
  if (IsArray(item) && IsArray(entry)) {
    const Array& x = *item.extract<Array::Ptr>();
    const Array& y = *entry.extract<Array::Ptr>();
    const auto common = static_cast<unsigned>(std::min(x.size(), y.size()));
    bool objects = common > 0;
    for (unsigned i = 0; objects && i < x.size(); ++i) objects = IsObject(x.get(i));
    for (unsigned i = 0; objects && i < y.size(); ++i) objects = IsObject(y.get(i));
    if (objects) {
      Object::Ptr o = new Object;
      Array::Ptr each = new Array;
      for (unsigned i = 0; i < common; ++i) {
        each->add(Diff(*x.getObject(i), *y.getObject(i)));
      }
      o->set("each", each);
      if (y.size() > common) {
        Array::Ptr more = new Array;
        for (unsigned i = common; i < y.size(); ++i) more->add(y.get(i));
        o->set("more", more);
      }
      if (x.size() > common) o->set("keep", static_cast<int64_t>(common));
      return o;
    }
  }
  return entry;
}

Object::Ptr Diff(const Object& item, const Object& entry) {
  Object::Ptr patch = new Object;
  for (const auto& [key, value] : entry) {
    if (!item.has(key)) {
      patch->set(key, value);
    } else if (Var d = DiffMember(item.get(key), value); !d.isEmpty()) {
      patch->set(key, d);
    }
  }
  for (const auto& [key, value] : item) {
    if (!entry.has(key)) patch->set(key, Var());  // null: the entry has no such member.
  }
  return patch;
}

void Apply(Object& tree, const Object& patch) {
  for (const auto& [key, value] : patch) {
    if (value.isEmpty()) {
      tree.remove(key);
      continue;
    }
    if (IsObject(value) && tree.has(key)) {
      const Object& p = *value.extract<Object::Ptr>();
      const Var here = tree.get(key);
      if (IsObject(here)) {
        Object::Ptr sub = here.extract<Object::Ptr>();
        Apply(*sub, p);
        continue;
      }
      const Array::Ptr each = p.getArray("each");
      if (IsArray(here) && !each.isNull()) {
        Array::Ptr list = here.extract<Array::Ptr>();
        for (unsigned i = 0; i < list->size() && i < each->size(); ++i) {
          Object::Ptr element = list->getObject(i);
          const Object::Ptr element_patch = each->getObject(i);
          if (!element.isNull() && !element_patch.isNull()) Apply(*element, *element_patch);
        }
        if (const std::optional<int64_t> keep = Int(p, "keep")) {
          while (list->size() > static_cast<size_t>(std::max<int64_t>(*keep, 0))) {
            list->remove(static_cast<unsigned>(list->size() - 1));
          }
        }
        if (const Array::Ptr more = p.getArray("more"); !more.isNull()) {
          for (unsigned i = 0; i < more->size(); ++i) list->add(more->get(i));
        }
        continue;
      }
    }
    tree.set(key, value);
  }
}

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
      if (Bool(*root, "summary_is_content") && out.entry.contents.size() == 1) {
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
