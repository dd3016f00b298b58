// Atom 1.0 (RFC 4287) and Atom 0.3: text constructs (which RSS and Dublin Core titles and rights
// share, with RSS defaults), ids, links, dates, categories, generator, icon and logo, and the
// children of person constructs.

#include <string>
#include <utility>
#include <vector>

#include "feeds/text_util.h"
#include "feeds/url.h"
#include "feeds/xml_builder_state.h"

namespace feedbridge::feeds::internal {
namespace {

bool IsAtom(Ns ns) { return ns == Ns::kAtom10 || ns == Ns::kAtom03; }

void StartAtomLink(BuilderState& s, const std::vector<XmlAttribute>& attrs) {
  bool has_href = false;
  for (const XmlAttribute& a : attrs) has_href = has_href || (a.ns.empty() && a.local == "href");
  if (has_href) {
    s.AddLink(attrs);
    return;
  }
  // <link rel="alternate">http://...</link>: some feeds put the URL in the text.
  s.StartPlain(Field::kAtomLinkText);
  auto& saved = s.pending_link_attrs.emplace();
  for (const XmlAttribute& a : attrs) {
    if (a.ns.empty()) saved.emplace_back(std::string(a.local), std::string(a.value));
  }
}

void FinishAtomLinkText(BuilderState& s, std::string& value) {
  if (!s.pending_link_attrs) return;
  auto saved = std::move(*s.pending_link_attrs);
  s.pending_link_attrs.reset();
  saved.emplace_back("href", std::move(value));
  std::vector<XmlAttribute> attrs;
  for (const auto& [name, v] : saved) attrs.push_back(XmlAttribute{.local = name, .value = v});
  s.AddLink(attrs);
}

constexpr PlainElement kPlain[] = {
    {Elem::kId, Field::kId},
    {Elem::kUpdated, Field::kUpdated},
    {Elem::kPublished, Field::kPublished},
    {Elem::kCreated, Field::kCreated},
    {Elem::kIcon, Field::kIcon},
    {Elem::kLogo, Field::kLogo},
};

bool Start(BuilderState& s, const StartEvent& e) {
  switch (e.elem) {
    case Elem::kTitle:
      s.StartTextConstruct(Field::kTitle, e.ns, e.attrs, kTextPlain);
      return true;
    case Elem::kSubtitle:
      s.StartTextConstruct(Field::kSubtitle, e.ns, e.attrs, kTextPlain);
      return true;
    case Elem::kSummary:
      s.StartTextConstruct(Field::kSummary, e.ns, e.attrs, kTextPlain);
      return true;
    case Elem::kContent:
      s.StartTextConstruct(Field::kContent, e.ns, e.attrs, kTextPlain);
      return true;
    case Elem::kRights:
      s.StartTextConstruct(Field::kRights, e.ns, e.attrs, kTextPlain);
      return true;
    case Elem::kInfo:
      if (s.head() == &s.feed) s.StartTextConstruct(Field::kInfo, e.ns, e.attrs, kTextPlain);
      return true;
    case Elem::kAtomLink:
      StartAtomLink(s, e.attrs);
      return true;
    case Elem::kCategory:
      if (!IsAtom(e.ns)) return false;  // RSS <category domain="...">text</category>.
      s.AddCategory(std::string(Trim(AttrValue(e.attrs, "term"), kXmlWhitespace)),
                    std::string(Trim(AttrValue(e.attrs, "scheme"), kXmlWhitespace)),
                    std::string(Trim(AttrValue(e.attrs, "label"), kXmlWhitespace)));
      return true;
    case Elem::kGenerator:
      s.StartPlain(Field::kGenerator);
      s.capture->attr1 = std::string(Trim(AttrValue(e.attrs, "uri"), kXmlWhitespace));
      if (s.capture->attr1.empty())
        s.capture->attr1 = std::string(Trim(AttrValue(e.attrs, "url"), kXmlWhitespace));
      s.capture->attr2 = std::string(Trim(AttrValue(e.attrs, "version"), kXmlWhitespace));
      return true;
    default:
      return false;
  }
}

bool Finish(BuilderState& s, Capture& c, std::string& value) {
  FeedHead* h = s.head();
  const bool entry_level = s.in_entry();
  switch (c.field) {
    case Field::kTitle:
      if (entry_level) {
        if (s.entry->title.empty()) s.entry->title = TakeText(c, std::move(value));
      } else if (h != nullptr && h->title.empty()) {
        h->title = TakeText(c, std::move(value));
      }
      return true;
    case Field::kSubtitle:
      if (h != nullptr && h->subtitle.empty()) h->subtitle = TakeText(c, std::move(value));
      return true;
    case Field::kSummary:
      if (entry_level) {
        if (s.entry->summary.empty()) s.entry->summary = TakeText(c, std::move(value));
      } else if (h != nullptr && h->subtitle.empty()) {
        h->subtitle = TakeText(c, std::move(value));
      }
      return true;
    case Field::kContent: {
      Text text = TakeText(c, std::move(value));
      if (entry_level && s.entry->contents.size() < 8 && !text.empty()) {
        s.entry->contents.push_back(std::move(text));
      }
      return true;
    }
    case Field::kRights:
      if (entry_level) {
        if (s.entry->rights.empty()) s.entry->rights = TakeText(c, std::move(value));
      } else if (h != nullptr && h->rights.empty()) {
        h->rights = TakeText(c, std::move(value));
      }
      return true;
    case Field::kInfo:
      if (s.feed.info.empty()) s.feed.info = TakeText(c, std::move(value));
      return true;
    case Field::kId: {
      // Atom ids are absolute IRIs; one written as an absolute path ("/2004/post") is read
      // against xml:base as readers do. Other scheme-less ids ("post-41", an RSS guid carried
      // over) stay as they are, so an entry keeps its identity through our own Atom output.
      std::string id = value.starts_with('/') && !value.starts_with("//")
                           ? ResolveUrl(c.construct.base, value)
                           : value;
      if (entry_level)
        s.entry->id = std::move(id);
      else if (h != nullptr)
        h->id = std::move(id);
      return true;
    }
    case Field::kAtomLinkText:
      FinishAtomLinkText(s, value);
      return true;
    case Field::kPublished:
      StoreDate(s, DateSlot::kPublished, value);
      return true;
    case Field::kUpdated:
      StoreDate(s, DateSlot::kUpdated, value);
      return true;
    case Field::kCreated:
      StoreDate(s, DateSlot::kCreated, value);
      return true;
    case Field::kGenerator:
      if (h != nullptr) {
        h->generator.name = value;
        if (!c.attr1.empty()) h->generator.uri = ResolveUrl(c.construct.base, c.attr1);
        h->generator.version = std::move(c.attr2);
      }
      return true;
    case Field::kIcon:
      if (h != nullptr && !value.empty()) h->icon = ResolveUrl(c.construct.base, value);
      return true;
    case Field::kLogo:
      if (h != nullptr && !value.empty()) h->logo = ResolveUrl(c.construct.base, value);
      return true;
    case Field::kPersonName:
    case Field::kPersonEmail:
    case Field::kPersonUri:
      if (s.people != nullptr && !s.people->empty()) {
        Person& p = s.people->back();
        if (c.field == Field::kPersonName)
          p.name = std::move(value);
        else if (c.field == Field::kPersonEmail)
          p.email = std::move(value);
        else
          p.uri = ResolveUrl(c.construct.base, value);
      }
      return true;
    default:
      return false;
  }
}

}  // namespace

const Vocabulary kAtomVocabulary = {kPlain, Start, Finish};

void StartPersonChild(BuilderState& s, Elem elem) {
  if (elem == Elem::kName)
    s.StartPlain(Field::kPersonName);
  else if (elem == Elem::kEmail)
    s.StartPlain(Field::kPersonEmail);
  else if (elem == Elem::kUri)
    s.StartPlain(Field::kPersonUri);
}

}  // namespace feedbridge::feeds::internal
