#include "web/page_handlers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/entry_document.h"
#include "feeds/model.h"
#include "feeds/writers.h"
#include "store/database.h"
#include "tests/support/fake_clock.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"
#include "web/router.h"

namespace feedbridge::web {
namespace {

using ::feedbridge::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kBase = "http://bridge.example/";

// The title and content of a hostile post: every trick must be gone or escaped in the page.
constexpr std::string_view kHostileTitle = "Hello <script>alert(1)</script>";
constexpr std::string_view kHostileContent =
    "<p>Safe <b>words</b> and <a href=\"https://blog.example/more\">a link</a>.</p>"
    "<script>alert(1)</script>"
    "<img src=x onerror=\"alert(2)\">"
    "<a href=\"javascript:alert(3)\">click</a>"
    "<a href=\"JaVaScRiPt:alert(4)\">click</a>"
    "<div style=\"background:url(javascript:alert(5))\">styled</div>"
    "<style>body{display:none}</style>"
    "<svg onload=\"alert(6)\"></svg>"
    "<iframe src=\"javascript:alert(7)\"></iframe>"
    "<p onclick=\"alert(8)\">para</p>";

std::string EntryDocument(std::string_view id, std::string_view url, std::string_view title,
                          std::string_view html) {
  feeds::Feed feed;
  feed.title.value = "A blog";
  feed.home_page_url = "https://blog.example/";
  feeds::Entry entry;
  entry.id = std::string(id);
  entry.title.value = std::string(title);
  feeds::Text content;
  content.value = std::string(html);
  content.type = std::string(feeds::kTextHtml);
  entry.contents.push_back(content);
  feeds::Link link;
  link.href = std::string(url);
  link.rel = "alternate";
  entry.links.push_back(link);
  feed.entries.push_back(entry);
  return feeds::WriteJsonFeed(feed, {.pretty = false});
}

WebRequest Get(std::string path, std::string query = {}) {
  WebRequest request;
  request.method = "GET";
  request.path = std::move(path);
  request.query = std::move(query);
  return request;
}

std::string HeaderOf(const WebResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return {};
}

struct XmlDocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocFree>;

// Every element name and every attribute name in the tree, lower-cased by libxml2's HTML parser.
void Walk(const xmlNode* node, std::vector<std::string>& elements,
          std::vector<std::string>& attributes) {
  for (; node != nullptr; node = node->next) {
    if (node->type == XML_ELEMENT_NODE) {
      elements.emplace_back(reinterpret_cast<const char*>(node->name));
      for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) {
        attributes.emplace_back(reinterpret_cast<const char*>(a->name));
      }
    }
    Walk(node->children, elements, attributes);
  }
}

struct ParsedPage {
  std::vector<std::string> elements;
  std::vector<std::string> attributes;
};

ParsedPage ParseHtml(const std::string& html) {
  XmlDocPtr doc(htmlReadMemory(html.data(), static_cast<int>(html.size()), "page.html", "UTF-8",
                               HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING));
  ParsedPage page;
  EXPECT_NE(doc, nullptr);
  if (doc) Walk(xmlDocGetRootElement(doc.get()), page.elements, page.attributes);
  return page;
}

void ExpectLayout(const std::string& html) {
  EXPECT_THAT(html, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(
      html, HasSubstr("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
  EXPECT_THAT(html, HasSubstr("<header class=\"site\">\n<a href=\"http://bridge.example/\">"));
  EXPECT_THAT(html, HasSubstr("<footer class=\"site\">feedbridge</footer>"));
  // By path: on whatever origin the page was opened (the CSP allows styles from 'self' only).
  EXPECT_THAT(html, HasSubstr("<link rel=\"stylesheet\" href=\"/style.css\">"));
}

void ExpectSecurityHeaders(const WebResponse& response) {
  EXPECT_EQ(HeaderOf(response, "Content-Security-Policy"),
            "default-src 'none'; style-src 'self'; img-src http: https: data:; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'");
  EXPECT_EQ(HeaderOf(response, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(HeaderOf(response, "Referrer-Policy"), "no-referrer");
}

class PageHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::OpenDatabase("sqlite:" + (dir_.path() / "db.sqlite").string(), clock_);
    ASSERT_OK(db);
    db_ = std::move(*db);
    pages_ = std::make_unique<PageHandlers>(std::string(kBase), db_->feeds(), db_->entries(),
                                            db_->notices(), clock_);
  }

  // A blog with one polled entry and its notice.
  store::FeedRecord AddBlog(std::string nickname, std::string title, std::string entry_title,
                            std::string entry_html) {
    store::NewFeed add;
    add.url = "https://blog.example/" + nickname + "/feed.xml";
    add.nickname = nickname;
    add.title = title;
    Result<store::FeedRecord> feed = db_->feeds().AddFeed(add);
    EXPECT_OK(feed);
    store::FetchState state;
    state.url = add.url;
    state.title = title;
    state.description = "Notes about " + title;
    state.site_url = "https://blog.example/" + nickname + "/";
    state.icon_url = "https://blog.example/icon.png";
    state.last_http_status = 200;
    state.last_polled_at = clock_.Now();
    state.last_success_at = clock_.Now();
    store::NewEntry entry;
    entry.identity = "post-" + nickname;
    entry.url = "https://blog.example/" + nickname + "/post";
    entry.title = entry_title;
    entry.published = clock_.Now();
    entry.document = EntryDocument(entry.identity, entry.url, entry_title, entry_html);
    entry.notice_text = "New post: " + nickname + " " + entry.url;
    entry.notice_url = entry.url;
    Result<std::vector<store::Notice>> notices =
        db_->entries().RecordPoll(feed->id, state, {entry});
    EXPECT_OK(notices);
    if (notices.ok() && notices->size() == 1) notice_ids_.push_back(notices->front().id);
    return *feed;
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<PageHandlers> pages_;
  std::vector<int64_t> notice_ids_;
};

TEST_F(PageHandlersTest, IndexListsBlogsWithTheirHealth) {
  AddBlog("okblog", "Okay Blog", "t", "<p>x</p>");
  store::FeedRecord failing = AddBlog("failing", "Failing Blog", "t", "<p>x</p>");
  store::FeedRecord disabled = AddBlog("gone", "Gone Blog", "t", "<p>x</p>");

  store::FetchState state;
  state.url = failing.url;
  state.title = "Failing Blog";
  state.last_http_status = 503;
  state.last_error = "HTTP 503";
  state.consecutive_failures = 2;
  state.failing_since = clock_.Now();  // 1'800'000'000 s: 2027-01-15 08:00 UTC.
  ASSERT_OK(db_->feeds().SaveFetchState(failing.id, state));
  state = {};
  state.url = disabled.url;
  state.title = "Gone Blog";
  state.disabled_reason = "HTTP 410 Gone";
  ASSERT_OK(db_->feeds().SaveFetchState(disabled.id, state));

  Result<WebResponse> page = pages_->Index(Get("/"));
  ASSERT_OK(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->content_type, "text/html; charset=utf-8");
  ExpectLayout(page->body);
  ExpectSecurityHeaders(*page);
  EXPECT_THAT(page->body, HasSubstr("<a href=\"http://bridge.example/okblog\">Okay Blog</a>"));
  EXPECT_THAT(page->body, HasSubstr("<p class=\"health ok\">ok</p>"));
  EXPECT_THAT(page->body, HasSubstr("failing since 2027-01-15 08:00 UTC: HTTP 503"));
  EXPECT_THAT(page->body, HasSubstr("disabled: HTTP 410 Gone"));
  EXPECT_EQ(HeaderOf(*page, "Cache-Control"), "public, max-age=60");
}

TEST_F(PageHandlersTest, StylesheetIsLinkedUnderTheBaseUrlsPath) {
  PageHandlers under_a_path("https://example.org/bridge", db_->feeds(), db_->entries(),
                            db_->notices(), clock_);
  Result<WebResponse> index = under_a_path.Index(Get("/"));
  ASSERT_OK(index);
  EXPECT_THAT(index->body, HasSubstr("<link rel=\"stylesheet\" href=\"/bridge/style.css\">"));
  EXPECT_THAT(index->body, HasSubstr("<a href=\"https://example.org/bridge/\">"));
}

TEST_F(PageHandlersTest, IndexPagesAfterAnId) {
  store::FeedRecord first = AddBlog("first", "First Blog", "t", "<p>x</p>");
  AddBlog("second", "Second Blog", "t", "<p>x</p>");
  Result<WebResponse> page = pages_->Index(Get("/", "after=" + std::to_string(first.id)));
  ASSERT_OK(page);
  EXPECT_THAT(page->body, Not(HasSubstr("First Blog")));
  EXPECT_THAT(page->body, HasSubstr("Second Blog"));
}

TEST_F(PageHandlersTest, BadPagingParameterIsInvalidArgument) {
  AddBlog("blog", "Blog", "t", "<p>x</p>");
  for (std::string query : {"after=abc", "after=-1", "after=1e3", "after=99999999999999999999"}) {
    SCOPED_TRACE(query);
    EXPECT_THAT(pages_->Index(Get("/", query)), StatusIs(Status::Code::kInvalidArgument));
  }
  EXPECT_THAT(pages_->Profile(Get("/blog", "before=x"), "blog"),
              StatusIs(Status::Code::kInvalidArgument));
}

TEST_F(PageHandlersTest, ProfileHasFeedLinksXrdsAndNotices) {
  AddBlog("garden", "Garden Notes", "Tomatoes", "<p>red</p>");
  Result<WebResponse> page = pages_->Profile(Get("/garden"), "garden");
  ASSERT_OK(page);
  ExpectLayout(page->body);
  ExpectSecurityHeaders(*page);
  const std::string& html = page->body;
  EXPECT_THAT(html, HasSubstr("<link rel=\"alternate\" type=\"application/atom+xml\" "
                              "title=\"Garden Notes (Atom)\" "
                              "href=\"http://bridge.example/garden/feed.atom\">"));
  EXPECT_THAT(html, HasSubstr("type=\"application/rss+xml\" title=\"Garden Notes (RSS)\" "
                              "href=\"http://bridge.example/garden/feed.rss\">"));
  EXPECT_THAT(html, HasSubstr("type=\"application/feed+json\" title=\"Garden Notes (JSON Feed)\" "
                              "href=\"http://bridge.example/garden/feed.json\">"));
  EXPECT_EQ(HeaderOf(*page, "X-XRDS-Location"), "http://bridge.example/garden/xrds");
  EXPECT_THAT(html, HasSubstr("<meta http-equiv=\"X-XRDS-Location\" "
                              "content=\"http://bridge.example/garden/xrds\">"));
  EXPECT_THAT(html, HasSubstr("<h1>Garden Notes</h1>"));
  EXPECT_THAT(html, HasSubstr("Notes about Garden Notes"));
  EXPECT_THAT(html, HasSubstr("href=\"https://blog.example/garden/\""));
  EXPECT_THAT(html, HasSubstr("<img class=\"icon\" src=\"https://blog.example/icon.png\""));
  EXPECT_THAT(html, HasSubstr("<p class=\"health ok\">ok</p>"));
  ASSERT_EQ(notice_ids_.size(), 1u);
  EXPECT_THAT(html, HasSubstr("New post: garden https://blog.example/garden/post"));
  EXPECT_THAT(html, HasSubstr("href=\"http://bridge.example/notice/" +
                              std::to_string(notice_ids_[0]) + "\""));
  EXPECT_FALSE(HeaderOf(*page, "Last-Modified").empty());
}

TEST_F(PageHandlersTest, ProfileDropsUnsafeHomePageAndIcon) {
  store::FeedRecord feed = AddBlog("tricky", "Tricky", "t", "<p>x</p>");
  store::FetchState state;
  state.url = feed.url;
  state.title = "Tricky";
  state.site_url = "javascript:alert(1)";
  state.icon_url = "data:image/svg+xml,<svg onload=alert(1)>";
  ASSERT_OK(db_->feeds().SaveFetchState(feed.id, state));
  Result<WebResponse> page = pages_->Profile(Get("/tricky"), "tricky");
  ASSERT_OK(page);
  EXPECT_THAT(page->body, Not(HasSubstr("javascript:")));
  EXPECT_THAT(page->body, Not(HasSubstr("data:")));
  EXPECT_THAT(page->body, Not(HasSubstr("class=\"icon\"")));
}

TEST_F(PageHandlersTest, NoticePageShowsSanitizedContent) {
  AddBlog("hostile", "Hostile", std::string(kHostileTitle), std::string(kHostileContent));
  ASSERT_EQ(notice_ids_.size(), 1u);
  const std::string id = std::to_string(notice_ids_[0]);
  Result<WebResponse> page = pages_->NoticePage(Get("/notice/" + id), id);
  ASSERT_OK(page);
  ExpectLayout(page->body);
  ExpectSecurityHeaders(*page);
  const std::string& html = page->body;
  EXPECT_THAT(html, HasSubstr("New post: hostile https://blog.example/hostile/post"));
  EXPECT_THAT(html, HasSubstr("<h1>Hello &lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
  EXPECT_THAT(html, HasSubstr("<b>words</b>"));
  EXPECT_THAT(html, HasSubstr("href=\"https://blog.example/more\""));
  EXPECT_THAT(html, HasSubstr("<a class=\"original\" href=\"https://blog.example/hostile/post\">"));
  EXPECT_THAT(html, HasSubstr("<a href=\"http://bridge.example/hostile\">Hostile</a>"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("onerror")));
  EXPECT_THAT(html, Not(HasSubstr("onload")));
  EXPECT_THAT(html, Not(HasSubstr("onclick")));
  EXPECT_THAT(html, Not(HasSubstr("javascript:")));
  EXPECT_THAT(html, Not(HasSubstr("JaVaScRiPt:")));
  EXPECT_THAT(html, Not(HasSubstr("<style")));
  EXPECT_THAT(html, Not(HasSubstr("<iframe")));
  EXPECT_THAT(html, Not(HasSubstr("style=")));
  EXPECT_FALSE(HeaderOf(*page, "Last-Modified").empty());

  const ParsedPage parsed = ParseHtml(html);
  EXPECT_THAT(parsed.elements, ::testing::Contains("main"));
  EXPECT_THAT(parsed.elements, Not(::testing::Contains("script")));
  EXPECT_THAT(parsed.elements, Not(::testing::Contains("iframe")));
  for (const std::string& name : parsed.attributes) {
    SCOPED_TRACE(name);
    EXPECT_FALSE(name.size() >= 2 && (name[0] == 'o' || name[0] == 'O') &&
                 (name[1] == 'n' || name[1] == 'N'));
    EXPECT_NE(name, "style");
  }
}

// Remote media are offered as links with their type, length and size, never loaded in the page.
TEST_F(PageHandlersTest, NoticePageLinksTheEntrysAudioAndVideo) {
  Result<store::FeedRecord> feed = db_->feeds().AddFeed(
      {.url = "https://cast.example/feed.xml", .nickname = "cast", .title = "Cast"});
  ASSERT_OK(feed);
  feeds::Feed head;
  head.title.value = "Cast";
  feeds::Entry episode;
  episode.id = "ep1";
  episode.title.value = "Episode 1";
  episode.enclosures = {
      {.url = "https://cdn.example/ep1.mp3",
       .type = "audio/mpeg",
       .length = 23'456'789,
       .duration_seconds = 3723},
      {.url = "https://cdn.example/ep1.mp4", .type = "video/mp4", .duration_seconds = 725},
      {.url = "https://cdn.example/cover.jpg", .type = "image/jpeg", .length = 1000},
      {.url = "javascript:alert(1)", .type = "audio/mpeg"},
  };
  store::NewEntry entry{.identity = "ep1",
                        .url = "https://cast.example/ep1",
                        .title = "Episode 1",
                        .document = feeds::EncodeEntryDocument(head, episode),
                        .notice_text = "Episode 1 https://cast.example/ep1"};
  store::FetchState state;
  state.url = feed->url;
  Result<std::vector<store::Notice>> notices = db_->entries().RecordPoll(feed->id, state, {entry});
  ASSERT_OK(notices);
  ASSERT_EQ(notices->size(), 1u);
  const std::string id = std::to_string(notices->front().id);
  Result<WebResponse> page = pages_->NoticePage(Get("/notice/" + id), id);
  ASSERT_OK(page);
  const std::string& html = page->body;
  EXPECT_THAT(html, HasSubstr("<p class=\"media\"><a href=\"https://cdn.example/ep1.mp3\" "
                              "type=\"audio/mpeg\">Listen</a> <span class=\"meta\">(audio/mpeg, "
                              "1:02:03, 23.5 MB)</span></p>"));
  EXPECT_THAT(html, HasSubstr("<p class=\"media\"><a href=\"https://cdn.example/ep1.mp4\" "
                              "type=\"video/mp4\">Watch</a> <span class=\"meta\">(video/mp4, "
                              "12:05)</span></p>"));
  EXPECT_THAT(html, Not(HasSubstr("cover.jpg")));  // Not audio or video.
  EXPECT_THAT(html, Not(HasSubstr("javascript:")));
  const ParsedPage parsed = ParseHtml(html);
  for (const char* loader : {"audio", "video", "source", "embed", "object", "iframe"}) {
    EXPECT_THAT(parsed.elements, Not(::testing::Contains(loader))) << loader;
  }
  ExpectSecurityHeaders(*page);
}

TEST_F(PageHandlersTest, UnknownNickAndNoticeAreNotFound) {
  AddBlog("blog", "Blog", "t", "<p>x</p>");
  Result<WebResponse> profile = pages_->Profile(Get("/nobody"), "nobody");
  EXPECT_THAT(profile, StatusIs(Status::Code::kNotFound));
  EXPECT_EQ(profile.status().message(), "web: no blog named 'nobody'");
  EXPECT_THAT(pages_->Profile(Get("/Blog"), "Blog"), StatusIs(Status::Code::kNotFound));
  // FindFeed also knows feed URLs; a profile does not.
  EXPECT_THAT(pages_->Profile(Get("/x"), "https://blog.example/blog/feed.xml"),
              StatusIs(Status::Code::kNotFound));
  EXPECT_THAT(pages_->NoticePage(Get("/notice/999"), "999"), StatusIs(Status::Code::kNotFound));
  EXPECT_THAT(pages_->NoticePage(Get("/notice/abc"), "abc"), StatusIs(Status::Code::kNotFound));
}

TEST_F(PageHandlersTest, IdentifierUriRedirectsToTheProfile) {
  AddBlog("first", "First", "t", "<p>x</p>");
  const store::FeedRecord blog = AddBlog("blog", "Blog", "t", "<p>x</p>");
  const std::string id = std::to_string(blog.account_id);
  Result<WebResponse> found = pages_->Identifier(Get("/user/" + id), id);
  ASSERT_OK(found);
  EXPECT_EQ(found->status, 302);
  EXPECT_EQ(HeaderOf(*found, "Location"), std::string(kBase) + "blog");

  const std::string unknown = std::to_string(blog.account_id + 100);
  Result<WebResponse> missing = pages_->Identifier(Get("/user/" + unknown), unknown);
  EXPECT_THAT(missing, StatusIs(Status::Code::kNotFound));
  EXPECT_EQ(missing.status().message(), "web: no account '" + unknown + "'");
  for (const std::string bad : {"0", "-1", "abc", "1x", ""}) {
    EXPECT_THAT(pages_->Identifier(Get("/user/" + bad), bad), StatusIs(Status::Code::kNotFound))
        << bad;
  }
  ASSERT_OK(db_->feeds().RemoveFeed(blog.id));
  EXPECT_THAT(pages_->Identifier(Get("/user/" + id), id), StatusIs(Status::Code::kNotFound));
}

TEST_F(PageHandlersTest, ErrorPagesShareTheLayout) {
  WebResponse page = pages_->RenderError(404, Status::NotFound("web: no blog named 'nobody'"));
  EXPECT_EQ(page.status, 404);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  ExpectLayout(page.body);
  ExpectSecurityHeaders(page);
  EXPECT_THAT(page.body, HasSubstr("<h1>404 Not Found</h1>"));
  EXPECT_THAT(page.body, HasSubstr("web: no blog named &apos;nobody&apos;"));

  // 5xx causes may name internals: not shown.
  ErrorPages& as_error_pages = *pages_;
  WebResponse internal =
      as_error_pages.Render(500, Status::Internal("store: /var/lib/feedbridge/db.sqlite: boom"));
  EXPECT_EQ(internal.status, 500);
  ExpectLayout(internal.body);
  EXPECT_THAT(internal.body, Not(HasSubstr("/var/lib")));

  WebResponse hostile = pages_->RenderError(400, Status::InvalidArgument("<script>x</script>"));
  EXPECT_THAT(hostile.body, Not(HasSubstr("<script")));
}

TEST_F(PageHandlersTest, ETagAnswers304) {
  AddBlog("blog", "Blog", "t", "<p>x</p>");
  Result<WebResponse> first = pages_->Profile(Get("/blog"), "blog");
  ASSERT_OK(first);
  const std::string etag = HeaderOf(*first, "ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"');

  WebRequest again = Get("/blog");
  again.headers.emplace_back("If-None-Match", "\"other\", W/" + etag);
  Result<WebResponse> second = pages_->Profile(again, "blog");
  ASSERT_OK(second);
  EXPECT_EQ(second->status, 304);
  EXPECT_TRUE(second->body.empty());
  EXPECT_EQ(HeaderOf(*second, "ETag"), etag);

  WebRequest stale = Get("/blog");
  stale.headers.emplace_back("If-None-Match", "\"stale\"");
  Result<WebResponse> third = pages_->Profile(stale, "blog");
  ASSERT_OK(third);
  EXPECT_EQ(third->status, 200);
  EXPECT_EQ(third->body, first->body);
}

TEST_F(PageHandlersTest, StylesheetSupportsDarkModeAndCaching) {
  Result<WebResponse> css = pages_->Stylesheet(Get("/style.css"));
  ASSERT_OK(css);
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
  EXPECT_THAT(css->body, HasSubstr("prefers-color-scheme: dark"));
  EXPECT_EQ(HeaderOf(*css, "X-Content-Type-Options"), "nosniff");
  WebRequest again = Get("/style.css");
  again.headers.emplace_back("If-None-Match", HeaderOf(*css, "ETag"));
  Result<WebResponse> cached = pages_->Stylesheet(again);
  ASSERT_OK(cached);
  EXPECT_EQ(cached->status, 304);
}

TEST_F(PageHandlersTest, RegistersRoutes) {
  const store::FeedRecord blog = AddBlog("blog", "Blog", "t", "<p>x</p>");
  Router router;
  pages_->Register(router);
  struct Case {
    std::string path;
    std::string expected_content_type;
  };
  for (const Case& c : std::vector<Case>{
           {"/style.css", "text/css; charset=utf-8"},
           {"/", "text/html; charset=utf-8"},
           {"/blog", "text/html; charset=utf-8"},
           {"/notice/" + std::to_string(notice_ids_.at(0)), "text/html; charset=utf-8"},
           {"/user/" + std::to_string(blog.account_id), "text/plain; charset=utf-8"}}) {
    SCOPED_TRACE(c.path);
    Router::Match match = router.Find("GET", c.path);
    ASSERT_NE(match.handler, nullptr);
    Result<WebResponse> response = (*match.handler)(Get(c.path), match.params);
    ASSERT_OK(response);
    EXPECT_EQ(response->content_type, c.expected_content_type);
  }
}

}  // namespace
}  // namespace feedbridge::web
