#pragma once

// The normalized feed model every parser fills and every writer reads. Plain values: copyable,
// movable, no behaviour beyond small helpers. Strings are UTF-8. URLs are absolute when the
// document gave enough to resolve them (xml:base, the feed URL).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace feedbridge::feeds {

// An optional value kept on the heap: like std::optional (copyable, compares empty, emplace),
// for members that are large and rare, so they cost one pointer when absent. Entries are kept
// by the thousand; an inline Atom <source> would triple their size.
template <class T>
class Box {
 public:
  Box() = default;
  Box(const Box& other) : p_(other.p_ ? std::make_unique<T>(*other.p_) : nullptr) {}
  Box(Box&&) noexcept = default;
  Box& operator=(const Box& other) {
    if (this != &other) p_ = other.p_ ? std::make_unique<T>(*other.p_) : nullptr;
    return *this;
  }
  Box& operator=(Box&&) noexcept = default;
  Box(const T& value) : p_(std::make_unique<T>(value)) {}  // NOLINT(google-explicit-constructor)

  bool has_value() const { return p_ != nullptr; }
  explicit operator bool() const { return p_ != nullptr; }
  template <class... Args>
  T& emplace(Args&&... args) {
    p_ = std::make_unique<T>(std::forward<Args>(args)...);
    return *p_;
  }
  void reset() { p_.reset(); }
  T& operator*() { return *p_; }
  const T& operator*() const { return *p_; }
  T* operator->() { return p_.get(); }
  const T* operator->() const { return p_.get(); }
  T& value() { return *p_; }
  const T& value() const { return *p_; }

 private:
  std::unique_ptr<T> p_;
};

// Which dialect the document was written in.
enum class FeedFormat {
  kUnknown,
  kRss090,
  kRss091,  // Netscape and Userland 0.91 alike (Feed::rss091_netscape tells them apart).
  kRss092,
  kRss093,
  kRss094,
  kRss10,  // RDF Site Summary.
  kRss20,
  kRssUnversioned,  // <rss> without a version attribute, or <channel> without <rss>.
  kAtom03,
  kAtom10,
  kJsonFeed10,
  kJsonFeed11,
};

// "rss20", "atom10", "json11", ... (feedparser's version names, which other tools know; 0.91
// is "rss091u", see VersionName).
std::string_view FormatName(FeedFormat format);

// MIME types used for text constructs.
inline constexpr std::string_view kTextPlain = "text/plain";
inline constexpr std::string_view kTextHtml = "text/html";
inline constexpr std::string_view kXhtml = "application/xhtml+xml";

// A piece of human-readable text: a title, summary, content or rights statement.
struct Text {
  std::string value;             // Decoded: HTML stays HTML, entities are resolved once.
  std::string type{kTextPlain};  // kTextPlain, kTextHtml, kXhtml, or another MIME type.
  std::string language;          // xml:lang (or the feed's language) in effect, may be empty.
  std::string base;              // xml:base (or the document URL) in effect, may be empty.
  std::string src;               // Atom out-of-line content (<content src="...">).

  bool empty() const { return value.empty() && src.empty(); }
  bool is_html() const { return type == kTextHtml || type == kXhtml; }
};

struct Link {
  std::string href;
  std::string rel;  // "alternate" when the document gave none.
  std::string type;
  std::string title;
  std::string hreflang;
  std::optional<int64_t> length;
};

struct Person {
  std::string name;
  std::string email;
  std::string uri;

  bool empty() const { return name.empty() && email.empty() && uri.empty(); }
};

struct Category {
  std::string term;
  std::string scheme;  // Atom scheme, RSS domain.
  std::string label;
};

// A date as written plus its UTC value when it could be parsed.
struct Date {
  std::string raw;
  std::optional<std::chrono::sys_seconds> utc;

  bool empty() const { return raw.empty() && !utc; }
};

// An attached file: RSS <enclosure>, Atom rel="enclosure", JSON Feed attachment, media:content.
struct Enclosure {
  std::string url;
  std::string type;
  std::optional<int64_t> length;            // Bytes.
  std::optional<int64_t> duration_seconds;  // itunes:duration, media:content duration.
  std::string title;
  std::string medium;  // media:content medium (image, audio, video), may be empty.
};

struct Image {
  std::string url;
  std::string title;
  std::string link;
  std::string description;
  std::optional<int> width;
  std::optional<int> height;

  bool empty() const { return url.empty(); }
};

struct Generator {
  std::string name;
  std::string uri;
  std::string version;

  bool empty() const { return name.empty() && uri.empty(); }
};

// An element of a namespace the model has no field for, kept as text when it is simple
// (e.g. wfw:commentRss). Bounded in number per feed and per entry.
struct Extension {
  std::string ns;      // Namespace URI; empty for an un-namespaced element in RSS.
  std::string name;    // Local name.
  std::string value;   // Text content, or the value of a url/href/resource attribute when empty.
  std::string prefix;  // The prefix the document used, if any (for display and debugging).
};

// Podcast basics (itunes: namespace), of a channel or an item. Keywords and categories also
// become Categories of the feed or entry (scheme kITunesScheme); the author, summary and image
// fill the core fields the document left empty.
struct ITunes {
  std::string author;
  std::string subtitle;
  std::string summary;
  std::string image;      // itunes:image href.
  std::string explicit_;  // "yes", "no", "clean" as given.
  std::string keywords;
  std::string duration;      // As given ("1:02:03"); parsed seconds go to enclosures.
  bool block = false;        // itunes:block "Yes": keep the show (or episode) out of directories.
  bool block_given = false;  // An itunes:block was there, whatever its value.
  std::vector<std::string> categories;  // Document order, a nested category after its parent.
  std::optional<int64_t> episode;       // itunes:episode (items).
  std::optional<int64_t> season;        // itunes:season (items).
  std::string episode_type;             // itunes:episodeType: "full", "trailer", "bonus".

  bool empty() const {
    return author.empty() && subtitle.empty() && summary.empty() && image.empty() &&
           explicit_.empty() && keywords.empty() && duration.empty() && !block &&
           categories.empty() && !episode && !season && episode_type.empty();
  }
};

// What only a channel has of the iTunes namespace.
struct ITunesChannel : ITunes {
  Person owner;  // itunes:owner (name, email); also the feed's publisher when it has none.
  // itunes:new-feed-url: the podcast has moved there; a subscriber treats it as a permanent
  // redirect of the feed URL.
  std::string new_feed_url;
  std::string type;  // itunes:type: "episodic" or "serial".

  bool empty() const {
    return ITunes::empty() && owner.empty() && new_feed_url.empty() && type.empty();
  }
};

// The scheme of Categories made from itunes:category and itunes:keywords (feedparser's).
inline constexpr std::string_view kITunesScheme = "http://www.itunes.com/";

// Podcasting 2.0 (https://podcastindex.org/namespace/1.0), the elements the model keeps.
struct PodcastLink {  // podcast:transcript, podcast:chapters, podcast:funding.
  std::string url;
  std::string type;      // MIME type (transcript, chapters).
  std::string language;  // transcript.
  std::string rel;       // transcript rel="captions".
  std::string text;      // funding: its text.
};

struct PodcastPerson {
  std::string name;
  std::string role;
  std::string group;
  std::string img;
  std::string href;
};

struct Podcast {
  std::string guid;          // podcast:guid (channel).
  std::string locked;        // podcast:locked "yes"/"no" as given (channel).
  std::string locked_owner;  // Its owner attribute.
  std::vector<PodcastLink> transcripts;
  std::vector<PodcastLink> chapters;
  std::vector<PodcastLink> funding;
  std::vector<PodcastPerson> persons;

  bool empty() const {
    return guid.empty() && locked.empty() && locked_owner.empty() && transcripts.empty() &&
           chapters.empty() && funding.empty() && persons.empty();
  }
};

// Media RSS (https://www.rssboard.org/media-rss) what the model keeps beside attachments and
// images: credits, the rating and the license of an item or channel.
struct MediaCredit {
  std::string name;
  std::string role;    // "producer", "author", ... (lower case by the spec).
  std::string scheme;  // Default urn:ebu.
};

struct MediaRss {
  std::vector<MediaCredit> credits;
  std::string rating;         // media:rating text ("adult", "nonadult", "r", ...).
  std::string rating_scheme;  // Its scheme (urn:simple when the document gave none).
  std::string license_url;    // media:license href.
  std::string license_type;   // Its type (text/html).
  std::string license_text;   // Its text ("Creative Commons Attribution 4.0").

  bool empty() const {
    return credits.empty() && rating.empty() && rating_scheme.empty() && license_url.empty() &&
           license_type.empty() && license_text.empty();
  }
};

// What a feed and an Atom entry's <source> have in common.
struct FeedHead {
  std::string id;  // Atom id, RSS 1.0 rdf:about, JSON Feed feed_url when nothing else.
  Text title;
  Text subtitle;  // Atom subtitle/tagline, RSS description.
  Text rights;    // Atom rights/copyright, RSS copyright, dc:rights.
  std::vector<Link> links;
  std::vector<Person> authors;  // Atom author, RSS managingEditor, dc:creator, itunes:author.
  std::vector<Person> contributors;
  std::vector<Category> categories;
  Date updated;
  Date published;
  Generator generator;
  std::string icon;
  std::string logo;
  std::string language;

  // The first link with rel="alternate" (the home page), else empty.
  const Link* AlternateLink() const;
  // The first link with the given rel, else nullptr.
  const Link* FindLink(std::string_view rel) const;
};

struct Entry {
  std::string id;                // guid/id as given (may be empty; see feeds/identity.h).
  bool id_is_permalink = false;  // RSS guid isPermaLink (default true when the guid is a URL).
  Text title;
  Text summary;                // Atom summary, RSS description, JSON summary.
  std::vector<Text> contents;  // Atom content, content:encoded, JSON content_html/content_text.
  std::vector<Link> links;
  Date published;
  Date updated;
  Date created;  // dcterms:created, Atom 0.3 created.
  Date expired;  // RSS expirationDate, dcterms:valid end.
  std::vector<Person> authors;
  std::vector<Person> contributors;
  Person publisher;  // dc:publisher.
  std::vector<Category> categories;
  std::vector<Enclosure> enclosures;
  std::vector<Image> thumbnails;  // media:thumbnail, JSON image/banner_image.
  Text rights;
  std::string comments;  // RSS <comments> URL.
  std::string license;   // cc:license / creativeCommons:license URL.
  std::string language;
  ITunes itunes;
  Box<Podcast> podcast;  // Podcasting 2.0, when the item has any.
  Box<MediaRss> media;   // Media RSS credits, rating, license, when the item has any.
  Box<FeedHead> source;  // Atom <source>, RSS <source url>.
  std::vector<Extension> extensions;

  const Link* AlternateLink() const;
  const Link* FindLink(std::string_view rel) const;
  // The entry's home URL: the alternate link, else a permalink guid, else empty.
  std::string Url() const;
};

// RSS <cloud>: the rssCloud endpoint that notifies subscribers of changes.
struct Cloud {
  std::string domain;
  std::string port;
  std::string path;
  std::string register_procedure;
  std::string protocol;

  bool empty() const {
    return domain.empty() && port.empty() && path.empty() && register_procedure.empty() &&
           protocol.empty();
  }
};

// RSS <textInput>: a search or comment box the channel offers.
struct TextInput {
  std::string title;
  std::string description;
  std::string name;
  std::string link;

  bool empty() const {
    return title.empty() && description.empty() && name.empty() && link.empty();
  }
};

// Things a reader of a feed needs about the document itself.
struct Feed : FeedHead {
  FeedFormat format = FeedFormat::kUnknown;
  std::string
      encoding;  // The character encoding the bytes were decoded from ("utf-8", "windows-1252").
  // True when the document was not well-formed (or its encoding lied) and was recovered;
  // `problems` says what was wrong. feedparser calls this "bozo".
  bool recovered = false;
  std::vector<std::string> problems;  // Bounded in number.

  std::string home_page_url;       // The alternate link, resolved.
  std::string feed_url;            // rel="self" or the URL the bytes came from.
  std::vector<std::string> hubs;   // WebSub hubs (rel="hub").
  Image image;                     // RSS <image>.
  Text info;                       // Atom 0.3 <info>: a note for people who open the feed itself.
  std::optional<int> ttl_minutes;  // RSS <ttl>.
  std::string docs;
  Cloud cloud;
  TextInput text_input;
  Date created;      // dcterms:created of the channel.
  Date valid_start;  // dcterms:valid start= and end= of the channel.
  Date valid_end;
  // RSS <redirect><newLocation>: the feed has moved there (as itunes:new-feed-url says).
  std::string new_location;
  Person publisher;  // dc:publisher, RSS webMaster, itunes:owner.
  ITunesChannel itunes;
  Box<Podcast> podcast;  // Podcasting 2.0, when the channel has any.
  Box<MediaRss> media;   // Media RSS credits, rating, license of the channel.
  std::vector<Extension> extensions;
  std::vector<Entry> entries;  // Document order.
  // RSS 0.91 whose DOCTYPE names Netscape's DTD (feedparser's "rss091n"), not Userland's.
  bool rss091_netscape = false;
};

// feedparser's version name of the document: FormatName, and "rss091n" for Netscape's 0.91.
std::string_view VersionName(const Feed& feed);

}  // namespace feedbridge::feeds
