#pragma once

// The blog accounts' side of OMB 0.1 remote subscription, on web/'s router: each blog's XRDS
// (BASE/NICK/xrds), Laconica's remote-subscribe form (BASE/main/remotesubscribe: GET shows it,
// POST starts the flow) and the authorize callback (BASE/main/finishremotesubscribe). The flow
// as OAuth consumer (omb-0.1.md §4, §9.1): Yadis discovery of the entered profile URL, request
// token, a signed 303 to the peer's authorize URL, then on the callback the access token and the
// stored subscription. The decisions are the pure steps of listener/subscribe_flow.h; this is
// the glue to the stores, the outbound HTTP client and the pages.
//
// CSRF: there is no login and no session on the bridge, so a forged POST can do nothing the
// forger could not do by submitting the form themselves: discovery of a URL of their choosing
// (bounded by the outbound client's SSRF guard, timeout and answer cap) and a redirect to the
// peer's authorize page, where the person must still accept, on their own service, behind its
// own CSRF protection. The callback completes only a flow the bridge started, named by a request
// token the peer issued and only the bridge and the peer know, once (the flow is taken), before
// it expires. So the form carries no CSRF token; a state-changing GET is never answered (the
// form's GET only shows it).

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/clock.h"
#include "common/random.h"
#include "common/result.h"
#include "http/http_client.h"
#include "listener/subscribe_flow.h"
#include "omb/messages.h"
#include "store/feed_store.h"
#include "store/pending_subscription_store.h"
#include "store/subscription_store.h"
#include "web/page_handlers.h"
#include "web/router.h"
#include "web/web_types.h"

namespace Poco {
class Logger;
}

namespace feedbridge::listener {

struct SubscribeOptions {
  std::string base_url;  // The bridge's public root; a missing final slash is added.
  std::string license = std::string(omb::kDefaultLicense);  // omb_listenee_license.
  // Each outbound exchange with the peer (profile page, XRDS, each token call), whole.
  std::chrono::milliseconds timeout{10000};
  // The largest answer read from a peer: a profile page is scanned for its <meta> within
  // omb::kMaxYadisHtmlScanBytes; token answers are tiny.
  size_t max_answer_bytes = omb::kMaxYadisHtmlScanBytes;
  // How long a flow waits for its callback (the person logs in and accepts on their service).
  std::chrono::seconds flow_ttl{30 * 60};
};

// What the handlers use; every member must outlive the handlers.
struct SubscribeDeps {
  store::FeedStore& feeds;
  store::SubscriptionStore& subscriptions;
  store::PendingSubscriptionStore& pending;
  http::HttpClient& http;  // With the SSRF guard: peers are wherever people say they are.
  Clock& clock;
  Random& random;                  // Nonces.
  const web::PageHandlers& pages;  // The site's layout.
  Poco::Logger& log;
};

// Thread-safe (immutable state; the dependencies are thread-safe). Must outlive the Router it
// registers into.
class SubscribeHandlers {
 public:
  SubscribeHandlers(SubscribeOptions options, SubscribeDeps deps);
  SubscribeHandlers(const SubscribeHandlers&) = delete;
  SubscribeHandlers& operator=(const SubscribeHandlers&) = delete;

  // Adds GET and POST "/main/remotesubscribe", GET "/main/finishremotesubscribe" and GET
  // "/{nick}/xrds". Register before web's "/{nick}" routes (none of these has one segment, so
  // the order only matters for a blog named "main": its pages stay reachable).
  void Register(web::Router& router);

  // GET /{nick}/xrds: the blog's XRDS as application/xrds+xml. NotFound for no such blog.
  Result<web::WebResponse> Xrds(const web::WebRequest& request, std::string_view nick);
  // GET /main/remotesubscribe[?nickname=N&profile_url=U]: the form, filled in from the query.
  Result<web::WebResponse> Form(const web::WebRequest& request);
  // POST /main/remotesubscribe (nickname, profile_url): discovery, request token, then a 303 to
  // the peer's authorize URL; a failure page (4xx/5xx, DescribeFailure) when one step fails.
  // Errors (Unavailable...) only for the bridge's own trouble (the database).
  Result<web::WebResponse> Start(const web::WebRequest& request);
  // GET /main/finishremotesubscribe: the authorize callback; access token, the stored
  // subscription, the success page; or the failure page.
  Result<web::WebResponse> Finish(const web::WebRequest& request);

 private:
  template <class T>
  using Step = std::variant<T, Failure>;

  // The blog of that nickname; nullopt when there is none.
  Result<std::optional<store::FeedRecord>> FindBlog(std::string_view nick) const;
  Step<omb::OmbServices> Discover(const std::string& profile_url) const;
  Step<omb::TokenReply> TokenCall(const Result<omb::SignedRequest>& call) const;
  Signer NewSigner() const;
  Result<web::WebResponse> FailurePage(const Failure& failure, std::string_view nickname,
                                       std::string_view profile_url) const;

  SubscribeOptions options_;
  SubscribeDeps deps_;
  std::string form_url_;      // BASE/main/remotesubscribe
  std::string callback_url_;  // BASE/main/finishremotesubscribe
};

}  // namespace feedbridge::listener
