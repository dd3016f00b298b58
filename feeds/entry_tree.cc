#include "feeds/entry_tree.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace feedbridge::feeds::entry_internal {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

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

}  // namespace

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

namespace {

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

}  // namespace

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

}  // namespace feedbridge::feeds::entry_internal
