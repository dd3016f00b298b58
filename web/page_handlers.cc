#include "web/page_handlers.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cstdio>
#include <kainjow/mustache.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "common/nickname.h"
#include "common/text.h"
#include "feeds/dates.h"
#include "feeds/entry_document.h"
#include "feeds/html.h"
#include "feeds/model.h"
#include "web/handler_helpers.h"
#include "web/http_errors.h"
#include "web/templates.h"

namespace feedbridge::web {
namespace {

namespace mustache = kainjow::mustache;

constexpr size_t kBlogsPerPage = 50;
constexpr size_t kNoticesPerPage = 20;
constexpr std::string_view kSiteName = "feedbridge";
constexpr size_t kMaxEchoedInput = 64;  // Of a bad parameter, quoted back in the 400 page.

// No script may run, nothing may frame us (clickjacking), images may come from the blogs.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; style-src 'self'; img-src http: https: data:; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";
// The same for a page with the subscribe form: its answer is a 303 to the subscriber's own
// service (anywhere), and form-action also governs the redirects after a submission.
constexpr std::string_view kContentSecurityPolicyFormsLeave =
    "default-src 'none'; style-src 'self'; img-src http: https: data:; base-uri 'none'; "
    "form-action 'self' http: https:; frame-ancestors 'none'";
constexpr std::string_view kCacheControl = "public, max-age=60";

std::string Quote(std::string_view input) {
  return "'" + std::string(input.substr(0, kMaxEchoedInput)) + "'";
}

// A template or a rendering failure is a bug in web/templates/, not bad input: Internal.
Result<std::string> RenderTemplate(std::string_view name, const mustache::data& data) {
  const std::optional<std::string_view> text = TemplateText(name);
  if (!text) return Status::Internal("web: no template " + std::string(name));
  mustache::mustache tmpl{std::string(*text)};
  if (!tmpl.is_valid()) {
    return Status::Internal("web: template " + std::string(name) + ": " + tmpl.error_message());
  }
  std::string out = tmpl.render(data);
  if (!tmpl.is_valid()) {
    return Status::Internal("web: template " + std::string(name) + ": " + tmpl.error_message());
  }
  return out;
}

// "2027-01-15 08:00 UTC": the same for every reader, so the page (and its ETag) depends on the
// data only.
std::string HumanTime(TimePoint t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::minutes>(t - day)};
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u %02d:%02d UTC", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()));
  return buf;
}

// {iso, text} for a <time datetime="iso">text</time>.
mustache::data TimeData(TimePoint t) {
  mustache::data d;
  d.set("iso", feeds::FormatRfc3339(Seconds(t)));
  d.set("text", HumanTime(t));
  return d;
}

struct Health {
  std::string text;
  std::string css_class;
};

Health HealthOf(const store::FeedRecord& feed) {
  if (feed.disabled()) return {"disabled: " + feed.disabled_reason, "disabled"};
  if (feed.failing_since || feed.consecutive_failures > 0 || !feed.last_error.empty()) {
    std::string text = "failing";
    if (feed.failing_since) text += " since " + HumanTime(*feed.failing_since);
    if (!feed.last_error.empty()) text += ": " + feed.last_error;
    return {std::move(text), "failing"};
  }
  return {"ok", "ok"};
}

std::string BlogName(const store::FeedRecord& feed) {
  return feed.title.empty() ? feed.nickname : feed.title;
}

// ?after= / ?before=: absent is 0 (the first page).
Result<int64_t> PageCursor(const WebRequest& request, std::string_view name) {
  Result<std::optional<int64_t>> cursor = PagingParam(request, name);
  if (!cursor.ok()) return cursor.status();
  return cursor->value_or(0);
}

// A strong ETag of the body: its fingerprint and its size.
std::string ETagOf(std::string_view body) {
  Fingerprint fp;
  fp.AddBytes(body);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "\"%s-%zx\"", fp.Hex().c_str(), body.size());
  return buf;
}

void SetSecurityHeaders(WebResponse& response, bool form_leaves_site = false) {
  response.SetHeader(
      "Content-Security-Policy",
      std::string(form_leaves_site ? kContentSecurityPolicyFormsLeave : kContentSecurityPolicy));
  response.SetHeader("X-Content-Type-Options", "nosniff");
  response.SetHeader("Referrer-Policy", "no-referrer");
}

// ETag and Cache-Control on a finished 200; a 304 without a body when the client has it.
WebResponse Conditional(const WebRequest& request, WebResponse response) {
  const std::string etag = ETagOf(response.body);
  response.SetHeader("ETag", etag);
  response.SetHeader("Cache-Control", std::string(kCacheControl));
  const std::string_view if_none_match = request.Header("If-None-Match");
  if (!if_none_match.empty() && IfNoneMatchHits(if_none_match, etag)) {
    response.status = 304;
    response.body.clear();
  }
  return response;
}

// "1:02:03" from an hour up, "12:05" below it.
std::string HumanDuration(int64_t seconds) {
  char buf[32];
  const long long h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60;
  if (h > 0) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", h, m, s);
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", m, s);
  }
  return buf;
}

// "820 bytes", "14 KB", "23.4 MB", "1.2 GB" (decimal units, as players and hosts show them).
std::string HumanSize(int64_t bytes) {
  char buf[32];
  if (bytes < 1000) {
    std::snprintf(buf, sizeof buf, "%lld bytes", static_cast<long long>(bytes));
  } else if (bytes < 1000 * 1000) {
    std::snprintf(buf, sizeof buf, "%lld KB", static_cast<long long>(bytes / 1000));
  } else if (bytes < int64_t{1000} * 1000 * 1000) {
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(bytes) / 1e9);
  }
  return buf;
}

// The entry's audio and video files, as links: remote media is never loaded by the page (the
// CSP allows no media source), only offered.
mustache::data MediaLinks(const feeds::Entry& entry) {
  mustache::data links{mustache::data::type::list};
  for (const feeds::Enclosure& e : entry.enclosures) {
    const bool audio = e.type.starts_with("audio/") || e.medium == "audio";
    const bool video = e.type.starts_with("video/") || e.medium == "video";
    if ((!audio && !video) || !IsWebUrl(e.url)) continue;
    std::string details = e.type;
    if (e.duration_seconds && *e.duration_seconds > 0) {
      details += (details.empty() ? "" : ", ") + HumanDuration(*e.duration_seconds);
    }
    if (e.length && *e.length > 0) details += (details.empty() ? "" : ", ") + HumanSize(*e.length);
    mustache::data link;
    link.set("href", e.url);
    link.set("type", e.type);
    link.set("label", !e.title.empty() ? e.title : audio ? "Listen" : "Watch");
    if (!details.empty()) link.set("details", details);
    links.push_back(link);
  }
  return links;
}

}  // namespace

struct PageHandlers::Page {
  std::string title;
  std::string body;  // Rendered from a template: safe markup.
  std::vector<std::pair<std::string, std::string>> alternates;  // (type, href) + label below.
  std::vector<std::string> alternate_labels;
  std::string xrds_url;  // Empty: none.
  std::optional<TimePoint> last_modified;
  bool form_leaves_site = false;  // See RenderPage.
};

PageHandlers::PageHandlers(std::string base_url, store::FeedStore& feeds,
                           store::EntryStore& entries, store::NoticeStore& notices, Clock& clock,
                           store::SubscriptionStore* subscriptions)
    : base_url_(std::move(base_url)),
      feeds_(feeds),
      entries_(entries),
      notices_(notices),
      clock_(clock),
      subscriptions_(subscriptions) {
  if (base_url_.empty() || base_url_.back() != '/') base_url_ += '/';
  // The stylesheet is linked by path, on the origin the page was fetched from: the CSP allows
  // styles from 'self' only, and a page opened through another name of the host (127.0.0.1
  // for localhost, say) must not lose its style.
  std::string path = "/";
  try {
    path = Poco::URI(base_url_).getPath();
  } catch (const Poco::SyntaxException&) {
    // Checked by the configuration; "/" is the least surprising fallback.
  }
  if (path.empty() || path.back() != '/') path += '/';
  stylesheet_path_ = path + "style.css";
}

void PageHandlers::Register(Router& router) {
  router.Add("GET", "/style.css",
             [this](const WebRequest& request, const PathParams&) { return Stylesheet(request); });
  router.Add("GET", "/",
             [this](const WebRequest& request, const PathParams&) { return Index(request); });
  router.Add("GET", "/notice/{id}", [this](const WebRequest& request, const PathParams& params) {
    const auto it = params.find("id");
    return NoticePage(request, it == params.end() ? std::string_view() : it->second);
  });
  router.Add("GET", "/user/{id}", [this](const WebRequest& request, const PathParams& params) {
    const auto it = params.find("id");
    return Identifier(request, it == params.end() ? std::string_view() : it->second);
  });
  router.Add("GET", "/{nick}", [this](const WebRequest& request, const PathParams& params) {
    const auto it = params.find("nick");
    return Profile(request, it == params.end() ? std::string_view() : it->second);
  });
}

Result<WebResponse> PageHandlers::Index(const WebRequest& request) {
  const Result<int64_t> after = PageCursor(request, "after");
  if (!after.ok()) return after.status();
  Result<std::vector<store::FeedRecord>> list = feeds_.ListFeeds(*after, kBlogsPerPage + 1);
  if (!list.ok()) return list.status().WithContext("web: index");
  const bool more = list->size() > kBlogsPerPage;
  if (more) list->resize(kBlogsPerPage);

  mustache::data blogs{mustache::data::type::list};
  for (const store::FeedRecord& feed : *list) {
    const Health health = HealthOf(feed);
    mustache::data blog;
    blog.set("name", BlogName(feed));
    blog.set("nickname", feed.nickname);
    blog.set("profile_url", base_url_ + feed.nickname);
    if (feed.last_success_at) blog.set("updated", TimeData(*feed.last_success_at));
    blog.set("health", health.text);
    blog.set("health_class", health.css_class);
    blogs.push_back(blog);
  }
  mustache::data data;
  data.set("has_blogs", !list->empty());
  data.set("blogs", blogs);
  if (more) data.set("next_url", base_url_ + "?after=" + std::to_string(list->back().id));

  Result<std::string> body = RenderTemplate("index.mustache", data);
  if (!body.ok()) return body.status();
  Page page;
  page.title = "Bridged blogs";
  page.body = std::move(*body);
  return Finish(request, page);
}

Result<WebResponse> PageHandlers::Profile(const WebRequest& request, std::string_view nick) {
  const Status not_found = Status::NotFound("web: no blog named " + Quote(nick));
  if (!IsValidNickname(nick)) return not_found;
  Result<store::FeedRecord> feed = feeds_.FindFeed(nick);
  if (!feed.ok()) {
    if (feed.status().code() == Status::Code::kNotFound) return not_found;
    return feed.status().WithContext("web: profile " + Quote(nick));
  }
  // FindFeed also matches feed URLs; a profile is found by its nickname only.
  if (feed->nickname != nick) return not_found;
  const Result<int64_t> before = PageCursor(request, "before");
  if (!before.ok()) return before.status();
  Result<std::vector<store::Notice>> notices =
      notices_.ListNotices(feed->account_id, *before, kNoticesPerPage + 1);
  if (!notices.ok()) return notices.status().WithContext("web: profile " + Quote(nick));
  const bool more = notices->size() > kNoticesPerPage;
  if (more) notices->resize(kNoticesPerPage);

  const std::string profile_url = base_url_ + feed->nickname;
  Page page;
  page.title = BlogName(*feed);
  page.alternates = {{"application/atom+xml", profile_url + "/feed.atom"},
                     {"application/rss+xml", profile_url + "/feed.rss"},
                     {"application/feed+json", profile_url + "/feed.json"}};
  page.alternate_labels = {"Atom", "RSS", "JSON Feed"};
  page.xrds_url = profile_url + "/xrds";
  // The page changes with new notices and with each poll (health, title).
  TimePoint modified = feed->created_at;
  if (feed->last_polled_at) modified = std::max(modified, *feed->last_polled_at);
  if (!notices->empty()) modified = std::max(modified, notices->front().created_at);
  page.last_modified = modified;

  const Health health = HealthOf(*feed);
  mustache::data data;
  data.set("name", page.title);
  data.set("nickname", feed->nickname);
  if (!feed->description.empty()) data.set("description", feed->description);
  if (IsWebUrl(feed->site_url)) data.set("site_url", feed->site_url);
  if (IsWebUrl(feed->icon_url)) data.set("icon_url", feed->icon_url);
  data.set("health", health.text);
  data.set("health_class", health.css_class);
  if (subscriptions_ != nullptr) {
    Result<int64_t> count = subscriptions_->CountByAccount(feed->account_id);
    if (!count.ok()) return count.status().WithContext("web: profile " + Quote(nick));
    data.set("subscribers",
             Counted(static_cast<uint64_t>(*count), "OMB subscriber", "OMB subscribers"));
    // The remote-subscribe form, as Laconica put it on a profile: the blog given, the
    // subscriber's profile URL asked. Its answer is a 303 to the subscriber's own service, so
    // this page's form-action allows other sites; it is the page's only active markup (the
    // browser test of hostile entries checks that nothing else is).
    data.set("subscribe_action", base_url_ + "main/remotesubscribe");
    page.form_leaves_site = true;
  }
  mustache::data alternates{mustache::data::type::list};
  for (size_t i = 0; i < page.alternates.size(); ++i) {
    mustache::data a;
    a.set("type", page.alternates[i].first);
    a.set("href", page.alternates[i].second);
    a.set("label", page.alternate_labels[i]);
    alternates.push_back(a);
  }
  data.set("alternates", alternates);
  mustache::data items{mustache::data::type::list};
  for (const store::Notice& notice : *notices) {
    mustache::data item;
    item.set("text", notice.text);
    item.set("notice_url", base_url_ + "notice/" + std::to_string(notice.id));
    item.set("iso", feeds::FormatRfc3339(Seconds(notice.created_at)));
    item.set("time", HumanTime(notice.created_at));
    items.push_back(item);
  }
  data.set("has_notices", !notices->empty());
  data.set("notices", items);
  if (more) {
    data.set("next_url", profile_url + "?before=" + std::to_string(notices->back().id));
  }

  Result<std::string> body = RenderTemplate("profile.mustache", data);
  if (!body.ok()) return body.status();
  page.body = std::move(*body);
  Result<WebResponse> response = Finish(request, page);
  if (response.ok()) response->SetHeader("X-XRDS-Location", page.xrds_url);
  return response;
}

Result<WebResponse> PageHandlers::Identifier(const WebRequest&, std::string_view id) {
  const Status not_found = Status::NotFound("web: no account " + Quote(id));
  const std::optional<int64_t> account_id = PositiveInteger(id);
  if (!account_id) return not_found;
  Result<store::FeedRecord> feed = feeds_.FindFeedByAccount(*account_id);
  if (!feed.ok()) {
    if (feed.status().code() == Status::Code::kNotFound) return not_found;
    return feed.status().WithContext("web: account " + Quote(id));
  }
  // Found, not Moved Permanently: the identifier is the account's for ever, the profile URL is
  // where it is today.
  WebResponse response;
  response.status = 302;
  response.content_type = "text/plain; charset=utf-8";
  response.SetHeader("Location", base_url_ + feed->nickname);
  response.SetHeader("Cache-Control", std::string(kCacheControl));
  return response;
}

Result<WebResponse> PageHandlers::NoticePage(const WebRequest& request, std::string_view id) {
  const Status not_found = Status::NotFound("web: no notice " + Quote(id));
  const std::optional<int64_t> notice_id = PositiveInteger(id);
  if (!notice_id) return not_found;
  // One read: the notice, its entry and the blog, from one snapshot.
  Result<store::NoticeSource> source = notices_.GetNoticeSource(*notice_id);
  if (!source.ok()) {
    if (source.status().code() == Status::Code::kNotFound) return not_found;
    return source.status().WithContext("web: notice " + Quote(id));
  }
  const store::Notice& notice = source->notice;
  const store::StoredEntry& entry = source->entry;
  const store::FeedRecord& feed = source->feed;

  mustache::data data;
  data.set("text", notice.text);
  data.set("blog_name", BlogName(feed));
  data.set("profile_url", base_url_ + feed.nickname);
  data.set("iso", feeds::FormatRfc3339(Seconds(notice.created_at)));
  data.set("time", HumanTime(notice.created_at));
  if (!entry.title.empty()) data.set("entry_title", entry.title);
  const std::optional<TimePoint> posted = entry.published ? entry.published : entry.updated;
  if (posted) data.set("entry_time", TimeData(*posted));

  // A stored document that no longer decodes costs the content, not the page.
  Result<feeds::EntryDocument> parsed = feeds::DecodeEntryDocument(entry.document, entry.url);
  if (parsed.ok()) {
    const feeds::Entry& e = parsed->entry;
    const feeds::Text* content = nullptr;
    for (const feeds::Text& c : e.contents) {
      if (c.is_html() && !c.value.empty()) {
        content = &c;
        break;
      }
    }
    for (const feeds::Text& c : e.contents) {
      if (content == nullptr && !c.value.empty()) content = &c;
    }
    if (content == nullptr && !e.summary.value.empty()) content = &e.summary;
    if (content != nullptr && content->is_html()) {
      // The only markup put in a page as is, and only once the allowlist has cleaned it.
      const std::string& base = entry.url.empty() ? content->base : entry.url;
      std::string html = feeds::SanitizeHtml(content->value, base);
      if (!html.empty()) data.set("content_html", html);
    } else if (content != nullptr) {
      data.set("content_text", content->value);
    }
    mustache::data media = MediaLinks(e);
    if (media.is_non_empty_list()) data.set("media", media);
  }
  if (IsWebUrl(entry.url)) {
    data.set("original_url", entry.url);
  } else if (IsWebUrl(notice.url)) {
    data.set("original_url", notice.url);
  }

  Result<std::string> body = RenderTemplate("notice.mustache", data);
  if (!body.ok()) return body.status();
  Page page;
  page.title = entry.title.empty() ? notice.text : entry.title;
  page.body = std::move(*body);
  page.last_modified = std::max(notice.created_at, entry.first_seen_at);
  return Finish(request, page);
}

Result<WebResponse> PageHandlers::Stylesheet(const WebRequest& request) {
  const std::optional<std::string_view> css = TemplateText("style.css");
  if (!css) return Status::Internal("web: no template style.css");
  WebResponse response;
  response.content_type = "text/css; charset=utf-8";
  response.body = std::string(*css);
  response.SetHeader("X-Content-Type-Options", "nosniff");
  return Conditional(request, std::move(response));
}

Result<WebResponse> PageHandlers::Finish(const WebRequest& request, const Page& page) const {
  Result<WebResponse> response = Wrap(page);
  if (!response.ok()) return response.status();
  if (page.last_modified) {
    // RFC 9110 §8.8.2.1: never later than the response's own date.
    const TimePoint modified = std::min(*page.last_modified, clock_.Now());
    response->SetHeader("Last-Modified", feeds::FormatRfc1123(Seconds(modified)));
  }
  return Conditional(request, std::move(response).value());
}

Result<WebResponse> PageHandlers::RenderPage(int status, std::string_view title,
                                             std::string_view template_name,
                                             const PageFields& fields,
                                             bool form_leaves_site) const {
  mustache::data data;
  for (const auto& [name, value] : fields) {
    if (!value.empty()) data.set(name, value);
  }
  Result<std::string> body = RenderTemplate(template_name, data);
  if (!body.ok()) return body.status();
  Page page;
  page.title = std::string(title);
  page.body = std::move(*body);
  page.form_leaves_site = form_leaves_site;
  Result<WebResponse> response = Wrap(page);
  if (!response.ok()) return response.status();
  response->status = status;
  // Each answers one flow at one moment (a failure, a finished subscription): not for caches.
  response->SetHeader("Cache-Control", "no-store");
  return response;
}

Result<WebResponse> PageHandlers::Wrap(const Page& page) const {
  mustache::data data;
  data.set("title", page.title);
  data.set("site_name", std::string(kSiteName));
  data.set("home_url", base_url_);
  data.set("stylesheet_url", stylesheet_path_);
  if (!page.xrds_url.empty()) data.set("xrds_url", page.xrds_url);
  mustache::data alternates{mustache::data::type::list};
  for (size_t i = 0; i < page.alternates.size(); ++i) {
    mustache::data a;
    a.set("type", page.alternates[i].first);
    a.set("href", page.alternates[i].second);
    a.set("label", page.title + " (" + page.alternate_labels[i] + ")");
    alternates.push_back(a);
  }
  data.set("alternates", alternates);
  data.set("body", page.body);
  Result<std::string> html = RenderTemplate("layout.mustache", data);
  if (!html.ok()) return html.status();

  WebResponse response;
  response.body = std::move(*html);
  SetSecurityHeaders(response, page.form_leaves_site);
  return response;
}

WebResponse PageHandlers::RenderError(int status, const Status& cause) const {
  std::string message;
  if (status >= 500) {
    message = "Something went wrong on our side. Please try again later.";
  } else if (!cause.ok() && !cause.message().empty()) {
    message = cause.message();
  } else if (status == 404) {
    message = "There is no page at this address.";
  }
  const std::string reason = ReasonPhrase(status);

  WebResponse response;
  response.status = status;
  SetSecurityHeaders(response);
  // An error is not worth caching: the blog may be added, the database may come back.
  response.SetHeader("Cache-Control", "no-store");

  mustache::data data;
  data.set("status", std::to_string(status));
  data.set("reason", reason);
  data.set("message", message);
  data.set("home_url", base_url_);
  Result<std::string> body = RenderTemplate("error.mustache", data);
  Result<std::string> html = Status::Internal("web: error page");
  if (body.ok()) {
    mustache::data layout;
    layout.set("title", std::to_string(status) + " " + reason);
    layout.set("site_name", std::string(kSiteName));
    layout.set("home_url", base_url_);
    layout.set("stylesheet_url", stylesheet_path_);
    layout.set("alternates", mustache::data{mustache::data::type::list});
    layout.set("body", *body);
    html = RenderTemplate("layout.mustache", layout);
  }
  if (html.ok()) {
    response.body = std::move(*html);
  } else {
    // The templates are built in; this is a bug, but the client still gets an answer.
    response.content_type = "text/plain; charset=utf-8";
    response.body = std::to_string(status) + " " + reason + "\n";
  }
  return response;
}

WebResponse PageHandlers::Render(int status, const Status& cause) {
  return RenderError(status, cause);
}

}  // namespace feedbridge::web
