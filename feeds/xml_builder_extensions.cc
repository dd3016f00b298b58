// Extension vocabularies of RSS and Atom feeds that map onto the model: Dublin Core (the
// elements not shared with RSS), content:encoded, xhtml:body, Creative Commons licenses,
// admin:generatorAgent; and every other element directly under a feed or an entry, kept as a
// simple Extension.

#include <string>
#include <utility>
#include <vector>

#include "feeds/text_util.h"
#include "feeds/url.h"
#include "feeds/xml_builder_state.h"

namespace feedbridge::feeds::internal {
namespace {

// Extension elements kept per feed or entry (a feed of 10,000 unknown elements stays small).
constexpr size_t kMaxExtensions = 32;

constexpr PlainElement kPlain[] = {
    {Elem::kDcContributor, Field::kContributor},
    {Elem::kDcSubject, Field::kCategory},
};

bool Start(BuilderState& s, const StartEvent& e) {
  switch (e.elem) {
    case Elem::kContentEncoded:
      s.StartTextConstruct(Field::kContent, Ns::kNone, e.attrs, kTextHtml);
      return true;
    case Elem::kXhtmlBody:
      if (!e.entry_level) return true;
      s.StartCapture(Field::kContent, Mode::kMarkup, true, kXhtml);
      s.capture->strip_xhtml_div = false;
      return true;
    case Elem::kLicense:
      if (std::string_view r = AttrValue(e.attrs, "resource"); !r.empty()) {
        if (e.entry_level) s.entry->license = ResolveUrl(s.base(), Trim(r, kXmlWhitespace));
        return true;
      }
      s.StartPlain(Field::kLicense);
      return true;
    case Elem::kGeneratorAgent:
      if (FeedHead* h = s.head(); h != nullptr) {
        h->generator.uri = std::string(Trim(AttrValue(e.attrs, "resource"), kXmlWhitespace));
      }
      return true;
    default:
      return false;
  }
}

std::vector<Extension>& Extensions(BuilderState& s) {
  return s.in_entry() ? s.entry->extensions : s.feed.extensions;
}

bool Finish(BuilderState& s, Capture& c, std::string& value) {
  switch (c.field) {
    case Field::kLicense:
      if (s.in_entry() && !value.empty()) s.entry->license = ResolveUrl(c.construct.base, value);
      return true;
    case Field::kExtension: {
      std::vector<Extension>& list = Extensions(s);
      if (value.empty()) value = std::move(c.attr1);
      // Well-formed Web comment links are URLs: resolve them like every other link.
      if (c.ext_ns == "http://wellformedweb.org/CommentAPI/" && !value.empty()) {
        value = ResolveUrl(c.construct.base, value);
      }
      if (list.size() < kMaxExtensions) {
        list.push_back(Extension{std::move(c.ext_ns), std::move(c.ext_name), std::move(value),
                                 std::move(c.ext_prefix)});
      }
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

const Vocabulary kExtensionsVocabulary = {kPlain, Start, Finish};

void StartGenericExtension(BuilderState& s, const StartEvent& e) {
  if (e.ns == Ns::kXml || e.ns == Ns::kRdf) return;
  if (Extensions(s).size() >= kMaxExtensions || e.ctx == Ctx::kSource) return;
  s.StartPlain(Field::kExtension);
  s.capture->ext_ns = std::string(e.uri);
  s.capture->ext_name = std::string(e.local);
  s.capture->ext_prefix = std::string(e.prefix);
  for (const XmlAttribute& a : e.attrs) {
    if (a.local == "resource" || a.local == "url" || a.local == "href") {
      s.capture->attr1 = std::string(a.value);
      break;
    }
  }
}

}  // namespace feedbridge::feeds::internal
