#include "feeds/xml_sax.h"

#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include <cctype>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/c_ptr.h"
#include "feeds/text_util.h"

namespace feedbridge::feeds::internal {
namespace {

using ParserCtxtPtr = CPtr<xmlParserCtxt, xmlFreeParserCtxt>;

// Bytes handed to libxml2 per push. Pushing in chunks keeps libxml2's own input buffer small
// (it would copy the whole document otherwise), which matters for a 15 MiB feed.
constexpr size_t kChunkBytes = 256 * 1024;

std::string_view View(const xmlChar* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
}

// Never load anything from outside the document: no DTDs, no external entities, no XInclude.
// libxml2 consults this process-wide loader even where our SAX callbacks are not asked.
xmlParserInputPtr RefuseExternalLoad(const char* /*url*/, const char* /*id*/,
                                     xmlParserCtxtPtr /*ctxt*/) {
  return nullptr;
}

void InstallRefusingLoader() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmlInitParser();
    xmlSetExternalEntityLoader(RefuseExternalLoad);
  });
}

// An entity as libxml2 wants to see it. We hand out every entity as XML_INTERNAL_PREDEFINED_ENTITY:
// libxml2 then inlines its content as text and never parses it as markup, so no entity can
// expand into further references (billion laughs) or be fetched (XXE).
struct EntityRecord {
  EntityRecord() = default;
  EntityRecord(const EntityRecord&) = delete;
  EntityRecord& operator=(const EntityRecord&) = delete;
  // xmlParseEntityDecl hands the raw entity value to the entity getEntity returns (its "orig");
  // it is ours to free (found by the fuzzer as a leak).
  ~EntityRecord() {
    if (entity.orig != nullptr) xmlFree(entity.orig);
  }

  std::string name;
  std::string content;
  xmlEntity entity{};
  bool external = false;
};

class Reader {
 public:
  Reader(const XmlLimits& limits, XmlHandler& handler, XmlOutcome& outcome)
      : limits_(limits), handler_(handler), outcome_(outcome) {}

  Status Run(std::string_view utf8);

 private:
  static Reader& Self(void* ctx) {
    auto* ctxt = static_cast<xmlParserCtxtPtr>(ctx);
    return *static_cast<Reader*>(ctxt->_private);
  }

  void Fail(Status status) {
    if (failure_.ok()) failure_ = std::move(status);
    xmlStopParser(ctxt_);
  }
  // Records a failure from inside a declaration callback without stopping the parser there:
  // libxml2 2.9 leaks the entity value when stopped inside entityDecl (found by the fuzzer).
  // Every callback ignores events once failure_ is set, and Run() stops at the next chunk.
  void FailLater(Status status) {
    if (failure_.ok()) failure_ = std::move(status);
  }

  EntityRecord* MakeRecord(std::string_view name, std::string content, bool external);
  std::string ExpandDeclared(std::string_view value, int depth);

  static void OnStartElement(void* ctx, const xmlChar* local, const xmlChar* prefix,
                             const xmlChar* uri, int nb_namespaces, const xmlChar** namespaces,
                             int nb_attributes, int nb_defaulted, const xmlChar** attributes);
  static void OnEndElement(void* ctx, const xmlChar* local, const xmlChar* prefix,
                           const xmlChar* uri);
  static void OnCharacters(void* ctx, const xmlChar* ch, int len);
  static xmlEntityPtr OnGetEntity(void* ctx, const xmlChar* name);
  static xmlEntityPtr OnGetParameterEntity(void* ctx, const xmlChar* name);
  static void OnEntityDecl(void* ctx, const xmlChar* name, int type, const xmlChar* public_id,
                           const xmlChar* system_id, xmlChar* content);
  static xmlParserInputPtr OnResolveEntity(void* ctx, const xmlChar* public_id,
                                           const xmlChar* system_id);
  static void OnStructuredError(void* ctx, xmlErrorPtr error);
  static void OnNoOpSubset(void* ctx, const xmlChar* name, const xmlChar* external_id,
                           const xmlChar* system_id);
  // libxml2 drops every entity reference in content once it knows the document is not
  // well-formed (xmlParseReference returns early when !wellFormed, which xmlFatalErr sets after
  // calling OnStructuredError), so one recovered error (white space before the XML declaration,
  // an undefined prefix) would turn "Society &amp; Culture" into "Society  Culture" for the rest
  // of the document while numeric references and attributes survive. The outcome keeps the
  // fact (well_formed, problems); the parser reads on as it did before the error.
  void KeepEntities() {
    if (ctxt_->wellFormed == 0 && ctxt_->recovery != 0) ctxt_->wellFormed = 1;
  }

  const XmlLimits& limits_;
  XmlHandler& handler_;
  XmlOutcome& outcome_;
  xmlParserCtxtPtr ctxt_ = nullptr;
  Status failure_;
  int depth_ = 0;
  size_t expanded_ = 0;  // Characters produced by declared entities so far.
  std::unordered_map<std::string, std::unique_ptr<EntityRecord>> declared_;
  std::unordered_map<std::string, std::unique_ptr<EntityRecord>> html_;
  std::vector<XmlAttribute> attributes_;     // Reused between elements.
  std::vector<std::string> decoded_values_;  // Attribute values that needed decoding.
};

EntityRecord* Reader::MakeRecord(std::string_view name, std::string content, bool external) {
  auto record = std::make_unique<EntityRecord>();
  record->name = std::string(name);
  record->content = std::move(content);
  record->external = external;
  xmlEntity& e = record->entity;
  e.type = XML_ENTITY_DECL;
  e.name = reinterpret_cast<const xmlChar*>(record->name.c_str());
  e.content = reinterpret_cast<xmlChar*>(record->content.data());
  e.length = static_cast<int>(record->content.size());
  e.etype = XML_INTERNAL_PREDEFINED_ENTITY;
  return record.release();
}

// Expands references to earlier declared entities inside a declared entity's value, counting
// every produced character against max_entity_expansion (XML 1.0 §4.4.5 "included in literal").
std::string Reader::ExpandDeclared(std::string_view value, int depth) {
  std::string out;
  size_t i = 0;
  while (i < value.size() && failure_.ok()) {
    const char c = value[i];
    if (c != '&') {
      out += c;
      ++i;
      continue;
    }
    const size_t semi = value.find(';', i);
    if (semi == std::string_view::npos || semi - i > 64) {
      out += c;
      ++i;
      continue;
    }
    const std::string_view name = value.substr(i + 1, semi - i - 1);
    i = semi + 1;
    if (name == "lt")
      out += '<';
    else if (name == "gt")
      out += '>';
    else if (name == "amp")
      out += '&';
    else if (name == "quot")
      out += '"';
    else if (name == "apos")
      out += '\'';
    else if (auto it = declared_.find(std::string(name)); it != declared_.end()) {
      if (it->second->external) {
        FailLater(Status::InvalidArgument("feeds: reference to external entity '" +
                                          std::string(name) + "' refused"));
        break;
      }
      if (depth > 16) {
        FailLater(Status::ResourceExhausted("feeds: entities nested too deeply"));
        break;
      }
      out += it->second->content;
    } else if (const htmlEntityDesc* html =
                   htmlEntityLookup(reinterpret_cast<const xmlChar*>(std::string(name).c_str()));
               html != nullptr) {
      AppendUtf8(html->value, out);
    }
    if (expanded_ + out.size() > limits_.max_entity_expansion) {
      FailLater(Status::ResourceExhausted("feeds: entity expansion over " +
                                          std::to_string(limits_.max_entity_expansion) +
                                          " characters (billion laughs?)"));
      break;
    }
  }
  expanded_ += out.size();
  return out;
}

void Reader::OnStartElement(void* ctx, const xmlChar* local, const xmlChar* prefix,
                            const xmlChar* uri, int /*nb_namespaces*/,
                            const xmlChar** /*namespaces*/, int nb_attributes, int /*nb_defaulted*/,
                            const xmlChar** attributes) {
  Reader& self = Self(ctx);
  self.KeepEntities();
  if (!self.failure_.ok()) return;
  if (self.depth_ >= self.limits_.max_depth) {
    // Deeper than any real feed: refuse rather than build an ever deeper state stack.
    self.Fail(Status::ResourceExhausted("feeds: elements nested deeper than " +
                                        std::to_string(self.limits_.max_depth)));
    return;
  }
  ++self.depth_;
  self.attributes_.clear();
  self.decoded_values_.clear();
  self.decoded_values_.reserve(static_cast<size_t>(nb_attributes));
  for (int i = 0; i < nb_attributes; ++i) {
    const xmlChar** a = attributes + 5 * i;
    std::string_view value(reinterpret_cast<const char*>(a[3]), static_cast<size_t>(a[4] - a[3]));
    // Without entity substitution libxml2 hands '&' in attribute values back as "&#38;" (for
    // its tree builder to re-parse); every other reference arrives decoded.
    if (value.find("&#38;") != std::string_view::npos) {
      std::string& decoded = self.decoded_values_.emplace_back();
      for (size_t pos = 0; pos < value.size();) {
        if (value.compare(pos, 5, "&#38;") == 0) {
          decoded += '&';
          pos += 5;
        } else {
          decoded += value[pos++];
        }
      }
      value = decoded;
    }
    self.attributes_.push_back(XmlAttribute{
        .ns = View(a[2]),
        .local = View(a[0]),
        .prefix = View(a[1]),
        .value = value,
    });
  }
  self.handler_.StartElement(View(uri), View(prefix), View(local), self.attributes_);
}

void Reader::OnEndElement(void* ctx, const xmlChar* /*local*/, const xmlChar* /*prefix*/,
                          const xmlChar* /*uri*/) {
  Reader& self = Self(ctx);
  self.KeepEntities();
  if (!self.failure_.ok() || self.depth_ == 0) return;
  --self.depth_;
  self.handler_.EndElement();
}

void Reader::OnCharacters(void* ctx, const xmlChar* ch, int len) {
  Reader& self = Self(ctx);
  self.KeepEntities();
  if (!self.failure_.ok() || len <= 0) return;
  self.handler_.Characters(
      std::string_view(reinterpret_cast<const char*>(ch), static_cast<size_t>(len)));
}

xmlEntityPtr Reader::OnGetEntity(void* ctx, const xmlChar* name) {
  Reader& self = Self(ctx);
  if (!self.failure_.ok()) return nullptr;
  const std::string key(View(name));
  if (auto it = self.declared_.find(key); it != self.declared_.end()) {
    EntityRecord& record = *it->second;
    if (record.external) {
      self.Fail(Status::InvalidArgument("feeds: reference to external entity '" + key +
                                        "' refused (external entities are never loaded)"));
      return nullptr;
    }
    self.expanded_ += record.content.size();
    if (self.expanded_ > self.limits_.max_entity_expansion) {
      self.Fail(Status::ResourceExhausted("feeds: entity expansion over " +
                                          std::to_string(self.limits_.max_entity_expansion) +
                                          " characters (billion laughs?)"));
      return nullptr;
    }
    return &record.entity;
  }
  // HTML 4 named entities: RSS in the wild uses &nbsp; &eacute; &mdash; without declaring them
  // (or behind a Netscape RSS 0.91 DTD we never fetch).
  if (auto it = self.html_.find(key); it != self.html_.end()) return &it->second->entity;
  const htmlEntityDesc* html = htmlEntityLookup(name);
  if (html == nullptr) return nullptr;
  std::string text;
  AppendUtf8(html->value, text);
  EntityRecord* record = self.MakeRecord(key, std::move(text), false);
  self.html_.emplace(key, std::unique_ptr<EntityRecord>(record));
  return &record->entity;
}

xmlEntityPtr Reader::OnGetParameterEntity(void* /*ctx*/, const xmlChar* /*name*/) {
  return nullptr;  // Parameter entities are never expanded: no DTD tricks.
}

void Reader::OnEntityDecl(void* ctx, const xmlChar* name, int type, const xmlChar* /*public_id*/,
                          const xmlChar* /*system_id*/, xmlChar* content) {
  Reader& self = Self(ctx);
  if (!self.failure_.ok()) return;
  const std::string key(View(name));
  if (self.declared_.count(key) != 0) return;  // XML 1.0 §4.2: the first declaration binds.
  if (self.declared_.size() >= 1000) {
    self.FailLater(Status::ResourceExhausted("feeds: more than 1000 entity declarations"));
    return;
  }
  if (type == XML_INTERNAL_GENERAL_ENTITY) {
    std::string expanded = self.ExpandDeclared(View(content), 0);
    self.declared_.emplace(
        key, std::unique_ptr<EntityRecord>(self.MakeRecord(key, std::move(expanded), false)));
  } else if (type == XML_EXTERNAL_GENERAL_PARSED_ENTITY ||
             type == XML_EXTERNAL_GENERAL_UNPARSED_ENTITY) {
    self.declared_.emplace(key, std::unique_ptr<EntityRecord>(self.MakeRecord(key, {}, true)));
  }
  // Parameter entities are ignored (see OnGetParameterEntity).
}

xmlParserInputPtr Reader::OnResolveEntity(void* /*ctx*/, const xmlChar* /*public_id*/,
                                          const xmlChar* /*system_id*/) {
  return nullptr;
}

void Reader::OnNoOpSubset(void* /*ctx*/, const xmlChar* /*name*/, const xmlChar* /*external_id*/,
                          const xmlChar* /*system_id*/) {}

void Reader::OnStructuredError(void* ctx, xmlErrorPtr error) {
  if (error == nullptr || error->level < XML_ERR_ERROR) return;
  Reader& self = Self(ctx);
  // A parameter entity we refused to load (an external DTD module) is our choice, not a fault
  // of the document.
  if ((error->code == XML_WAR_UNDECLARED_ENTITY || error->code == XML_ERR_UNDECLARED_ENTITY) &&
      error->message != nullptr && std::strncmp(error->message, "PEReference", 11) == 0) {
    return;
  }
  if (error->code == XML_ERR_ENTITYREF_SEMICOL_MISSING || error->code == XML_ERR_NAME_REQUIRED ||
      error->code == XML_ERR_INVALID_DEC_CHARREF || error->code == XML_ERR_INVALID_CHARREF ||
      error->code == XML_ERR_UNDECLARED_ENTITY || error->code == XML_WAR_UNDECLARED_ENTITY) {
    self.outcome_.lost_ampersands = true;
  }
  self.outcome_.well_formed = false;
  if (self.outcome_.problems.size() >= self.limits_.max_problems) return;
  std::string msg = "line " + std::to_string(error->line) + ": ";
  msg += error->message != nullptr ? error->message : "XML error";
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  self.outcome_.problems.push_back(std::move(msg));
}

Status Reader::Run(std::string_view utf8) {
  InstallRefusingLoader();
  xmlSAXHandler sax;
  std::memset(&sax, 0, sizeof(sax));
  sax.initialized = XML_SAX2_MAGIC;
  sax.startElementNs = OnStartElement;
  sax.endElementNs = OnEndElement;
  sax.characters = OnCharacters;
  sax.cdataBlock = OnCharacters;
  sax.getEntity = OnGetEntity;
  sax.getParameterEntity = OnGetParameterEntity;
  sax.entityDecl = OnEntityDecl;
  sax.resolveEntity = OnResolveEntity;
  sax.internalSubset = OnNoOpSubset;
  sax.externalSubset = OnNoOpSubset;
  sax.serror = OnStructuredError;

  ParserCtxtPtr ctxt(xmlCreatePushParserCtxt(&sax, nullptr, nullptr, 0, nullptr));
  if (ctxt == nullptr) return Status::Internal("feeds: cannot create an XML parser");
  // For expat compatibility libxml2 builds a stand-in document to hold the entities of an
  // internal subset even in SAX mode (xmlParseEntityDecl); the context does not own it, so it is
  // freed here on every way out (found by the fuzzer as a leak).
  struct FreeSaxDocument {
    xmlParserCtxt* c;
    ~FreeSaxDocument() {
      if (c->myDoc != nullptr) {
        xmlFreeDoc(c->myDoc);
        c->myDoc = nullptr;
      }
    }
  } free_sax_document{ctxt.get()};
  ctxt_ = ctxt.get();
  ctxt->_private = this;
  // RECOVER: read what a feed reader would read. NONET + no DTDLOAD/NOENT/DTDVALID/XINCLUDE:
  // nothing is fetched or expanded by libxml2 itself. IGNORE_ENC: the bytes are already UTF-8
  // (feeds/encoding.cc decoded them), whatever the declaration says.
  xmlCtxtUseOptions(ctxt.get(), XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR |
                                    XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC | XML_PARSE_NOCDATA);
  xmlSwitchEncoding(ctxt.get(), XML_CHAR_ENCODING_UTF8);

  size_t offset = 0;
  while (offset < utf8.size() && failure_.ok()) {
    const size_t n = std::min(kChunkBytes, utf8.size() - offset);
    xmlParseChunk(ctxt.get(), utf8.data() + offset, static_cast<int>(n), 0);
    offset += n;
    if (ctxt->disableSAX != 0 && ctxt->instate == XML_PARSER_EOF) break;
  }
  if (failure_.ok()) xmlParseChunk(ctxt.get(), nullptr, 0, 1);
  // Close what is still open so the handler sees a balanced stream (truncated documents).
  while (depth_ > 0 && failure_.ok()) {
    --depth_;
    handler_.EndElement();
  }
  ctxt_ = nullptr;
  return failure_;
}

bool IsNameStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80;
}

bool IsNameChar(unsigned char c) {
  return IsNameStart(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

// The length of a well-formed reference starting at text[0] == '&' (after a fix of "&#X"), or
// 0 when it is not one.
size_t ReferenceLength(std::string_view text, std::string& fixed) {
  size_t i = 1;
  fixed.clear();
  if (i < text.size() && text[i] == '#') {
    ++i;
    bool hex = false;
    if (i < text.size() && (text[i] == 'x' || text[i] == 'X')) {
      hex = true;
      ++i;
    }
    const size_t digits = i;
    while (i < text.size() && (hex ? std::isxdigit(static_cast<unsigned char>(text[i]))
                                   : std::isdigit(static_cast<unsigned char>(text[i])))) {
      ++i;
    }
    if (i == digits || i >= text.size() || text[i] != ';') return 0;
    if (hex && text[2] == 'X') {
      fixed = "&#x";
      fixed.append(text.substr(3, i + 1 - 3));
    }
    return i + 1;
  }
  if (i >= text.size() || !IsNameStart(static_cast<unsigned char>(text[i]))) return 0;
  while (i < text.size() && IsNameChar(static_cast<unsigned char>(text[i]))) ++i;
  if (i >= text.size() || text[i] != ';') return 0;
  const std::string name(text.substr(1, i - 1));
  static constexpr std::string_view kPredefined[] = {"amp", "lt", "gt", "quot", "apos"};
  for (std::string_view p : kPredefined) {
    if (name == p) return i + 1;
  }
  if (htmlEntityLookup(reinterpret_cast<const xmlChar*>(name.c_str())) != nullptr) return i + 1;
  return 0;
}

}  // namespace

std::string RepairAmpersands(std::string_view utf8) {
  // Documents that declare entities of their own keep their references: we cannot tell a
  // declared name from an unknown one without parsing the DTD.
  const bool has_internal_subset = utf8.find("<!ENTITY") != std::string_view::npos;
  std::string out;
  out.reserve(utf8.size() + utf8.size() / 64);
  std::string fixed;
  size_t run = 0;
  for (size_t pos = utf8.find('&'); pos != std::string_view::npos; pos = utf8.find('&', pos)) {
    out.append(utf8.substr(run, pos - run));
    const size_t len = ReferenceLength(utf8.substr(pos, 80), fixed);
    if (len > 0 ||
        (has_internal_subset && utf8.substr(pos, 80).find(';') != std::string_view::npos)) {
      const size_t keep = len > 0 ? len : 1;
      out.append(fixed.empty() ? utf8.substr(pos, keep) : std::string_view(fixed));
      pos += keep;
    } else {
      out.append("&amp;");
      pos += 1;
    }
    run = pos;
  }
  out.append(utf8.substr(run));
  return out;
}

Status ReadXml(std::string_view utf8, const XmlLimits& limits, XmlHandler& handler,
               XmlOutcome& outcome) {
  Reader reader(limits, handler, outcome);
  return reader.Run(utf8);
}

}  // namespace feedbridge::feeds::internal
