#include "listener/subscribe_handlers.h"

#include <Poco/Logger.h>

#include <utility>

#include "common/nickname.h"
#include "omb/blog_profile.h"
#include "omb/xrds.h"

namespace feedbridge::listener {
namespace {

constexpr size_t kNonceLength = 32;      // Laconica keeps nonces in char(32) (omb-0.1.md §7.5).
constexpr size_t kMaxEchoedBytes = 255;  // Of what was entered, shown again in the form.

// Cuts what a person typed to what a form field takes back.
std::string Echo(std::string_view s) { return std::string(s.substr(0, kMaxEchoedBytes)); }

std::string BlogName(const store::FeedRecord& feed) {
  return feed.title.empty() ? feed.nickname : feed.title;
}

web::WebResponse SeeOther(std::string location) {
  web::WebResponse r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.SetHeader("Location", std::move(location));
  r.SetHeader("Cache-Control", "no-store");
  r.SetHeader("Referrer-Policy", "no-referrer");
  return r;
}

}  // namespace

SubscribeHandlers::SubscribeHandlers(SubscribeOptions options, SubscribeDeps deps)
    : options_(std::move(options)), deps_(deps) {
  if (options_.base_url.empty() || options_.base_url.back() != '/') options_.base_url += '/';
  form_url_ = options_.base_url + "main/remotesubscribe";
  callback_url_ = options_.base_url + "main/finishremotesubscribe";
}

void SubscribeHandlers::Register(web::Router& router) {
  router.Add(
      "GET", "/main/remotesubscribe",
      [this](const web::WebRequest& request, const web::PathParams&) { return Form(request); });
  router.Add(
      "POST", "/main/remotesubscribe",
      [this](const web::WebRequest& request, const web::PathParams&) { return Start(request); });
  router.Add(
      "GET", "/main/finishremotesubscribe",
      [this](const web::WebRequest& request, const web::PathParams&) { return Finish(request); });
  router.Add("GET", "/{nick}/xrds",
             [this](const web::WebRequest& request, const web::PathParams& params) {
               const auto it = params.find("nick");
               return Xrds(request, it == params.end() ? std::string_view() : it->second);
             });
}

Result<std::optional<store::FeedRecord>> SubscribeHandlers::FindBlog(std::string_view nick) const {
  if (!IsValidNickname(nick)) return std::optional<store::FeedRecord>();
  Result<store::FeedRecord> feed = deps_.feeds.FindFeed(nick);
  if (!feed.ok()) {
    if (feed.status().code() == Status::Code::kNotFound) return std::optional<store::FeedRecord>();
    return feed.status().WithContext("listener: blog " + std::string(nick));
  }
  // FindFeed also matches feed URLs; an account is named by its nickname only.
  if (feed->nickname != nick) return std::optional<store::FeedRecord>();
  return std::optional<store::FeedRecord>(std::move(feed).value());
}

Result<web::WebResponse> SubscribeHandlers::Xrds(const web::WebRequest&, std::string_view nick) {
  Result<std::optional<store::FeedRecord>> blog = FindBlog(nick);
  if (!blog.ok()) return blog.status();
  if (!*blog) return Status::NotFound("listener: no blog named '" + Echo(nick) + "'");
  web::WebResponse r;
  r.content_type = std::string(omb::kXrdsContentType);
  r.body = omb::WriteXrds(BlogXrdsAccount(options_.base_url, (*blog)->account_id));
  r.SetHeader("Cache-Control", "public, max-age=300");
  r.SetHeader("X-Content-Type-Options", "nosniff");
  return r;
}

Result<web::WebResponse> SubscribeHandlers::Form(const web::WebRequest& request) {
  const std::string nickname = request.QueryParam("nickname");
  web::PageFields fields = {{"form_url", form_url_},
                            {"home_url", options_.base_url},
                            {"nickname", Echo(nickname)},
                            {"profile_url", Echo(request.QueryParam("profile_url"))}};
  std::string title = "Subscribe";
  if (!nickname.empty()) {
    Result<std::optional<store::FeedRecord>> blog = FindBlog(nickname);
    if (!blog.ok()) return blog.status();
    if (*blog) {
      title = "Subscribe to " + BlogName(**blog);
      fields.push_back({"blog_name", BlogName(**blog)});
      fields.push_back({"blog_url", options_.base_url + (*blog)->nickname});
    }
  }
  return deps_.pages.RenderPage(200, title, "remote_subscribe.mustache", fields,
                                /*form_leaves_site=*/true);
}

Signer SubscribeHandlers::NewSigner() const {
  return Signer{.consumer_key = options_.base_url,
                .nonce = RandomToken(deps_.random, kNonceLength),
                .timestamp = std::chrono::duration_cast<std::chrono::seconds>(
                                 deps_.clock.Now().time_since_epoch())
                                 .count()};
}

SubscribeHandlers::Step<omb::OmbServices> SubscribeHandlers::Discover(
    const std::string& profile_url) const {
  // php-openid's Yadis discovery (omb-0.1.md §3.2): the profile page, then the XRDS it names.
  http::HttpRequest get{.method = "GET",
                        .url = profile_url,
                        .headers = {{"Accept", std::string(omb::kYadisAccept)}},
                        .timeout = options_.timeout,
                        .max_body_bytes = options_.max_answer_bytes};
  Result<http::HttpResponse> page = deps_.http.Send(get);
  if (!page.ok()) return TransportFailure(page.status());
  Result<omb::YadisDecision> decision = omb::DecideYadis(
      {page->status, page->Find("Content-Type"), page->Find(omb::kXrdsLocationHeader), page->body});
  if (!decision.ok()) return DiscoveryFailure(decision.status());
  if (decision->kind == omb::YadisDecision::Kind::kIsXrds) {
    Result<omb::OmbServices> services = omb::ReadXrds(page->body);
    if (!services.ok()) return XrdsFailure(services.status());
    return *std::move(services);
  }
  get.url = decision->url;
  get.headers.clear();
  Result<http::HttpResponse> xrds = deps_.http.Send(get);
  if (!xrds.ok()) return TransportFailure(xrds.status());
  Result<omb::OmbServices> services = omb::ReadXrdsResponse(
      {xrds->status, xrds->Find("Content-Type"), xrds->Find(omb::kXrdsLocationHeader), xrds->body});
  if (!services.ok()) return XrdsFailure(services.status());
  return *std::move(services);
}

SubscribeHandlers::Step<omb::TokenReply> SubscribeHandlers::TokenCall(
    const Result<omb::SignedRequest>& call) const {
  if (!call.ok()) return Failure{SubscribeFailure::kMissingEndpoint, call.status().message()};
  // A token call that redirects is refused: the redirected POST would lose its body or its
  // signature, and a redirect could point the bridge at a private address.
  Result<http::HttpResponse> answer = deps_.http.Send(
      http::HttpRequest{.method = "POST",
                        .url = call->url,
                        .headers = {{"Content-Type", std::string(omb::kFormContentType)}},
                        .body = call->body,
                        .timeout = options_.timeout,
                        .max_body_bytes = options_.max_answer_bytes,
                        .max_redirects = 0});
  if (!answer.ok()) return TransportFailure(answer.status());
  return ReadTokenAnswer(answer->status, answer->body);
}

Result<web::WebResponse> SubscribeHandlers::Start(const web::WebRequest& request) {
  Result<omb::ParamList> form = omb::ParseFormEncoded(request.body);
  if (!form.ok()) return form.status().WithContext("listener: subscribe form");
  const std::string* nick_param = omb::FindParam(*form, "nickname");
  const std::string* url_param = omb::FindParam(*form, "profile_url");
  const std::string nickname = nick_param != nullptr ? *nick_param : std::string();
  const std::string entered = url_param != nullptr ? *url_param : std::string();

  Result<std::optional<store::FeedRecord>> found = FindBlog(nickname);
  if (!found.ok()) return found.status();
  if (!*found) return FailurePage({SubscribeFailure::kUnknownBlog, ""}, nickname, entered);
  const store::FeedRecord& blog = **found;

  std::variant<std::string, Failure> profile_url = CheckProfileUrl(entered);
  if (auto* f = std::get_if<Failure>(&profile_url)) return FailurePage(*f, nickname, entered);
  Step<omb::OmbServices> discovered = Discover(std::get<std::string>(profile_url));
  if (auto* f = std::get_if<Failure>(&discovered)) return FailurePage(*f, nickname, entered);
  const omb::OmbServices& peer = std::get<omb::OmbServices>(discovered);
  if (std::optional<Failure> f = CheckDiscovered(peer, options_.base_url)) {
    return FailurePage(*f, nickname, entered);
  }
  Result<std::optional<store::Subscription>> existing =
      deps_.subscriptions.Find(blog.account_id, peer.listener_id());
  if (!existing.ok()) return existing.status().WithContext("listener: subscribe");
  if (existing->has_value()) {
    return FailurePage({SubscribeFailure::kAlreadySubscribed, ""}, nickname, entered);
  }

  Step<omb::TokenReply> request_token = TokenCall(RequestTokenCall(peer, NewSigner()));
  if (auto* f = std::get_if<Failure>(&request_token)) return FailurePage(*f, nickname, entered);
  const omb::TokenReply& token = std::get<omb::TokenReply>(request_token);

  Result<std::string> location =
      AuthorizeLocation(peer,
                        omb::BlogProfile({.account_id = blog.account_id,
                                          .nickname = blog.nickname,
                                          .title = blog.title,
                                          .description = blog.description,
                                          .site_url = blog.site_url},
                                         options_.base_url, options_.license),
                        callback_url_, token, NewSigner());
  // The blog's own profile or the callback failing the peers' URI rule: the bridge's
  // configuration (server.base_url), not the person's doing.
  if (!location.ok())
    return Status::Internal("listener: authorize redirect: " + location.status().message());
  if (Status s =
          deps_.pending.Put(PendingFlow(peer, blog, token, deps_.clock.Now(), options_.flow_ttl));
      !s.ok()) {
    return s.WithContext("listener: subscribe");
  }
  deps_.log.information("listener: " + peer.listener_id() + " is subscribing to " + blog.nickname +
                        ", sent to " + peer.authorize.url);
  return SeeOther(std::move(*location));
}

Result<web::WebResponse> SubscribeHandlers::Finish(const web::WebRequest& request) {
  Result<omb::ParamList> params = omb::ParseFormEncoded(request.query);
  if (!params.ok()) {
    return FailurePage({SubscribeFailure::kBadCallback, params.status().message()}, "", "");
  }
  std::optional<store::PendingSubscription> flow;
  if (const std::string* token = omb::FindParam(*params, "oauth_token");
      token != nullptr && !token->empty()) {
    Result<std::optional<store::PendingSubscription>> taken = deps_.pending.Take(*token);
    if (!taken.ok()) return taken.status().WithContext("listener: subscribe callback");
    flow = std::move(taken).value();
  }
  std::variant<store::RemoteProfile, Failure> decided =
      DecideCallback(*params, flow, deps_.clock.Now());
  const std::string nickname = flow ? flow->nickname : std::string();
  if (auto* f = std::get_if<Failure>(&decided)) return FailurePage(*f, nickname, "");
  store::RemoteProfile& subscriber = std::get<store::RemoteProfile>(decided);

  Step<omb::TokenReply> access_token = TokenCall(AccessTokenCall(*flow, NewSigner()));
  if (auto* f = std::get_if<Failure>(&access_token)) {
    return FailurePage(*f, nickname, subscriber.profile_url);
  }
  const std::string who = subscriber.uri;
  const std::string their_profile = subscriber.profile_url;
  const std::string their_name =
      subscriber.fullname.empty() ? subscriber.nickname : subscriber.fullname;
  Result<store::SubscriptionStore::Subscribed> stored = deps_.subscriptions.Subscribe(
      SubscriptionOf(*flow, std::move(subscriber), std::get<omb::TokenReply>(access_token)));
  if (!stored.ok()) {
    if (stored.status().code() == Status::Code::kNotFound) {  // The blog went meanwhile.
      return FailurePage({SubscribeFailure::kUnknownBlog, ""}, "", "");
    }
    return stored.status().WithContext("listener: subscribe callback");
  }
  deps_.log.information("listener: " + who + " subscribed to " + flow->nickname +
                        (stored->created ? "" : " (again: tokens replaced)"));

  Result<std::optional<store::FeedRecord>> blog = FindBlog(flow->nickname);
  if (!blog.ok()) return blog.status();
  const std::string blog_name = *blog ? BlogName(**blog) : flow->nickname;
  return deps_.pages.RenderPage(200, "Subscribed to " + blog_name, "subscribed.mustache",
                                {{"blog_name", blog_name},
                                 {"blog_url", options_.base_url + flow->nickname},
                                 {"subscriber_name", their_name},
                                 {"subscriber_profile", their_profile},
                                 {"home_url", options_.base_url}},
                                /*form_leaves_site=*/false);
}

Result<web::WebResponse> SubscribeHandlers::FailurePage(const Failure& failure,
                                                        std::string_view nickname,
                                                        std::string_view profile_url) const {
  const FailureText text = DescribeFailure(failure.kind);
  web::PageFields fields = {{"failure_title", std::string(text.title)},
                            {"failure_text", std::string(text.explanation)},
                            {"failure_detail", failure.detail},
                            {"home_url", options_.base_url}};
  if (!nickname.empty() && failure.kind != SubscribeFailure::kUnknownBlog) {
    fields.push_back({"blog_url", options_.base_url + std::string(nickname)});
    fields.push_back({"blog_name", std::string(nickname)});
  }
  if (text.offer_form_again) {
    fields.push_back({"form_url", form_url_});
    fields.push_back({"nickname", Echo(nickname)});
    fields.push_back({"profile_url", Echo(profile_url)});
  }
  return deps_.pages.RenderPage(text.http_status, text.title, "remote_subscribe.mustache", fields,
                                /*form_leaves_site=*/text.offer_form_again);
}

}  // namespace feedbridge::listener
