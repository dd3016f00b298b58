#include "feeds/opml.h"

#include <Poco/XML/XMLWriter.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <sstream>

#include "common/c_ptr.h"
#include "feeds/encoding.h"
#include "feeds/writer_util.h"

namespace feedbridge::feeds {
namespace {

using XmlDocPtr = CPtr<xmlDoc, xmlFreeDoc>;

std::string Attr(xmlNode* node, const char* name) {
  xmlChar* v = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  if (v == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return out;
}

bool NameIs(xmlNode* node, const char* name) {
  return node->type == XML_ELEMENT_NODE &&
         xmlStrcasecmp(node->name, reinterpret_cast<const xmlChar*>(name)) == 0;
}

void Collect(xmlNode* node, int depth, std::vector<OpmlOutline>& out) {
  if (depth > 64) return;  // Deeper folders than any reader makes: stop (stack exhaustion).
  for (xmlNode* child = node; child != nullptr; child = child->next) {
    if (!NameIs(child, "outline")) continue;
    OpmlOutline o;
    o.xml_url = Attr(child, "xmlUrl");
    if (o.xml_url.empty()) o.xml_url = Attr(child, "xmlurl");
    o.html_url = Attr(child, "htmlUrl");
    o.title = Attr(child, "title");
    if (o.title.empty()) o.title = Attr(child, "text");
    if (!o.xml_url.empty()) out.push_back(std::move(o));
    Collect(child->children, depth + 1, out);
  }
}

}  // namespace

Result<std::vector<OpmlOutline>> ParseOpml(std::string_view bytes, size_t max_bytes) {
  if (bytes.size() > max_bytes) {
    return Status::ResourceExhausted("opml: document over " + std::to_string(max_bytes) + " bytes");
  }
  Result<DecodedDocument> decoded = DecodeXmlDocument(bytes, "");
  if (!decoded.ok()) return decoded.status().WithContext("opml");
  const std::string_view text = decoded->utf8();
  // NONET and no NOENT/DTDLOAD: nothing is fetched and no entity is expanded (XXE, billion
  // laughs); IGNORE_ENC: the text is UTF-8 already.
  XmlDocPtr doc(xmlReadMemory(text.data(), static_cast<int>(text.size()), nullptr, "UTF-8",
                              XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR |
                                  XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC));
  if (doc == nullptr) return Status::InvalidArgument("opml: not an XML document");
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr || !NameIs(root, "opml")) {
    return Status::InvalidArgument("opml: root element is not <opml>");
  }
  std::vector<OpmlOutline> out;
  for (xmlNode* child = root->children; child != nullptr; child = child->next) {
    if (NameIs(child, "body")) Collect(child->children, 0, out);
  }
  return out;
}

std::string WriteOpml(const std::vector<OpmlOutline>& outlines, std::string_view title) {
  std::ostringstream stream;
  Poco::XML::XMLWriter writer(stream, Poco::XML::XMLWriter::WRITE_XML_DECLARATION |
                                          Poco::XML::XMLWriter::PRETTY_PRINT);
  writer.setNewLine("\n");
  writer.setIndent("  ");
  auto clean = [](std::string_view s) { return writer_internal::CleanXmlText(s); };
  writer.startDocument();
  Poco::XML::AttributesImpl version;
  version.addAttribute("", "", "version", "CDATA", "2.0");
  writer.startElement("", "", "opml", version);
  writer.startElement("", "", "head");
  writer.startElement("", "", "title");
  const std::string t = clean(title);
  writer.characters(t);
  writer.endElement("", "", "title");
  writer.endElement("", "", "head");
  writer.startElement("", "", "body");
  for (const OpmlOutline& o : outlines) {
    Poco::XML::AttributesImpl attrs;
    attrs.addAttribute("", "", "type", "CDATA", "rss");
    const std::string text = clean(o.title.empty() ? o.xml_url : o.title);
    attrs.addAttribute("", "", "text", "CDATA", text);
    if (!o.title.empty()) attrs.addAttribute("", "", "title", "CDATA", clean(o.title));
    attrs.addAttribute("", "", "xmlUrl", "CDATA", clean(o.xml_url));
    if (!o.html_url.empty()) attrs.addAttribute("", "", "htmlUrl", "CDATA", clean(o.html_url));
    writer.emptyElement("", "", "outline", attrs);
  }
  writer.endElement("", "", "body");
  writer.endElement("", "", "opml");
  writer.endDocument();
  return stream.str();
}

}  // namespace feedbridge::feeds
