#include "feeds/encoding.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>

#include "common/ascii.h"
#include "feeds/encoding_convert.h"

namespace feedbridge::feeds {
namespace {

using encoding_internal::CountUtf8;
using encoding_internal::DecodeUtf16;
using encoding_internal::DecodeUtf32;
using encoding_internal::DecodeWindows1252;
using encoding_internal::Iconv;
using encoding_internal::IsAllAscii;
using encoding_internal::kUtf8BomBytes;
using encoding_internal::Utf8Stats;

// ---------------------------------------------------------------------------------------------
// Small ASCII helpers (locale-independent on purpose: feeds are not in the server's locale).

bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string_view Unquote(std::string_view s) {
  s = Trim(s, kHtmlWhitespace);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    s = Trim(s.substr(1, s.size() - 2), kHtmlWhitespace);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Encoding labels.

enum class Kind {
  kUtf8,
  kAscii,        // us-ascii labels: pure ASCII, else fall back (see DecodeXmlDocument).
  kWindows1252,  // windows-1252 and the iso-8859-1 labels browsers decode as windows-1252.
  kUtf16,        // Endianness from the BOM or the sniffed bytes.
  kUtf16Be,
  kUtf16Le,
  kUtf32,
  kUtf32Be,
  kUtf32Le,
  kIconv,  // An ASCII-compatible encoding glibc iconv converts.
};

bool IsWide(Kind k) { return k >= Kind::kUtf16 && k <= Kind::kUtf32Le; }

struct Charset {
  Kind kind;
  std::string iconv_name;  // For kIconv.
  std::string name;        // What DecodedDocument::encoding reports.
};

struct LabelGroup {
  std::string_view labels;  // Space-separated, lower case, '_' written as '-'.
  Kind kind;
  std::string_view iconv_name;
  std::string_view reported;  // Empty: report the label as written.
};

// Labels that need more than "ask iconv". Supersets follow the WHATWG Encoding Standard (what
// browsers actually decode for these labels); the name reported is still the one written, except
// for the Unicode encodings (reported canonically, with the endianness actually used) and the GB
// family (reported as gb18030, as feedparser does, since that is what was really decoded).
constexpr LabelGroup kLabels[] = {
    {"utf-8 utf8 u8 utf utf-8-sig unicode-1-1-utf-8 x-unicode20utf8", Kind::kUtf8, "", "utf-8"},
    {"us-ascii ascii us 646 ansi-x3.4-1968 iso646-us csascii cp367 ibm367", Kind::kAscii, "", ""},
    {"iso-8859-1 iso8859-1 iso88591 iso-8859-1:1987 iso-ir-100 latin1 latin-1 l1 8859 cp819 ibm819 "
     "csisolatin1 windows-1252 cp1252 x-cp1252",
     Kind::kWindows1252, "", ""},
    {"utf-16 utf16 u16 unicode ucs-2 iso-10646-ucs-2 csunicode", Kind::kUtf16, "", ""},
    {"utf-16be unicodefffe ucs-2be", Kind::kUtf16Be, "", ""},
    {"utf-16le ucs-2le unicodefeff", Kind::kUtf16Le, "", ""},
    {"utf-32 utf32 u32 ucs-4 iso-10646-ucs-4", Kind::kUtf32, "", ""},
    {"utf-32be ucs-4be", Kind::kUtf32Be, "", ""},
    {"utf-32le ucs-4le", Kind::kUtf32Le, "", ""},
    {"gb2312 gbk x-gbk gb18030 gb-2312 gb-2312-80 csgb2312 chinese euc-cn euccn cp936 windows-936",
     Kind::kIconv, "GB18030", "gb18030"},
    {"shift-jis shiftjis sjis s-jis x-sjis ms-kanji csshiftjis windows-31j cp932 ms932",
     Kind::kIconv, "CP932", ""},
    {"euc-kr euckr ks-c-5601-1987 ksc5601 korean cp949 windows-949 uhc", Kind::kIconv, "CP949", ""},
    {"big5 big5-hkscs cn-big5 csbig5 x-x-big5 cp950", Kind::kIconv, "BIG5-HKSCS", ""},
    {"euc-jp eucjp x-euc-jp", Kind::kIconv, "EUC-JP", ""},
    {"tis-620 tis620 iso-8859-11 windows-874 cp874", Kind::kIconv, "CP874", ""},
    {"iso-8859-9 iso8859-9 latin5 l5", Kind::kIconv, "WINDOWS-1254", ""},
    {"koi8-r koi8r koi8 koi", Kind::kIconv, "KOI8-R", ""},
};

// Labels we refuse even though iconv knows them: UTF-7 and HZ turn plain ASCII into markup (the
// classic "+ADw-script+AD4-" XSS), and the WHATWG standard maps the ISO-2022 CN/KR labels to its
// "replacement" decoder for the same reason.
constexpr std::string_view kRefused[] = {
    "utf-7",      "utf7",        "unicode-1-1-utf-7", "csunicode11utf7", "hz",
    "hz-gb-2312", "iso-2022-kr", "csiso2022kr",       "iso-2022-cn",     "iso-2022-cn-ext"};

// An encoding that maps this markup to itself is safe to sniff and fast-path as ASCII.
bool IsAsciiCompatible(Iconv& cd) {
  static constexpr std::string_view kProbe =
      "<?xml version=\"1.0\" encoding=\"x\"?>\n<rss><a href='b'>c &amp; d</a></rss>\t09AZaz";
  const std::optional<std::string> out = cd.Convert(kProbe);
  return out.has_value() && *out == kProbe;
}

constexpr size_t kMaxLabelLength = 40;

// The charset a label names, or nullopt if it is unknown, refused or not ASCII-compatible.
std::optional<Charset> LookupCharset(std::string_view label) {
  const std::string written = AsciiLower(Unquote(label));
  if (written.empty() || written.size() > kMaxLabelLength) return std::nullopt;
  std::string key = written;
  for (char& c : key) {
    if (c == '_') c = '-';
    // Only label characters: keeps "//TRANSLIT" and other iconv suffixes out of iconv_open.
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':';
    if (!ok) return std::nullopt;
  }
  for (const LabelGroup& g : kLabels) {
    for (std::string_view rest = g.labels; !rest.empty();) {
      const size_t space = rest.find(' ');
      if (rest.substr(0, space) == key) {
        return Charset{g.kind, std::string(g.iconv_name),
                       g.reported.empty() ? written : std::string(g.reported)};
      }
      rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    }
  }
  if (std::find(std::begin(kRefused), std::end(kRefused), key) != std::end(kRefused)) {
    return std::nullopt;
  }
  Iconv cd(key);
  if (!cd.ok() || !IsAsciiCompatible(cd)) return std::nullopt;
  return Charset{Kind::kIconv, key, written};
}

// ---------------------------------------------------------------------------------------------
// What the first bytes say (XML 1.0 Appendix F).

enum class Layout { kAscii, kUtf8Bom, kUtf16Be, kUtf16Le, kUtf32Be, kUtf32Le };

struct Sniffed {
  Layout layout = Layout::kAscii;
  size_t bom = 0;  // Length of the byte order mark, 0 if none.
};

Sniffed Sniff(std::string_view bytes) {
  auto at = [&](size_t i) -> int {
    return i < bytes.size() ? static_cast<unsigned char>(bytes[i]) : -1;
  };
  const int b0 = at(0), b1 = at(1), b2 = at(2), b3 = at(3);
  // Byte order marks. FF FE 00 00 is read as UTF-32LE: as UTF-16LE it would start with U+0000,
  // which XML forbids.
  if (b0 == 0x00 && b1 == 0x00 && b2 == 0xFE && b3 == 0xFF) return {Layout::kUtf32Be, 4};
  if (b0 == 0xFF && b1 == 0xFE && b2 == 0x00 && b3 == 0x00) return {Layout::kUtf32Le, 4};
  if (b0 == 0xEF && b1 == 0xBB && b2 == 0xBF) return {Layout::kUtf8Bom, 3};
  if (b0 == 0xFE && b1 == 0xFF) return {Layout::kUtf16Be, 2};
  if (b0 == 0xFF && b1 == 0xFE) return {Layout::kUtf16Le, 2};
  // No BOM: Appendix F looks for "<?"; we accept any ASCII first character (a feed may start
  // with "<rss" or white space) as long as the zero bytes sit where the encoding puts them.
  auto ascii = [](int b) { return b > 0 && b < 0x80; };
  if (b0 == 0 && b1 == 0 && b2 == 0 && ascii(b3)) return {Layout::kUtf32Be, 0};
  if (ascii(b0) && b1 == 0 && b2 == 0 && b3 == 0) return {Layout::kUtf32Le, 0};
  if (b0 == 0 && ascii(b1) && b2 == 0 && ascii(b3)) return {Layout::kUtf16Be, 0};
  if (ascii(b0) && b1 == 0 && ascii(b2) && b3 == 0) return {Layout::kUtf16Le, 0};
  return {};
}

std::string_view LayoutName(Layout layout) {
  switch (layout) {
    case Layout::kAscii:
    case Layout::kUtf8Bom:
      return "utf-8";
    case Layout::kUtf16Be:
      return "utf-16be";
    case Layout::kUtf16Le:
      return "utf-16le";
    case Layout::kUtf32Be:
      return "utf-32be";
    case Layout::kUtf32Le:
      return "utf-32le";
  }
  return "utf-8";
}

// Whether a label is consistent with what the bytes physically are.
bool Compatible(Kind kind, Layout layout) {
  switch (layout) {
    case Layout::kAscii:
      return !IsWide(kind);
    case Layout::kUtf8Bom:
      return kind == Kind::kUtf8;
    case Layout::kUtf16Be:
      return kind == Kind::kUtf16 || kind == Kind::kUtf16Be;
    case Layout::kUtf16Le:
      return kind == Kind::kUtf16 || kind == Kind::kUtf16Le;
    case Layout::kUtf32Be:
      return kind == Kind::kUtf32 || kind == Kind::kUtf32Be;
    case Layout::kUtf32Le:
      return kind == Kind::kUtf32 || kind == Kind::kUtf32Le;
  }
  return false;
}

// Decodes a BOM'd or sniffed Unicode document; never fails.
std::string DecodeLayout(std::string_view bytes, Layout layout, bool* replaced) {
  switch (layout) {
    case Layout::kAscii:
    case Layout::kUtf8Bom:
      if (IsValidUtf8(bytes)) return std::string(bytes);
      *replaced = true;
      return RepairUtf8(bytes);
    case Layout::kUtf16Be:
      return DecodeUtf16(bytes, true, replaced);
    case Layout::kUtf16Le:
      return DecodeUtf16(bytes, false, replaced);
    case Layout::kUtf32Be:
      return DecodeUtf32(bytes, true, replaced);
    case Layout::kUtf32Le:
      return DecodeUtf32(bytes, false, replaced);
  }
  return std::string(bytes);
}

// ---------------------------------------------------------------------------------------------
// Content-Type (RFC 3023 §3).

struct MediaType {
  std::string type;   // "application/rss+xml", lower case; empty when no header was given.
  bool xml = false;   // An XML media type at all.
  bool text = false;  // text/xml, text/*+xml: no charset means us-ascii (RFC 3023 §3.1).
};

MediaType ParseMediaType(std::string_view content_type) {
  MediaType m;
  m.type = AsciiLower(Trim(content_type.substr(0, content_type.find(';')), kHtmlWhitespace));
  const size_t slash = m.type.find('/');
  if (slash == std::string::npos) return m;
  const std::string_view top = std::string_view(m.type).substr(0, slash);
  const std::string_view sub = std::string_view(m.type).substr(slash + 1);
  const bool xml_sub = sub == "xml" || sub == "xml-external-parsed-entity" ||
                       (sub.size() > 4 && sub.substr(sub.size() - 4) == "+xml");
  if (top == "application") m.xml = xml_sub || sub == "xml-dtd";
  if (top == "text") m.xml = m.text = xml_sub;
  return m;
}

// The result of trying one candidate encoding: nullopt when the bytes are not valid in it, an
// empty `text` with `unchanged` set when they are already UTF-8 as they stand.
struct Attempt {
  bool unchanged = false;
  std::string text;
};

std::optional<Attempt> TryDecode(const Charset& cs, std::string_view bytes) {
  switch (cs.kind) {
    case Kind::kUtf8:
      if (IsValidUtf8(bytes)) return Attempt{.unchanged = true};
      return std::nullopt;
    case Kind::kAscii:
      if (IsAllAscii(bytes)) return Attempt{.unchanged = true};
      return std::nullopt;
    case Kind::kWindows1252:
      return Attempt{.text = DecodeWindows1252(bytes)};
    case Kind::kIconv: {
      // Pure ASCII without ESC reads the same in every ASCII-compatible encoding (ISO-2022
      // switches sets with ESC; UTF-7 and HZ are refused above).
      if (IsAllAscii(bytes) && bytes.find('\x1B') == std::string_view::npos) {
        return Attempt{.unchanged = true};
      }
      Iconv cd(cs.iconv_name);
      if (!cd.ok()) return std::nullopt;
      std::optional<std::string> out = cd.Convert(bytes);
      if (!out) return std::nullopt;
      // iconv output is UTF-8 by construction; the repair is a guard, not an expected path.
      if (!IsValidUtf8(*out)) *out = RepairUtf8(*out);
      return Attempt{.text = *std::move(out)};
    }
    default:
      return std::nullopt;  // Wide encodings are handled by the layout.
  }
}

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

std::string CharsetFromContentType(std::string_view content_type) {
  // Parameters follow the media type: ;name=value or ;name="quoted value" (RFC 9110 §8.3.1).
  size_t pos = content_type.find(';');
  while (pos != std::string_view::npos && pos < content_type.size()) {
    ++pos;
    // Find the end of this parameter, skipping ';' inside a quoted value.
    size_t end = pos;
    char quote = 0;
    for (; end < content_type.size(); ++end) {
      const char c = content_type[end];
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == ';') {
        break;
      }
    }
    const std::string_view param = content_type.substr(pos, end - pos);
    const size_t eq = param.find('=');
    if (eq != std::string_view::npos &&
        AsciiLower(Trim(param.substr(0, eq), kHtmlWhitespace)) == "charset") {
      return AsciiLower(Unquote(param.substr(eq + 1)));
    }
    pos = end < content_type.size() ? end : std::string_view::npos;
  }
  return "";
}

std::string EncodingFromXmlDeclaration(std::string_view bytes) {
  // The declaration must come first (XML 1.0 §2.8); leading white space is tolerated because
  // broken feeds often have it. It is short, so only the start of the document is examined.
  constexpr size_t kMaxDeclaration = 1024;
  std::string_view s = bytes.substr(0, kMaxDeclaration);
  if (s.substr(0, kUtf8BomBytes.size()) == kUtf8BomBytes) s.remove_prefix(kUtf8BomBytes.size());
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  if (s.substr(0, 5) != "<?xml" || s.size() < 6 || !IsAsciiSpace(s[5])) return "";
  const size_t close = s.find("?>");
  if (close == std::string_view::npos) return "";
  const std::string_view decl = s.substr(5, close - 5);
  const size_t at = decl.find("encoding");
  if (at == std::string_view::npos) return "";
  std::string_view rest = decl.substr(at + 8);
  while (!rest.empty() && IsAsciiSpace(rest.front())) rest.remove_prefix(1);
  if (rest.empty() || rest.front() != '=') return "";
  rest.remove_prefix(1);
  while (!rest.empty() && IsAsciiSpace(rest.front())) rest.remove_prefix(1);
  if (rest.empty() || (rest.front() != '"' && rest.front() != '\'')) return "";
  const char quote = rest.front();
  rest.remove_prefix(1);
  const size_t end = rest.find(quote);
  if (end == std::string_view::npos) return "";
  return AsciiLower(Trim(rest.substr(0, end), kHtmlWhitespace));
}

Result<std::string> ConvertToUtf8(std::string_view bytes, std::string_view encoding) {
  const std::optional<Charset> cs = LookupCharset(encoding);
  if (!cs) return Status::InvalidArgument("encoding: unknown encoding " + Quoted(encoding));
  if (IsWide(cs->kind)) {
    // The generic labels take their endianness from a BOM, else big-endian (RFC 2781 §4.3).
    const Sniffed s = Sniff(bytes);
    Layout layout;
    switch (cs->kind) {
      case Kind::kUtf16Be:
        layout = Layout::kUtf16Be;
        break;
      case Kind::kUtf16Le:
        layout = Layout::kUtf16Le;
        break;
      case Kind::kUtf32Be:
        layout = Layout::kUtf32Be;
        break;
      case Kind::kUtf32Le:
        layout = Layout::kUtf32Le;
        break;
      case Kind::kUtf16:
        layout = s.bom > 0 && Compatible(cs->kind, s.layout) ? s.layout : Layout::kUtf16Be;
        break;
      default:
        layout = s.bom > 0 && Compatible(cs->kind, s.layout) ? s.layout : Layout::kUtf32Be;
        break;
    }
    const size_t bom = s.layout == layout ? s.bom : 0;
    bool replaced = false;
    std::string out = DecodeLayout(bytes.substr(bom), layout, &replaced);
    if (replaced) {
      return Status::InvalidArgument("encoding: bytes are not valid " + cs->name);
    }
    return out;
  }
  std::optional<Attempt> out = TryDecode(*cs, bytes);
  if (!out) return Status::InvalidArgument("encoding: bytes are not valid " + cs->name);
  if (out->unchanged) return std::string(bytes);
  return std::move(out->text);
}

Result<DecodedDocument> DecodeXmlDocument(std::string_view bytes, std::string_view content_type) {
  if (bytes.empty()) return Status::InvalidArgument("encoding: empty document");
  DecodedDocument doc;
  auto problem = [&doc](std::string msg) { doc.problems.push_back("encoding: " + std::move(msg)); };

  const MediaType media = ParseMediaType(content_type);
  if (!media.type.empty() && !media.xml) {
    problem("content type " + Quoted(media.type) + " is not an XML media type (RFC 3023)");
  }
  const std::string http_label = CharsetFromContentType(content_type);
  std::optional<Charset> http;
  if (!http_label.empty()) {
    http = LookupCharset(http_label);
    if (!http) problem("unknown charset " + Quoted(http_label) + " in Content-Type ignored");
  }

  const Sniffed sniffed = Sniff(bytes);
  if (sniffed.layout != Layout::kAscii) {
    // A BOM, or UTF-16/32 zero patterns: the bytes themselves say what they are, and a label
    // that disagrees is wrong rather than the bytes.
    bool replaced = false;
    doc.is_converted = true;
    doc.converted = DecodeLayout(bytes.substr(sniffed.bom), sniffed.layout, &replaced);
    doc.encoding = std::string(LayoutName(sniffed.layout));
    if (replaced) problem("invalid " + doc.encoding + " sequences replaced with U+FFFD");
    if (http && !Compatible(http->kind, sniffed.layout)) {
      problem("Content-Type says " + Quoted(http->name) + " but the document is " + doc.encoding);
    }
    const std::string decl_label = EncodingFromXmlDeclaration(doc.converted);
    if (!decl_label.empty()) {
      const std::optional<Charset> decl = LookupCharset(decl_label);
      if (!decl) {
        problem("unknown encoding " + Quoted(decl_label) + " in XML declaration ignored");
      } else if (!Compatible(decl->kind, sniffed.layout)) {
        problem("XML declaration says " + Quoted(decl->name) + " but the document is " +
                doc.encoding);
      }
    }
    return doc;
  }

  // ASCII-compatible bytes: try the labels in order of authority (feedparser's order), keeping
  // the first that decodes cleanly.
  struct Candidate {
    Charset charset;
    std::string source;
  };
  std::vector<Candidate> candidates;
  auto add = [&candidates, &problem](Charset cs, std::string source) {
    if (IsWide(cs.kind)) {
      problem(source + " says " + Quoted(cs.name) + " but the document is not UTF-16/32");
      return;
    }
    for (const Candidate& c : candidates) {
      if (c.charset.kind == cs.kind && c.charset.iconv_name == cs.iconv_name) return;
    }
    candidates.push_back({std::move(cs), std::move(source)});
  };
  if (http) {
    add(*http, "Content-Type");
  } else if (media.text) {
    // RFC 3023 §3.1: text/xml without a charset parameter is us-ascii, whatever the
    // declaration says.
    add(Charset{Kind::kAscii, "", "us-ascii"}, "text/xml without charset (RFC 3023)");
  }
  const std::string decl_label = EncodingFromXmlDeclaration(bytes);
  if (!decl_label.empty()) {
    std::optional<Charset> decl = LookupCharset(decl_label);
    if (!decl) {
      problem("unknown encoding " + Quoted(decl_label) + " in XML declaration ignored");
    } else {
      add(*std::move(decl), "XML declaration");
    }
  }
  add(Charset{Kind::kUtf8, "", "utf-8"}, "default");

  const Charset* lenient_ascii = nullptr;
  for (const Candidate& c : candidates) {
    std::optional<Attempt> out = TryDecode(c.charset, bytes);
    if (out) {
      doc.encoding = c.charset.name;
      if (out->unchanged) {
        doc.unchanged = bytes;
        if (doc.unchanged.starts_with(kUtf8BomBytes))
          doc.unchanged.remove_prefix(kUtf8BomBytes.size());
      } else {
        doc.is_converted = true;
        doc.converted = std::move(out->text);
        if (doc.converted.substr(0, kUtf8BomBytes.size()) == kUtf8BomBytes)
          doc.converted.erase(0, kUtf8BomBytes.size());
      }
      return doc;
    }
    if (c.charset.kind == Kind::kAscii && lenient_ascii == nullptr) lenient_ascii = &c.charset;
    problem("the document is not valid " + c.charset.name + " (" + c.source + ")");
  }

  // Nothing decoded cleanly. A document that is mostly well-formed UTF-8 with a few stray bytes
  // keeps its good characters; anything else is legacy 8-bit text, read as windows-1252 (which
  // decodes every byte) like browsers do, under the us-ascii label if that is what was declared.
  const Utf8Stats stats = CountUtf8(bytes);
  if (stats.valid_multibyte > stats.invalid) {
    doc.is_converted = true;
    doc.converted = RepairUtf8(bytes);
    doc.encoding = "utf-8";
    problem("invalid UTF-8 sequences replaced with U+FFFD");
  } else {
    doc.is_converted = true;
    doc.converted = DecodeWindows1252(bytes);
    doc.encoding = lenient_ascii != nullptr ? lenient_ascii->name : "windows-1252";
    problem("decoded as windows-1252");
  }
  return doc;
}

}  // namespace feedbridge::feeds
