#include "feeds/xml_feed_builder.h"

#include <charconv>
#include <optional>
#include <unordered_map>

#include "feeds/dates.h"
#include "feeds/text_util.h"
#include "feeds/url.h"
#include "feeds/xml_vocabulary.h"

namespace feedbridge::feeds::internal {
namespace {

// Extension elements kept per feed or entry (a feed of 10,000 unknown elements stays small).
constexpr size_t kMaxExtensions = 32;
// Categories, links, enclosures and people kept per feed or entry.
constexpr size_t kMaxListItems = 256;

enum class Ctx : uint8_t { kDocument, kFeed, kEntry, kSource, kImage, kTextInput, kPerson, kSkip };

// What a capture's text becomes when its element ends.
enum class Field : uint8_t {
  kNone,
  kTitle,
  kSubtitle,
  kSummary,
  kContent,
  kRights,
  kId,
  kGuid,
  kLink,
  kPubDate,
  kLastBuildDate,
  kUpdated,
  kPublished,
  kCreated,
  kExpired,
  kAuthor,
  kManagingEditor,
  kContributor,
  kPublisher,
  kCategory,
  kComments,
  kLanguage,
  kGenerator,
  kIcon,
  kLogo,
  kTtl,
  kDocs,
  kLicense,
  kPersonName,
  kPersonEmail,
  kPersonUri,
  kImageUrl,
  kImageTitle,
  kImageLink,
  kImageDescription,
  kImageWidth,
  kImageHeight,
  kRssSource,
  kITunesSubtitle,
  kITunesSummary,
  kITunesExplicit,
  kITunesKeywords,
  kITunesDuration,
  kITunesBlock,
  kExtension,
  kAtomLinkText,
  kInfo,
};

// How the characters of a text construct are kept while it is open.
enum class Mode : uint8_t {
  kText,    // Plain characters; child tags dropped, their text kept.
  kMarkup,  // Child elements are serialized back to markup, text is escaped (XHTML, inline HTML).
  kBase64,  // Atom 0.3 mode="base64" and Atom 1.0 non-text media types.
};

struct Capture {
  Field field = Field::kNone;
  size_t frame = 0;  // Index of the frame that opened it.
  Mode mode = Mode::kText;
  bool may_hold_markup = false;  // A text construct: child elements turn it into HTML.
  bool strip_xhtml_div = false;  // RFC 4287 §3.1.1.3: the wrapping xhtml:div is not content.
  bool div_stripped = false;
  std::string text;
  Text construct;  // type/base/language/src for text constructs.
  // Attributes some fields need at the end.
  std::string attr1;  // guid isPermaLink, category domain/scheme, source url, generator uri.
  std::string attr2;  // generator version, category label.
  std::string ext_ns;
  std::string ext_name;
  std::string ext_prefix;
};

struct Frame {
  Elem elem = Elem::kUnknown;
  Ctx pushed = Ctx::kDocument;  // The context this element opened, or kDocument if none.
  bool pushed_context = false;
  bool wrote_markup_end = false;  // Inside a markup capture: write </name> at the end.
  uint32_t base = 0;              // Index into bases_.
  uint32_t lang = 0;              // Index into langs_.
  std::string markup_name;        // Name written for the end tag.
};

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::optional<int64_t> ParseInt(std::string_view s) {
  s = Trim(s);
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr == s.data()) return std::nullopt;
  return v;
}

bool IsVoidHtmlElement(std::string_view name) {
  static constexpr std::string_view kVoid[] = {"area", "base", "br",     "col",   "embed",
                                              "hr",   "img",  "input",  "link",  "meta",
                                              "param", "source", "track", "wbr"};
  for (std::string_view v : kVoid) {
    if (IEquals(v, name)) return true;
  }
  return false;
}

// itunes:duration: "SS", "MM:SS" or "HH:MM:SS".
std::optional<int64_t> ParseDuration(std::string_view s) {
  s = Trim(s);
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

}  // namespace

struct FeedBuilder::State {
  State(const ParseOptions& o, Feed& f) : options(o), feed(f) {
    bases.push_back(o.base_url);
    langs.emplace_back();
    frames.reserve(64);
  }

  const ParseOptions& options;
  Feed& feed;
  std::vector<Frame> frames;
  std::vector<Ctx> contexts{Ctx::kDocument};
  std::vector<std::string> bases;  // xml:base values in effect, resolved; [0] = document URL.
  std::vector<std::string> langs;  // xml:lang values; [0] = none.
  std::optional<Capture> capture;
  Entry* entry = nullptr;          // The entry being read, if any.
  std::vector<Person>* people = nullptr;  // Where the open Atom person construct goes.
  bool saw_root = false;
  bool in_feed_root = false;  // Inside <rss>, <rdf:RDF> or <feed>.
  std::string root_name;      // For the error message when the root is not a feed.
  size_t dropped_entries = 0;
  // (namespace, interned local name) -> element; libxml2 interns names in its dictionary, so the
  // pointer identifies the name for the whole document.
  std::unordered_map<const char*, std::pair<Ns, Elem>> elem_cache;
  std::unordered_map<const char*, Ns> ns_cache;
  // A root in a namespace we do not know (<feed xmlns="http://example.com/newformat#">) is read
  // as the vocabulary its local name says; its namespace then means that vocabulary throughout.
  std::string aliased_uri;
  Ns aliased_ns = Ns::kOther;
  bool atom_without_namespace = false;
  // An Atom <link> without href (its URL is its text), waiting for the text.
  std::optional<std::vector<std::pair<std::string, std::string>>> pending_link_attrs;

  Ctx context() const { return contexts.back(); }
  const std::string& base() const { return bases[frames.empty() ? 0 : frames.back().base]; }
  const std::string& lang() const { return langs[frames.empty() ? 0 : frames.back().lang]; }

  // The head that feed-level elements fill: the entry's <source> or the feed.
  FeedHead* head() {
    if (context() == Ctx::kSource && entry != nullptr && entry->source) return &*entry->source;
    if (entry != nullptr) return nullptr;
    return &feed;
  }
  bool in_entry() const { return entry != nullptr && context() != Ctx::kSource; }

  void AddProblem(std::string problem) {
    feed.recovered = true;
    if (feed.problems.size() < 20) feed.problems.push_back(std::move(problem));
  }

  Ns NamespaceOf(std::string_view uri, std::string_view prefix);
  Elem ElementOf(Ns ns, std::string_view local);
  void StartCapture(Field field, Mode mode, bool may_hold_markup, std::string_view type);
  void StartTextConstruct(Field field, Ns ns, const std::vector<XmlAttribute>& attrs,
                          std::string_view default_type);
  void StartElementSemantics(Elem elem, Ns ns, std::string_view uri, std::string_view prefix,
                             std::string_view local, const std::vector<XmlAttribute>& attrs);
  void MarkupStart(std::string_view prefix, std::string_view local,
                   const std::vector<XmlAttribute>& attrs);
  void FinishCapture();
  void ApplyText(Field field, Text&& text);
  void AddLink(const std::vector<XmlAttribute>& attrs);
  void AddEnclosure(const std::vector<XmlAttribute>& attrs, bool media);
  void AddCategory(std::string term, std::string scheme, std::string label);
  void AddPersonText(Field field, std::string_view text);
  void PushContext(Ctx ctx) {
    contexts.push_back(ctx);
    frames.back().pushed = ctx;
    frames.back().pushed_context = true;
  }
};

Ns FeedBuilder::State::NamespaceOf(std::string_view uri, std::string_view prefix) {
  const char* key = uri.empty() ? prefix.data() : uri.data();
  if (key == nullptr) return Ns::kNone;
  if (auto it = ns_cache.find(key); it != ns_cache.end()) return it->second;
  Ns ns = ClassifyNamespace(uri, prefix);
  if (ns == Ns::kOther && !uri.empty() && uri == aliased_uri) ns = aliased_ns;
  ns_cache.emplace(key, ns);
  return ns;
}

Elem FeedBuilder::State::ElementOf(Ns ns, std::string_view local) {
  if (auto it = elem_cache.find(local.data()); it != elem_cache.end() && it->second.first == ns) {
    return it->second.second;
  }
  const Elem elem = ClassifyElement(ns, AsciiLower(local));
  elem_cache[local.data()] = {ns, elem};
  return elem;
}

void FeedBuilder::State::StartCapture(Field field, Mode mode, bool may_hold_markup,
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
void FeedBuilder::State::StartTextConstruct(Field field, Ns ns,
                                            const std::vector<XmlAttribute>& attrs,
                                            std::string_view default_type) {
  std::string_view type_attr, mode_attr, src_attr;
  for (const XmlAttribute& a : attrs) {
    if (!a.ns.empty()) continue;
    if (a.local == "type") type_attr = Trim(a.value);
    else if (a.local == "mode") mode_attr = Trim(a.value);
    else if (a.local == "src") src_attr = Trim(a.value);
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
      if (xml_type) mode = Mode::kMarkup;
      else if (!t.starts_with("text/") && ns == Ns::kAtom10)
        mode = Mode::kBase64;  // RFC 4287 §4.1.3.3 rule 6 (readers apply it to any construct).
    }
    if (ns == Ns::kAtom03) {
      const std::string m = AsciiLower(mode_attr);
      if (m == "base64") mode = Mode::kBase64;
      else if (m == "escaped") mode = Mode::kText;
      else if (type == kTextHtml || type == kXhtml) mode = m.empty() && type == kTextHtml
                                                               ? Mode::kText
                                                               : Mode::kMarkup;
    }
  }
  StartCapture(field, mode, true, type);
  capture->strip_xhtml_div = strip_div;
  if (!src_attr.empty()) capture->construct.src = ResolveUrl(base(), src_attr);
}

void FeedBuilder::State::AddCategory(std::string term, std::string scheme, std::string label) {
  std::vector<Category>* list = nullptr;
  if (in_entry()) list = &entry->categories;
  else if (FeedHead* h = head(); h != nullptr) list = &h->categories;
  if (list == nullptr || list->size() >= kMaxListItems) return;
  if (term.empty() && label.empty()) return;
  list->push_back(Category{std::move(term), std::move(scheme), std::move(label)});
}

void FeedBuilder::State::AddLink(const std::vector<XmlAttribute>& attrs) {
  Link link;
  for (const XmlAttribute& a : attrs) {
    if (!a.ns.empty()) continue;
    if (a.local == "href" || a.local == "url") link.href = ResolveUrl(base(), Trim(a.value));
    else if (a.local == "rel") link.rel = AsciiLower(Trim(a.value));
    else if (a.local == "type") link.type = std::string(Trim(a.value));
    else if (a.local == "title") link.title = std::string(a.value);
    else if (a.local == "hreflang") link.hreflang = std::string(Trim(a.value));
    else if (a.local == "length") link.length = ParseInt(a.value);
  }
  if (link.rel.empty()) link.rel = "alternate";
  // RFC 4287 §4.2.7.2: IANA-registered relations may be written as full URIs.
  static constexpr std::string_view kIanaPrefix = "http://www.iana.org/assignments/relation/";
  if (link.rel.starts_with(kIanaPrefix)) link.rel.erase(0, kIanaPrefix.size());
  if (link.href.empty()) return;
  if (link.rel == "enclosure" && in_entry()) {
    if (entry->enclosures.size() < kMaxListItems) {
      entry->enclosures.push_back(Enclosure{.url = link.href,
                                            .type = link.type,
                                            .length = link.length,
                                            .title = link.title});
    }
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

void FeedBuilder::State::AddEnclosure(const std::vector<XmlAttribute>& attrs, bool media) {
  if (!in_entry() || entry->enclosures.size() >= kMaxListItems) return;
  Enclosure e;
  for (const XmlAttribute& a : attrs) {
    if (!a.ns.empty()) continue;
    if (a.local == "url" || a.local == "href") e.url = ResolveUrl(base(), Trim(a.value));
    else if (a.local == "type") e.type = std::string(Trim(a.value));
    else if (a.local == "length" || a.local == "filesize" || a.local == "fileSize")
      e.length = ParseInt(a.value);
    else if (a.local == "duration") e.duration_seconds = ParseInt(a.value);
    else if (a.local == "medium") e.medium = std::string(Trim(a.value));
  }
  if (e.url.empty()) return;
  if (media) {
    // media:content often repeats the RSS enclosure; keep one of each URL.
    for (const Enclosure& existing : entry->enclosures) {
      if (existing.url == e.url) return;
    }
  }
  entry->enclosures.push_back(std::move(e));
}

void FeedBuilder::State::AddPersonText(Field field, std::string_view text) {
  Person person = ParsePersonText(text);
  if (person.empty()) return;
  std::vector<Person>* list = nullptr;
  Person* single = nullptr;
  if (in_entry()) {
    if (field == Field::kAuthor) list = &entry->authors;
    else if (field == Field::kContributor) list = &entry->contributors;
    else if (field == Field::kPublisher) single = &entry->publisher;
  } else if (FeedHead* h = head(); h != nullptr) {
    if (field == Field::kAuthor || field == Field::kManagingEditor) list = &h->authors;
    else if (field == Field::kContributor) list = &h->contributors;
    else if (field == Field::kPublisher && h == &feed) single = &feed.publisher;
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

void FeedBuilder::State::MarkupStart(std::string_view prefix, std::string_view local,
                                     const std::vector<XmlAttribute>& attrs) {
  Capture& c = *capture;
  Frame& frame = frames.back();
  // The wrapper div of Atom xhtml content is not part of the content (RFC 4287 §4.1.3.3 rule 3).
  if (c.strip_xhtml_div && !c.div_stripped && c.frame + 2 == frames.size() && local == "div") {
    c.div_stripped = true;
    return;
  }
  std::string name;
  // XHTML elements are written bare; anything else keeps its prefix.
  if (!prefix.empty() && NamespaceOf({}, prefix) != Ns::kXhtml) {
    name.append(prefix).append(":");
  }
  name.append(local);
  std::string& out = c.text;
  out += '<';
  out += name;
  for (const XmlAttribute& a : attrs) {
    out += ' ';
    if (!a.prefix.empty()) out.append(a.prefix).append(":");
    out += a.local;
    out += "=\"";
    AppendHtmlEscaped(a.value, HtmlEscape::kAttribute, out);
    out += '"';
  }
  if (IsVoidHtmlElement(local)) {
    out += " />";
  } else {
    out += '>';
    frame.wrote_markup_end = true;
    frame.markup_name = std::move(name);
  }
}

void FeedBuilder::State::StartElementSemantics(Elem elem, Ns ns, std::string_view uri,
                                               std::string_view prefix, std::string_view local,
                                               const std::vector<XmlAttribute>& attrs) {
  const Ctx ctx = context();
  auto attr = [&attrs](std::string_view name) -> std::string_view {
    for (const XmlAttribute& a : attrs) {
      if (a.local == name && (a.ns.empty() || name == "resource" || name == "about")) {
        return a.value;
      }
    }
    return {};
  };

  if (!saw_root) {
    saw_root = true;
    root_name = std::string(local);
    switch (elem) {
      case Elem::kRss: {
        const std::string_view v = Trim(attr("version"));
        if (v == "0.91") feed.format = FeedFormat::kRss091;
        else if (v == "0.92") feed.format = FeedFormat::kRss092;
        else if (v == "0.93") feed.format = FeedFormat::kRss093;
        else if (v == "0.94") feed.format = FeedFormat::kRss094;
        else feed.format = FeedFormat::kRss20;
        in_feed_root = true;
        return;
      }
      case Elem::kRdfRoot:
        feed.format = FeedFormat::kRss10;
        in_feed_root = true;
        return;
      case Elem::kFeed:
        feed.format = ns == Ns::kAtom03 || Trim(attr("version")) == "0.3" ? FeedFormat::kAtom03
                                                                         : FeedFormat::kAtom10;
        in_feed_root = true;
        PushContext(Ctx::kFeed);
        return;
      case Elem::kChannel:  // Some RSS 0.9x documents have no <rss> wrapper.
        feed.format = FeedFormat::kRss20;
        in_feed_root = true;
        break;
      default:
        return;  // Not a feed; Finish() says so.
    }
  }
  if (!in_feed_root) return;

  switch (elem) {
    case Elem::kChannel:
      if (ctx == Ctx::kDocument) {
        if (feed.format == FeedFormat::kRss10 && IsRss090Namespace(uri)) {
          feed.format = FeedFormat::kRss090;
        }
        PushContext(Ctx::kFeed);
      }
      return;
    case Elem::kItem:
    case Elem::kEntry: {
      if (ctx != Ctx::kDocument && ctx != Ctx::kFeed) break;
      if (feed.entries.size() >= options.max_entries) {
        ++dropped_entries;
        PushContext(Ctx::kSkip);
        return;
      }
      entry = &feed.entries.emplace_back();
      if (std::string_view about = attr("about"); !about.empty()) entry->id = std::string(Trim(about));
      PushContext(Ctx::kEntry);
      return;
    }
    case Elem::kImage:
      if (ctx == Ctx::kFeed || ctx == Ctx::kDocument) {
        PushContext(Ctx::kImage);
        return;
      }
      break;
    case Elem::kTextInput:
      PushContext(Ctx::kTextInput);
      return;
    case Elem::kSource:
      if (ctx == Ctx::kEntry) {
        entry->source.emplace();
        PushContext(Ctx::kSource);
        return;
      }
      break;
    case Elem::kAuthor:
    case Elem::kContributor: {
      const bool author = elem == Elem::kAuthor;
      if (in_entry()) people = author ? &entry->authors : &entry->contributors;
      else if (FeedHead* h = head(); h != nullptr) people = author ? &h->authors : &h->contributors;
      else break;
      if (people->size() >= kMaxListItems) {
        PushContext(Ctx::kSkip);
        return;
      }
      people->emplace_back();
      PushContext(Ctx::kPerson);
      return;
    }
    default:
      break;
  }

  if (ctx == Ctx::kSkip || ctx == Ctx::kTextInput || ctx == Ctx::kDocument) return;
  // Only direct children of a feed, entry, source, person or image mean anything: an <id> or a
  // <title> inside some unknown element must not overwrite the entry's own.
  if (frames.size() < 2 || !frames[frames.size() - 2].pushed_context) return;

  if (ctx == Ctx::kPerson) {
    if (elem == Elem::kName) StartCapture(Field::kPersonName, Mode::kText, false, kTextPlain);
    else if (elem == Elem::kEmail) StartCapture(Field::kPersonEmail, Mode::kText, false, kTextPlain);
    else if (elem == Elem::kUri) StartCapture(Field::kPersonUri, Mode::kText, false, kTextPlain);
    return;
  }
  if (ctx == Ctx::kImage) {
    switch (elem) {
      case Elem::kUrl: StartCapture(Field::kImageUrl, Mode::kText, false, kTextPlain); break;
      case Elem::kTitle: StartCapture(Field::kImageTitle, Mode::kText, false, kTextPlain); break;
      case Elem::kLink: StartCapture(Field::kImageLink, Mode::kText, false, kTextPlain); break;
      case Elem::kWidth: StartCapture(Field::kImageWidth, Mode::kText, false, kTextPlain); break;
      case Elem::kHeight: StartCapture(Field::kImageHeight, Mode::kText, false, kTextPlain); break;
      case Elem::kDescription:
        StartCapture(Field::kImageDescription, Mode::kText, false, kTextPlain);
        break;
      default: break;
    }
    return;
  }

  const bool entry_level = in_entry();
  auto plain = [this](Field f) { StartCapture(f, Mode::kText, false, kTextPlain); };
  switch (elem) {
    case Elem::kTitle:
      StartTextConstruct(Field::kTitle, ns, attrs, kTextPlain);
      return;
    case Elem::kDescription:
      StartTextConstruct(entry_level ? Field::kSummary : Field::kSubtitle, ns, attrs, kTextHtml);
      return;
    case Elem::kSubtitle:
      StartTextConstruct(Field::kSubtitle, ns, attrs, kTextPlain);
      return;
    case Elem::kSummary:
      StartTextConstruct(Field::kSummary, ns, attrs, kTextPlain);
      return;
    case Elem::kContent:
      StartTextConstruct(Field::kContent, ns, attrs, kTextPlain);
      return;
    case Elem::kContentEncoded:
      StartTextConstruct(Field::kContent, Ns::kNone, attrs, kTextHtml);
      return;
    case Elem::kXhtmlBody:
      if (!entry_level) return;
      StartCapture(Field::kContent, Mode::kMarkup, true, kXhtml);
      capture->strip_xhtml_div = false;
      return;
    case Elem::kRights:
      StartTextConstruct(Field::kRights, ns, attrs, kTextPlain);
      return;
    case Elem::kInfo:
      if (head() == &feed) StartTextConstruct(Field::kInfo, ns, attrs, kTextPlain);
      return;
    case Elem::kId: plain(Field::kId); return;
    case Elem::kGuid:
      plain(Field::kGuid);
      capture->attr1 = AsciiLower(Trim(attr("isPermaLink")));
      return;
    case Elem::kLink: plain(Field::kLink); return;
    case Elem::kAtomLink: {
      bool has_href = false;
      for (const XmlAttribute& a : attrs) has_href = has_href || (a.ns.empty() && a.local == "href");
      if (has_href) {
        AddLink(attrs);
        return;
      }
      // <link rel="alternate">http://...</link>: some feeds put the URL in the text.
      plain(Field::kAtomLinkText);
      auto& saved = pending_link_attrs.emplace();
      for (const XmlAttribute& a : attrs) {
        if (a.ns.empty()) saved.emplace_back(std::string(a.local), std::string(a.value));
      }
      return;
    }
    case Elem::kPubDate: plain(Field::kPubDate); return;
    case Elem::kLastBuildDate: plain(Field::kLastBuildDate); return;
    case Elem::kUpdated: plain(Field::kUpdated); return;
    case Elem::kPublished: plain(Field::kPublished); return;
    case Elem::kCreated: plain(Field::kCreated); return;
    case Elem::kExpired: plain(Field::kExpired); return;
    case Elem::kRssAuthor: plain(Field::kAuthor); return;
    case Elem::kManagingEditor: plain(Field::kManagingEditor); return;
    case Elem::kDcContributor: plain(Field::kContributor); return;
    case Elem::kPublisher: plain(Field::kPublisher); return;
    case Elem::kCategory:
      if (ns == Ns::kAtom10 || ns == Ns::kAtom03) {
        AddCategory(std::string(Trim(attr("term"))), std::string(Trim(attr("scheme"))),
                    std::string(Trim(attr("label"))));
        return;
      }
      plain(Field::kCategory);
      capture->attr1 = std::string(Trim(attr("domain")));
      return;
    case Elem::kDcSubject: plain(Field::kCategory); return;
    case Elem::kITunesCategory: {
      const std::string_view text = Trim(attr("text"));
      ITunes& it = entry_level ? entry->itunes : feed.itunes;
      if (!text.empty() && it.categories.size() < 16) it.categories.emplace_back(text);
      return;
    }
    case Elem::kEnclosure: AddEnclosure(attrs, false); return;
    case Elem::kMediaContent: AddEnclosure(attrs, true); return;
    case Elem::kMediaThumbnail: {
      if (!entry_level || entry->thumbnails.size() >= 16) return;
      Image image;
      image.url = ResolveUrl(base(), Trim(attr("url")));
      if (auto w = ParseInt(attr("width"))) image.width = static_cast<int>(*w);
      if (auto h = ParseInt(attr("height"))) image.height = static_cast<int>(*h);
      if (!image.url.empty()) entry->thumbnails.push_back(std::move(image));
      return;
    }
    case Elem::kComments: plain(Field::kComments); return;
    case Elem::kLanguage: plain(Field::kLanguage); return;
    case Elem::kGenerator:
      plain(Field::kGenerator);
      capture->attr1 = std::string(Trim(attr("uri")));
      if (capture->attr1.empty()) capture->attr1 = std::string(Trim(attr("url")));
      capture->attr2 = std::string(Trim(attr("version")));
      return;
    case Elem::kGeneratorAgent:
      if (FeedHead* h = head(); h != nullptr) h->generator.uri = std::string(Trim(attr("resource")));
      return;
    case Elem::kIcon: plain(Field::kIcon); return;
    case Elem::kLogo: plain(Field::kLogo); return;
    case Elem::kTtl: plain(Field::kTtl); return;
    case Elem::kDocs: plain(Field::kDocs); return;
    case Elem::kLicense: {
      if (std::string_view r = attr("resource"); !r.empty()) {
        if (entry_level) entry->license = ResolveUrl(base(), Trim(r));
        return;
      }
      plain(Field::kLicense);
      return;
    }
    case Elem::kRssSource:
      if (!entry_level) return;
      plain(Field::kRssSource);
      capture->attr1 = ResolveUrl(base(), Trim(attr("url")));
      return;
    case Elem::kITunesSubtitle: plain(Field::kITunesSubtitle); return;
    case Elem::kITunesSummary: plain(Field::kITunesSummary); return;
    case Elem::kITunesExplicit: plain(Field::kITunesExplicit); return;
    case Elem::kITunesKeywords: plain(Field::kITunesKeywords); return;
    case Elem::kITunesDuration: plain(Field::kITunesDuration); return;
    case Elem::kITunesBlock: plain(Field::kITunesBlock); return;
    case Elem::kITunesImage: {
      std::string_view href = attr("href");
      if (href.empty()) href = attr("url");
      (entry_level ? entry->itunes : feed.itunes).image = ResolveUrl(base(), Trim(href));
      return;
    }
    case Elem::kMediaGroup:
      PushContext(ctx);  // Its children belong to the entry.
      return;
    case Elem::kIgnored:
      return;
    default:
      break;
  }
  // Anything else directly under a feed or an entry is kept as a simple extension.
  if (ns != Ns::kXml && ns != Ns::kRdf) {
    std::vector<Extension>& list = entry_level ? entry->extensions : feed.extensions;
    if (list.size() >= kMaxExtensions || ctx == Ctx::kSource) return;
    plain(Field::kExtension);
    capture->ext_ns = std::string(uri);
    capture->ext_name = std::string(local);
    capture->ext_prefix = std::string(prefix);
    for (const XmlAttribute& a : attrs) {
      if (a.local == "resource" || a.local == "url" || a.local == "href") {
        capture->attr1 = std::string(a.value);
        break;
      }
    }
  }
}

void FeedBuilder::State::ApplyText(Field field, Text&& text) {
  FeedHead* h = head();
  const bool entry_level = in_entry();
  const std::string& v = text.value;
  auto date = [&v]() {
    Date d;
    d.raw = v;
    d.utc = ParseDate(v);
    return d;
  };
  // The last of repeated date elements wins, as in feed readers.
  auto set_date = [&](Date& slot) {
    if (!v.empty()) slot = date();
  };
  switch (field) {
    case Field::kTitle:
      if (entry_level) {
        if (entry->title.empty()) entry->title = std::move(text);
      } else if (h != nullptr && h->title.empty()) {
        h->title = std::move(text);
      }
      return;
    case Field::kSubtitle:
      if (h != nullptr && h->subtitle.empty()) h->subtitle = std::move(text);
      return;
    case Field::kSummary:
      if (entry_level) {
        if (entry->summary.empty()) entry->summary = std::move(text);
      } else if (h != nullptr && h->subtitle.empty()) {
        h->subtitle = std::move(text);
      }
      return;
    case Field::kContent:
      if (entry_level && entry->contents.size() < 8 && !text.empty()) {
        entry->contents.push_back(std::move(text));
      }
      return;
    case Field::kRights:
      if (entry_level) {
        if (entry->rights.empty()) entry->rights = std::move(text);
      } else if (h != nullptr && h->rights.empty()) {
        h->rights = std::move(text);
      }
      return;
    case Field::kId: {
      // Atom ids are absolute IRIs; one written as an absolute path ("/2004/post") is read
      // against xml:base as readers do. Other scheme-less ids ("post-41", an RSS guid carried
      // over) stay as they are, so an entry keeps its identity through our own Atom output.
      std::string id = v.starts_with('/') && !v.starts_with("//") ? ResolveUrl(text.base, v) : v;
      if (entry_level) entry->id = std::move(id);
      else if (h != nullptr) h->id = std::move(id);
      return;
    }
    case Field::kGuid:
      if (!entry_level || v.empty()) return;
      entry->id = v;
      // RSS 2.0: isPermaLink defaults to true; we only trust it when the guid is a web URL.
      entry->id_is_permalink = text.src != "false" && UrlScheme(v).starts_with("http");
      if (entry->id_is_permalink) entry->id = ResolveUrl(text.base, v);
      return;
    case Field::kLink: {
      if (v.empty()) return;
      Link link{.href = ResolveUrl(text.base, v), .rel = "alternate", .type = "text/html"};
      std::vector<Link>* links = entry_level ? &entry->links : (h ? &h->links : nullptr);
      if (links == nullptr) return;
      for (const Link& l : *links) {
        if (l.rel == "alternate" && l.type == "text/html") return;  // First <link> wins.
      }
      if (links->size() < kMaxListItems) links->push_back(std::move(link));
      return;
    }
    case Field::kPubDate:
    case Field::kPublished:
      if (entry_level) set_date(entry->published);
      else if (h != nullptr) set_date(h->published);
      return;
    case Field::kLastBuildDate:
    case Field::kUpdated:
      if (entry_level) set_date(entry->updated);
      else if (h != nullptr) set_date(h->updated);
      return;
    case Field::kCreated:
      if (entry_level) set_date(entry->created);
      return;
    case Field::kExpired:
      if (entry_level) set_date(entry->expired);
      return;
    case Field::kAuthor:
    case Field::kManagingEditor:
    case Field::kContributor:
    case Field::kPublisher:
      AddPersonText(field, v);
      return;
    case Field::kCategory:
      AddCategory(v, text.src, {});
      return;
    case Field::kComments:
      if (entry_level && !v.empty()) entry->comments = ResolveUrl(text.base, v);
      return;
    case Field::kLanguage:
      if (entry_level) entry->language = v;
      else if (h != nullptr && h->language.empty()) h->language = v;
      return;
    case Field::kGenerator:
      if (h != nullptr) {
        h->generator.name = v;
        if (!text.src.empty()) h->generator.uri = ResolveUrl(text.base, text.src);
        h->generator.version = std::move(text.language);
      }
      return;
    case Field::kIcon:
      if (h != nullptr && !v.empty()) h->icon = ResolveUrl(text.base, v);
      return;
    case Field::kLogo:
      if (h != nullptr && !v.empty()) h->logo = ResolveUrl(text.base, v);
      return;
    case Field::kTtl:
      if (!entry_level) {
        if (auto n = ParseInt(v); n && *n >= 0 && *n < 1'000'000) {
          feed.ttl_minutes = static_cast<int>(*n);
        }
      }
      return;
    case Field::kInfo:
      if (feed.info.empty()) feed.info = std::move(text);
      return;
    case Field::kDocs:
      if (!entry_level && !v.empty()) feed.docs = ResolveUrl(text.base, v);
      return;
    case Field::kLicense:
      if (entry_level && !v.empty()) entry->license = ResolveUrl(text.base, v);
      return;
    case Field::kRssSource:
      if (entry_level) {
        FeedHead& src = entry->source.emplace();
        src.title.value = v;
        if (!text.src.empty()) src.links.push_back(Link{.href = text.src, .rel = "self"});
      }
      return;
    default:
      return;
  }
}

void FeedBuilder::State::FinishCapture() {
  Capture c = std::move(*capture);
  capture.reset();
  std::string value;
  if (c.mode == Mode::kBase64) {
    if (auto decoded = DecodeBase64(c.text)) value = std::move(*decoded);
    else value = std::string(Trim(c.text));
  } else {
    value = std::string(Trim(c.text));
  }
  ReplaceC1Controls(value);
  const bool entry_level = in_entry();
  ITunes* itunes = entry_level ? &entry->itunes : (head() == &feed ? &feed.itunes : nullptr);
  switch (c.field) {
    case Field::kPersonName:
    case Field::kPersonEmail:
    case Field::kPersonUri:
      if (people != nullptr && !people->empty()) {
        Person& p = people->back();
        if (c.field == Field::kPersonName) p.name = std::move(value);
        else if (c.field == Field::kPersonEmail) p.email = std::move(value);
        else p.uri = ResolveUrl(c.construct.base, value);
      }
      return;
    case Field::kImageUrl: feed.image.url = ResolveUrl(c.construct.base, value); return;
    case Field::kImageTitle: feed.image.title = std::move(value); return;
    case Field::kImageLink: feed.image.link = ResolveUrl(c.construct.base, value); return;
    case Field::kImageDescription: feed.image.description = std::move(value); return;
    case Field::kImageWidth:
      if (auto n = ParseInt(value)) feed.image.width = static_cast<int>(*n);
      return;
    case Field::kImageHeight:
      if (auto n = ParseInt(value)) feed.image.height = static_cast<int>(*n);
      return;
    case Field::kITunesSubtitle: if (itunes) itunes->subtitle = std::move(value); return;
    case Field::kITunesSummary: if (itunes) itunes->summary = std::move(value); return;
    case Field::kITunesExplicit: if (itunes) itunes->explicit_ = std::move(value); return;
    case Field::kITunesKeywords: if (itunes) itunes->keywords = std::move(value); return;
    case Field::kITunesBlock:
      if (itunes) itunes->block = IEquals(value, "yes") || IEquals(value, "true");
      return;
    case Field::kITunesDuration:
      if (itunes == nullptr) return;
      if (entry_level) {
        const auto seconds = ParseDuration(value);
        for (Enclosure& e : entry->enclosures) {
          if (!e.duration_seconds) e.duration_seconds = seconds;
        }
      }
      itunes->duration = std::move(value);
      return;
    case Field::kAtomLinkText: {
      if (!pending_link_attrs) return;
      auto saved = std::move(*pending_link_attrs);
      pending_link_attrs.reset();
      saved.emplace_back("href", std::move(value));
      std::vector<XmlAttribute> attrs;
      for (const auto& [name, v] : saved) attrs.push_back(XmlAttribute{.local = name, .value = v});
      AddLink(attrs);
      return;
    }
    case Field::kExtension: {
      std::vector<Extension>& list = entry_level ? entry->extensions : feed.extensions;
      if (value.empty()) value = std::move(c.attr1);
      // Well-formed Web comment links are URLs: resolve them like every other link.
      if (c.ext_ns == "http://wellformedweb.org/CommentAPI/" && !value.empty()) {
        value = ResolveUrl(c.construct.base, value);
      }
      if (list.size() < kMaxExtensions) {
        list.push_back(Extension{std::move(c.ext_ns), std::move(c.ext_name), std::move(value),
                                 std::move(c.ext_prefix)});
      }
      return;
    }
    default:
      break;
  }
  Text text = std::move(c.construct);
  text.value = std::move(value);
  // Fields that need an attribute at the end carry it in src/language (see ApplyText).
  if (c.field == Field::kGuid || c.field == Field::kCategory || c.field == Field::kRssSource ||
      c.field == Field::kGenerator) {
    text.src = std::move(c.attr1);
    if (c.field == Field::kGenerator) text.language = std::move(c.attr2);
  }
  ApplyText(c.field, std::move(text));
}

FeedBuilder::FeedBuilder(const ParseOptions& options, Feed& feed)
    : s_(std::make_unique<State>(options, feed)) {}

FeedBuilder::~FeedBuilder() = default;

void FeedBuilder::StartElement(std::string_view uri, std::string_view prefix,
                               std::string_view local,
                               const std::vector<XmlAttribute>& attributes) {
  State& s = *s_;
  Frame frame;
  frame.base = s.frames.empty() ? 0 : s.frames.back().base;
  frame.lang = s.frames.empty() ? 0 : s.frames.back().lang;
  for (const XmlAttribute& a : attributes) {
    if (a.prefix != "xml") continue;
    if (a.local == "base") {
      s.bases.push_back(ResolveUrl(s.bases[frame.base], Trim(a.value)));
      frame.base = static_cast<uint32_t>(s.bases.size() - 1);
    } else if (a.local == "lang") {
      s.langs.emplace_back(Trim(a.value));
      frame.lang = static_cast<uint32_t>(s.langs.size() - 1);
    }
  }
  if (!s.saw_root && uri.empty() && prefix.empty() && AsciiLower(local) == "feed") {
    s.atom_without_namespace = true;  // <feed> with no xmlns at all: Atom all the same.
  }
  Ns ns = s.NamespaceOf(uri, prefix);
  if (ns == Ns::kNone && s.atom_without_namespace && uri.empty() && prefix.empty()) {
    ns = Ns::kAtom10;
  }
  if (!s.saw_root && ns == Ns::kOther && !uri.empty()) {
    const std::string root = AsciiLower(local);
    if (root == "feed" || root == "rss" || root == "channel") {
      s.aliased_uri = std::string(uri);
      s.aliased_ns = root == "feed" ? Ns::kAtom10 : Ns::kNone;
      s.ns_cache.clear();
      ns = s.NamespaceOf(uri, prefix);
    }
  }
  frame.elem = s.ElementOf(ns, local);
  s.frames.push_back(std::move(frame));

  if (s.capture) {
    Capture& c = *s.capture;
    if (c.mode == Mode::kText && c.may_hold_markup) {
      // Inline markup in a text construct (RSS <description><p>..</p>): it is HTML after all.
      std::string escaped;
      AppendHtmlEscaped(c.text, HtmlEscape::kText, escaped);
      c.text = std::move(escaped);
      c.mode = Mode::kMarkup;
      if (c.construct.type == kTextPlain) c.construct.type = std::string(kTextHtml);
    }
    if (c.mode == Mode::kMarkup) s.MarkupStart(prefix, local, attributes);
    return;
  }
  s.StartElementSemantics(s.frames.back().elem, ns, uri, prefix, local, attributes);
}

void FeedBuilder::EndElement() {
  State& s = *s_;
  if (s.frames.empty()) return;
  if (s.capture) {
    if (s.capture->frame == s.frames.size() - 1) {
      s.FinishCapture();
    } else if (s.frames.back().wrote_markup_end) {
      s.capture->text.append("</").append(s.frames.back().markup_name).append(">");
    }
  }
  const Frame& frame = s.frames.back();
  if (frame.pushed_context) {
    const Ctx ctx = s.contexts.back();
    s.contexts.pop_back();
    if (ctx == Ctx::kEntry) s.entry = nullptr;
    if (ctx == Ctx::kPerson) {
      if (s.people != nullptr && !s.people->empty() && s.people->back().empty()) {
        s.people->pop_back();
      }
      s.people = nullptr;
    }
  }
  s.frames.pop_back();
}

void FeedBuilder::Characters(std::string_view utf8) {
  State& s = *s_;
  if (!s.capture) return;
  Capture& c = *s.capture;
  if (c.mode == Mode::kMarkup) AppendHtmlEscaped(utf8, HtmlEscape::kText, c.text);
  else c.text.append(utf8);
}

Status FeedBuilder::Finish() {
  State& s = *s_;
  Feed& feed = s.feed;
  if (!s.saw_root) return Status::InvalidArgument("feeds: no XML element found: not a feed");
  if (!s.in_feed_root) {
    const std::string root = AsciiLower(s.root_name);
    if (root == "html" || root == "head" || root == "body") {
      return Status::InvalidArgument("feeds: this is an HTML page, not a feed");
    }
    return Status::InvalidArgument("feeds: root element <" + s.root_name +
                                   "> is not RSS, RDF or Atom");
  }
  if (s.dropped_entries > 0) {
    s.AddProblem("entries over the limit of " + std::to_string(s.options.max_entries) +
                 " dropped: " + std::to_string(s.dropped_entries));
  }
  if (const Link* alt = feed.AlternateLink(); alt != nullptr) feed.home_page_url = alt->href;
  if (feed.feed_url.empty()) feed.feed_url = s.options.base_url;
  return Status::Ok();
}

}  // namespace feedbridge::feeds::internal
