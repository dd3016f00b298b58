#pragma once

// The HTML pages people see: the list of bridged blogs, a blog's profile, a notice, the
// stylesheet, and the error pages in the same look. Pages are Mustache templates compiled into
// the binary (web/templates/, web/templates.h); every value is HTML-escaped by the template
// engine, and the only markup inserted as is comes out of feeds::SanitizeHtml.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "common/status.h"
#include "store/entry_store.h"
#include "store/feed_store.h"
#include "store/notice_store.h"
#include "store/subscription_store.h"
#include "web/error_pages.h"
#include "web/router.h"
#include "web/web_types.h"

namespace feedbridge::web {

// The values of a page template, by name; each is HTML-escaped, and an empty one leaves its
// {{#name}} section out.
using PageFields = std::vector<std::pair<std::string, std::string>>;

// Thread-safe (holds only immutable state; the stores are thread-safe). The stores and the
// clock must outlive this object, and this object the Router it registers into and the
// WebServer it is given to as ErrorPages.
class PageHandlers final : public ErrorPages {
 public:
  // `base_url` is the public root of the service ("http://localhost:8080/"); a missing final
  // slash is added. With `subscriptions` (optional; it must outlive this object) a blog's
  // profile shows its OMB subscriber count and a "Subscribe" link to the remote-subscribe form
  // (BASE/main/remotesubscribe?nickname=NICK, which the listener module serves).
  PageHandlers(std::string base_url, store::FeedStore& feeds, store::EntryStore& entries,
               store::NoticeStore& notices, Clock& clock,
               store::SubscriptionStore* subscriptions = nullptr);
  PageHandlers(const PageHandlers&) = delete;
  PageHandlers& operator=(const PageHandlers&) = delete;

  // Adds GET "/style.css", "/", "/notice/{id}", "/user/{id}" and "/{nick}". Literal routes are
  // added before
  // "/{nick}" so they win with a first-match router.
  void Register(Router& router);

  // GET /: the bridged blogs with their health, 50 a page, paged with ?after=<feed id>.
  // InvalidArgument for a bad `after`; Unavailable from the store.
  Result<WebResponse> Index(const WebRequest& request);
  // GET /{nick}: a blog's profile and its latest notices, paged with ?before=<notice id>.
  // NotFound for an unknown nickname; InvalidArgument for a bad `before`.
  Result<WebResponse> Profile(const WebRequest& request, std::string_view nick);
  // GET /user/{id}: a blog account's identifier URI (DESIGN.md), a 302 to its profile page.
  // NotFound for an unknown or removed account. ("/user/xrds" and the feeds of a blog named
  // "user" are routes of their own, added before this one.)
  Result<WebResponse> Identifier(const WebRequest& request, std::string_view id);
  // GET /notice/{id}: a notice, its entry's title and sanitized content. NotFound.
  Result<WebResponse> NoticePage(const WebRequest& request, std::string_view id);
  // GET /style.css.
  Result<WebResponse> Stylesheet(const WebRequest& request);

  // A page of another module (the listener's subscribe pages): web/templates/<template_name>
  // rendered with `fields`, in the site's layout, answered with `status` and never cached.
  // `form_leaves_site`: the page holds a form whose answer redirects to another site (the
  // subscribe form, answered with a 303 to the subscriber's own service), which the page's CSP
  // must then allow (form-action applies to redirects). Internal for a template bug.
  Result<WebResponse> RenderPage(int status, std::string_view title, std::string_view template_name,
                                 const PageFields& fields, bool form_leaves_site) const;

  // The error page for an HTTP status in the site's look (404, 400, 500...). The cause's
  // message is shown for 4xx answers only: 5xx causes may name internals (paths, hosts).
  // Never fails.
  WebResponse RenderError(int status, const Status& cause) const;
  // ErrorPages: RenderError.
  WebResponse Render(int status, const Status& cause) override;

 private:
  // Wraps a rendered page body in the layout and sets the security and caching headers;
  // answers 304 when the request's If-None-Match names the body's ETag.
  struct Page;
  Result<WebResponse> Finish(const WebRequest& request, const Page& page) const;
  // The page in the layout, with the security headers; no caching headers.
  Result<WebResponse> Wrap(const Page& page) const;

  std::string base_url_;         // Always ends with '/'.
  std::string stylesheet_path_;  // base_url_'s path + "style.css": "/style.css", "/sub/style.css".
  store::FeedStore& feeds_;
  store::EntryStore& entries_;
  store::NoticeStore& notices_;
  Clock& clock_;
  store::SubscriptionStore* const subscriptions_;  // Optional.
};

}  // namespace feedbridge::web
