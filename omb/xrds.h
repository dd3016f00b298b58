#pragma once

// Yadis/XRDS for OMB 0.1 (omb-0.1.md §2, §3): writing an account's XRDS document, reading a
// peer's into its five endpoints, and the Yadis discovery decisions as pure functions of a
// finished HTTP exchange (the caller does the GETs). Pure: no network. Every function is
// thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"

namespace feedbridge::omb {

// omb-0.1.md §2, exact strings (kOmbVersion, kPostNoticeType and kUpdateProfileType are in
// omb/messages.h).
inline constexpr std::string_view kOAuthDiscoveryType = "http://oauth.net/discovery/1.0";
inline constexpr std::string_view kRequestTokenType = "http://oauth.net/core/1.0/endpoint/request";
inline constexpr std::string_view kAuthorizeType = "http://oauth.net/core/1.0/endpoint/authorize";
inline constexpr std::string_view kAccessTokenType = "http://oauth.net/core/1.0/endpoint/access";
inline constexpr std::string_view kResourceType = "http://oauth.net/core/1.0/endpoint/resource";
inline constexpr std::string_view kAuthHeaderType =
    "http://oauth.net/core/1.0/parameters/auth-header";
inline constexpr std::string_view kPostBodyType = "http://oauth.net/core/1.0/parameters/post-body";
inline constexpr std::string_view kHmacSha1Type = "http://oauth.net/core/1.0/signature/HMAC-SHA1";
inline constexpr std::string_view kXrdsNamespace = "xri://$xrds";
inline constexpr std::string_view kXrdNamespace = "xri://$xrd*($v*2.0)";
inline constexpr std::string_view kXrdsSimpleNamespace = "http://xrds-simple.net/core/1.0";
inline constexpr std::string_view kXrdsSimpleType = "xri://$xrds*simple";
inline constexpr std::string_view kXrdsContentType = "application/xrds+xml";
inline constexpr std::string_view kXrdsLocationHeader = "X-XRDS-Location";
// The Accept header php-openid's Yadis discovery sends for the profile URL (§3.2 step 1).
inline constexpr std::string_view kYadisAccept =
    "application/xrds+xml, text/html; q=0.3, application/xhtml+xml; q=0.5";

// Hostile-input caps. An XRDS is ~3 KB; identi.ca's never exceeded 4 KB.
inline constexpr size_t kMaxXrdsBytes = 256 * 1024;
// How much of an HTML profile page is scanned for the <meta http-equiv> (php-openid reads <head>).
inline constexpr size_t kMaxYadisHtmlScanBytes = 512 * 1024;

// ---- Writing (the bridge as listener service; and the blog accounts' own XRDS) ----

// The endpoints one account advertises, exactly as they are to appear (absolute URLs).
struct XrdsAccount {
  std::string local_id;  // The account's identifier URI: the request-token service's LocalID.
  std::string request_token_url;
  std::string authorize_url;
  std::string access_token_url;
  std::string post_notice_url;
  std::string update_profile_url;
};

// The XRDS document of §3.3: XRD xml:id="oauth" (request with LocalID, authorize, access,
// resource; each auth-header + post-body + HMAC-SHA1), XRD xml:id="omb" (postNotice,
// updateProfile), and the pointer XRD last (#oauth, #omb). Serve it as kXrdsContentType.
std::string WriteXrds(const XrdsAccount& account);

// ---- Reading (the bridge as consumer, discovering a remote listener) ----

// One OAuth or OMB endpoint of a peer.
struct XrdsEndpoint {
  std::string url;           // The service's <URI> (the one with the best priority), as written.
  std::string local_id;      // Its <LocalID>, empty when none.
  bool auth_header = false;  // Advertises …/parameters/auth-header.
  bool post_body = false;    // Advertises …/parameters/post-body.
  bool hmac_sha1 = false;    // Advertises …/signature/HMAC-SHA1.
};

struct OmbServices {
  XrdsEndpoint request_token;  // local_id = the listener's identifier URI (always non-empty).
  XrdsEndpoint authorize;
  XrdsEndpoint access_token;
  XrdsEndpoint post_notice;
  XrdsEndpoint update_profile;
  const std::string& listener_id() const { return request_token.local_id; }
};

// Parses an XRDS body (leading whitespace skipped, as Laconica trim()s) the way php-openid and
// Laconica do (§3.3 rules): services are read from the LAST <XRD>; its
// http://oauth.net/discovery/1.0 and http://openmicroblogging.org/protocol/0.1 services must
// point with a local fragment (#id) at a sibling <XRD xml:id="id">; there the request,
// authorize, access, postNotice and updateProfile services must each have a <URI>, and the
// request service a <LocalID>. Every URL must be absolute http(s).
// Errors:
//   ResourceExhausted  more than kMaxXrdsBytes.
//   InvalidArgument    not well-formed XML, not UTF-8, a DOCTYPE (no XRDS has one: refusing it
//                      stops entity expansion "billion laughs" and external entities outright),
//                      wrong root or namespaces.
//   NotFound           a pointer, a referenced XRD, a service, a <URI> or the <LocalID> missing;
//                      the message names which, for the subscribe failure page.
Result<OmbServices> ReadXrds(std::string_view body);

// ---- Yadis discovery decisions (§3.2) ----

// A finished GET of the profile URL or of an XRDS location, redirects already followed.
struct YadisResponse {
  int status = 0;
  std::string_view content_type;   // The Content-Type header, as received ("" when absent).
  std::string_view xrds_location;  // X-XRDS-Location (matched case-insensitively), "" if absent.
  std::string_view body;
};

struct YadisDecision {
  enum class Kind {
    kIsXrds,         // The body is the XRDS: pass it to ReadXrds.
    kFollowHeader,   // GET `url` (from X-XRDS-Location) and ReadXrds its body.
    kFollowMetaTag,  // GET `url` (from <meta http-equiv="X-XRDS-Location" content=…>).
  };
  Kind kind = Kind::kIsXrds;
  std::string url;  // For the kFollow* kinds: an absolute http(s) URL.
};

// What to do with the response to GET <profile URL> (sent with kYadisAccept): php-openid's
// order: content type application/xrds+xml (parameters ignored, case-insensitive) → the body;
// else the X-XRDS-Location header; else <meta http-equiv="X-XRDS-Location"|"X-Yadis-Location"
// content="…"> in the HTML head (first kMaxYadisHtmlScanBytes only).
// Errors:
//   FailedPrecondition  status not 200 or 206 (the message carries the status).
//   NotFound            no XRDS advertised ("not an OMB profile URL").
//   InvalidArgument     the advertised location is not an absolute http(s) URL.
Result<YadisDecision> DecideYadis(const YadisResponse& response);

// The XRDS body of the second GET (the advertised location): the status must be 200 or 206
// (FailedPrecondition otherwise); the content type is not checked (Laconica does not). Returns
// ReadXrds of the body.
Result<OmbServices> ReadXrdsResponse(const YadisResponse& response);

}  // namespace feedbridge::omb
