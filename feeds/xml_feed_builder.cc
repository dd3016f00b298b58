#include "feeds/xml_feed_builder.h"

#include <string>
#include <utility>
#include <vector>

#include "feeds/text_util.h"
#include "feeds/url.h"
#include "feeds/xml_builder_state.h"
#include "feeds/xml_vocabulary.h"

namespace feedbridge::feeds::internal {
namespace {

// The vocabularies asked, in order, to handle an element under a feed, an entry or a source,
// and a finished capture (see Vocabulary in xml_builder_state.h). Each element and each field
// belongs to one of them.
const Vocabulary* const kVocabularies[] = {&kAtomVocabulary, &kRssVocabulary,
                                           &kExtensionsVocabulary, &kPodcastVocabulary};

bool IsVoidHtmlElement(std::string_view name) {
  static constexpr std::string_view kVoid[] = {"area",  "base",   "br",    "col",  "embed",
                                               "hr",    "img",    "input", "link", "meta",
                                               "param", "source", "track", "wbr"};
  for (std::string_view v : kVoid) {
    if (EqualsIgnoreAsciiCase(v, name)) return true;
  }
  return false;
}

void MarkupStart(BuilderState& s, std::string_view prefix, std::string_view local,
                 const std::vector<XmlAttribute>& attrs) {
  Capture& c = *s.capture;
  Frame& frame = s.frames.back();
  // The wrapper div of Atom xhtml content is not part of the content (RFC 4287 §4.1.3.3 rule 3).
  if (c.strip_xhtml_div && !c.div_stripped && c.frame + 2 == s.frames.size() && local == "div") {
    c.div_stripped = true;
    return;
  }
  std::string name;
  // XHTML elements are written bare; anything else keeps its prefix.
  if (!prefix.empty() && s.NamespaceOf({}, prefix) != Ns::kXhtml) {
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

// The root element: which format, and whether this is a feed at all. False when the element
// is handled (or the document is not a feed); true when it is a feed-level <channel> without an
// <rss> wrapper, which StartStructure then opens.
bool StartRoot(BuilderState& s, Elem elem, Ns ns, std::string_view local,
               const std::vector<XmlAttribute>& attrs) {
  s.saw_root = true;
  s.root_name = std::string(local);
  s.root_lang = s.lang();
  Feed& feed = s.feed;
  switch (elem) {
    case Elem::kRss: {
      const std::string_view v = Trim(AttrValue(attrs, "version"), kXmlWhitespace);
      if (v == "0.91")
        feed.format = FeedFormat::kRss091;
      else if (v == "0.92")
        feed.format = FeedFormat::kRss092;
      else if (v == "0.93")
        feed.format = FeedFormat::kRss093;
      else if (v == "0.94")
        feed.format = FeedFormat::kRss094;
      else if (v.empty())
        feed.format = FeedFormat::kRssUnversioned;
      else
        feed.format = FeedFormat::kRss20;
      s.in_feed_root = true;
      return false;
    }
    case Elem::kRdfRoot:
      feed.format = FeedFormat::kRss10;
      s.in_feed_root = true;
      return false;
    case Elem::kFeed:
      feed.format = ns == Ns::kAtom03 || Trim(AttrValue(attrs, "version"), kXmlWhitespace) == "0.3"
                        ? FeedFormat::kAtom03
                        : FeedFormat::kAtom10;
      s.in_feed_root = true;
      s.PushContext(Ctx::kFeed);
      return false;
    case Elem::kChannel:  // Some RSS 0.9x documents have no <rss> wrapper.
      feed.format = FeedFormat::kRssUnversioned;
      s.in_feed_root = true;
      return true;
    default:
      return false;  // Not a feed; Finish() says so.
  }
}

// Elements that open a context: channel, item/entry, image, textinput, source, author and
// contributor. True when `elem` was one of them in a place where it opens its context.
bool StartStructure(BuilderState& s, Elem elem, std::string_view uri,
                    const std::vector<XmlAttribute>& attrs) {
  const Ctx ctx = s.context();
  Feed& feed = s.feed;
  switch (elem) {
    case Elem::kChannel:
      if (ctx == Ctx::kDocument) {
        if (feed.format == FeedFormat::kRss10 && IsRss090Namespace(uri)) {
          feed.format = FeedFormat::kRss090;
        }
        s.PushContext(Ctx::kFeed);
      }
      return true;
    case Elem::kItem:
    case Elem::kEntry: {
      if (ctx != Ctx::kDocument && ctx != Ctx::kFeed) return false;
      if (feed.entries.size() >= s.options.max_entries) {
        ++s.dropped_entries;
        s.PushContext(Ctx::kSkip);
        return true;
      }
      s.entry = &feed.entries.emplace_back();
      if (std::string_view about = AttrValue(attrs, "about"); !about.empty()) {
        s.entry->id = std::string(Trim(about, kXmlWhitespace));
      }
      s.PushContext(Ctx::kEntry);
      return true;
    }
    case Elem::kImage:
      if (ctx != Ctx::kFeed && ctx != Ctx::kDocument) return false;
      s.PushContext(Ctx::kImage);
      return true;
    case Elem::kTextInput:
      s.PushContext(Ctx::kTextInput);
      return true;
    case Elem::kSource:
      if (ctx != Ctx::kEntry) return false;
      s.entry->source.emplace();
      s.PushContext(Ctx::kSource);
      return true;
    case Elem::kAuthor:
    case Elem::kContributor: {
      const bool author = elem == Elem::kAuthor;
      if (s.in_entry()) {
        s.people = author ? &s.entry->authors : &s.entry->contributors;
      } else if (FeedHead* h = s.head(); h != nullptr) {
        s.people = author ? &h->authors : &h->contributors;
      } else {
        return false;
      }
      if (s.people->size() >= kMaxListItems) {
        s.PushContext(Ctx::kSkip);
        return true;
      }
      s.people->emplace_back();
      s.PushContext(Ctx::kPerson);
      return true;
    }
    default:
      return false;
  }
}

// What an element outside any capture means.
void StartElementSemantics(BuilderState& s, Elem elem, Ns ns, std::string_view uri,
                           std::string_view prefix, std::string_view local,
                           const std::vector<XmlAttribute>& attrs) {
  if (!s.saw_root && !StartRoot(s, elem, ns, local, attrs)) return;
  if (!s.in_feed_root) return;
  if (StartStructure(s, elem, uri, attrs)) return;

  const Ctx ctx = s.context();
  if (ctx == Ctx::kTextInput && ns == Ns::kNone && s.frames.size() >= 2 &&
      s.frames[s.frames.size() - 2].pushed_context) {
    s.StartPlain(Field::kTextInput);
    s.capture->attr1 = AsciiLower(local);
    return;
  }
  if (ctx == Ctx::kDocument && elem == Elem::kNewLocation) {  // <rss><redirect><newLocation>.
    s.StartPlain(Field::kNewLocation);
    return;
  }
  if (ctx == Ctx::kSkip || ctx == Ctx::kTextInput || ctx == Ctx::kDocument) return;
  // Only direct children of a feed, entry, source, person or image mean anything: an <id> or a
  // <title> inside some unknown element must not overwrite the entry's own.
  if (s.frames.size() < 2 || !s.frames[s.frames.size() - 2].pushed_context) return;
  if (ctx == Ctx::kPerson) {
    StartPersonChild(s, elem);
    return;
  }
  if (ctx == Ctx::kImage) {
    StartImageChild(s, elem);
    return;
  }
  if (elem == Elem::kIgnored) return;
  const StartEvent event{elem, ns, uri, prefix, local, attrs, ctx, s.in_entry()};
  if (elem != Elem::kUnknown) {
    for (const Vocabulary* v : kVocabularies) {
      for (const PlainElement& p : v->plain) {
        if (p.elem == elem) {
          s.StartPlain(p.field);
          return;
        }
      }
      if (v->start(s, event)) return;
    }
  }
  StartGenericExtension(s, event);
}

void FinishCapture(BuilderState& s) {
  Capture c = std::move(*s.capture);
  s.capture.reset();
  std::string value;
  if (c.mode == Mode::kBase64) {
    if (auto decoded = DecodeBase64(c.text))
      value = std::move(*decoded);
    else
      value = std::string(Trim(c.text, kXmlWhitespace));
  } else {
    value = std::string(Trim(c.text, kXmlWhitespace));
  }
  ReplaceC1Controls(value);
  for (const Vocabulary* v : kVocabularies) {
    if (v->finish(s, c, value)) return;
  }
}

}  // namespace

Ns BuilderState::NamespaceOf(std::string_view uri, std::string_view prefix) {
  const char* key = uri.empty() ? prefix.data() : uri.data();
  if (key == nullptr) return Ns::kNone;
  if (auto it = ns_cache.find(key); it != ns_cache.end()) return it->second;
  Ns ns = ClassifyNamespace(uri, prefix);
  if (ns == Ns::kOther && !uri.empty() && uri == aliased_uri) ns = aliased_ns;
  ns_cache.emplace(key, ns);
  return ns;
}

Elem BuilderState::ElementOf(Ns ns, std::string_view local) {
  if (auto it = elem_cache.find(local.data()); it != elem_cache.end() && it->second.first == ns) {
    return it->second.second;
  }
  const Elem elem = ClassifyElement(ns, AsciiLower(local));
  elem_cache[local.data()] = {ns, elem};
  return elem;
}

FeedBuilder::FeedBuilder(const ParseOptions& options, Feed& feed)
    : s_(std::make_unique<BuilderState>(options, feed)) {}

FeedBuilder::~FeedBuilder() = default;

void FeedBuilder::StartElement(std::string_view uri, std::string_view prefix,
                               std::string_view local,
                               const std::vector<XmlAttribute>& attributes) {
  BuilderState& s = *s_;
  Frame frame;
  frame.base = s.frames.empty() ? 0 : s.frames.back().base;
  frame.lang = s.frames.empty() ? 0 : s.frames.back().lang;
  for (const XmlAttribute& a : attributes) {
    if (a.prefix != "xml") continue;
    if (a.local == "base") {
      s.bases.push_back(ResolveUrl(s.bases[frame.base], Trim(a.value, kXmlWhitespace)));
      frame.base = static_cast<uint32_t>(s.bases.size() - 1);
    } else if (a.local == "lang") {
      s.langs.emplace_back(Trim(a.value, kXmlWhitespace));
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
    if (c.mode == Mode::kMarkup) MarkupStart(s, prefix, local, attributes);
    return;
  }
  StartElementSemantics(s, s.frames.back().elem, ns, uri, prefix, local, attributes);
}

void FeedBuilder::EndElement() {
  BuilderState& s = *s_;
  if (s.frames.empty()) return;
  if (s.capture) {
    if (s.capture->frame == s.frames.size() - 1) {
      FinishCapture(s);
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
  BuilderState& s = *s_;
  if (!s.capture) return;
  Capture& c = *s.capture;
  if (c.mode == Mode::kMarkup)
    AppendHtmlEscaped(utf8, HtmlEscape::kText, c.text);
  else
    c.text.append(utf8);
}

Status FeedBuilder::Finish() {
  BuilderState& s = *s_;
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
  FinishPodcastFallbacks(s);
  if (feed.language.empty()) feed.language = s.root_lang;  // <rss xml:lang="..."> and the like.
  if (feed.authors.empty() && !feed.publisher.empty()) {
    feed.authors.push_back(feed.publisher);  // RSS webMaster (or itunes:owner) when no author.
  }
  if (const Link* alt = feed.AlternateLink(); alt != nullptr) feed.home_page_url = alt->href;
  if (feed.feed_url.empty()) feed.feed_url = s.options.base_url;
  return Status::Ok();
}

}  // namespace feedbridge::feeds::internal
