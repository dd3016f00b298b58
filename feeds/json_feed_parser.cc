#include "feeds/json_feed_parser.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "feeds/dates.h"
#include "feeds/text_util.h"
#include "feeds/url.h"

namespace feedbridge::feeds::internal {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::string GetString(const Object& o, const std::string& key) {
  if (!o.has(key)) return {};
  const Poco::Dynamic::Var v = o.get(key);
  if (v.isEmpty()) return {};
  if (v.isString()) return v.extract<std::string>();
  if (v.isNumeric()) return v.convert<std::string>();  // Ids are sometimes numbers.
  return {};
}

std::optional<int64_t> GetInt(const Object& o, const std::string& key) {
  if (!o.has(key)) return std::nullopt;
  const Poco::Dynamic::Var v = o.get(key);
  if (!v.isNumeric()) return std::nullopt;
  try {
    return static_cast<int64_t>(v.convert<double>());
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

std::string Url(const Object& o, const std::string& key, std::string_view base) {
  std::string v = GetString(o, key);
  return v.empty() ? v : ResolveUrl(base, Trim(v, kXmlWhitespace));
}

Date GetDate(const Object& o, const std::string& key) {
  Date d;
  d.raw = GetString(o, key);
  if (!d.raw.empty()) d.utc = ParseDate(d.raw);
  return d;
}

// JSON Feed 1.1 "authors", or 1.0 "author".
std::vector<Person> GetAuthors(const Object& o, std::string_view base) {
  std::vector<Person> out;
  auto add = [&](const Object::Ptr& a) {
    if (a.isNull()) return;
    Person p{GetString(*a, "name"), {}, Url(*a, "url", base)};
    if (p.uri.starts_with("mailto:")) {
      p.email = p.uri.substr(7);
      p.uri.clear();
    }
    if (!p.empty()) out.push_back(std::move(p));
  };
  if (o.has("authors")) {
    if (Array::Ptr arr = o.getArray("authors"); !arr.isNull()) {
      for (size_t i = 0; i < arr->size() && out.size() < 64; ++i)
        add(arr->getObject(static_cast<unsigned>(i)));
    }
  }
  if (out.empty() && o.has("author")) add(o.getObject("author"));
  return out;
}

// The "_itunes" extension object our JSON Feed writer adds (feeds/json_feed_writer.cc), of an
// item or the feed; keys are the iTunes element names.
void ReadITunes(const Object& o, ITunes& it, ITunesChannel* channel) {
  const Object::Ptr x = o.getObject("_itunes");
  if (x.isNull()) return;
  it.subtitle = GetString(*x, "subtitle");
  it.explicit_ = GetString(*x, "explicit");
  if (x->has("block")) {
    it.block_given = true;
    it.block = GetString(*x, "block") == "Yes";
  }
  it.duration = GetString(*x, "duration");
  it.episode = GetInt(*x, "episode");
  it.season = GetInt(*x, "season");
  it.episode_type = GetString(*x, "episodeType");
  if (const Array::Ptr categories = x->getArray("categories"); !categories.isNull()) {
    for (size_t i = 0; i < categories->size() && i < 64; ++i) {
      const Poco::Dynamic::Var v = categories->get(static_cast<unsigned>(i));
      if (v.isString()) it.categories.push_back(v.extract<std::string>());
    }
  }
  if (channel == nullptr) return;
  channel->type = GetString(*x, "type");
  channel->new_feed_url = GetString(*x, "new-feed-url");
  if (const Object::Ptr owner = x->getObject("owner"); !owner.isNull()) {
    channel->owner.name = GetString(*owner, "name");
    channel->owner.email = GetString(*owner, "email");
  }
}

template <class T, class F>
std::vector<T> ReadObjects(const Object& o, const std::string& key, F read) {
  std::vector<T> out;
  const Array::Ptr a = o.getArray(key);
  if (a.isNull()) return out;
  for (size_t i = 0; i < a->size() && i < 32; ++i) {
    const Object::Ptr x = a->getObject(static_cast<unsigned>(i));
    if (!x.isNull()) out.push_back(read(*x));
  }
  return out;
}

PodcastLink ReadPodcastLink(const Object& o) {
  return {.url = GetString(o, "url"),
          .type = GetString(o, "type"),
          .language = GetString(o, "language"),
          .rel = GetString(o, "rel"),
          .text = GetString(o, "text")};
}

// The "_podcast" and "_media" extension objects of our JSON Feed writer.
void ReadPodcastAndMedia(const Object& o, Box<Podcast>& podcast, Box<MediaRss>& media) {
  if (const Object::Ptr x = o.getObject("_podcast"); !x.isNull()) {
    Podcast p;
    p.guid = GetString(*x, "guid");
    if (const Object::Ptr locked = x->getObject("locked"); !locked.isNull()) {
      p.locked = GetString(*locked, "value");
      p.locked_owner = GetString(*locked, "owner");
    }
    p.transcripts = ReadObjects<PodcastLink>(*x, "transcripts", ReadPodcastLink);
    p.chapters = ReadObjects<PodcastLink>(*x, "chapters", ReadPodcastLink);
    p.funding = ReadObjects<PodcastLink>(*x, "funding", ReadPodcastLink);
    p.persons = ReadObjects<PodcastPerson>(*x, "persons", [](const Object& person) {
      return PodcastPerson{.name = GetString(person, "name"),
                           .role = GetString(person, "role"),
                           .group = GetString(person, "group"),
                           .img = GetString(person, "img"),
                           .href = GetString(person, "href")};
    });
    if (!p.empty()) podcast = p;
  }
  if (const Object::Ptr x = o.getObject("_media"); !x.isNull()) {
    MediaRss m;
    m.credits = ReadObjects<MediaCredit>(*x, "credits", [](const Object& credit) {
      return MediaCredit{.name = GetString(credit, "name"),
                         .role = GetString(credit, "role"),
                         .scheme = GetString(credit, "scheme")};
    });
    if (const Object::Ptr rating = x->getObject("rating"); !rating.isNull()) {
      m.rating = GetString(*rating, "value");
      m.rating_scheme = GetString(*rating, "scheme");
    }
    if (const Object::Ptr license = x->getObject("license"); !license.isNull()) {
      m.license_url = GetString(*license, "url");
      m.license_type = GetString(*license, "type");
      m.license_text = GetString(*license, "text");
    }
    if (!m.empty()) media = m;
  }
}

Entry ReadItem(const Object& item, const std::string& base, const std::string& feed_lang) {
  Entry e;
  e.id = GetString(item, "id");
  const std::string url = Url(item, "url", base);
  if (!url.empty()) e.links.push_back(Link{.href = url, .rel = "alternate", .type = "text/html"});
  const std::string external = Url(item, "external_url", base);
  if (!external.empty()) e.links.push_back(Link{.href = external, .rel = "related"});
  e.title.value = GetString(item, "title");
  e.title.base = base;
  std::string summary = GetString(item, "summary");
  if (!summary.empty()) e.summary = Text{.value = std::move(summary), .base = base};
  std::string html = GetString(item, "content_html");
  if (!html.empty()) {
    e.contents.push_back(
        Text{.value = std::move(html), .type = std::string(kTextHtml), .base = base});
  }
  std::string text = GetString(item, "content_text");
  if (!text.empty()) e.contents.push_back(Text{.value = std::move(text), .base = base});
  for (const char* key : {"image", "banner_image"}) {
    std::string image = Url(item, key, base);
    if (!image.empty()) e.thumbnails.push_back(Image{.url = std::move(image)});
  }
  e.published = GetDate(item, "date_published");
  e.updated = GetDate(item, "date_modified");
  e.authors = GetAuthors(item, base);
  e.language = GetString(item, "language");
  if (e.language.empty()) e.language = feed_lang;
  for (Text* t : {&e.title, &e.summary}) t->language = e.language;
  for (Text& t : e.contents) t.language = e.language;
  if (item.has("tags")) {
    if (Array::Ptr tags = item.getArray("tags"); !tags.isNull()) {
      for (size_t i = 0; i < tags->size() && i < 256; ++i) {
        const Poco::Dynamic::Var v = tags->get(static_cast<unsigned>(i));
        if (v.isString()) e.categories.push_back(Category{.term = v.extract<std::string>()});
      }
    }
  }
  if (item.has("attachments")) {
    if (Array::Ptr atts = item.getArray("attachments"); !atts.isNull()) {
      for (size_t i = 0; i < atts->size() && i < 256; ++i) {
        Object::Ptr a = atts->getObject(static_cast<unsigned>(i));
        if (a.isNull()) continue;
        Enclosure enc;
        enc.url = Url(*a, "url", base);
        enc.type = GetString(*a, "mime_type");
        enc.title = GetString(*a, "title");
        enc.length = GetInt(*a, "size_in_bytes");
        enc.duration_seconds = GetInt(*a, "duration_in_seconds");
        if (!enc.url.empty()) e.enclosures.push_back(std::move(enc));
      }
    }
  }
  ReadITunes(item, e.itunes, nullptr);
  ReadPodcastAndMedia(item, e.podcast, e.media);
  return e;
}

}  // namespace

Result<Feed> ParseJsonFeed(std::string_view utf8, const ParseOptions& options) {
  Poco::Dynamic::Var root;
  try {
    Poco::JSON::Parser parser;
    root = parser.parse(std::string(utf8));
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument("feeds: not valid JSON: " + e.message());
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("feeds: not valid JSON: ") + e.what());
  }
  Object::Ptr obj;
  try {
    obj = root.extract<Object::Ptr>();
  } catch (const Poco::Exception&) {
    return Status::InvalidArgument("feeds: JSON document is not an object");
  }
  if (obj.isNull()) return Status::InvalidArgument("feeds: JSON document is not an object");
  const std::string version = GetString(*obj, "version");
  if (!version.starts_with("https://jsonfeed.org/version/") &&
      !version.starts_with("http://jsonfeed.org/version/")) {
    return Status::InvalidArgument(
        "feeds: JSON document is not a JSON Feed (no jsonfeed.org version)");
  }
  Feed feed;
  feed.encoding = "utf-8";
  feed.format = version.ends_with("/1") ? FeedFormat::kJsonFeed10 : FeedFormat::kJsonFeed11;
  const std::string& base = options.base_url;
  feed.language = GetString(*obj, "language");
  feed.title = Text{.value = GetString(*obj, "title"), .language = feed.language, .base = base};
  std::string description = GetString(*obj, "description");
  if (!description.empty()) {
    feed.subtitle = Text{.value = std::move(description), .language = feed.language, .base = base};
  }
  feed.home_page_url = Url(*obj, "home_page_url", base);
  if (!feed.home_page_url.empty()) {
    feed.links.push_back(Link{.href = feed.home_page_url, .rel = "alternate", .type = "text/html"});
  }
  feed.feed_url = Url(*obj, "feed_url", base);
  if (!feed.feed_url.empty()) {
    feed.links.push_back(
        Link{.href = feed.feed_url, .rel = "self", .type = "application/feed+json"});
    feed.id = feed.feed_url;
  }
  if (std::string next = Url(*obj, "next_url", base); !next.empty()) {
    feed.links.push_back(Link{.href = std::move(next), .rel = "next"});
  }
  if (feed.feed_url.empty()) feed.feed_url = base;
  feed.logo = Url(*obj, "icon", base);
  feed.icon = Url(*obj, "favicon", base);
  feed.authors = GetAuthors(*obj, base);
  if (obj->has("hubs")) {
    if (Array::Ptr hubs = obj->getArray("hubs"); !hubs.isNull()) {
      for (size_t i = 0; i < hubs->size() && i < 16; ++i) {
        Object::Ptr h = hubs->getObject(static_cast<unsigned>(i));
        if (!h.isNull()) {
          std::string url = Url(*h, "url", base);
          if (!url.empty()) feed.hubs.push_back(std::move(url));
        }
      }
    }
  }
  ReadITunes(*obj, feed.itunes, &feed.itunes);
  ReadPodcastAndMedia(*obj, feed.podcast, feed.media);
  if (obj->has("items")) {
    Array::Ptr items = obj->getArray("items");
    if (items.isNull()) return Status::InvalidArgument("feeds: JSON Feed 'items' is not an array");
    for (size_t i = 0; i < items->size(); ++i) {
      Object::Ptr item = items->getObject(static_cast<unsigned>(i));
      if (item.isNull()) continue;
      if (feed.entries.size() >= options.max_entries) {
        feed.recovered = true;
        feed.problems.push_back("entries over the limit of " + std::to_string(options.max_entries) +
                                " dropped");
        break;
      }
      feed.entries.push_back(ReadItem(*item, base, feed.language));
    }
  }
  return feed;
}

}  // namespace feedbridge::feeds::internal
