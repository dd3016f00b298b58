#pragma once

// The bridge's side of OMB 0.1's remote-subscribe flow (omb-0.1.md §4, §9.1) as pure steps: the
// blog account's listenee profile, checking the entered profile URL, the signed request-token,
// authorize and access-token requests, reading the peer's token answers, deciding the authorize
// callback, and what each failure tells the person subscribing. No network, no clock, no
// randomness (nonce, timestamp and "now" are arguments): the handlers (subscribe_handlers.h)
// glue these to the stores and the HTTP client. Every function is thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/clock.h"
#include "common/result.h"
#include "common/status.h"
#include "omb/messages.h"
#include "omb/oauth.h"
#include "omb/xrds.h"
#include "store/records.h"

namespace feedbridge::listener {

// Why a subscription did not come about: each has its own page (DescribeFailure).
enum class SubscribeFailure {
  kUnknownBlog,        // No blog of that nickname here.
  kNotProfileUrl,      // What was entered is not an http(s) URL, or its page did not load (4xx).
  kNoXrds,             // The page advertises no XRDS (no OMB account), or it is not valid XRDS.
  kMissingEndpoint,    // The XRDS lacks an OMB or OAuth endpoint or the LocalID.
  kLocalProfile,       // The entered profile is on this bridge itself.
  kAlreadySubscribed,  // That person is subscribed to this blog already.
  kPeerUnreachable,    // The peer's host refused the connection, did not resolve...
  kPrivateAddress,     // The peer's host is on a private or local network: never contacted.
  kPeerTimedOut,       // The peer did not answer in time.
  kPeerRefused,        // The peer refused the request or access token (non-200, no token).
  kRejected,           // The person declined on their own service (callback without a token).
  kBadCallback,        // The callback's parameters are invalid (version, nickname, profile).
  kUnknownState,       // No flow of that request token: never started here, or finished.
  kExpiredState,       // The flow was started too long ago.
};

// What the failure page says.
struct FailureText {
  int http_status;                // 400, 404, 409, 502, 504...
  std::string_view title;         // "That is not a profile URL"
  std::string_view explanation;   // What happened and what to do, in a sentence or two.
  bool offer_form_again = false;  // Whether trying another URL may help (the form is shown).
};
FailureText DescribeFailure(SubscribeFailure failure);

// A failure and its detail for the page (the peer's answer, the missing service...). The
// detail names only what the person entered and what the peer said, never the bridge's
// internals.
struct Failure {
  SubscribeFailure kind;
  std::string detail;
  friend bool operator==(const Failure&, const Failure&) = default;
};

// ---- The listenee: the blog account ----

// The blog's XRDS (served at BASE/NICK/xrds): LocalID BASE/user/ACCOUNT, the bridge's OAuth
// endpoints BASE/omb/requesttoken, …/userauthorization, …/accesstoken, and the account's
// BASE/omb/ACCOUNT/postnotice and …/updateprofile (DESIGN.md "Identity and URLs").
omb::XrdsAccount BlogXrdsAccount(std::string_view base_url, int64_t account_id);

// ---- Step 1: the entered profile URL and discovery ----

// The entered profile URL, white space around it dropped: an absolute http(s) URL with a host,
// at most omb::kMaxUriBytes. Else kNotProfileUrl.
std::variant<std::string, Failure> CheckProfileUrl(std::string_view entered);

// A failed outbound exchange (a transport error of http::HttpClient): DeadlineExceeded is
// kPeerTimedOut, PermissionDenied (a private or local address) kPrivateAddress, anything else
// kPeerUnreachable; the detail is the client's message.
Failure TransportFailure(const Status& status);
// omb::DecideYadis's error for the profile page: FailedPrecondition (not 200) kNotProfileUrl,
// NotFound and InvalidArgument kNoXrds.
Failure DiscoveryFailure(const Status& status);
// omb::ReadXrdsResponse's error: NotFound kMissingEndpoint, anything else kNoXrds.
Failure XrdsFailure(const Status& status);

// What discovery found, checked: kLocalProfile when the LocalID or the request-token URL is on
// `base_url` (Laconica's "That's a local profile!" check); kMissingEndpoint when the LocalID is
// not an http(s) URI the peers' strict rule accepts (it goes out as omb_listener); nothing
// otherwise.
std::optional<Failure> CheckDiscovered(const omb::OmbServices& peer, std::string_view base_url);

// ---- Steps 2-4: the signed requests ----

// Who signs and with what freshness: consumer_key = the bridge's root URL (omb-0.1.md §7.1;
// the consumer secret is ""), a nonce of at most 32 characters, Unix seconds.
struct Signer {
  std::string consumer_key;
  std::string nonce;
  int64_t timestamp = 0;
};

// POST to the peer's request-token URL, signed with key "&", omb_listener = the LocalID and
// omb_version in the body (omb-0.1.md §4.2).
Result<omb::SignedRequest> RequestTokenCall(const omb::OmbServices& peer, const Signer& signer);

// The Location of the 303 that sends the browser to the peer's authorize URL: a legacy-signed
// GET (key "&" + request token secret) with oauth_token, omb_version, omb_listener, every
// omb_listenee_* field the profile has and oauth_callback (omb-0.1.md §4.3). InvalidArgument
// when the profile or the callback would not pass the peers' checks.
Result<std::string> AuthorizeLocation(const omb::OmbServices& peer,
                                      const omb::ListeneeProfile& listenee,
                                      std::string_view callback_url,
                                      const omb::TokenReply& request_token, const Signer& signer);

// POST to the access-token URL the flow remembered, signed with the request token, omb_version
// in the body (omb-0.1.md §4.4).
Result<omb::SignedRequest> AccessTokenCall(const store::PendingSubscription& flow,
                                           const Signer& signer);

// The peer's answer to a request-token or access-token call: 200 with both token values, else
// kPeerRefused ("HTTP 401: …" with the start of the body, or what the body lacks).
std::variant<omb::TokenReply, Failure> ReadTokenAnswer(int http_status, std::string_view body);

// ---- Step 3b: remembering the flow, and the callback ----

// What to remember between the request token and the callback (keyed by the request token),
// expiring `ttl` after `now`.
store::PendingSubscription PendingFlow(const omb::OmbServices& peer, const store::FeedRecord& blog,
                                       const omb::TokenReply& request_token, TimePoint now,
                                       std::chrono::seconds ttl);

// The callback's verdict: `flow` is what the store held for the callback's oauth_token (nullopt
// when none). kRejected when there is no oauth_token at all (the Reject redirect carries no
// parameters); kUnknownState without a flow; kExpiredState when it expired before `now`;
// kBadCallback when omb::ParseAuthorizeCallback refuses the parameters. Otherwise the remote
// profile, its uri = the LocalID the flow remembered (the callback carries no omb_listener in
// Laconica, and a libomb one must not be trusted over the XRDS's: omb-0.1.md §4.1).
std::variant<store::RemoteProfile, Failure> DecideCallback(
    const omb::ParamList& params, const std::optional<store::PendingSubscription>& flow,
    TimePoint now);

// The subscription to store once the access token came: the flow's endpoints and the remote
// profile, with the access token and secret.
store::Subscription SubscriptionOf(const store::PendingSubscription& flow,
                                   store::RemoteProfile subscriber,
                                   const omb::TokenReply& access_token);

}  // namespace feedbridge::listener
