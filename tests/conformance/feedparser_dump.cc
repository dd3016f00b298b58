// Test tool: parses feeds with feeds::ParseFeed and prints each as one JSON line shaped like
// feedparser's result (its key names), so tests/conformance/run_feedparser_corpus.py can evaluate
// the corpus's Python `Expect:` expressions against our parser. The mapping onto feedparser's
// vocabulary lives here, in the test runner, never in feeds/.
//
// Input on stdin, one document per line: PATH <TAB> CONTENT-TYPE (may be empty) <TAB> BASE-URL.
// Output on stdout, one JSON object per input line.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "feeds/html.h"
#include "feeds/model.h"
#include "feeds/parser.h"

namespace feedbridge::feeds {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// feedparser's value for a text construct: HTML is sanitized with relative URLs resolved.
std::string Value(const Text& t) {
  if (t.is_html()) return SanitizeHtml(t.value, t.base);
  return t.value;
}

Object::Ptr Detail(const Text& t) {
  Object::Ptr d = new Object;
  d->set("type", t.type == kXhtml ? std::string(kXhtml) : t.type);
  d->set("value", Value(t));
  d->set("language", t.language.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(t.language));
  d->set("base", t.base);
  if (!t.src.empty()) d->set("src", t.src);
  return d;
}

void SetText(Object& o, const std::string& key, const Text& t) {
  if (t.empty()) return;
  o.set(key, Value(t));
  o.set(key + "_detail", Detail(t));
}

Array::Ptr Parsed(const Date& d) {
  if (!d.utc) return nullptr;
  // time.struct_time fields; the runner turns the list into a struct_time.
  const auto days = std::chrono::floor<std::chrono::days>(*d.utc);
  const std::chrono::year_month_day ymd(days);
  const std::chrono::hh_mm_ss hms(*d.utc - days);
  const std::chrono::weekday wd(days);
  const auto jan1 = std::chrono::sys_days(ymd.year() / std::chrono::January / 1);
  Array::Ptr a = new Array;
  a->add(static_cast<int>(ymd.year()));
  a->add(static_cast<unsigned>(ymd.month()));
  a->add(static_cast<unsigned>(ymd.day()));
  a->add(static_cast<int>(hms.hours().count()));
  a->add(static_cast<int>(hms.minutes().count()));
  a->add(static_cast<int>(hms.seconds().count()));
  a->add((wd.c_encoding() + 6) % 7);  // Python: Monday is 0.
  a->add(static_cast<int>((days - jan1).count()) + 1);
  a->add(0);
  return a;
}

void SetDate(Object& o, const std::string& key, const Date& d) {
  if (d.empty()) return;
  o.set(key, d.raw);
  if (Array::Ptr p = Parsed(d)) o.set(key + "_parsed", p);
}

Object::Ptr PersonObject(const Person& p) {
  Object::Ptr o = new Object;
  if (!p.name.empty()) o->set("name", p.name);
  if (!p.email.empty()) o->set("email", p.email);
  if (!p.uri.empty()) o->set("href", p.uri);
  return o;
}

// feedparser's "author" string: "Name (email)" or whichever part exists.
std::string PersonString(const Person& p) {
  if (!p.name.empty() && !p.email.empty()) return p.name + " (" + p.email + ")";
  return p.name.empty() ? p.email : p.name;
}

void SetPeople(Object& o, const std::vector<Person>& authors,
               const std::vector<Person>& contributors) {
  if (!authors.empty()) {
    Array::Ptr a = new Array;
    for (const Person& p : authors) a->add(PersonObject(p));
    o.set("authors", a);
    o.set("author", PersonString(authors.front()));
    o.set("author_detail", PersonObject(authors.front()));
  }
  if (!contributors.empty()) {
    Array::Ptr a = new Array;
    for (const Person& p : contributors) a->add(PersonObject(p));
    o.set("contributors", a);
  }
}

Object::Ptr LinkObject(const Link& l) {
  Object::Ptr o = new Object;
  o->set("href", l.href);
  o->set("rel", l.rel);
  if (!l.type.empty()) o->set("type", l.type);
  if (!l.title.empty()) o->set("title", l.title);
  if (!l.hreflang.empty()) o->set("hreflang", l.hreflang);
  if (l.length) o->set("length", std::to_string(*l.length));
  return o;
}

void SetTags(Object& o, const std::vector<Category>& categories) {
  if (categories.empty()) return;
  Array::Ptr a = new Array;
  for (const Category& c : categories) {
    Object::Ptr t = new Object;
    t->set("term", c.term);
    t->set("scheme", c.scheme.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(c.scheme));
    t->set("label", c.label.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(c.label));
    a->add(t);
  }
  o.set("tags", a);
  o.set("category", categories.front().term);
}

// Extension elements under feedparser's "prefix_name" keys.
void SetExtensions(Object& o, const std::vector<Extension>& extensions) {
  static const std::pair<std::string_view, std::string_view> kPrefixes[] = {
      {"http://wellformedweb.org/CommentAPI/", "wfw"},
      {"http://purl.org/rss/1.0/modules/slash/", "slash"},
      {"http://purl.org/rss/1.0/modules/syndication/", "sy"},
      {"http://www.w3.org/2003/01/geo/wgs84_pos#", "geo"},
      {"http://rssnamespace.org/feedburner/ext/1.0", "feedburner"},
  };
  for (const Extension& e : extensions) {
    std::string key;
    if (e.ns.empty() || e.ns == "http://www.w3.org/2005/Atom" ||
        e.ns == "http://purl.org/atom/ns#" || e.ns == "http://purl.org/rss/1.0/") {
      key = e.name;
    } else {
      for (const auto& [uri, prefix] : kPrefixes) {
        if (uri == e.ns) key = std::string(prefix) + "_" + e.name;
      }
      if (key.empty() && !e.prefix.empty()) key = e.prefix + "_" + e.name;
      if (key.empty()) continue;
    }
    std::string lower;
    for (char c : key) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!o.has(lower)) o.set(lower, e.value);
  }
}

void SetHead(Object& o, const FeedHead& h) {
  SetText(o, "title", h.title);
  SetText(o, "subtitle", h.subtitle);
  SetText(o, "rights", h.rights);
  if (!h.id.empty()) o.set("id", h.id);
  if (!h.links.empty()) {
    Array::Ptr a = new Array;
    for (const Link& l : h.links) a->add(LinkObject(l));
    o.set("links", a);
  }
  if (const Link* alt = h.AlternateLink()) o.set("link", alt->href);
  SetPeople(o, h.authors, h.contributors);
  SetTags(o, h.categories);
  SetDate(o, "updated", h.updated);
  SetDate(o, "published", h.published);
  if (!h.generator.empty()) {
    o.set("generator", h.generator.name);
    Object::Ptr g = new Object;
    g->set("name", h.generator.name);
    if (!h.generator.uri.empty()) g->set("href", h.generator.uri);
    if (!h.generator.version.empty()) g->set("version", h.generator.version);
    o.set("generator_detail", g);
  }
  if (!h.icon.empty()) o.set("icon", h.icon);
  if (!h.logo.empty()) o.set("logo", h.logo);
  if (!h.language.empty()) o.set("language", h.language);
}

// feedparser's itunes_explicit: True for "yes"/"true", False for "no"/"false"/"clean", None
// (null) for anything else, spelled exactly.
void SetITunes(Object& o, const ITunes& it) {
  if (it.block_given) o.set("itunes_block", it.block ? 1 : 0);
  if (!it.explicit_.empty()) {
    if (it.explicit_ == "yes" || it.explicit_ == "true")
      o.set("itunes_explicit", true);
    else if (it.explicit_ == "no" || it.explicit_ == "false" || it.explicit_ == "clean")
      o.set("itunes_explicit", false);
    else
      o.set("itunes_explicit", Poco::Dynamic::Var());
  }
  if (!it.duration.empty()) o.set("itunes_duration", it.duration);
  if (it.episode) o.set("itunes_episode", std::to_string(*it.episode));
  if (it.season) o.set("itunes_season", std::to_string(*it.season));
  if (!it.episode_type.empty()) o.set("itunes_episodetype", it.episode_type);
}

Object::Ptr EntryObject(const Entry& e) {
  Object::Ptr o = new Object;
  SetText(*o, "title", e.title);
  SetText(*o, "summary", e.summary);
  SetText(*o, "rights", e.rights);
  if (!e.contents.empty()) {
    Array::Ptr a = new Array;
    for (const Text& t : e.contents) a->add(Detail(t));
    o->set("content", a);
    if (e.summary.empty()) SetText(*o, "summary", e.contents.front());
  }
  if (!e.id.empty()) o->set("id", e.id);
  o->set("guidislink", e.id_is_permalink && e.AlternateLink() == nullptr);
  Array::Ptr links = new Array;
  for (const Link& l : e.links) links->add(LinkObject(l));
  Array::Ptr enclosures = new Array;
  for (const Enclosure& enc : e.enclosures) {
    Object::Ptr l = new Object;
    l->set("href", enc.url);
    l->set("rel", "enclosure");
    if (!enc.type.empty()) l->set("type", enc.type);
    if (enc.length) l->set("length", std::to_string(*enc.length));
    links->add(l);
    enclosures->add(l);
  }
  if (!e.license.empty()) {
    Object::Ptr l = new Object;
    l->set("href", e.license);
    l->set("rel", "license");
    links->add(l);
    o->set("license", e.license);
  }
  if (links->size() > 0) o->set("links", links);
  if (enclosures->size() > 0) o->set("enclosures", enclosures);
  const std::string url = e.Url();
  if (!url.empty()) o->set("link", url);
  SetPeople(*o, e.authors, e.contributors);
  if (!e.publisher.empty()) {
    o->set("publisher", PersonString(e.publisher));
    o->set("publisher_detail", PersonObject(e.publisher));
  }
  SetTags(*o, e.categories);
  SetDate(*o, "published", e.published);
  SetDate(*o, "updated", e.updated);
  SetDate(*o, "created", e.created);
  SetDate(*o, "expired", e.expired);
  if (!e.comments.empty()) o->set("comments", e.comments);
  if (e.source) {
    Object::Ptr s = new Object;
    SetHead(*s, *e.source);
    if (const Link* self = e.source->FindLink("self"); self != nullptr) s->set("href", self->href);
    o->set("source", s);
  }
  SetITunes(*o, e.itunes);
  if (!e.itunes.subtitle.empty()) SetText(*o, "subtitle", Text{.value = e.itunes.subtitle});
  if (!e.itunes.image.empty()) {
    Object::Ptr i = new Object;
    i->set("href", e.itunes.image);
    o->set("image", i);
  }
  if (!e.thumbnails.empty()) {
    Array::Ptr a = new Array;
    for (const Image& t : e.thumbnails) {
      Object::Ptr i = new Object;
      i->set("url", t.url);
      if (t.width) i->set("width", std::to_string(*t.width));
      if (t.height) i->set("height", std::to_string(*t.height));
      a->add(i);
    }
    o->set("media_thumbnail", a);
  }
  for (const Extension& x : e.extensions) {
    if (x.ns == "http://search.yahoo.com/mrss/" && x.name == "player" && !o->has("media_player")) {
      Object::Ptr p = new Object;
      p->set("url", x.value);
      o->set("media_player", p);
    }
  }
  SetExtensions(*o, e.extensions);
  return o;
}

Object::Ptr FeedObject(const Feed& f) {
  Object::Ptr o = new Object;
  SetHead(*o, f);
  if (!f.image.empty()) {
    Object::Ptr i = new Object;
    i->set("href", f.image.url);
    if (!f.image.title.empty()) i->set("title", f.image.title);
    if (!f.image.link.empty()) i->set("link", f.image.link);
    if (!f.image.description.empty()) i->set("description", f.image.description);
    if (f.image.width) i->set("width", *f.image.width);
    if (f.image.height) i->set("height", *f.image.height);
    o->set("image", i);
  }
  SetText(*o, "info", f.info);
  if (f.ttl_minutes) o->set("ttl", std::to_string(*f.ttl_minutes));
  if (!f.docs.empty()) o->set("docs", f.docs);
  if (!f.publisher.empty()) {
    o->set("publisher", PersonString(f.publisher));
    o->set("publisher_detail", PersonObject(f.publisher));
  }
  if (!f.cloud.empty()) {
    Object::Ptr cloud = new Object;
    cloud->set("domain", f.cloud.domain);
    cloud->set("port", f.cloud.port);
    cloud->set("path", f.cloud.path);
    cloud->set("registerprocedure", f.cloud.register_procedure);
    cloud->set("protocol", f.cloud.protocol);
    o->set("cloud", cloud);
  }
  if (!f.text_input.empty()) {
    Object::Ptr t = new Object;
    if (!f.text_input.title.empty()) t->set("title", f.text_input.title);
    if (!f.text_input.description.empty()) t->set("description", f.text_input.description);
    if (!f.text_input.name.empty()) t->set("name", f.text_input.name);
    if (!f.text_input.link.empty()) t->set("link", f.text_input.link);
    o->set("textinput", t);
  }
  SetDate(*o, "created", f.created);
  SetDate(*o, "validity_start", f.valid_start);
  SetDate(*o, "validity_end", f.valid_end);
  if (!f.new_location.empty()) o->set("newlocation", f.new_location);
  SetITunes(*o, f.itunes);
  if (!f.itunes.new_feed_url.empty()) o->set("itunes_new-feed-url", f.itunes.new_feed_url);
  SetExtensions(*o, f.extensions);
  return o;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace
}  // namespace feedbridge::feeds

int main() {
  using namespace feedbridge::feeds;  // NOLINT: a test tool's main.
  std::string line;
  while (std::getline(std::cin, line)) {
    std::vector<std::string> fields;
    std::istringstream split(line);
    for (std::string field; std::getline(split, field, '\t');) fields.push_back(field);
    if (fields.empty()) continue;
    fields.resize(3);
    const std::string& path = fields[0];
    ParseOptions options;
    options.content_type = fields[1];
    options.base_url = fields[2];
    Poco::JSON::Object out;
    out.set("path", path);
    auto result = ParseFeed(ReadAll(path), options);
    if (!result.ok()) {
      out.set("error", result.status().ToString());
      out.set("bozo", true);
    } else {
      const Feed& f = *result;
      out.set("bozo", f.recovered);
      Poco::JSON::Array::Ptr problems = new Poco::JSON::Array;
      for (const std::string& p : f.problems) problems->add(p);
      out.set("problems", problems);
      out.set("encoding", f.encoding);
      out.set("version", std::string(VersionName(f)));
      out.set("feed", FeedObject(f));
      Poco::JSON::Array::Ptr entries = new Poco::JSON::Array;
      for (const Entry& e : f.entries) entries->add(EntryObject(e));
      out.set("entries", entries);
    }
    out.stringify(std::cout);
    std::cout << '\n';
  }
  return 0;
}
