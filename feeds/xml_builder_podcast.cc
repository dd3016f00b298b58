// Podcast vocabularies: iTunes (itunes:*) and Media RSS (media:content, media:thumbnail,
// media:group).

#include <string>
#include <utility>

#include "feeds/text_util.h"
#include "feeds/url.h"
#include "feeds/xml_builder_state.h"

namespace feedbridge::feeds::internal {
namespace {

// itunes:duration: "SS", "MM:SS" or "HH:MM:SS".
std::optional<int64_t> ParseDuration(std::string_view s) {
  s = Trim(s, kXmlWhitespace);
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

void AddThumbnail(BuilderState& s, const StartEvent& e) {
  if (!e.entry_level || s.entry->thumbnails.size() >= 16) return;
  Image image;
  image.url = ResolveUrl(s.base(), Trim(AttrValue(e.attrs, "url"), kXmlWhitespace));
  if (auto w = ParseInt(AttrValue(e.attrs, "width"))) image.width = static_cast<int>(*w);
  if (auto h = ParseInt(AttrValue(e.attrs, "height"))) image.height = static_cast<int>(*h);
  if (!image.url.empty()) s.entry->thumbnails.push_back(std::move(image));
}

constexpr PlainElement kPlain[] = {
    {Elem::kITunesSubtitle, Field::kITunesSubtitle},
    {Elem::kITunesSummary, Field::kITunesSummary},
    {Elem::kITunesExplicit, Field::kITunesExplicit},
    {Elem::kITunesKeywords, Field::kITunesKeywords},
    {Elem::kITunesDuration, Field::kITunesDuration},
    {Elem::kITunesBlock, Field::kITunesBlock},
};

bool Start(BuilderState& s, const StartEvent& e) {
  switch (e.elem) {
    case Elem::kITunesCategory: {
      const std::string_view text = Trim(AttrValue(e.attrs, "text"), kXmlWhitespace);
      ITunes& it = e.entry_level ? s.entry->itunes : s.feed.itunes;
      if (!text.empty() && it.categories.size() < 16) it.categories.emplace_back(text);
      return true;
    }
    case Elem::kITunesImage: {
      std::string_view href = AttrValue(e.attrs, "href");
      if (href.empty()) href = AttrValue(e.attrs, "url");
      (e.entry_level ? s.entry->itunes : s.feed.itunes).image =
          ResolveUrl(s.base(), Trim(href, kXmlWhitespace));
      return true;
    }
    case Elem::kMediaContent:
      s.AddEnclosure(e.attrs, true);
      return true;
    case Elem::kMediaThumbnail:
      AddThumbnail(s, e);
      return true;
    case Elem::kMediaGroup:
      s.PushContext(e.ctx);  // Its children belong to the entry.
      return true;
    default:
      return false;
  }
}

bool Finish(BuilderState& s, Capture& c, std::string& value) {
  const bool entry_level = s.in_entry();
  ITunes* itunes =
      entry_level ? &s.entry->itunes : (s.head() == &s.feed ? &s.feed.itunes : nullptr);
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
      if (itunes) itunes->keywords = std::move(value);
      return true;
    case Field::kITunesBlock:
      if (itunes)
        itunes->block = EqualsIgnoreAsciiCase(value, "yes") || EqualsIgnoreAsciiCase(value, "true");
      return true;
    case Field::kITunesDuration:
      if (itunes == nullptr) return true;
      if (entry_level) {
        const auto seconds = ParseDuration(value);
        for (Enclosure& e : s.entry->enclosures) {
          if (!e.duration_seconds) e.duration_seconds = seconds;
        }
      }
      itunes->duration = std::move(value);
      return true;
    default:
      return false;
  }
}

}  // namespace

const Vocabulary kPodcastVocabulary = {kPlain, Start, Finish};

}  // namespace feedbridge::feeds::internal
