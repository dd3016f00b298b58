#include "omb/xrds.h"

#include <Poco/SAX/AttributesImpl.h>
#include <Poco/XML/XMLWriter.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <climits>
#include <optional>
#include <sstream>
#include <vector>

#include "common/ascii.h"
#include "common/c_ptr.h"
#include "common/utf8.h"
#include "omb/messages.h"

namespace feedbridge::omb {
namespace {

// ---- Writing ----

using Poco::XML::AttributesImpl;
using Poco::XML::XMLWriter;

void Attribute(AttributesImpl& attrs, const std::string& qname, std::string_view value) {
  attrs.addAttribute("", "", qname, "CDATA", std::string(value));
}

void Element(XMLWriter& w, const std::string& name, std::string_view text) {
  w.dataElement("", "", name, std::string(text));
}

void Service(XMLWriter& w, std::string_view uri, std::initializer_list<std::string_view> types,
             std::string_view local_id = {}) {
  w.startElement("", "", "Service");
  if (!uri.empty()) Element(w, "URI", uri);
  for (std::string_view type : types) Element(w, "Type", type);
  if (!local_id.empty()) Element(w, "LocalID", local_id);
  w.endElement("", "", "Service");
}

void StartXrd(XMLWriter& w, std::string_view id) {
  AttributesImpl attrs;
  Attribute(attrs, "xmlns", kXrdNamespace);
  if (!id.empty()) {
    Attribute(attrs, "xml:id", id);
    Attribute(attrs, "xmlns:simple", kXrdsSimpleNamespace);
  }
  Attribute(attrs, "version", "2.0");
  w.startElement("", "", "XRD", attrs);
  Element(w, "Type", kXrdsSimpleType);
}

// ---- Reading ----

using XmlDocPtr = CPtr<xmlDoc, xmlFreeDoc>;
// xmlFree is a function-pointer variable, not a function: wrap it.
void FreeXmlChars(xmlChar* s) { xmlFree(s); }
using XmlCharPtr = CPtr<xmlChar, FreeXmlChars>;

std::string_view View(const xmlChar* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
}

bool IsElement(const xmlNode* n, std::string_view ns, std::string_view name) {
  return n->type == XML_ELEMENT_NODE && n->ns != nullptr && View(n->ns->href) == ns &&
         View(n->name) == name;
}

std::vector<const xmlNode*> Children(const xmlNode* parent, std::string_view ns,
                                     std::string_view name) {
  std::vector<const xmlNode*> out;
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (IsElement(c, ns, name)) out.push_back(c);
  }
  return out;
}

std::string Text(const xmlNode* n) {
  XmlCharPtr content(xmlNodeGetContent(n));
  return std::string(Trim(View(content.get())));
}

std::string Attr(const xmlNode* n, const char* name, const xmlChar* ns) {
  XmlCharPtr value(ns == nullptr ? xmlGetNoNsProp(n, reinterpret_cast<const xmlChar*>(name))
                                 : xmlGetNsProp(n, reinterpret_cast<const xmlChar*>(name), ns));
  return std::string(Trim(View(value.get())));
}

// XRI resolution §3.3.3: lower priority values first; no priority attribute sorts last.
// Ties keep document order.
long Priority(const xmlNode* n) {
  const std::string p = Attr(n, "priority", nullptr);
  if (p.empty()) return LONG_MAX;
  char* end = nullptr;
  const long v = std::strtol(p.c_str(), &end, 10);
  return (end == p.c_str() + p.size() && v >= 0) ? v : LONG_MAX;
}

const xmlNode* BestByPriority(const std::vector<const xmlNode*>& nodes) {
  const xmlNode* best = nullptr;
  long best_priority = LONG_MAX;
  for (const xmlNode* n : nodes) {
    const long p = Priority(n);
    if (best == nullptr || p < best_priority) {
      best = n;
      best_priority = p;
    }
  }
  return best;
}

bool HasType(const xmlNode* service, std::string_view type) {
  for (const xmlNode* t : Children(service, kXrdNamespace, "Type")) {
    if (Text(t) == type) return true;
  }
  return false;
}

// The best-priority <Service> of `xrd` typed `type`, or nullptr.
const xmlNode* FindService(const xmlNode* xrd, std::string_view type) {
  std::vector<const xmlNode*> matching;
  for (const xmlNode* s : Children(xrd, kXrdNamespace, "Service")) {
    if (HasType(s, type)) matching.push_back(s);
  }
  return BestByPriority(matching);
}

bool IsHttpUrl(std::string_view url) {
  return StartsWithIgnoreAsciiCase(url, "http://") || StartsWithIgnoreAsciiCase(url, "https://");
}

Result<XrdsEndpoint> ReadEndpoint(const xmlNode* xrd, std::string_view xrd_id,
                                  std::string_view type, bool need_local_id) {
  const std::string where = "omb: XRDS: XRD #" + std::string(xrd_id) + ": ";
  const xmlNode* service = FindService(xrd, type);
  if (service == nullptr)
    return Status::NotFound(where + "no service of type " + std::string(type));
  const xmlNode* uri = BestByPriority(Children(service, kXrdNamespace, "URI"));
  XrdsEndpoint e;
  if (uri != nullptr) e.url = Text(uri);
  if (e.url.empty())
    return Status::NotFound(where + "service " + std::string(type) + " has no URI");
  if (!IsHttpUrl(e.url)) {
    return Status::InvalidArgument(where + "service " + std::string(type) + " URI " + e.url +
                                   " is not an http(s) URL");
  }
  const std::vector<const xmlNode*> local_ids = Children(service, kXrdNamespace, "LocalID");
  if (const xmlNode* id = BestByPriority(local_ids)) e.local_id = Text(id);
  if (need_local_id && e.local_id.empty()) {
    return Status::NotFound(where + "service " + std::string(type) +
                            " has no LocalID (the listener's identifier URI)");
  }
  e.auth_header = HasType(service, kAuthHeaderType);
  e.post_body = HasType(service, kPostBodyType);
  e.hmac_sha1 = HasType(service, kHmacSha1Type);
  return e;
}

// The sibling XRD a pointer service of the last XRD refers to (§3.3 rule 2: local fragments).
Result<const xmlNode*> FollowPointer(const std::vector<const xmlNode*>& xrds,
                                     std::string_view type) {
  const xmlNode* pointer = FindService(xrds.back(), type);
  if (pointer == nullptr) {
    return Status::NotFound("omb: XRDS: the last XRD has no " + std::string(type) + " service");
  }
  const xmlNode* uri_node = BestByPriority(Children(pointer, kXrdNamespace, "URI"));
  const std::string uri = uri_node == nullptr ? std::string() : Text(uri_node);
  if (uri.size() < 2 || uri.front() != '#') {
    // libomb also resolves other documents' fragments; Laconica <= 0.8 only local ones.
    return Status::NotFound("omb: XRDS: service " + std::string(type) + " points at '" + uri +
                            "', not a local #fragment");
  }
  const std::string_view id = std::string_view(uri).substr(1);
  for (const xmlNode* xrd : xrds) {
    if (Attr(xrd, "id", XML_XML_NAMESPACE) == id) return xrd;
  }
  return Status::NotFound("omb: XRDS: no XRD with xml:id=\"" + std::string(id) + "\"");
}

bool IsOkStatus(int status) { return status == 200 || status == 206; }

// ---- <meta http-equiv> scanning (php-openid ParseHTML, reduced to what Yadis needs) ----

std::string DecodeHtmlAttribute(std::string_view s) {
  static constexpr std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'},  {"&lt;", '<'},   {"&gt;", '>'},
      {"&quot;", '"'}, {"&#39;", '\''}, {"&#x27;", '\''}};
  std::string out;
  for (size_t i = 0; i < s.size();) {
    bool replaced = false;
    if (s[i] == '&') {
      for (const auto& [entity, c] : kEntities) {
        if (StartsWithIgnoreAsciiCase(s.substr(i), entity)) {
          out.push_back(c);
          i += entity.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out.push_back(s[i++]);
  }
  return out;
}

bool IsHtmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Reads the attributes of a tag from just after its name; `pos` ends after the '>'.
std::vector<std::pair<std::string, std::string>> ReadAttributes(std::string_view html,
                                                                size_t& pos) {
  std::vector<std::pair<std::string, std::string>> attrs;
  while (pos < html.size()) {
    while (pos < html.size() && (IsHtmlSpace(html[pos]) || html[pos] == '/')) ++pos;
    if (pos >= html.size()) break;
    if (html[pos] == '>') {
      ++pos;
      break;
    }
    const size_t name_start = pos;
    while (pos < html.size() && !IsHtmlSpace(html[pos]) && html[pos] != '=' && html[pos] != '>' &&
           html[pos] != '/') {
      ++pos;
    }
    std::string name = AsciiLower(html.substr(name_start, pos - name_start));
    while (pos < html.size() && IsHtmlSpace(html[pos])) ++pos;
    std::string value;
    if (pos < html.size() && html[pos] == '=') {
      ++pos;
      while (pos < html.size() && IsHtmlSpace(html[pos])) ++pos;
      if (pos < html.size() && (html[pos] == '"' || html[pos] == '\'')) {
        const char quote = html[pos++];
        const size_t end = html.find(quote, pos);
        const size_t stop = end == std::string_view::npos ? html.size() : end;
        value = DecodeHtmlAttribute(html.substr(pos, stop - pos));
        pos = stop == html.size() ? stop : stop + 1;
      } else {
        const size_t start = pos;
        while (pos < html.size() && !IsHtmlSpace(html[pos]) && html[pos] != '>') ++pos;
        value = DecodeHtmlAttribute(html.substr(start, pos - start));
      }
    }
    if (!name.empty()) attrs.emplace_back(std::move(name), std::move(value));
  }
  return attrs;
}

// The content of the first <meta http-equiv="X-XRDS-Location"|"X-Yadis-Location"> before
// </head> or <body>, if any.
std::optional<std::string> FindMetaXrdsLocation(std::string_view html) {
  const std::string lower = AsciiLower(html);
  size_t pos = 0;
  while (true) {
    pos = lower.find('<', pos);
    if (pos == std::string::npos) return std::nullopt;
    const std::string_view rest = std::string_view(lower).substr(pos);
    if (rest.starts_with("<!--")) {
      const size_t end = lower.find("-->", pos + 4);
      if (end == std::string::npos) return std::nullopt;
      pos = end + 3;
      continue;
    }
    if (rest.starts_with("</head") || rest.starts_with("<body")) return std::nullopt;
    if (rest.starts_with("<meta") && rest.size() > 5 &&
        (IsHtmlSpace(rest[5]) || rest[5] == '/' || rest[5] == '>')) {
      pos += 5;
      std::string http_equiv;
      std::optional<std::string> content;
      for (auto& [name, value] : ReadAttributes(html, pos)) {
        if (name == "http-equiv" && http_equiv.empty()) http_equiv = AsciiLower(Trim(value));
        if (name == "content" && !content) content = std::move(value);
      }
      if ((http_equiv == "x-xrds-location" || http_equiv == "x-yadis-location") && content) {
        return std::string(Trim(*content));
      }
      continue;
    }
    ++pos;
  }
}

}  // namespace

std::string WriteXrds(const XrdsAccount& account) {
  std::ostringstream out;
  XMLWriter w(out, XMLWriter::WRITE_XML_DECLARATION | XMLWriter::PRETTY_PRINT);
  w.setNewLine("\n");
  w.setIndent(" ");
  w.startDocument();
  AttributesImpl root;
  Attribute(root, "xmlns", kXrdsNamespace);
  w.startElement("", "", "XRDS", root);

  StartXrd(w, "oauth");
  const std::initializer_list<std::string_view> oauth_types = {kAuthHeaderType, kPostBodyType,
                                                               kHmacSha1Type};
  const auto oauth_service = [&](std::string_view uri, std::string_view endpoint_type,
                                 std::string_view local_id) {
    w.startElement("", "", "Service");
    if (!uri.empty()) Element(w, "URI", uri);
    Element(w, "Type", endpoint_type);
    for (std::string_view type : oauth_types) Element(w, "Type", type);
    if (!local_id.empty()) Element(w, "LocalID", local_id);
    w.endElement("", "", "Service");
  };
  oauth_service(account.request_token_url, kRequestTokenType, account.local_id);
  oauth_service(account.authorize_url, kAuthorizeType, {});
  oauth_service(account.access_token_url, kAccessTokenType, {});
  oauth_service({}, kResourceType, {});
  w.endElement("", "", "XRD");

  StartXrd(w, "omb");
  Service(w, account.post_notice_url, {kPostNoticeType});
  Service(w, account.update_profile_url, {kUpdateProfileType});
  w.endElement("", "", "XRD");

  // The pointer XRD must be the last one (§3.3 rule 1: php-openid reads only the last).
  StartXrd(w, {});
  Service(w, "#oauth", {kOAuthDiscoveryType});
  Service(w, "#omb", {kOmbVersion});
  w.endElement("", "", "XRD");

  w.endElement("", "", "XRDS");
  w.endDocument();
  return out.str();
}

Result<OmbServices> ReadXrds(std::string_view body) {
  if (body.size() > kMaxXrdsBytes) {
    return Status::ResourceExhausted("omb: XRDS: " + std::to_string(body.size()) +
                                     " bytes, over the " + std::to_string(kMaxXrdsBytes) +
                                     "-byte limit");
  }
  body = Trim(body);
  if (!IsWellFormedUtf8(body)) return Status::InvalidArgument("omb: XRDS: not UTF-8");
  // No XRDS needs a DTD. Refusing any DOCTYPE before libxml2 sees the bytes means no entity can
  // be declared: no expansion bomb ("billion laughs"), no external entity (file or network
  // read), no external DTD. A "<!DOCTYPE" inside a comment or CDATA is refused too, harmlessly.
  if (body.find("<!DOCTYPE") != std::string_view::npos ||
      body.find("<!ENTITY") != std::string_view::npos) {
    return Status::InvalidArgument("omb: XRDS: a DOCTYPE or ENTITY declaration is not allowed");
  }
  // XML_PARSE_NONET: never fetch anything; no NOENT (entities are not substituted), no DTDLOAD,
  // no HUGE (libxml2's default depth and text limits stay on). The encoding is forced to UTF-8
  // so a UTF-16 declaration cannot hide markup from the scan above.
  XmlDocPtr doc(xmlReadMemory(body.data(), static_cast<int>(body.size()), nullptr, "UTF-8",
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (doc == nullptr) {
    const xmlError* error = xmlGetLastError();
    std::string why = error != nullptr && error->message != nullptr
                          ? std::string(Trim(error->message))
                          : std::string("unknown error");
    if (error != nullptr) why = "line " + std::to_string(error->line) + ": " + why;
    return Status::InvalidArgument("omb: XRDS: not well-formed XML: " + why);
  }
  if (doc->intSubset != nullptr || doc->extSubset != nullptr) {
    return Status::InvalidArgument("omb: XRDS: a DOCTYPE is not allowed");
  }
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr || !IsElement(root, kXrdsNamespace, "XRDS")) {
    return Status::InvalidArgument("omb: XRDS: the root is not <XRDS xmlns=\"xri://$xrds\">");
  }
  const std::vector<const xmlNode*> xrds = Children(root, kXrdNamespace, "XRD");
  if (xrds.empty()) {
    return Status::NotFound("omb: XRDS: no <XRD xmlns=\"xri://$xrd*($v*2.0)\"> element");
  }
  Result<const xmlNode*> oauth = FollowPointer(xrds, kOAuthDiscoveryType);
  if (!oauth.ok()) return oauth.status();
  Result<const xmlNode*> omb = FollowPointer(xrds, kOmbVersion);
  if (!omb.ok()) return omb.status();

  OmbServices services;
  struct Wanted {
    const xmlNode* xrd;
    std::string_view id;
    std::string_view type;
    bool need_local_id;
    XrdsEndpoint* into;
  };
  for (const Wanted& w : {
           Wanted{*oauth, "oauth", kRequestTokenType, true, &services.request_token},
           Wanted{*oauth, "oauth", kAuthorizeType, false, &services.authorize},
           Wanted{*oauth, "oauth", kAccessTokenType, false, &services.access_token},
           Wanted{*omb, "omb", kPostNoticeType, false, &services.post_notice},
           Wanted{*omb, "omb", kUpdateProfileType, false, &services.update_profile},
       }) {
    Result<XrdsEndpoint> e = ReadEndpoint(w.xrd, w.id, w.type, w.need_local_id);
    if (!e.ok()) return e.status();
    *w.into = std::move(*e);
  }
  return services;
}

Result<YadisDecision> DecideYadis(const YadisResponse& response) {
  if (!IsOkStatus(response.status)) {
    return Status::FailedPrecondition("omb: Yadis: the profile URL answered HTTP " +
                                      std::to_string(response.status));
  }
  const std::string_view media_type =
      Trim(response.content_type.substr(0, response.content_type.find(';')));
  if (EqualsIgnoreAsciiCase(media_type, kXrdsContentType)) {
    return YadisDecision{.kind = YadisDecision::Kind::kIsXrds, .url = {}};
  }
  YadisDecision decision;
  const std::string_view header = Trim(response.xrds_location);
  if (!header.empty()) {
    decision.kind = YadisDecision::Kind::kFollowHeader;
    decision.url = std::string(header);
  } else {
    std::optional<std::string> meta =
        FindMetaXrdsLocation(response.body.substr(0, kMaxYadisHtmlScanBytes));
    if (!meta) {
      return Status::NotFound(
          "omb: Yadis: no XRDS advertised (no application/xrds+xml, X-XRDS-Location header or "
          "<meta http-equiv=\"X-XRDS-Location\">): not an OMB profile URL");
    }
    decision.kind = YadisDecision::Kind::kFollowMetaTag;
    decision.url = std::move(*meta);
  }
  if (!IsHttpUrl(decision.url) || decision.url.find_first_of(" \t\r\n") != std::string::npos) {
    return Status::InvalidArgument("omb: Yadis: XRDS location '" + decision.url +
                                   "' is not an absolute http(s) URL");
  }
  return decision;
}

Result<OmbServices> ReadXrdsResponse(const YadisResponse& response) {
  if (!IsOkStatus(response.status)) {
    return Status::FailedPrecondition("omb: Yadis: the XRDS location answered HTTP " +
                                      std::to_string(response.status));
  }
  return ReadXrds(response.body);
}

}  // namespace feedbridge::omb
