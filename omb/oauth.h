#pragma once

// OAuth 1.0 (RFC 5849) HMAC-SHA1 as OMB 0.1 peers used it (omb-0.1.md §7): percent-encoding,
// parameter and URL normalization, the signature base string, signing a request the way
// Laconica/libomb clients send it (POST to the URL without its query, every parameter in the
// form body; or the legacy-signed authorize GET), and the checks a service provider makes on a
// signed request it receives. Pure: no network, no clock, no randomness (nonce, timestamp and
// "now" are arguments). Every function is thread-safe.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace feedbridge::omb {

// One request parameter, raw (decoded) bytes. Order matters only for the bytes sent; signing
// sorts. Duplicate names are allowed (RFC 5849 §3.4.1.3.2 keeps them).
struct Param {
  std::string name;
  std::string value;
  friend bool operator==(const Param&, const Param&) = default;
};
using ParamList = std::vector<Param>;

// The value of the first parameter called `name`, or nullptr. The pointer borrows from `params`.
const std::string* FindParam(const ParamList& params, std::string_view name);

inline constexpr std::string_view kHmacSha1 = "HMAC-SHA1";
inline constexpr std::string_view kOAuthVersion = "1.0";
inline constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded";
// Laconica's window (omb-0.1.md §7.5), applied both ways as StatusNet >= 0.9.6 does.
inline constexpr int64_t kMaxTimestampSkewSeconds = 300;
// Laconica stores nonces in char(32) (omb-0.1.md §7.5); a received one may be longer, up to this
// (a nonce is remembered, so an unbounded one would let a peer fill the nonce store).
inline constexpr size_t kMaxNonceBytes = 255;

// ---- Encoding and normalization (RFC 5849 §3.4.1, §3.6) ----

// RFC 3986 percent-encoding: every byte except A-Z a-z 0-9 - . _ ~ becomes %XX with upper-case
// hex (PHP rawurlencode). UTF-8 is encoded byte by byte.
std::string PercentEncode(std::string_view s);

// Undoes percent-encoding. With `plus_is_space` (form bodies and query strings, as PHP decodes
// them) '+' becomes ' '. A '%' not followed by two hex digits is InvalidArgument.
Result<std::string> PercentDecode(std::string_view s, bool plus_is_space);

// name=value pairs, each PercentEncode'd, joined with '&', in the order given: the form body or
// query string we send.
std::string FormEncode(const ParamList& params);

// RFC 5849 §3.4.1.3.2: every parameter except oauth_signature, names and values encoded, sorted
// by encoded name then encoded value (byte order), joined "n=v&n=v".
std::string NormalizeParameters(const ParamList& params);

// An absolute http(s) URL split into its normalized base (§3.4.1.2: scheme and host
// lower-cased, :80 for http and :443 for https dropped, an empty path made "/", query and
// fragment removed; the path is kept byte for byte) and the parameters of its query
// (form-decoded, in order).
struct SplitUrl {
  std::string base;
  ParamList query;
};
// InvalidArgument for anything but an absolute http(s) URL with a host, for user info, a bad
// port or a malformed %-escape in the query.
Result<SplitUrl> SplitRequestUrl(std::string_view url);

// "METHOD&enc(base_url)&enc(NormalizeParameters(params))", method upper-cased. `base_url` must
// already be normalized (SplitUrl::base); `params` must include the URL's query parameters.
std::string SignatureBaseString(std::string_view method, std::string_view base_url,
                                const ParamList& params);

// base64(HMAC-SHA1(enc(consumer_secret) "&" enc(token_secret), base_string)).
std::string HmacSha1Signature(std::string_view base_string, std::string_view consumer_secret,
                              std::string_view token_secret);

// ---- Signing (the consumer side: the bridge as listenee service) ----

// Who signs. OMB: consumer_key = the bridge's root URL, consumer_secret = "" (omb-0.1.md §7.1).
// An empty token means the request carries no oauth_token (the request-token call).
struct OAuthCredentials {
  std::string consumer_key;
  std::string consumer_secret;
  std::string token;
  std::string token_secret;
};

// What to send. `endpoint_url` is the URL exactly as the XRDS advertised it, query included
// (e.g. http://identi.example/index.php?action=postnotice); its query parameters are signed and
// sent with the others (omb-0.1.md §7.4, §8 item 1). `params` are the protocol's own (omb_*,
// oauth_callback), in the order they are to be sent; they must not contain oauth_* parameters
// other than oauth_callback.
struct OAuthRequestParts {
  std::string method;  // "POST" (every OMB call) or "GET" (the authorize redirect).
  std::string endpoint_url;
  ParamList params;
};

// A signed request, ready to send.
struct SignedRequest {
  std::string method;  // Upper-cased.
  // POST: the normalized endpoint URL without its query. GET: that URL + "?" + every
  // parameter form-encoded (the authorize redirect's Location, omb-0.1.md §4.3 "legacy" way).
  std::string url;
  // POST: every parameter form-encoded (send with kFormContentType). GET: empty.
  std::string body;
  // Every parameter sent, oauth_signature last, in the order Laconica's OAuth.php sends them:
  // oauth_version, oauth_nonce, oauth_timestamp, oauth_consumer_key, the endpoint's query
  // parameters, oauth_token (when there is one), `params`, oauth_signature_method,
  // oauth_signature. (This is the order of the omb-0.1.md §7.6 vectors.)
  ParamList params;
  std::string base_string;  // What was signed, for logs and tests.
};

// Signs `parts` with `credentials`, `nonce` and `timestamp` (Unix seconds). InvalidArgument when
// the endpoint URL is not an absolute http(s) URL, the method is not GET or POST, `params` holds
// an oauth_* parameter other than oauth_callback, or the nonce is empty.
Result<SignedRequest> SignRequest(const OAuthRequestParts& parts,
                                  const OAuthCredentials& credentials, std::string_view nonce,
                                  int64_t timestamp);

// ---- Verification (the service-provider side: the bridge as listener service) ----

// Caps on what a received request may carry (hostile input). Named, so the web layer can log
// which one was hit.
struct ParamLimits {
  size_t max_params = 100;             // Over all sources together.
  size_t max_name_bytes = 256;         // Decoded.
  size_t max_value_bytes = 64 * 1024;  // Decoded; a notice has no maximum length in OMB 0.1.
};

// Parses "a=1&b=2" (query string or application/x-www-form-urlencoded body; '+' is a space).
// Empty pieces ("a=1&&b=2") are skipped; "a" alone is a=''. InvalidArgument for a bad %-escape;
// ResourceExhausted when a name or value is over its cap or there are more than max_params.
Result<ParamList> ParseFormEncoded(std::string_view s, const ParamLimits& limits = {});

// Parses the value of an "Authorization: OAuth k="v", k2="v2"" header (RFC 5849 §3.5.1): the
// scheme is matched case-insensitively, values are quoted and percent-encoded, "realm" is
// dropped. InvalidArgument for another scheme or bad syntax; caps as ParseFormEncoded.
Result<ParamList> ParseAuthorizationHeader(std::string_view header, const ParamLimits& limits = {});

// Every parameter of a received request in one list: the query string, then the form body (pass
// "" unless the content type is application/x-www-form-urlencoded), then the Authorization header
// (pass "" when absent). InvalidArgument when an oauth_* name occurs twice (anywhere); caps apply
// to the whole.
Result<ParamList> CollectRequestParams(std::string_view query, std::string_view form_body,
                                       std::string_view authorization_header,
                                       const ParamLimits& limits = {});

// The oauth_* protocol parameters of a received request, checked for form.
struct OAuthProtocolParams {
  std::string consumer_key;
  std::string token;  // Empty when the request carries none (request-token call).
  std::string signature;
  std::string nonce;
  int64_t timestamp = 0;
  std::string callback;  // oauth_callback, empty when absent.
};

// Reads the protocol parameters out of `params`. InvalidArgument when oauth_consumer_key,
// oauth_signature, oauth_nonce or oauth_timestamp is missing or empty, the timestamp is not a
// non-negative decimal integer, the nonce is over kMaxNonceBytes, oauth_version is present and not
// "1.0", or oauth_signature_method is missing (PLAINTEXT, omb-0.1.md §7.3) or not HMAC-SHA1.
Result<OAuthProtocolParams> ReadOAuthParams(const ParamList& params);

// Answers whether a (consumer, token, timestamp, nonce) was seen before, and remembers it.
// Implementations decide how long to remember (at least kMaxTimestampSkewSeconds * 2).
class NonceChecker {
 public:
  virtual ~NonceChecker() = default;
  // OK and remembered when new; AlreadyExists when seen before; Unavailable when the store is
  // down (the caller should answer "retry", never 403).
  virtual Status CheckAndRemember(std::string_view consumer_key, std::string_view token,
                                  int64_t timestamp, std::string_view nonce) = 0;
};

// Everything VerifyRequest needs about the received request.
struct ReceivedRequest {
  std::string_view method;  // The HTTP method used (Laconica 0.7.4+ always signs as POST).
  // The endpoint URL exactly as this service advertised it; its query part is ignored, since the
  // request's own query parameters are already in `params`.
  std::string_view endpoint_url;
  const ParamList& params;  // From CollectRequestParams.
};

// Checks a received request, cheapest first, and remembers its nonce only once all else passed:
// - the timestamp within ±kMaxTimestampSkewSeconds of `now` (Unix seconds): Unauthenticated
//   ("stale timestamp" / "timestamp in the future");
// - the HMAC-SHA1 signature, compared in constant time: Unauthenticated ("bad signature");
// - the nonce through `nonces` (AlreadyExists for a replay, as the checker says).
// `oauth` must come from ReadOAuthParams(request.params). InvalidArgument for a bad URL.
Status VerifyRequest(const ReceivedRequest& request, const OAuthProtocolParams& oauth,
                     std::string_view consumer_secret, std::string_view token_secret, int64_t now,
                     NonceChecker& nonces);

// Equal strings, in time that depends only on the lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace feedbridge::omb
