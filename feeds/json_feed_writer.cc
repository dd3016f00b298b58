// JSON Feed 1.1 output (https://jsonfeed.org/version/1.1), written by hand: one pass into a
// reserved string, no DOM. Empty optional fields are left out.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/dates.h"
#include "feeds/identity.h"
#include "feeds/writer_util.h"
#include "feeds/writers.h"

namespace feedbridge::feeds {
namespace {

// Appends RFC 8259 JSON to a string, handling commas and (when pretty) indentation. Callers
// pair Begin/End calls; Key() precedes every value inside an object. Not thread-safe.
class JsonOut {
 public:
  JsonOut(std::string& out, bool pretty) : out_(out), pretty_(pretty) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }

  void Key(std::string_view key) {
    Separate();
    out_.push_back('"');
    writer_internal::AppendJsonEscaped(key, out_);
    out_ += pretty_ ? "\": " : "\":";
    after_key_ = true;
  }
  void String(std::string_view value) {
    Separate();
    out_.push_back('"');
    writer_internal::AppendJsonEscaped(value, out_);
    out_.push_back('"');
  }
  void Int(int64_t value) {
    Separate();
    out_ += writer_internal::IntToString(value);
  }

  // "key": "value", left out when value is empty.
  void Field(std::string_view key, std::string_view value) {
    if (value.empty()) return;
    Key(key);
    String(value);
  }

 private:
  // Before a value: nothing after a key; otherwise a comma after a sibling, then a new line.
  void Separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (has_items_.empty()) return;  // The top-level value.
    if (has_items_.back()) out_.push_back(',');
    has_items_.back() = true;
    NewLine(has_items_.size());
  }
  void Open(char bracket) {
    Separate();
    out_.push_back(bracket);
    has_items_.push_back(false);
  }
  void Close(char bracket) {
    const bool had_items = has_items_.back();
    has_items_.pop_back();
    if (had_items) NewLine(has_items_.size());
    out_.push_back(bracket);
  }
  void NewLine(size_t depth) {
    if (!pretty_) return;
    out_.push_back('\n');
    out_.append(2 * depth, ' ');
  }

  std::string& out_;
  const bool pretty_;
  bool after_key_ = false;
  std::vector<bool> has_items_;  // One per open object/array: whether it has a member yet.
};

void WriteDate(JsonOut& json, std::string_view key, writer_internal::OptionalTime t) {
  if (t) json.Field(key, FormatRfc3339(*t));
}

// §Authors: name, url and avatar; JSON Feed has no email, so a bare address becomes a mailto:
// URL (and the name when there is none).
void WriteAuthors(JsonOut& json, const std::vector<Person>& people) {
  bool any = false;
  for (const Person& person : people) {
    if (person.empty()) continue;
    if (!any) {
      json.Key("authors");
      json.BeginArray();
      any = true;
    }
    json.BeginObject();
    json.Field("name", person.name.empty() ? person.email : person.name);
    json.Field("url", !person.uri.empty()     ? person.uri
                      : !person.email.empty() ? "mailto:" + person.email
                                              : std::string());
    json.EndObject();
  }
  if (any) json.EndArray();
}

// §Items attachments: url and mime_type are required.
void WriteAttachments(JsonOut& json, const std::vector<Enclosure>& enclosures) {
  bool any = false;
  for (const Enclosure& enclosure : enclosures) {
    if (enclosure.url.empty()) continue;
    if (!any) {
      json.Key("attachments");
      json.BeginArray();
      any = true;
    }
    json.BeginObject();
    json.Field("url", enclosure.url);
    json.Field("mime_type", enclosure.type.empty() ? "application/octet-stream" : enclosure.type);
    json.Field("title", enclosure.title);
    if (enclosure.length && *enclosure.length > 0) {
      json.Key("size_in_bytes");
      json.Int(*enclosure.length);
    }
    if (enclosure.duration_seconds && *enclosure.duration_seconds >= 0) {
      json.Key("duration_in_seconds");
      json.Int(*enclosure.duration_seconds);
    }
    json.EndObject();
  }
  if (any) json.EndArray();
}

void OptionalInt(JsonOut& json, std::string_view key, const std::optional<int64_t>& v) {
  if (!v) return;
  json.Key(key);
  json.Int(*v);
}

// The iTunes values JSON Feed has no field for, as the extension object "_itunes" (JSON Feed
// 1.1 "Extensions"). Keys are the iTunes element names.
void WriteITunesExtension(JsonOut& json, const ITunes& it, const ITunesChannel* channel) {
  const bool any =
      !it.explicit_.empty() || it.block || !it.duration.empty() || it.episode || it.season ||
      !it.episode_type.empty() || !it.subtitle.empty() || !it.categories.empty() ||
      (channel != nullptr &&
       (!channel->owner.empty() || !channel->type.empty() || !channel->new_feed_url.empty()));
  if (!any) return;
  json.Key("_itunes");
  json.BeginObject();
  json.Field("subtitle", it.subtitle);
  json.Field("explicit", it.explicit_);
  if (it.block) json.Field("block", "Yes");
  json.Field("duration", it.duration);
  OptionalInt(json, "episode", it.episode);
  OptionalInt(json, "season", it.season);
  json.Field("episodeType", it.episode_type);
  if (!it.categories.empty()) {
    json.Key("categories");
    json.BeginArray();
    for (const std::string& c : it.categories) json.String(c);
    json.EndArray();
  }
  if (channel != nullptr) {
    json.Field("type", channel->type);
    json.Field("new-feed-url", channel->new_feed_url);
    if (!channel->owner.empty()) {
      json.Key("owner");
      json.BeginObject();
      json.Field("name", channel->owner.name);
      json.Field("email", channel->owner.email);
      json.EndObject();
    }
  }
  json.EndObject();
}

void WritePodcastLinks(JsonOut& json, std::string_view key, const std::vector<PodcastLink>& links) {
  if (links.empty()) return;
  json.Key(key);
  json.BeginArray();
  for (const PodcastLink& l : links) {
    json.BeginObject();
    json.Field("url", l.url);
    json.Field("type", l.type);
    json.Field("language", l.language);
    json.Field("rel", l.rel);
    json.Field("text", l.text);
    json.EndObject();
  }
  json.EndArray();
}

// Podcasting 2.0 as the extension object "_podcast"; keys are the element names (plural for
// the lists), attributes as members.
void WritePodcastExtension(JsonOut& json, const Box<Podcast>& podcast) {
  if (!podcast || podcast->empty()) return;
  const Podcast& p = *podcast;
  json.Key("_podcast");
  json.BeginObject();
  json.Field("guid", p.guid);
  if (!p.locked.empty() || !p.locked_owner.empty()) {
    json.Key("locked");
    json.BeginObject();
    json.Field("value", p.locked);
    json.Field("owner", p.locked_owner);
    json.EndObject();
  }
  WritePodcastLinks(json, "transcripts", p.transcripts);
  WritePodcastLinks(json, "chapters", p.chapters);
  WritePodcastLinks(json, "funding", p.funding);
  if (!p.persons.empty()) {
    json.Key("persons");
    json.BeginArray();
    for (const PodcastPerson& person : p.persons) {
      json.BeginObject();
      json.Field("name", person.name);
      json.Field("role", person.role);
      json.Field("group", person.group);
      json.Field("img", person.img);
      json.Field("href", person.href);
      json.EndObject();
    }
    json.EndArray();
  }
  json.EndObject();
}

// Media RSS credits, rating and license as the extension object "_media".
void WriteMediaExtension(JsonOut& json, const Box<MediaRss>& media) {
  if (!media || media->empty()) return;
  json.Key("_media");
  json.BeginObject();
  if (!media->credits.empty()) {
    json.Key("credits");
    json.BeginArray();
    for (const MediaCredit& credit : media->credits) {
      json.BeginObject();
      json.Field("name", credit.name);
      json.Field("role", credit.role);
      json.Field("scheme", credit.scheme);
      json.EndObject();
    }
    json.EndArray();
  }
  if (!media->rating.empty() || !media->rating_scheme.empty()) {
    json.Key("rating");
    json.BeginObject();
    json.Field("value", media->rating);
    json.Field("scheme", media->rating_scheme);
    json.EndObject();
  }
  if (!media->license_url.empty() || !media->license_type.empty() || !media->license_text.empty()) {
    json.Key("license");
    json.BeginObject();
    json.Field("url", media->license_url);
    json.Field("type", media->license_type);
    json.Field("text", media->license_text);
    json.EndObject();
  }
  json.EndObject();
}

void WriteItem(JsonOut& json, const Entry& entry) {
  json.BeginObject();
  // id is required (a string); url is the permalink.
  json.Field("id", EntryIdentity(entry));
  json.Field("url", entry.Url());
  if (const Link* related = entry.FindLink("related"); related != nullptr) {
    json.Field("external_url", related->href);
  } else if (const Link* via = entry.FindLink("via"); via != nullptr) {
    json.Field("external_url", via->href);
  }
  // title and summary are plain text in JSON Feed; HTML values are written as given, since
  // reducing them to text is feeds/html.h's job and the model does not say which was meant.
  json.Field("title", entry.title.value);
  // content_html and/or content_text: at least one must be present. Without content the
  // summary stands in (and is not repeated); with nothing at all, an empty content_text.
  const Text* html = writer_internal::HtmlContent(entry);
  const Text* plain = writer_internal::PlainContent(entry);
  const bool summary_is_content = html == nullptr && plain == nullptr && !entry.summary.empty();
  if (summary_is_content) {
    json.Key(entry.summary.is_html() ? "content_html" : "content_text");
    json.String(entry.summary.value);
  } else {
    if (html != nullptr) json.Field("content_html", html->value);
    if (plain != nullptr) json.Field("content_text", plain->value);
    if (html == nullptr && plain == nullptr) {
      json.Key("content_text");
      json.String("");
    }
    json.Field("summary", entry.summary.value);
  }
  if (!entry.thumbnails.empty()) json.Field("image", entry.thumbnails.front().url);
  WriteDate(json, "date_published", entry.published.utc);
  WriteDate(json, "date_modified", entry.updated.utc);
  WriteAuthors(json, entry.authors);
  bool any_tag = false;
  for (const Category& category : entry.categories) {
    const std::string& tag = category.term.empty() ? category.label : category.term;
    if (tag.empty()) continue;
    if (!any_tag) {
      json.Key("tags");
      json.BeginArray();
      any_tag = true;
    }
    json.String(tag);
  }
  if (any_tag) json.EndArray();
  json.Field("language", entry.language);
  WriteAttachments(json, entry.enclosures);
  WriteITunesExtension(json, entry.itunes, nullptr);
  WritePodcastExtension(json, entry.podcast);
  WriteMediaExtension(json, entry.media);
  json.EndObject();
}

}  // namespace

std::string WriteJsonFeed(const Feed& feed, const WriteOptions& options) {
  std::string out;
  out.reserve(1024 + feed.entries.size() * writer_internal::kReservePerEntry);
  JsonOut json(out, options.pretty);
  json.BeginObject();
  json.Field("version", "https://jsonfeed.org/version/1.1");
  const std::string home = writer_internal::HomePageUrl(feed);
  // title is required.
  json.Key("title");
  json.String(feed.title.value);
  json.Field("home_page_url", home);
  json.Field("feed_url", writer_internal::SelfUrl(feed, options));
  json.Field("description", feed.subtitle.value);
  json.Field("next_url", options.next_url);
  // icon is the large square image (512x512), favicon the small one: Atom's icon is small;
  // a podcast image, Atom logo or RSS image is the best large candidate.
  const std::string& icon = !feed.itunes.image.empty() ? feed.itunes.image
                            : !feed.logo.empty()       ? feed.logo
                                                       : feed.image.url;
  json.Field("icon", icon);
  json.Field("favicon", feed.icon);
  WriteAuthors(json, feed.authors);
  json.Field("language", feed.language);
  const std::vector<std::string> hubs = writer_internal::Hubs(feed);
  if (!hubs.empty()) {
    json.Key("hubs");
    json.BeginArray();
    for (const std::string& hub : hubs) {
      json.BeginObject();
      json.Field("type", "WebSub");
      json.Field("url", hub);
      json.EndObject();
    }
    json.EndArray();
  }
  WriteITunesExtension(json, feed.itunes, &feed.itunes);
  WritePodcastExtension(json, feed.podcast);
  WriteMediaExtension(json, feed.media);
  json.Key("items");  // Required, even when empty.
  json.BeginArray();
  for (const Entry& entry : feed.entries) WriteItem(json, entry);
  json.EndArray();
  json.EndObject();
  if (options.pretty) out.push_back('\n');
  return out;
}

}  // namespace feedbridge::feeds
