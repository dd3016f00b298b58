// RSS 2.0 output (https://www.rssboard.org/rss-specification) with the extensions readers
// expect: atom:link for self/next/hub, content:encoded, dc:creator, media:thumbnail, itunes.

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/html_escape.h"
#include "feeds/dates.h"
#include "feeds/identity.h"
#include "feeds/writer_util.h"
#include "feeds/writers.h"

namespace feedbridge::feeds {
namespace {

using writer_internal::kAtomNs;
using writer_internal::kMediaNs;
using writer_internal::kNoNs;
using writer_internal::XmlAttrs;
using writer_internal::XmlOut;

const std::string kContentNs = "http://purl.org/rss/1.0/modules/content/";
const std::string kDcNs = "http://purl.org/dc/elements/1.1/";
const std::string kITunesNs = "http://www.itunes.com/dtds/podcast-1.0.dtd";
const std::string kPodcastNs = "https://podcastindex.org/namespace/1.0";

// RSS <description> and content:encoded carry HTML (RSS Best Practices Profile §description),
// so plain text is escaped once more to keep "<" and "&" literal for readers.
std::string AsHtml(const Text& text) {
  return text.is_html() ? text.value : HtmlEscaped(text.value, HtmlEscape::kText);
}

// RSS 2.0 <author>, managingEditor and webMaster hold "email (Name)".
std::string EmailAndName(const Person& person) {
  if (person.name.empty()) return person.email;
  return person.email + " (" + person.name + ")";
}

void WriteDate(XmlOut& out, const std::string& name, writer_internal::OptionalTime t) {
  if (t) out.Element(kNoNs, name, FormatRfc1123(*t));
}

void WriteAtomLink(XmlOut& out, std::string_view rel, const std::string& href,
                   std::string_view type = {}) {
  if (href.empty()) return;
  XmlAttrs attrs;
  attrs.Add("href", href).Add("rel", rel).Add("type", type);
  out.Empty(kAtomNs, "link", attrs);
}

// <category domain="scheme">term</category>.
void WriteCategories(XmlOut& out, const std::vector<Category>& categories) {
  for (const Category& category : categories) {
    const std::string& term = category.term.empty() ? category.label : category.term;
    if (term.empty()) continue;
    out.Element(kNoNs, "category", term, XmlAttrs().Add("domain", category.scheme));
  }
}

bool UsesMedia(const Feed& feed) {
  if (feed.media) return true;
  for (const Entry& entry : feed.entries) {
    if (!entry.thumbnails.empty() || entry.media) return true;
  }
  return false;
}

bool UsesPodcast(const Feed& feed) {
  if (feed.podcast) return true;
  for (const Entry& entry : feed.entries) {
    if (entry.podcast) return true;
  }
  return false;
}

// Podcasting 2.0 (https://podcastindex.org/namespace/1.0), channel and item alike: each value
// only where the model has it.
void WritePodcast(XmlOut& out, const Box<Podcast>& podcast) {
  if (!podcast) return;
  const Podcast& p = *podcast;
  out.Optional(kPodcastNs, "guid", p.guid);
  if (!p.locked.empty()) {
    out.Element(kPodcastNs, "locked", p.locked, XmlAttrs().Add("owner", p.locked_owner));
  }
  for (const PodcastLink& t : p.transcripts) {
    XmlAttrs attrs;
    attrs.Add("url", t.url).Add("type", t.type).Add("language", t.language).Add("rel", t.rel);
    out.Empty(kPodcastNs, "transcript", attrs);
  }
  for (const PodcastLink& c : p.chapters) {
    out.Empty(kPodcastNs, "chapters", XmlAttrs().Add("url", c.url).Add("type", c.type));
  }
  for (const PodcastLink& f : p.funding) {
    out.Element(kPodcastNs, "funding", f.text, XmlAttrs().Add("url", f.url));
  }
  for (const PodcastPerson& person : p.persons) {
    XmlAttrs attrs;
    attrs.Add("role", person.role)
        .Add("group", person.group)
        .Add("img", person.img)
        .Add("href", person.href);
    out.Element(kPodcastNs, "person", person.name, attrs);
  }
}

// Media RSS credits, rating and license.
void WriteMediaRss(XmlOut& out, const Box<MediaRss>& media) {
  if (!media) return;
  for (const MediaCredit& credit : media->credits) {
    out.Element(kMediaNs, "credit", credit.name,
                XmlAttrs().Add("role", credit.role).Add("scheme", credit.scheme));
  }
  if (!media->rating.empty()) {
    out.Element(kMediaNs, "rating", media->rating, XmlAttrs().Add("scheme", media->rating_scheme));
  }
  if (!media->license_url.empty() || !media->license_text.empty()) {
    out.Element(kMediaNs, "license", media->license_text,
                XmlAttrs().Add("type", media->license_type).Add("href", media->license_url));
  }
}

bool UsesITunes(const Feed& feed) {
  if (!feed.itunes.empty()) return true;
  for (const Entry& entry : feed.entries) {
    if (!entry.itunes.empty()) return true;
  }
  return false;
}

// The podcast elements channels and items share (Apple Podcasts RSS tags).
void WriteITunesCommon(XmlOut& out, const ITunes& itunes) {
  out.Optional(kITunesNs, "author", itunes.author);
  out.Optional(kITunesNs, "subtitle", itunes.subtitle);
  out.Optional(kITunesNs, "summary", itunes.summary);
  if (!itunes.image.empty()) out.Empty(kITunesNs, "image", XmlAttrs().Add("href", itunes.image));
  out.Optional(kITunesNs, "explicit", itunes.explicit_);
  out.Optional(kITunesNs, "keywords", itunes.keywords);
  if (itunes.block) out.Element(kITunesNs, "block", "yes");
}

// <author> must be an email address (RSS 2.0 "Elements of <item>"); people without one are
// named with dc:creator, which readers show the same way.
void WriteItemAuthors(XmlOut& out, const std::vector<Person>& authors) {
  for (const Person& person : authors) {
    if (!person.email.empty()) {
      out.Element(kNoNs, "author", EmailAndName(person));
    } else if (!person.name.empty() || !person.uri.empty()) {
      out.Element(kDcNs, "creator", person.name.empty() ? person.uri : person.name);
    }
  }
}

// <guid>: the entry's id, marked as a permalink only when it is the entry's URL. Without an
// id the URL (a permalink) or a content hash (not one) keeps items deduplicable.
void WriteGuid(XmlOut& out, const Entry& entry, const std::string& url) {
  const std::string id = EntryIdentity(entry);
  const bool permalink = !url.empty() && id == url;
  out.Element(kNoNs, "guid", id, XmlAttrs().Add("isPermaLink", permalink ? "true" : "false"));
}

void WriteItem(XmlOut& out, const Entry& entry, bool podcast_feed) {
  out.Start(kNoNs, "item");
  const std::string url = entry.Url();
  const Text* html = writer_internal::HtmlContent(entry);
  const Text* plain = html == nullptr ? writer_internal::PlainContent(entry) : nullptr;
  const Text* content = html != nullptr ? html : plain;
  const Text* description = !entry.summary.value.empty() ? &entry.summary : content;

  // Titles are written as given, also when they are HTML: RSS has no type for them and readers
  // treat them as HTML-ish text either way.
  // At least one of title or description must be present (RSS 2.0 "Elements of <item>").
  if (!entry.title.value.empty() || description == nullptr) {
    out.Element(kNoNs, "title", entry.title.value);
  }
  out.Optional(kNoNs, "link", url);
  if (description != nullptr) out.Element(kNoNs, "description", AsHtml(*description));
  if (content != nullptr) out.Element(kContentNs, "encoded", AsHtml(*content));
  WriteItemAuthors(out, entry.authors);
  WriteCategories(out, entry.categories);
  out.Optional(kNoNs, "comments", entry.comments);
  // Every enclosure is written; the spec does not limit their number and readers (feedparser,
  // podcast apps) take them all, though the Best Practices Profile suggests one.
  for (const Enclosure& enclosure : entry.enclosures) {
    if (enclosure.url.empty()) continue;
    // url, length and type are all required; length 0 is the convention for "unknown".
    XmlAttrs attrs;
    attrs.Add("url", enclosure.url)
        .Add("length", writer_internal::IntToString(
                           enclosure.length && *enclosure.length > 0 ? *enclosure.length : 0))
        .Add("type", enclosure.type.empty() ? "application/octet-stream" : enclosure.type);
    out.Empty(kNoNs, "enclosure", attrs);
  }
  WriteGuid(out, entry, url);
  WriteDate(out, "pubDate",
            entry.published.utc ? entry.published.utc : writer_internal::EntryUpdated(entry));
  if (entry.source) {
    const Link* self = entry.source->FindLink("self");
    if (self != nullptr && !self->href.empty()) {
      out.Element(kNoNs, "source", entry.source->title.value, XmlAttrs().Add("url", self->href));
    }
  }
  writer_internal::WriteMediaThumbnails(out, entry.thumbnails);
  if (!entry.itunes.empty()) {
    WriteITunesCommon(out, entry.itunes);
    if (entry.itunes.image.empty() && !entry.thumbnails.empty()) {
      out.Empty(kITunesNs, "image", XmlAttrs().Add("href", entry.thumbnails.front().url));
    }
    out.Optional(kITunesNs, "duration", entry.itunes.duration);
    if (entry.itunes.episode) {
      out.Element(kITunesNs, "episode", writer_internal::IntToString(*entry.itunes.episode));
    }
    if (entry.itunes.season) {
      out.Element(kITunesNs, "season", writer_internal::IntToString(*entry.itunes.season));
    }
    out.Optional(kITunesNs, "episodeType", entry.itunes.episode_type);
  } else if (podcast_feed && !entry.thumbnails.empty()) {
    // A podcast app shows an episode's own art from itunes:image only.
    out.Empty(kITunesNs, "image", XmlAttrs().Add("href", entry.thumbnails.front().url));
  }
  WritePodcast(out, entry.podcast);
  WriteMediaRss(out, entry.media);
  out.End(kNoNs, "item");
}

// <image>: url, title and link are all required; title and link default to the channel's.
void WriteImage(XmlOut& out, const Image& image, const std::string& channel_title,
                const std::string& channel_link) {
  out.Start(kNoNs, "image");
  out.Element(kNoNs, "url", image.url);
  out.Element(kNoNs, "title", image.title.empty() ? channel_title : image.title);
  out.Element(kNoNs, "link", image.link.empty() ? channel_link : image.link);
  if (image.width) out.Element(kNoNs, "width", writer_internal::IntToString(*image.width));
  if (image.height) out.Element(kNoNs, "height", writer_internal::IntToString(*image.height));
  out.Optional(kNoNs, "description", image.description);
  out.End(kNoNs, "image");
}

}  // namespace

std::string WriteRss(const Feed& feed, const WriteOptions& options) {
  std::string document;
  document.reserve(1024 + feed.entries.size() * writer_internal::kReservePerEntry);
  writer_internal::StringSink sink(document);
  std::ostream stream(&sink);
  XmlOut out(stream, options.pretty);
  // Only namespaces in use are declared; the pre-scan is linear.
  out.Namespace("atom", kAtomNs);
  out.Namespace("content", kContentNs);
  out.Namespace("dc", kDcNs);
  if (UsesMedia(feed)) out.Namespace("media", kMediaNs);
  const bool podcast_feed = UsesITunes(feed);
  if (podcast_feed) out.Namespace("itunes", kITunesNs);
  if (UsesPodcast(feed)) out.Namespace("podcast", kPodcastNs);
  out.Start(kNoNs, "rss", XmlAttrs().Add("version", "2.0"));
  out.Start(kNoNs, "channel");

  const std::string self_url = writer_internal::SelfUrl(feed, options);
  const std::string home = writer_internal::HomePageUrl(feed);
  // title, link and description are required. link falls back to the feed's own URL;
  // title to the link; description to the title.
  const std::string link = home.empty() ? self_url : home;
  const std::string title = feed.title.value.empty() ? link : feed.title.value;
  out.Element(kNoNs, "title", title);
  out.Element(kNoNs, "link", link);
  out.Element(kNoNs, "description", feed.subtitle.value.empty() ? title : AsHtml(feed.subtitle));
  out.Optional(kNoNs, "language", feed.language);
  out.Optional(kNoNs, "copyright", feed.rights.value);
  for (const Person& person : feed.authors) {
    if (!person.email.empty()) {
      out.Element(kNoNs, "managingEditor", EmailAndName(person));
      break;  // One managingEditor per channel.
    }
  }
  if (!feed.publisher.email.empty()) {
    out.Element(kNoNs, "webMaster", EmailAndName(feed.publisher));
  }
  for (const Person& person : feed.authors) {
    if (person.email.empty() && !person.name.empty()) out.Element(kDcNs, "creator", person.name);
  }
  WriteDate(out, "pubDate", feed.published.utc);
  WriteDate(out, "lastBuildDate", writer_internal::FeedUpdated(feed));
  WriteCategories(out, feed.categories);
  out.Element(kNoNs, "generator", "feedbridge");
  out.Element(kNoNs, "docs",
              feed.docs.empty() ? "https://www.rssboard.org/rss-specification" : feed.docs);
  if (feed.ttl_minutes && *feed.ttl_minutes > 0) {
    out.Element(kNoNs, "ttl", writer_internal::IntToString(*feed.ttl_minutes));
  }
  if (!feed.image.empty()) WriteImage(out, feed.image, title, link);

  // RSS Best Practices Profile §atom:link: the feed's own URL; RFC 5005 §3 paging; WebSub §4.
  WriteAtomLink(out, "self", self_url, "application/rss+xml");
  WriteAtomLink(out, "next", options.next_url, "application/rss+xml");
  for (const std::string& hub : writer_internal::Hubs(feed)) WriteAtomLink(out, "hub", hub);

  if (!feed.itunes.empty()) {
    WriteITunesCommon(out, feed.itunes);
    for (const std::string& category : feed.itunes.categories) {
      if (!category.empty()) out.Empty(kITunesNs, "category", XmlAttrs().Add("text", category));
    }
    if (!feed.itunes.owner.empty()) {
      out.Start(kITunesNs, "owner");
      out.Optional(kITunesNs, "name", feed.itunes.owner.name);
      out.Optional(kITunesNs, "email", feed.itunes.owner.email);
      out.End(kITunesNs, "owner");
    }
    out.Optional(kITunesNs, "type", feed.itunes.type);
    out.Optional(kITunesNs, "new-feed-url", feed.itunes.new_feed_url);
  }
  WritePodcast(out, feed.podcast);
  WriteMediaRss(out, feed.media);

  for (const Entry& entry : feed.entries) WriteItem(out, entry, podcast_feed);
  out.End(kNoNs, "channel");
  out.End(kNoNs, "rss");
  out.Finish();
  stream.flush();
  return document;
}

}  // namespace feedbridge::feeds
