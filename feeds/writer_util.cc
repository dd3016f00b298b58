#include "feeds/writer_util.h"

#include <algorithm>
#include <charconv>

#include "common/utf8.h"
#include "feeds/text_util.h"

namespace feedbridge::feeds::writer_internal {
namespace {

// XML 1.0 §2.2 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
// Surrogates cannot reach here (DecodeUtf8 replaces them).
bool IsXmlChar(char32_t cp) {
  if (cp < 0x20) return cp == 0x9 || cp == 0xA || cp == 0xD;
  return cp != 0xFFFE && cp != 0xFFFF;
}

// The code point at text[*pos], advancing *pos past it (its maximal subpart when ill-formed).
char32_t DecodeUtf8At(std::string_view text, size_t* pos) {
  const Utf8Char c = DecodeUtf8(text, *pos);
  *pos += c.length;
  return c.cp;
}

}  // namespace

const std::string kAtomNs = "http://www.w3.org/2005/Atom";
const std::string kXmlNs = "http://www.w3.org/XML/1998/namespace";
const std::string kNoNs;
const std::string kMediaNs = "http://search.yahoo.com/mrss/";

std::string CleanXmlText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x80) {  // Fast path: printable ASCII.
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    const size_t start = i;
    const char32_t cp = DecodeUtf8At(text, &i);
    if (!IsXmlChar(cp)) continue;
    if (cp == kReplacementChar && text.substr(start, i - start) != "\xEF\xBF\xBD") {
      AppendUtf8(kReplacementChar, out);
    } else {
      out.append(text.data() + start, i - start);
    }
  }
  return out;
}

void AppendJsonEscaped(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t start = i;
      const char32_t cp = DecodeUtf8At(text, &i);
      if (cp == 0x2028) {
        out += "\\u2028";
      } else if (cp == 0x2029) {
        out += "\\u2029";
      } else if (cp == kReplacementChar && text.substr(start, i - start) != "\xEF\xBF\xBD") {
        AppendUtf8(kReplacementChar, out);
      } else {
        out.append(text.data() + start, i - start);
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
}

OptionalTime Later(OptionalTime a, OptionalTime b) {
  if (!a) return b;
  if (!b) return a;
  return std::max(*a, *b);
}

OptionalTime EntryUpdated(const Entry& entry) {
  if (entry.updated.utc) return entry.updated.utc;
  if (entry.published.utc) return entry.published.utc;
  return entry.created.utc;
}

OptionalTime FeedUpdated(const Feed& feed) {
  OptionalTime newest = Later(feed.updated.utc, feed.published.utc);
  for (const Entry& entry : feed.entries) {
    newest = Later(newest, Later(EntryUpdated(entry), entry.published.utc));
  }
  return newest;
}

std::string SelfUrl(const Feed& feed, const WriteOptions& options) {
  if (!options.self_url.empty()) return options.self_url;
  if (!feed.feed_url.empty()) return feed.feed_url;
  if (const Link* self = feed.FindLink("self"); self != nullptr) return self->href;
  return {};
}

std::string HomePageUrl(const Feed& feed) {
  if (!feed.home_page_url.empty()) return feed.home_page_url;
  if (const Link* alternate = feed.AlternateLink(); alternate != nullptr) return alternate->href;
  return {};
}

bool IsDocumentRel(std::string_view rel) {
  return rel == "self" || rel == "next" || rel == "previous" || rel == "prev" || rel == "first" ||
         rel == "last" || rel == "hub";
}

std::vector<std::string> Hubs(const Feed& feed) {
  std::vector<std::string> hubs;
  const auto add = [&hubs](const std::string& url) {
    if (!url.empty() && std::find(hubs.begin(), hubs.end(), url) == hubs.end()) {
      hubs.push_back(url);
    }
  };
  for (const std::string& hub : feed.hubs) add(hub);
  for (const Link& link : feed.links) {
    if (link.rel == "hub") add(link.href);
  }
  return hubs;
}

const Text* HtmlContent(const Entry& entry) {
  for (const Text& content : entry.contents) {
    if (content.is_html() && !content.value.empty()) return &content;
  }
  return nullptr;
}

const Text* PlainContent(const Entry& entry) {
  for (const Text& content : entry.contents) {
    if (!content.is_html() && !content.value.empty()) return &content;
  }
  return nullptr;
}

std::string PersonName(const Person& person) {
  if (!person.name.empty()) return person.name;
  if (!person.email.empty()) return person.email;
  return "unknown";
}

std::string IntToString(int64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;
  return std::string(buf, end);
}

StringSink::int_type StringSink::overflow(int_type c) {
  if (!traits_type::eq_int_type(c, traits_type::eof())) {
    out_.push_back(traits_type::to_char_type(c));
  }
  return traits_type::not_eof(c);
}

std::streamsize StringSink::xsputn(const char* s, std::streamsize n) {
  if (n == 1) {
    out_.push_back(*s);  // The converter's usual case.
  } else {
    out_.append(s, static_cast<size_t>(n));
  }
  return n;
}

XmlAttrs& XmlAttrs::Add(const std::string& name, std::string_view value) {
  if (!value.empty()) attrs_.addAttribute(kNoNs, name, name, "CDATA", CleanXmlText(value));
  return *this;
}

XmlAttrs& XmlAttrs::AddXml(const std::string& local_name, std::string_view value) {
  if (!value.empty()) {
    attrs_.addAttribute(kXmlNs, local_name, "xml:" + local_name, "CDATA", CleanXmlText(value));
  }
  return *this;
}

XmlOut::XmlOut(std::ostream& out, bool pretty)
    : writer_(out, Poco::XML::XMLWriter::WRITE_XML_DECLARATION |
                       (pretty ? Poco::XML::XMLWriter::PRETTY_PRINT : 0)) {
  writer_.setNewLine(Poco::XML::XMLWriter::NEWLINE_LF);
  writer_.setIndent("  ");
  writer_.startDocument();
}

void XmlOut::Namespace(const std::string& prefix, const std::string& uri) {
  writer_.startPrefixMapping(prefix, uri);
}

void XmlOut::Start(const std::string& ns, const std::string& name, const XmlAttrs& attrs) {
  writer_.startElement(ns, name, kNoNs, attrs.attrs());
}

void XmlOut::End(const std::string& ns, const std::string& name) {
  writer_.endElement(ns, name, kNoNs);
}

void XmlOut::Element(const std::string& ns, const std::string& name, std::string_view text,
                     const XmlAttrs& attrs) {
  Start(ns, name, attrs);
  const std::string clean = CleanXmlText(text);
  if (!clean.empty()) writer_.characters(clean);
  End(ns, name);
}

void XmlOut::Optional(const std::string& ns, const std::string& name, std::string_view text) {
  if (!text.empty()) Element(ns, name, text);
}

void XmlOut::Empty(const std::string& ns, const std::string& name, const XmlAttrs& attrs) {
  writer_.emptyElement(ns, name, kNoNs, attrs.attrs());
}

void XmlOut::Finish() { writer_.endDocument(); }

void WriteMediaThumbnails(XmlOut& out, const std::vector<Image>& images) {
  for (const Image& image : images) {
    if (image.url.empty()) continue;
    XmlAttrs attrs;
    attrs.Add("url", image.url);
    if (image.width) attrs.Add("width", IntToString(*image.width));
    if (image.height) attrs.Add("height", IntToString(*image.height));
    out.Empty(kMediaNs, "thumbnail", attrs);
  }
}

}  // namespace feedbridge::feeds::writer_internal
