// RSS 0.9x, 2.0 and RDF-based RSS 0.90/1.0 elements: description, guid, link, dates, people as
// text, categories with a domain, enclosures, comments, language, ttl, docs, source, and the
// children of <image>.

#include <string>
#include <utility>
#include <vector>

#include "feeds/dates.h"
#include "feeds/text_util.h"
#include "feeds/url.h"
#include "feeds/xml_builder_state.h"

namespace feedbridge::feeds::internal {
namespace {

constexpr PlainElement kPlain[] = {
    {Elem::kLink, Field::kLink},
    {Elem::kPubDate, Field::kPubDate},
    {Elem::kLastBuildDate, Field::kLastBuildDate},
    {Elem::kExpired, Field::kExpired},
    {Elem::kRssAuthor, Field::kAuthor},
    {Elem::kManagingEditor, Field::kManagingEditor},
    {Elem::kPublisher, Field::kPublisher},
    {Elem::kComments, Field::kComments},
    {Elem::kLanguage, Field::kLanguage},
    {Elem::kTtl, Field::kTtl},
    {Elem::kDocs, Field::kDocs},
};

bool Start(BuilderState& s, const StartEvent& e) {
  switch (e.elem) {
    case Elem::kDescription:
      s.StartTextConstruct(e.entry_level ? Field::kSummary : Field::kSubtitle, e.ns, e.attrs,
                           kTextHtml);
      return true;
    case Elem::kGuid:
      s.StartPlain(Field::kGuid);
      s.capture->attr1 = AsciiLower(Trim(AttrValue(e.attrs, "isPermaLink"), kXmlWhitespace));
      return true;
    case Elem::kCategory:
      s.StartPlain(Field::kCategory);
      s.capture->attr1 = std::string(Trim(AttrValue(e.attrs, "domain"), kXmlWhitespace));
      return true;
    case Elem::kEnclosure:
      s.AddEnclosure(e.attrs);
      return true;
    case Elem::kCloud:
      if (!e.entry_level && s.head() == &s.feed && s.feed.cloud.empty()) {
        Cloud& cloud = s.feed.cloud;
        cloud.domain = std::string(Trim(AttrValue(e.attrs, "domain"), kXmlWhitespace));
        cloud.port = std::string(Trim(AttrValue(e.attrs, "port"), kXmlWhitespace));
        cloud.path = std::string(Trim(AttrValue(e.attrs, "path"), kXmlWhitespace));
        cloud.register_procedure =
            std::string(Trim(AttrValue(e.attrs, "registerProcedure"), kXmlWhitespace));
        cloud.protocol = std::string(Trim(AttrValue(e.attrs, "protocol"), kXmlWhitespace));
      }
      return true;
    case Elem::kDcTermsValid:
      s.StartPlain(Field::kDcTermsValid);
      return true;
    case Elem::kRssSource:
      if (!e.entry_level) return true;
      s.StartPlain(Field::kRssSource);
      s.capture->attr1 = ResolveUrl(s.base(), Trim(AttrValue(e.attrs, "url"), kXmlWhitespace));
      return true;
    default:
      return false;
  }
}

void FinishLink(BuilderState& s, const Capture& c, const std::string& value) {
  if (value.empty()) return;
  FeedHead* h = s.head();
  Link link{.href = ResolveUrl(c.construct.base, value), .rel = "alternate", .type = "text/html"};
  std::vector<Link>* links = s.in_entry() ? &s.entry->links : (h ? &h->links : nullptr);
  if (links == nullptr) return;
  for (const Link& l : *links) {
    if (l.rel == "alternate" && l.type == "text/html") return;  // First <link> wins.
  }
  if (links->size() < kMaxListItems) links->push_back(std::move(link));
}

bool FinishImage(BuilderState& s, const Capture& c, std::string& value) {
  Image& image = s.feed.image;
  switch (c.field) {
    case Field::kImageUrl:
      image.url = ResolveUrl(c.construct.base, value);
      return true;
    case Field::kImageTitle:
      image.title = std::move(value);
      return true;
    case Field::kImageLink:
      image.link = ResolveUrl(c.construct.base, value);
      return true;
    case Field::kImageDescription:
      image.description = std::move(value);
      return true;
    case Field::kImageWidth:
      if (auto n = ParseInt(value)) image.width = static_cast<int>(*n);
      return true;
    case Field::kImageHeight:
      if (auto n = ParseInt(value)) image.height = static_cast<int>(*n);
      return true;
    default:
      return false;
  }
}

// dcterms:valid, a DCMI period: "start=...; end=...; scheme=W3C-DTF".
void FinishValid(BuilderState& s, std::string_view value) {
  Date start;
  Date end;
  size_t from = 0;
  while (from < value.size()) {
    size_t semi = value.find(';', from);
    if (semi == std::string_view::npos) semi = value.size();
    const std::string_view part = Trim(value.substr(from, semi - from), kXmlWhitespace);
    from = semi + 1;
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = Trim(part.substr(0, eq), kXmlWhitespace);
    const std::string_view v = Trim(part.substr(eq + 1), kXmlWhitespace);
    Date* date = key == "start" ? &start : key == "end" ? &end : nullptr;
    if (date == nullptr || v.empty()) continue;
    date->raw = std::string(v);
    date->utc = ParseDate(v);
  }
  if (s.in_entry()) {
    if (s.entry->expired.empty() && !end.empty()) s.entry->expired = std::move(end);
  } else if (s.head() == &s.feed) {
    if (!start.empty()) s.feed.valid_start = std::move(start);
    if (!end.empty()) s.feed.valid_end = std::move(end);
  }
}

void FinishTextInput(BuilderState& s, const Capture& c, std::string& value) {
  TextInput& t = s.feed.text_input;
  std::string* field = c.attr1 == "title"         ? &t.title
                       : c.attr1 == "description" ? &t.description
                       : c.attr1 == "name"        ? &t.name
                       : c.attr1 == "link"        ? &t.link
                                                  : nullptr;
  if (field == nullptr || !field->empty() || value.empty()) return;
  *field = c.attr1 == "link" ? ResolveUrl(c.construct.base, value) : std::move(value);
}

bool Finish(BuilderState& s, Capture& c, std::string& value) {
  FeedHead* h = s.head();
  const bool entry_level = s.in_entry();
  const std::string& base = c.construct.base;
  switch (c.field) {
    case Field::kGuid:
      if (!entry_level || value.empty()) return true;
      s.entry->id = value;
      // RSS 2.0: isPermaLink defaults to true; we only trust it when the guid is a web URL.
      s.entry->id_is_permalink = c.attr1 != "false" && UrlScheme(value).starts_with("http");
      if (s.entry->id_is_permalink) s.entry->id = ResolveUrl(base, value);
      return true;
    case Field::kLink:
      FinishLink(s, c, value);
      return true;
    case Field::kPubDate:
      StoreDate(s, DateSlot::kPublished, value);
      return true;
    case Field::kLastBuildDate:
      StoreDate(s, DateSlot::kUpdated, value);
      return true;
    case Field::kExpired:
      StoreDate(s, DateSlot::kExpired, value);
      return true;
    case Field::kAuthor:
    case Field::kManagingEditor:
    case Field::kContributor:
    case Field::kPublisher:
      s.AddPersonText(c.field, value);
      return true;
    case Field::kCategory:
      s.AddCategory(value, std::move(c.attr1), {});
      return true;
    case Field::kComments:
      if (entry_level && !value.empty()) s.entry->comments = ResolveUrl(base, value);
      return true;
    case Field::kLanguage:
      if (entry_level)
        s.entry->language = value;
      else if (h != nullptr && h->language.empty())
        h->language = value;
      return true;
    case Field::kTtl:
      if (!entry_level) {
        if (auto n = ParseInt(value); n && *n >= 0 && *n < 1'000'000) {
          s.feed.ttl_minutes = static_cast<int>(*n);
        }
      }
      return true;
    case Field::kDocs:
      if (!entry_level && !value.empty()) s.feed.docs = ResolveUrl(base, value);
      return true;
    case Field::kRssSource:
      if (entry_level) {
        FeedHead& src = s.entry->source.emplace();
        src.title.value = value;
        if (!c.attr1.empty()) src.links.push_back(Link{.href = c.attr1, .rel = "self"});
      }
      return true;
    case Field::kTextInput:
      FinishTextInput(s, c, value);
      return true;
    case Field::kDcTermsValid:
      FinishValid(s, value);
      return true;
    case Field::kNewLocation:
      if (s.feed.new_location.empty() && !value.empty()) {
        s.feed.new_location = ResolveUrl(base, value);
      }
      return true;
    default:
      return FinishImage(s, c, value);
  }
}

}  // namespace

const Vocabulary kRssVocabulary = {kPlain, Start, Finish};

void StartImageChild(BuilderState& s, Elem elem) {
  switch (elem) {
    case Elem::kUrl:
      s.StartPlain(Field::kImageUrl);
      break;
    case Elem::kTitle:
      s.StartPlain(Field::kImageTitle);
      break;
    case Elem::kLink:
      s.StartPlain(Field::kImageLink);
      break;
    case Elem::kWidth:
      s.StartPlain(Field::kImageWidth);
      break;
    case Elem::kHeight:
      s.StartPlain(Field::kImageHeight);
      break;
    case Elem::kDescription:
      s.StartPlain(Field::kImageDescription);
      break;
    default:
      break;
  }
}

}  // namespace feedbridge::feeds::internal
