#include "feeds/xml_builder_state.h"

#include <charconv>

#include "feeds/dates.h"
#include "feeds/text_util.h"
#include "feeds/url.h"

namespace feedbridge::feeds::internal {

std::optional<int64_t> ParseInt(std::string_view s) {
  s = Trim(s, kXmlWhitespace);
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr == s.data()) return std::nullopt;
  return v;
}

std::string_view AttrValue(const std::vector<XmlAttribute>& attrs, std::string_view name) {
  for (const XmlAttribute& a : attrs) {
    if (a.local == name && (a.ns.empty() || name == "resource" || name == "about")) return a.value;
  }
  return {};
}

void StoreDate(BuilderState& s, DateSlot slot, const std::string& value) {
  if (value.empty()) return;
  Date* date = nullptr;
  if (s.in_entry()) {
    switch (slot) {
      case DateSlot::kPublished:
        date = &s.entry->published;
        break;
      case DateSlot::kUpdated:
        date = &s.entry->updated;
        break;
      case DateSlot::kCreated:
        date = &s.entry->created;
        break;
      case DateSlot::kExpired:
        date = &s.entry->expired;
        break;
    }
  } else if (FeedHead* h = s.head(); h != nullptr) {
    if (slot == DateSlot::kPublished) date = &h->published;
    if (slot == DateSlot::kUpdated) date = &h->updated;
    if (slot == DateSlot::kCreated && h == &s.feed) date = &s.feed.created;
  }
  if (date == nullptr) return;
  date->raw = value;
  date->utc = ParseDate(value);
}

Text TakeText(Capture& c, std::string&& value) {
  Text text = std::move(c.construct);
  text.value = std::move(value);
  return text;
}

void BuilderState::StartCapture(Field field, Mode mode, bool may_hold_markup,
                                std::string_view type) {
  Capture& c = capture.emplace();
  c.field = field;
  c.frame = frames.size() - 1;
  c.mode = mode;
  c.may_hold_markup = may_hold_markup;
  c.construct.type = std::string(type);
  c.construct.base = base();
  c.construct.language = lang();
}

// Atom text constructs (RFC 4287 §3.1, Atom 0.3 §3.1 with its mode attribute) and their RSS
// counterparts, which default to `default_type`.
void BuilderState::StartTextConstruct(Field field, Ns ns, const std::vector<XmlAttribute>& attrs,
                                      std::string_view default_type) {
  std::string_view type_attr, mode_attr, src_attr;
  for (const XmlAttribute& a : attrs) {
    if (!a.ns.empty()) continue;
    if (a.local == "type")
      type_attr = Trim(a.value, kXmlWhitespace);
    else if (a.local == "mode")
      mode_attr = Trim(a.value, kXmlWhitespace);
    else if (a.local == "src")
      src_attr = Trim(a.value, kXmlWhitespace);
  }
  std::string type(default_type);
  Mode mode = Mode::kText;
  bool strip_div = false;
  if (ns == Ns::kAtom10 || ns == Ns::kAtom03) {
    const std::string t = AsciiLower(type_attr);
    if (t.empty() || t == "text" || t == "text/plain") {
      type = kTextPlain;
    } else if (t == "html" || t == "text/html") {
      type = kTextHtml;
    } else if (t == "xhtml" || t == "application/xhtml+xml") {
      type = kXhtml;
      mode = Mode::kMarkup;
      strip_div = ns == Ns::kAtom10 && t == "xhtml";
    } else {
      type = t;
      const bool xml_type = t.ends_with("+xml") || t.ends_with("/xml");
      if (xml_type)
        mode = Mode::kMarkup;
      else if (!t.starts_with("text/") && ns == Ns::kAtom10)
        mode = Mode::kBase64;  // RFC 4287 §4.1.3.3 rule 6 (readers apply it to any construct).
    }
    if (ns == Ns::kAtom03) {
      const std::string m = AsciiLower(mode_attr);
      if (m == "base64")
        mode = Mode::kBase64;
      else if (m == "escaped")
        mode = Mode::kText;
      else if (type == kTextHtml || type == kXhtml)
        mode = m.empty() && type == kTextHtml ? Mode::kText : Mode::kMarkup;
    }
  }
  StartCapture(field, mode, true, type);
  capture->strip_xhtml_div = strip_div;
  if (!src_attr.empty()) capture->construct.src = ResolveUrl(base(), src_attr);
}

void BuilderState::AddCategory(std::string term, std::string scheme, std::string label) {
  std::vector<Category>* list = nullptr;
  if (in_entry())
    list = &entry->categories;
  else if (FeedHead* h = head(); h != nullptr)
    list = &h->categories;
  if (list == nullptr || list->size() >= kMaxListItems) return;
  if (term.empty() && label.empty()) return;
  list->push_back(Category{std::move(term), std::move(scheme), std::move(label)});
}

void BuilderState::AddLink(const std::vector<XmlAttribute>& attrs) {
  Link link;
  for (const XmlAttribute& a : attrs) {
    if (!a.ns.empty()) continue;
    if (a.local == "href" || a.local == "url")
      link.href = ResolveUrl(base(), Trim(a.value, kXmlWhitespace));
    else if (a.local == "rel")
      link.rel = AsciiLower(Trim(a.value, kXmlWhitespace));
    else if (a.local == "type")
      link.type = std::string(Trim(a.value, kXmlWhitespace));
    else if (a.local == "title")
      link.title = std::string(a.value);
    else if (a.local == "hreflang")
      link.hreflang = std::string(Trim(a.value, kXmlWhitespace));
    else if (a.local == "length")
      link.length = ParseInt(a.value);
  }
  if (link.rel.empty()) link.rel = "alternate";
  // RFC 4287 §4.2.7.2: IANA-registered relations may be written as full URIs.
  static constexpr std::string_view kIanaPrefix = "http://www.iana.org/assignments/relation/";
  if (link.rel.starts_with(kIanaPrefix)) link.rel.erase(0, kIanaPrefix.size());
  if (link.href.empty()) return;
  if (link.rel == "enclosure" && in_entry()) {
    AddAttachment(
        Enclosure{.url = link.href, .type = link.type, .length = link.length, .title = link.title});
    return;
  }
  if (in_entry()) {
    if (entry->links.size() < kMaxListItems) entry->links.push_back(std::move(link));
    return;
  }
  FeedHead* h = head();
  if (h == nullptr) return;
  if (h == &feed) {
    if (link.rel == "hub" && feed.hubs.size() < 16) feed.hubs.push_back(link.href);
    if (link.rel == "self" && feed.feed_url.empty()) feed.feed_url = link.href;
  }
  if (h->links.size() < kMaxListItems) h->links.push_back(std::move(link));
}

void BuilderState::AddEnclosure(const std::vector<XmlAttribute>& attrs) {
  if (!in_entry()) return;
  Enclosure e;
  for (const XmlAttribute& a : attrs) {
    if (!a.ns.empty()) continue;
    if (a.local == "url" || a.local == "href")
      e.url = ResolveUrl(base(), Trim(a.value, kXmlWhitespace));
    else if (a.local == "type")
      e.type = std::string(Trim(a.value, kXmlWhitespace));
    else if (a.local == "length" || a.local == "filesize" || a.local == "fileSize")
      e.length = ParseInt(a.value);
    else if (a.local == "duration")
      e.duration_seconds = ParseInt(a.value);
    else if (a.local == "medium")
      e.medium = std::string(Trim(a.value, kXmlWhitespace));
  }
  AddAttachment(std::move(e));
}

void BuilderState::AddAttachment(Enclosure e) {
  if (!in_entry() || e.url.empty()) return;
  // Podcasts name one file in <enclosure>, media:content (often inside media:group) and Atom
  // rel="enclosure" alike: one attachment per URL, what each element says merged into it.
  for (Enclosure& existing : entry->enclosures) {
    if (existing.url != e.url) continue;
    if (existing.type.empty()) existing.type = std::move(e.type);
    if (!existing.length || *existing.length <= 0) {
      if (e.length) existing.length = e.length;
    }
    if (!existing.duration_seconds) existing.duration_seconds = e.duration_seconds;
    if (existing.title.empty()) existing.title = std::move(e.title);
    if (existing.medium.empty()) existing.medium = std::move(e.medium);
    return;
  }
  if (entry->enclosures.size() < kMaxListItems) entry->enclosures.push_back(std::move(e));
}

void BuilderState::AddPersonText(Field field, std::string_view text) {
  Person person = ParsePersonText(text);
  if (person.empty()) return;
  std::vector<Person>* list = nullptr;
  Person* single = nullptr;
  if (in_entry()) {
    if (field == Field::kAuthor)
      list = &entry->authors;
    else if (field == Field::kContributor)
      list = &entry->contributors;
    else if (field == Field::kPublisher)
      single = &entry->publisher;
  } else if (FeedHead* h = head(); h != nullptr) {
    if (field == Field::kAuthor || field == Field::kManagingEditor)
      list = &h->authors;
    else if (field == Field::kContributor)
      list = &h->contributors;
    else if (field == Field::kPublisher && h == &feed)
      single = &feed.publisher;
  }
  if (single != nullptr) {
    if (single->empty()) *single = std::move(person);
    return;
  }
  if (list == nullptr || list->size() >= kMaxListItems) return;
  for (const Person& p : *list) {
    if (p.name == person.name && p.email == person.email) return;  // dc:creator + itunes:author
  }
  list->push_back(std::move(person));
}

}  // namespace feedbridge::feeds::internal
