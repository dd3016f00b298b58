// Podcast vocabularies: iTunes (itunes:*), Media RSS (media:content, media:thumbnail,
// media:group, media:title/description/keywords/category) and Podcasting 2.0 (podcast:*), and
// their use as fallbacks for the core fields a podcast feed often leaves empty.

#include <string>
#include <utility>

#include "feeds/html.h"
#include "feeds/text_util.h"
#include "feeds/url.h"
#include "feeds/xml_builder_state.h"

namespace feedbridge::feeds::internal {
namespace {

constexpr std::string_view kMediaCategoryScheme = "http://search.yahoo.com/mrss/category_schema";
constexpr size_t kMaxPodcastItems = 32;

// itunes:duration: "SS", "MM:SS" or "HH:MM:SS" (a fraction of a second is ignored).
std::optional<int64_t> ParseDuration(std::string_view s) {
  s = Trim(s, kXmlWhitespace);
  if (const size_t dot = s.find('.'); dot != std::string_view::npos) s = s.substr(0, dot);
  if (s.empty()) return std::nullopt;
  int64_t total = 0;
  size_t parts = 0;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t colon = s.find(':', start);
    const std::string_view part =
        s.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start);
    const auto v = ParseInt(part);
    if (!v || *v < 0 || ++parts > 3) return std::nullopt;
    total = total * 60 + *v;
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  return total;
}

ITunes* ITunesOf(BuilderState& s) {
  if (s.in_entry()) return &s.entry->itunes;
  return s.head() == &s.feed ? &s.feed.itunes : nullptr;
}

// The Media RSS or Podcasting 2.0 values of the entry or channel being read (created on first
// use), or nullptr elsewhere (an Atom <source>).
template <class T>
T* ValuesOf(BuilderState& s, Box<T> Entry::*of_entry, Box<T> Feed::*of_feed) {
  Box<T>* box = nullptr;
  if (s.in_entry())
    box = &(s.entry->*of_entry);
  else if (s.head() == &s.feed)
    box = &(s.feed.*of_feed);
  if (box == nullptr) return nullptr;
  if (!*box) box->emplace();
  return &**box;
}

MediaRss* MediaOf(BuilderState& s) { return ValuesOf(s, &Entry::media, &Feed::media); }
Podcast* PodcastOf(BuilderState& s) { return ValuesOf(s, &Entry::podcast, &Feed::podcast); }

// A category of the entry or feed unless the same term and scheme is there already
// (itunes:keywords often repeat itunes:category).
void AddTagOnce(BuilderState& s, std::string_view term, std::string_view scheme,
                std::string_view label = {}) {
  term = Trim(term, kXmlWhitespace);
  if (term.empty()) return;
  const std::vector<Category>* list =
      s.in_entry() ? &s.entry->categories : (s.head() ? &s.head()->categories : nullptr);
  if (list == nullptr) return;
  for (const Category& c : *list) {
    if (c.term == term && c.scheme == scheme) return;
  }
  s.AddCategory(std::string(term), std::string(scheme), std::string(label));
}

void AddKeywords(BuilderState& s, std::string_view keywords, std::string_view scheme) {
  size_t start = 0;
  while (start <= keywords.size()) {
    size_t comma = keywords.find(',', start);
    if (comma == std::string_view::npos) comma = keywords.size();
    AddTagOnce(s, keywords.substr(start, comma - start), scheme);
    start = comma + 1;
  }
}

void AddThumbnail(BuilderState& s, const StartEvent& e) {
  const std::string_view url = Trim(AttrValue(e.attrs, "url"), kXmlWhitespace);
  if (url.empty()) return;
  Image image;
  image.url = ResolveUrl(s.base(), url);
  if (auto w = ParseInt(AttrValue(e.attrs, "width"))) image.width = static_cast<int>(*w);
  if (auto h = ParseInt(AttrValue(e.attrs, "height"))) image.height = static_cast<int>(*h);
  if (e.entry_level) {
    if (s.entry->thumbnails.size() < 16) s.entry->thumbnails.push_back(std::move(image));
  } else if (s.head() == &s.feed && s.feed.image.empty()) {
    s.feed.image = std::move(image);  // A channel's media:thumbnail: its image when it has none.
  }
}

void SetITunesImage(BuilderState& s, std::string_view href) {
  href = Trim(href, kXmlWhitespace);
  if (href.empty()) return;
  ITunes* it = ITunesOf(s);
  if (it != nullptr) it->image = ResolveUrl(s.base(), href);
}

PodcastLink ReadPodcastLink(BuilderState& s, const StartEvent& e) {
  PodcastLink link;
  link.url = ResolveUrl(s.base(), Trim(AttrValue(e.attrs, "url"), kXmlWhitespace));
  link.type = std::string(Trim(AttrValue(e.attrs, "type"), kXmlWhitespace));
  link.language = std::string(Trim(AttrValue(e.attrs, "language"), kXmlWhitespace));
  link.rel = std::string(Trim(AttrValue(e.attrs, "rel"), kXmlWhitespace));
  return link;
}

constexpr PlainElement kPlain[] = {
    {Elem::kITunesSubtitle, Field::kITunesSubtitle},
    {Elem::kITunesSummary, Field::kITunesSummary},
    {Elem::kITunesExplicit, Field::kITunesExplicit},
    {Elem::kITunesKeywords, Field::kITunesKeywords},
    {Elem::kITunesDuration, Field::kITunesDuration},
    {Elem::kITunesBlock, Field::kITunesBlock},
    {Elem::kITunesAuthor, Field::kITunesAuthor},
    {Elem::kITunesNewFeedUrl, Field::kITunesNewFeedUrl},
    {Elem::kITunesEpisode, Field::kITunesEpisode},
    {Elem::kITunesSeason, Field::kITunesSeason},
    {Elem::kITunesEpisodeType, Field::kITunesEpisodeType},
    {Elem::kITunesType, Field::kITunesType},
    {Elem::kMediaKeywords, Field::kMediaKeywords},
    {Elem::kPodcastGuid, Field::kPodcastGuid},
};

bool Start(BuilderState& s, const StartEvent& e) {
  switch (e.elem) {
    case Elem::kITunesCategory: {
      const std::string_view text = Trim(AttrValue(e.attrs, "text"), kXmlWhitespace);
      if (ITunes* it = ITunesOf(s); it != nullptr && !text.empty() && it->categories.size() < 16) {
        it->categories.emplace_back(text);
      }
      AddTagOnce(s, text, kITunesScheme);
      s.PushContext(e.ctx);  // Nested categories (a subcategory) are read as its siblings.
      return true;
    }
    case Elem::kITunesImage: {
      std::string_view href = AttrValue(e.attrs, "href");
      if (Trim(href, kXmlWhitespace).empty()) href = AttrValue(e.attrs, "url");
      SetITunesImage(s, href);
      return true;
    }
    case Elem::kITunesLink:  // The 2005 spec's <itunes:link rel="image" href="...">.
      if (EqualsIgnoreAsciiCase(Trim(AttrValue(e.attrs, "rel"), kXmlWhitespace), "image")) {
        if (ITunes* it = ITunesOf(s); it != nullptr && it->image.empty()) {
          SetITunesImage(s, AttrValue(e.attrs, "href"));
        }
      }
      return true;
    case Elem::kITunesOwner:
      if (e.entry_level || s.head() != &s.feed) return false;
      s.itunes_owner.assign(1, Person{});
      s.people = &s.itunes_owner;
      s.PushContext(Ctx::kPerson);
      return true;
    case Elem::kMediaContent:
      s.AddEnclosure(e.attrs);
      return true;
    case Elem::kMediaThumbnail:
      AddThumbnail(s, e);
      return true;
    case Elem::kMediaGroup:
      s.PushContext(e.ctx);  // Its children belong to the entry.
      return true;
    case Elem::kMediaTitle:
    case Elem::kMediaDescription: {
      const std::string_view type = Trim(AttrValue(e.attrs, "type"), kXmlWhitespace);
      s.StartCapture(e.elem == Elem::kMediaTitle ? Field::kMediaTitle : Field::kMediaDescription,
                     Mode::kText, false, type == "html" ? kTextHtml : kTextPlain);
      return true;
    }
    case Elem::kMediaCategory:
      s.StartPlain(Field::kMediaCategory);
      s.capture->attr1 = std::string(Trim(AttrValue(e.attrs, "scheme"), kXmlWhitespace));
      s.capture->attr2 = std::string(AttrValue(e.attrs, "label"));
      return true;
    case Elem::kMediaCredit:
      s.StartPlain(Field::kMediaCredit);
      s.capture->attr1 = std::string(Trim(AttrValue(e.attrs, "role"), kXmlWhitespace));
      s.capture->attr2 = std::string(Trim(AttrValue(e.attrs, "scheme"), kXmlWhitespace));
      return true;
    case Elem::kMediaRating:
      s.StartPlain(Field::kMediaRating);
      s.capture->attr1 = std::string(Trim(AttrValue(e.attrs, "scheme"), kXmlWhitespace));
      return true;
    case Elem::kMediaLicense:
      s.StartPlain(Field::kMediaLicense);
      s.capture->attr1 = std::string(Trim(AttrValue(e.attrs, "href"), kXmlWhitespace));
      s.capture->attr2 = std::string(Trim(AttrValue(e.attrs, "type"), kXmlWhitespace));
      return true;
    case Elem::kPodcastTranscript:
    case Elem::kPodcastChapters: {
      Podcast* p = PodcastOf(s);
      PodcastLink link = ReadPodcastLink(s, e);
      if (p == nullptr || link.url.empty()) return true;
      auto& list = e.elem == Elem::kPodcastTranscript ? p->transcripts : p->chapters;
      if (list.size() < kMaxPodcastItems) list.push_back(std::move(link));
      return true;
    }
    case Elem::kPodcastFunding:
    case Elem::kPodcastPerson:
      s.StartPlain(e.elem == Elem::kPodcastFunding ? Field::kPodcastFunding
                                                   : Field::kPodcastPerson);
      if (e.elem == Elem::kPodcastFunding) {
        s.capture->attr1 = std::string(Trim(AttrValue(e.attrs, "url"), kXmlWhitespace));
      } else {
        // role, group, img and href in the capture's spare strings.
        s.capture->attr1 = std::string(Trim(AttrValue(e.attrs, "role"), kXmlWhitespace));
        s.capture->attr2 = std::string(Trim(AttrValue(e.attrs, "group"), kXmlWhitespace));
        s.capture->ext_ns = std::string(Trim(AttrValue(e.attrs, "img"), kXmlWhitespace));
        s.capture->ext_name = std::string(Trim(AttrValue(e.attrs, "href"), kXmlWhitespace));
      }
      return true;
    case Elem::kPodcastLocked:
      s.StartPlain(Field::kPodcastLocked);
      s.capture->attr1 = std::string(Trim(AttrValue(e.attrs, "owner"), kXmlWhitespace));
      return true;
    default:
      return false;
  }
}

bool Finish(BuilderState& s, Capture& c, std::string& value) {
  const bool entry_level = s.in_entry();
  ITunes* itunes = ITunesOf(s);
  switch (c.field) {
    case Field::kITunesSubtitle:
      if (itunes) itunes->subtitle = std::move(value);
      return true;
    case Field::kITunesSummary:
      if (itunes) itunes->summary = std::move(value);
      return true;
    case Field::kITunesExplicit:
      if (itunes) itunes->explicit_ = std::move(value);
      return true;
    case Field::kITunesKeywords:
      if (itunes == nullptr) return true;
      AddKeywords(s, value, kITunesScheme);
      itunes->keywords = std::move(value);
      return true;
    case Field::kITunesBlock:
      // Apple documents "Yes" and feedparser reads only "yes": any other value has no effect
      // (" yes ", "YES", "true" included).
      if (itunes) {
        itunes->block = c.text == "yes" || c.text == "Yes";
        itunes->block_given = true;
      }
      return true;
    case Field::kITunesAuthor:
      if (itunes == nullptr) return true;
      s.AddPersonText(Field::kAuthor, value);  // Beside <author> and dc:creator, not instead.
      itunes->author = std::move(value);
      return true;
    case Field::kITunesDuration:
      if (itunes == nullptr) return true;
      itunes->duration = std::move(value);
      return true;
    case Field::kITunesEpisode:
    case Field::kITunesSeason:
      if (itunes == nullptr || !entry_level) return true;
      (c.field == Field::kITunesEpisode ? itunes->episode : itunes->season) = ParseInt(value);
      return true;
    case Field::kITunesEpisodeType:
      if (itunes) itunes->episode_type = std::move(value);
      return true;
    case Field::kITunesType:
      if (!entry_level && itunes == &s.feed.itunes) s.feed.itunes.type = std::move(value);
      return true;
    case Field::kITunesNewFeedUrl:
      if (!entry_level && itunes == &s.feed.itunes && !value.empty()) {
        s.feed.itunes.new_feed_url = ResolveUrl(c.construct.base, value);
      }
      return true;
    case Field::kMediaTitle:
    case Field::kMediaDescription: {
      // Fallbacks only: the core element wins whichever comes first (FinishPodcastFallbacks).
      if (!entry_level || value.empty() || s.media_texts.size() >= 2 * s.options.max_entries) {
        return true;
      }
      s.media_texts.push_back({static_cast<size_t>(s.entry - s.feed.entries.data()),
                               c.field == Field::kMediaTitle, TakeText(c, std::move(value))});
      return true;
    }
    case Field::kMediaKeywords:
      AddKeywords(s, value, {});
      return true;
    case Field::kMediaCategory:
      AddTagOnce(s, value, c.attr1.empty() ? kMediaCategoryScheme : std::string_view(c.attr1),
                 c.attr2);
      return true;
    case Field::kMediaCredit: {
      MediaRss* m = MediaOf(s);
      if (m == nullptr || value.empty() || m->credits.size() >= kMaxPodcastItems) return true;
      for (const MediaCredit& credit : m->credits) {
        // media:group and its media:content often repeat the item's credits.
        if (credit.name == value && credit.role == c.attr1 && credit.scheme == c.attr2) return true;
      }
      m->credits.push_back(MediaCredit{
          .name = std::move(value), .role = std::move(c.attr1), .scheme = std::move(c.attr2)});
      return true;
    }
    case Field::kMediaRating:
      if (MediaOf(s) != nullptr && !value.empty() && MediaOf(s)->rating.empty()) {
        MediaOf(s)->rating = std::move(value);
        MediaOf(s)->rating_scheme = std::move(c.attr1);
      }
      return true;
    case Field::kMediaLicense: {
      MediaRss* m = MediaOf(s);
      if (m == nullptr || (c.attr1.empty() && value.empty()) || !m->license_url.empty() ||
          !m->license_text.empty()) {
        return true;
      }
      m->license_url = c.attr1.empty() ? std::string() : ResolveUrl(c.construct.base, c.attr1);
      m->license_type = std::move(c.attr2);
      m->license_text = std::move(value);
      // The entry's license URL (cc:license) when it has none.
      if (entry_level && s.entry->license.empty()) s.entry->license = m->license_url;
      return true;
    }
    case Field::kPodcastFunding: {
      Podcast* p = PodcastOf(s);
      if (p == nullptr || c.attr1.empty() || p->funding.size() >= kMaxPodcastItems) return true;
      p->funding.push_back(
          PodcastLink{.url = ResolveUrl(c.construct.base, c.attr1), .text = std::move(value)});
      return true;
    }
    case Field::kPodcastPerson: {
      Podcast* p = PodcastOf(s);
      if (p == nullptr || value.empty() || p->persons.size() >= kMaxPodcastItems) return true;
      p->persons.push_back(PodcastPerson{
          .name = std::move(value),
          .role = std::move(c.attr1),
          .group = std::move(c.attr2),
          .img = c.ext_ns.empty() ? std::string() : ResolveUrl(c.construct.base, c.ext_ns),
          .href = c.ext_name.empty() ? std::string() : ResolveUrl(c.construct.base, c.ext_name)});
      return true;
    }
    case Field::kPodcastGuid:
      if (!entry_level && s.head() == &s.feed) PodcastOf(s)->guid = std::move(value);
      return true;
    case Field::kPodcastLocked:
      if (!entry_level && s.head() == &s.feed) {
        Podcast* p = PodcastOf(s);
        p->locked = std::move(value);
        p->locked_owner = std::move(c.attr1);
      }
      return true;
    default:
      return false;
  }
}

void FinishITunesHead(FeedHead& head, const ITunes& it, Image* image) {
  if (head.subtitle.empty()) {
    const std::string& text = !it.summary.empty() ? it.summary : it.subtitle;
    if (!text.empty()) head.subtitle.value = text;
  }
  if (image != nullptr && image->empty() && !it.image.empty()) image->url = it.image;
}

}  // namespace

const Vocabulary kPodcastVocabulary = {kPlain, Start, Finish};

void FinishPodcastFallbacks(BuilderState& s) {
  Feed& feed = s.feed;
  FinishITunesHead(feed, feed.itunes, &feed.image);
  if (!s.itunes_owner.empty() && !s.itunes_owner.front().empty()) {
    feed.itunes.owner = s.itunes_owner.front();
    if (feed.publisher.empty()) feed.publisher = feed.itunes.owner;
  }
  if (feed.podcast && feed.podcast->empty()) feed.podcast.reset();
  if (feed.media && feed.media->empty()) feed.media.reset();
  for (BuilderState::MediaText& m : s.media_texts) {
    if (m.entry >= feed.entries.size()) continue;
    Entry& e = feed.entries[m.entry];
    Text& target = m.title ? e.title : e.summary;
    if (target.empty()) target = std::move(m.text);
  }
  for (Entry& e : feed.entries) {
    ITunes& it = e.itunes;
    if (e.podcast && e.podcast->empty()) e.podcast.reset();
    if (e.media && e.media->empty()) e.media.reset();
    if (it.empty()) continue;
    if (e.summary.empty()) {
      const std::string& text = !it.summary.empty() ? it.summary : it.subtitle;
      if (!text.empty()) e.summary.value = text;
    }
    if (!it.duration.empty()) {
      const auto seconds = ParseDuration(it.duration);
      for (Enclosure& enc : e.enclosures) {
        if (!enc.duration_seconds) enc.duration_seconds = seconds;
      }
    }
    if (!it.image.empty() && e.thumbnails.empty()) {
      e.thumbnails.push_back(Image{.url = it.image});
    }
  }
  // Last of all, an image shown only inside the entry's HTML: the first <img src>.
  for (Entry& e : feed.entries) {
    if (!e.thumbnails.empty()) continue;
    for (const Text* t : {e.contents.empty() ? nullptr : &e.contents.front(), &e.summary}) {
      if (t == nullptr || !t->is_html()) continue;
      std::string url = FirstImageUrl(t->value, t->base);
      if (!url.empty()) {
        e.thumbnails.push_back(Image{.url = std::move(url)});
        break;
      }
    }
  }
}

}  // namespace feedbridge::feeds::internal
