#include "listener/subscribe_flow.h"

#include <utility>

#include "common/ascii.h"
#include "common/utf8.h"

namespace feedbridge::listener {
namespace {

constexpr std::string_view kEllipsis = "…";
constexpr size_t kMaxDetailBytes = 200;  // Of a peer's answer body quoted on a failure page.

// The longest prefix of well-formed `s` of at most `max_chars` characters and `max_bytes` bytes;
// when `s` is longer, it ends with "…" within the same limits.
std::string CutText(std::string_view s, size_t max_chars, size_t max_bytes) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); i += DecodeUtf8(s, i).length) ++chars;
  if (chars <= max_chars && s.size() <= max_bytes) return std::string(s);
  const size_t room_chars = max_chars - 1;
  const size_t room_bytes = max_bytes - kEllipsis.size();
  size_t end = 0;
  size_t taken = 0;
  while (end < s.size() && taken < room_chars) {
    const size_t len = DecodeUtf8(s, end).length;
    if (end + len > room_bytes) break;
    end += len;
    ++taken;
  }
  return std::string(Trim(s.substr(0, end))) + std::string(kEllipsis);
}

// The first bytes of a peer's answer, on one line, for a failure page.
std::string Excerpt(std::string_view body) {
  std::string out = CutText(ToWellFormedUtf8(Trim(body)), kMaxDetailBytes, kMaxDetailBytes);
  for (char& c : out) {
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  }
  return out;
}

omb::OAuthCredentials Credentials(std::string_view consumer_key, std::string token = {},
                                  std::string secret = {}) {
  return omb::OAuthCredentials{.consumer_key = std::string(consumer_key),
                               .consumer_secret = "",
                               .token = std::move(token),
                               .token_secret = std::move(secret)};
}

}  // namespace

FailureText DescribeFailure(SubscribeFailure failure) {
  using F = SubscribeFailure;
  switch (failure) {
    case F::kUnknownBlog:
      return {404, "No such blog",
              "There is no blog of that name on this bridge, so there is nothing to subscribe to.",
              false};
    case F::kNotProfileUrl:
      return {400, "That is not a profile URL",
              "Enter the address of your profile page on your own microblogging service, such as "
              "https://identi.ca/yourname.",
              true};
    case F::kNoXrds:
      return {400, "No OpenMicroBlogging account found there",
              "That page does not advertise an OpenMicroBlogging (OMB 0.1) account: there is no "
              "valid XRDS document behind it. Subscribing works from Laconica and StatusNet "
              "accounts; check that you entered your own profile page.",
              true};
    case F::kMissingEndpoint:
      return {400, "Your service does not offer what subscribing needs",
              "Your service's XRDS document lacks an endpoint OpenMicroBlogging 0.1 needs, so "
              "the subscription cannot be set up.",
              true};
    case F::kLocalProfile:
      return {400, "That profile is on this bridge",
              "The profile URL you entered belongs to this bridge itself. Enter your profile on "
              "your own microblogging service.",
              true};
    case F::kAlreadySubscribed:
      return {409, "You are already subscribed",
              "You already receive this blog's notices on your service; there is nothing more to "
              "do.",
              false};
    case F::kPeerUnreachable:
      return {502, "Your service could not be reached",
              "The bridge could not connect to your microblogging service. Try again later.", true};
    case F::kPrivateAddress:
      return {400, "That address is not allowed",
              "Your profile URL leads to a private or local network address, which the bridge "
              "does not contact. Enter the public address of your profile page.",
              true};
    case F::kPeerTimedOut:
      return {504, "Your service did not answer in time",
              "Your microblogging service took too long to answer. Try again later.", true};
    case F::kPeerRefused:
      return {502, "Your service refused the subscription",
              "Your microblogging service refused the bridge's request to set up the "
              "subscription.",
              true};
    case F::kRejected:
      return {403, "Subscription declined",
              "The subscription was declined on your service, so you are not subscribed.", true};
    case F::kBadCallback:
      return {400, "Your service sent back something unexpected",
              "Your service sent you back with parameters the bridge cannot accept, so the "
              "subscription was not stored. Please start again.",
              true};
    case F::kUnknownState:
      return {400, "This subscription request is unknown",
              "The bridge has no subscription in progress for this request: it was already "
              "finished, or it was never started here. Please start again from the blog's page.",
              false};
    case F::kExpiredState:
      return {410, "This subscription request has expired",
              "Too much time passed between starting the subscription and confirming it. Please "
              "start again from the blog's page.",
              false};
  }
  return {500, "Subscription failed", "", false};
}

omb::XrdsAccount BlogXrdsAccount(std::string_view base_url, int64_t account_id) {
  const std::string base(base_url);
  const std::string id = std::to_string(account_id);
  return omb::XrdsAccount{
      .local_id = base + "user/" + id,
      .request_token_url = base + "omb/requesttoken",
      .authorize_url = base + "omb/userauthorization",
      .access_token_url = base + "omb/accesstoken",
      .post_notice_url = base + "omb/" + id + "/postnotice",
      .update_profile_url = base + "omb/" + id + "/updateprofile",
  };
}

std::variant<std::string, Failure> CheckProfileUrl(std::string_view entered) {
  const std::string_view url = Trim(entered);
  if (url.empty()) return Failure{SubscribeFailure::kNotProfileUrl, "nothing was entered"};
  if (url.size() > omb::kMaxUriBytes) {
    return Failure{SubscribeFailure::kNotProfileUrl, "it is longer than 255 characters"};
  }
  for (const char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return Failure{SubscribeFailure::kNotProfileUrl, "it contains spaces or control characters"};
    }
  }
  if (!omb::SplitRequestUrl(url).ok()) {
    return Failure{SubscribeFailure::kNotProfileUrl,
                   "it is not an absolute http:// or https:// address"};
  }
  return std::string(url);
}

Failure TransportFailure(const Status& status) {
  switch (status.code()) {
    case Status::Code::kDeadlineExceeded:
      return Failure{SubscribeFailure::kPeerTimedOut, status.message()};
    case Status::Code::kPermissionDenied:
      return Failure{SubscribeFailure::kPrivateAddress, status.message()};
    default:
      return Failure{SubscribeFailure::kPeerUnreachable, status.message()};
  }
}

Failure DiscoveryFailure(const Status& status) {
  if (status.code() == Status::Code::kFailedPrecondition) {
    return Failure{SubscribeFailure::kNotProfileUrl, "the page did not load: " + status.message()};
  }
  return Failure{SubscribeFailure::kNoXrds, status.message()};
}

Failure XrdsFailure(const Status& status) {
  if (status.code() == Status::Code::kNotFound) {
    return Failure{SubscribeFailure::kMissingEndpoint, status.message()};
  }
  return Failure{SubscribeFailure::kNoXrds, status.message()};
}

std::optional<Failure> CheckDiscovered(const omb::OmbServices& peer, std::string_view base_url) {
  const auto local = [&](std::string_view url) {
    return !base_url.empty() && StartsWithIgnoreAsciiCase(url, base_url);
  };
  if (local(peer.listener_id()) || local(peer.request_token.url)) {
    return Failure{SubscribeFailure::kLocalProfile, peer.listener_id()};
  }
  if (peer.listener_id().size() > omb::kMaxUriBytes ||
      !omb::PassesStrictUriRule(peer.listener_id())) {
    return Failure{SubscribeFailure::kMissingEndpoint,
                   "its LocalID is not an http(s) URI: " + peer.listener_id().substr(0, 100)};
  }
  return std::nullopt;
}

Result<omb::SignedRequest> RequestTokenCall(const omb::OmbServices& peer, const Signer& signer) {
  return omb::SignRequest(
      omb::OAuthRequestParts{.method = "POST",
                             .endpoint_url = peer.request_token.url,
                             .params = {{"omb_listener", peer.listener_id()},
                                        {"omb_version", std::string(omb::kOmbVersion)}}},
      Credentials(signer.consumer_key), signer.nonce, signer.timestamp);
}

Result<std::string> AuthorizeLocation(const omb::OmbServices& peer,
                                      const omb::ListeneeProfile& listenee,
                                      std::string_view callback_url,
                                      const omb::TokenReply& request_token, const Signer& signer) {
  Result<omb::ParamList> params = omb::AuthorizeParams(omb::AuthorizeRequest{
      .listener = peer.listener_id(), .listenee = listenee, .callback = std::string(callback_url)});
  if (!params.ok()) return params.status();
  Result<omb::SignedRequest> signed_request = omb::SignRequest(
      omb::OAuthRequestParts{
          .method = "GET", .endpoint_url = peer.authorize.url, .params = std::move(*params)},
      Credentials(signer.consumer_key, request_token.token, request_token.secret), signer.nonce,
      signer.timestamp);
  if (!signed_request.ok()) return signed_request.status();
  return std::move(signed_request->url);
}

Result<omb::SignedRequest> AccessTokenCall(const store::PendingSubscription& flow,
                                           const Signer& signer) {
  return omb::SignRequest(
      omb::OAuthRequestParts{.method = "POST",
                             .endpoint_url = flow.access_token_url,
                             .params = {{"omb_version", std::string(omb::kOmbVersion)}}},
      Credentials(signer.consumer_key, flow.request_token, flow.token_secret), signer.nonce,
      signer.timestamp);
}

std::variant<omb::TokenReply, Failure> ReadTokenAnswer(int http_status, std::string_view body) {
  if (http_status != 200) {
    std::string detail = "HTTP " + std::to_string(http_status);
    const std::string excerpt = Excerpt(body);
    if (!excerpt.empty()) detail += ": " + excerpt;
    return Failure{SubscribeFailure::kPeerRefused, std::move(detail)};
  }
  Result<omb::TokenReply> reply = omb::ParseTokenReply(body);
  if (!reply.ok()) return Failure{SubscribeFailure::kPeerRefused, reply.status().message()};
  return *reply;
}

store::PendingSubscription PendingFlow(const omb::OmbServices& peer, const store::FeedRecord& blog,
                                       const omb::TokenReply& request_token, TimePoint now,
                                       std::chrono::seconds ttl) {
  return store::PendingSubscription{.request_token = request_token.token,
                                    .token_secret = request_token.secret,
                                    .account_id = blog.account_id,
                                    .nickname = blog.nickname,
                                    .listener_uri = peer.listener_id(),
                                    .access_token_url = peer.access_token.url,
                                    .post_notice_url = peer.post_notice.url,
                                    .update_profile_url = peer.update_profile.url,
                                    .created_at = now,
                                    .expires_at = now + ttl};
}

std::variant<store::RemoteProfile, Failure> DecideCallback(
    const omb::ParamList& params, const std::optional<store::PendingSubscription>& flow,
    TimePoint now) {
  const std::string* token = omb::FindParam(params, "oauth_token");
  if (token == nullptr || token->empty()) {
    return Failure{SubscribeFailure::kRejected, ""};
  }
  if (!flow) return Failure{SubscribeFailure::kUnknownState, ""};
  if (flow->expires_at < now) return Failure{SubscribeFailure::kExpiredState, ""};
  Result<omb::AuthorizeCallback> callback = omb::ParseAuthorizeCallback(params);
  if (!callback.ok()) {
    if (callback.status().code() == Status::Code::kPermissionDenied) {
      return Failure{SubscribeFailure::kRejected, ""};
    }
    return Failure{SubscribeFailure::kBadCallback, callback.status().message()};
  }
  const omb::ListeneeProfile& l = callback->listener;
  return store::RemoteProfile{.uri = flow->listener_uri,
                              .profile_url = l.profile,
                              .nickname = l.nickname,
                              .fullname = l.fullname,
                              .homepage = l.homepage,
                              .bio = l.bio,
                              .location = l.location,
                              .avatar_url = l.avatar,
                              .license = l.license};
}

store::Subscription SubscriptionOf(const store::PendingSubscription& flow,
                                   store::RemoteProfile subscriber,
                                   const omb::TokenReply& access_token) {
  store::Subscription s;
  s.account_id = flow.account_id;
  s.subscriber = std::move(subscriber);
  s.post_notice_url = flow.post_notice_url;
  s.update_profile_url = flow.update_profile_url;
  s.token = access_token.token;
  s.token_secret = access_token.secret;
  return s;
}

}  // namespace feedbridge::listener
