#pragma once

// The OMB 0.1 messages as values (omb-0.1.md §4.3, §5, §6), to and from the parameter lists that
// omb/oauth.h signs and reads, with the validation the intersection of the peers applies
// (omb-0.1.md §4.3 table, §8, §9.1). Also the URL rule every peer enforces (PEAR Validate::uri
// with its strict query rule, §8 item 2) and the reply bodies senders look for (§5.3, §5.4).
// Pure; every function is thread-safe.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "omb/oauth.h"

namespace feedbridge::omb {

// omb-0.1.md §2, exact strings.
inline constexpr std::string_view kOmbVersion = "http://openmicroblogging.org/protocol/0.1";
inline constexpr std::string_view kPostNoticeType =
    "http://openmicroblogging.org/protocol/0.1/postNotice";
inline constexpr std::string_view kUpdateProfileType =
    "http://openmicroblogging.org/protocol/0.1/updateProfile";

inline constexpr size_t kMaxUriBytes = 255;   // Every URI and URL field; fullname, location.
inline constexpr size_t kMaxBioLength = 140;  // Characters (Laconica) and bytes (libomb).
inline constexpr std::string_view kDefaultLicense = "http://creativecommons.org/licenses/by/3.0/";

// ---- URLs ----

// True when `url` passes the rule Laconica and libomb apply to every URL field (PEAR
// Validate::uri, allowed schemes http and https, strict ";/?:@$,"): a lower-case http or https
// scheme, "//", no user info, a host of [A-Za-z0-9-] labels with an alphabetic last label (or a
// dotted IPv4 address), an optional decimal port, a path of unreserved characters, %HH,
// sub-delimiters, ':' and '@', and a query and fragment holding only unreserved characters, %HH
// and & = + ! * ' ( ) — no ; / ? : @ $ , and nothing outside printable ASCII. tag: and urn: URIs
// fail (libomb rejects them for omb_listenee, omb_listener and omb_notice).
bool PassesStrictUriRule(std::string_view url);

// `url` with every path byte the rule refuses (spaces, non-ASCII, ...) and every query or
// fragment byte it refuses (; / ? : @ $ , and the rest) percent-encoded, so that a blog
// permalink can go out as omb_notice_url (omb-0.1.md §9.1). Existing %HH escapes are kept.
// InvalidArgument when the result still fails PassesStrictUriRule (not http(s), a host the rule
// refuses such as an IDN or IPv6 literal, user info).
Result<std::string> EncodeForStrictUri(std::string_view url);

// ---- Profiles ----

// A listenee's profile (the bridge's blog account when we send; a remote user's when a peer
// sends updateProfile or its callback). The same fields describe a listener in the authorize
// callback (omb_listener_*). Empty means absent for the optional fields.
struct ListeneeProfile {
  std::string uri;       // omb_listenee: identifier URI, http(s), <= 255 bytes. Required.
  std::string profile;   // omb_listenee_profile: profile URL. Required.
  std::string nickname;  // omb_listenee_nickname: [0-9a-z]{1,64} (common/nickname.h). Required.
  std::string license;   // omb_listenee_license: license URL. Required in the authorize step.
  std::string fullname;  // <= 255 bytes.
  std::string homepage;  // URL.
  std::string bio;       // <= 140 characters and <= 140 bytes.
  std::string location;  // <= 255 bytes.
  std::string avatar;    // URL of a 96x96 PNG/GIF/JPEG.
  friend bool operator==(const ListeneeProfile&, const ListeneeProfile&) = default;
};

// OK when every present field is valid and the required ones (uri, profile, nickname, and the
// license when `require_license`) are present. InvalidArgument naming the parameter otherwise:
// text fields must be well-formed UTF-8; URL fields must pass PassesStrictUriRule and be
// <= kMaxUriBytes.
Status ValidateProfile(const ListeneeProfile& profile, bool require_license = true);

// The authorize redirect's OMB parameters (omb-0.1.md §4.3), to be signed by SignRequest with
// method GET and the request token.
struct AuthorizeRequest {
  std::string listener;  // omb_listener: the remote user's identifier URI (the XRDS LocalID).
  ListeneeProfile listenee;
  std::string callback;  // oauth_callback: our finish URL.
  friend bool operator==(const AuthorizeRequest&, const AuthorizeRequest&) = default;
};

// omb_version, omb_listener, omb_listenee, _profile, _nickname, _license, then the optional
// fields that are non-empty (_fullname, _homepage, _bio, _location, _avatar), then
// oauth_callback: the order of the omb-0.1.md §7.6 vector. InvalidArgument when the request is
// not valid (ValidateProfile, the listener URI and the callback URL checked too).
Result<ParamList> AuthorizeParams(const AuthorizeRequest& request);
// The other way, for the listener's service: omb_version must equal kOmbVersion; the six
// required parameters present and valid. Unknown parameters (oauth_*, action) are ignored.
Result<AuthorizeRequest> ParseAuthorizeParams(const ParamList& params);

// ---- postNotice (omb-0.1.md §5) ----

struct PostNotice {
  std::string listenee;  // omb_listenee: identifier URI. Required.
  std::string notice;    // omb_notice: the notice URI, http(s). Required.
  std::string content;   // omb_notice_content: plain UTF-8 text, non-empty. Required.
  std::string url;       // omb_notice_url: the notice's URL (EncodeForStrictUri'd permalink).
  std::string license;   // omb_notice_license.
  std::string seealso;   // omb_seealso: URL of extra content.
  std::string seealso_disposition;  // "link" or "inline"; only with seealso.
  std::string seealso_mediatype;    // Advisory media type; only with seealso.
  std::string seealso_license;      // URL; only with seealso.
  friend bool operator==(const PostNotice&, const PostNotice&) = default;
};

// InvalidArgument naming the parameter. Content length is not limited here (OMB sets no
// maximum; the sender fits it with FitNoticeText, a receiver applies its own limit).
Status ValidatePostNotice(const PostNotice& notice);
// omb_version, omb_listenee, omb_notice, omb_notice_content, then the non-empty optional ones
// (omb_notice_url, omb_notice_license, omb_seealso, _disposition, _mediatype, _license).
Result<ParamList> PostNoticeParams(const PostNotice& notice);
// omb_version must equal kOmbVersion (InvalidArgument "wrong OMB version"); then
// ValidatePostNotice.
Result<PostNotice> ParsePostNotice(const ParamList& params);

// ---- updateProfile (omb-0.1.md §6) ----

// What a received updateProfile says: nullopt = not sent (leave the field unchanged), "" =
// cleared.
struct ProfileUpdate {
  std::string listenee;  // Required.
  std::optional<std::string> profile, nickname, license, fullname, homepage, bio, location, avatar;
  friend bool operator==(const ProfileUpdate&, const ProfileUpdate&) = default;
};

// Every field, blanks as '' (what StatusNet 0.9 sends and §9.1 asks for): omb_version,
// omb_listenee, _profile, _nickname, _license, _fullname, _homepage, _bio, _location, _avatar.
// InvalidArgument when ValidateProfile fails.
Result<ParamList> UpdateProfileParams(const ListeneeProfile& profile);
// omb_version must equal kOmbVersion; omb_listenee required; each field sent is validated when
// non-empty; "" clears any field except nickname and profile, which cannot be blank.
Result<ProfileUpdate> ParseUpdateProfile(const ParamList& params);

// ---- Token replies and the authorize callback (omb-0.1.md §4.2-§4.4) ----

inline constexpr size_t kMaxTokenBytes = 255;  // Peers' subscription columns (omb-0.1.md §7.2).

// The answer to a request-token or access-token call.
struct TokenReply {
  std::string token;
  std::string secret;
  friend bool operator==(const TokenReply&, const TokenReply&) = default;
};

// Reads "oauth_token=T&oauth_token_secret=S[&omb_version=...]" (form-encoded, surrounding white
// space ignored; omb_version is not checked: no consumer does). InvalidArgument when either is
// missing, empty or over kMaxTokenBytes.
Result<TokenReply> ParseTokenReply(std::string_view body);
// "oauth_token=T&oauth_token_secret=S&omb_version=<encoded kOmbVersion>": what the bridge as
// service provider answers (omb-0.1.md §4.2, §9.2).
std::string TokenReplyBody(const TokenReply& reply);

// What the listener's service sends back through the browser on Accept (omb-0.1.md §4.3
// "Callback"). `listener.uri` is omb_listener when the peer sent it (libomb does, Laconica does
// not): the caller must use the LocalID it stored for the request token instead.
struct AuthorizeCallback {
  std::string token;  // oauth_token: the request token; look the stored state up by it.
  ListeneeProfile listener;
};

// PermissionDenied ("rejected") when there is no oauth_token (the Reject redirect carries no
// parameters); InvalidArgument for a wrong omb_version, a missing or invalid
// omb_listener_nickname (letters of either case and digits, 1-64: StatusNet 0.9 users may have
// upper-case nicknames) or omb_listener_profile, or an invalid optional field.
Result<AuthorizeCallback> ParseAuthorizeCallback(const ParamList& params);

// ---- Replies ----

// The body a listener's service answers a successful postNotice or updateProfile with
// (Content-Type text/plain, nothing else: omb-0.1.md §5.3).
inline constexpr std::string_view kOmbSuccessBody =
    "omb_version=http://openmicroblogging.org/protocol/0.1";

// True when a 200 answer's body says success: it contains kOmbSuccessBody (what libomb checks),
// or it is form-encoded with omb_version = kOmbVersion (the URL-encoded form, Laconica's
// parse_str check).
bool IsOmbSuccessBody(std::string_view body);

// True when the body is StatusNet 0.9's "Duplicate notice." (sent with a 500): the notice URI
// is already stored there, so the delivery is done (omb-0.1.md §5.4, §8 item 7).
bool IsDuplicateNoticeBody(std::string_view body);

// What a postNotice or updateProfile answer means to the sender (omb-0.1.md §5.4, §8 items 7
// and 10, §9.1; DESIGN.md "Delivery").
enum class OmbReply {
  kDelivered,         // 200 with the success body, or StatusNet's 500 "Duplicate notice.".
  kSubscriptionGone,  // 403: remove that subscription, try the next token on the same URL.
  kRetryLater,        // Anything else (a 200 without the body included): retry with backoff.
};
OmbReply ClassifyOmbReply(int http_status, std::string_view body);

}  // namespace feedbridge::omb
