// The mirror feeds end to end (issue 8's proof): an origin blog on a loopback HTTP server, the
// real poller taking it in (PocoHttpClient, a real redis-server, a SQLite file), the real web
// server serving BASE/NICK/feed.atom|.rss|.json (both as the real wiring, app/wiring.h, builds
// them), and Debian's python3-feedparser reading them
// over HTTP as a feed reader does (tests/integration/read_mirror.py).
//
// What the mirror promises (DESIGN.md "Mirror a site's updates", "Entries"; web/feed_handlers.h):
//   - every entry of the origin, newest first, valid in each format (feedparser: no bozo);
//   - the origin's own entry ids (guid / atom:id); an entry without one keeps the identity the
//     bridge gave it: its link, else "sha1:" + a hash of its title and content;
//   - the origin's links, made absolute (xml:base and the document URL), and its titles as
//     plain text (HTML in a title is reduced to text);
//   - ETag / Last-Modified answered with 304, a new ETag once a poll adds an entry;
//   - keyset paging (rel="next" / next_url) that yields each entry exactly once, pages no larger
//     than asked (and clamped), whatever arrives between two page fetches.
//
// Polls are driven by Poller::PollFeed and time by a FakeClock: no sleeps, no timing asserts.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "app/wiring.h"
#include "config/config.h"
#include "poller/poller.h"
#include "store/database.h"
#include "tests/support/fake_clock.h"
#include "tests/support/http_test_server.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_data.h"

namespace feedbridge {
namespace {

using testing::FakeClock;
using ::testing::HasSubstr;
using testing::HttpTestServer;
using ::testing::Not;
using testing::RedisTestServer;
using testing::TempDir;
using JsonObject = Poco::JSON::Object::Ptr;
using JsonArray = Poco::JSON::Array::Ptr;

constexpr char kPython[] = "/usr/bin/python3";
constexpr char kNick[] = "blog";
const char* const kFormats[] = {"feed.atom", "feed.rss", "feed.json"};

// ---- The origin blog.

enum class OriginFormat { kRss, kAtom };

// What the mirror must show for an origin entry beyond its id, link and title (which are compared
// with what feedparser reads from the origin itself).
struct Expected {
  std::vector<std::string> tags;
  std::vector<std::string> authors;       // Names.
  std::vector<std::string> enclosures;    // Absolute URLs.
  std::vector<std::string> content_urls;  // Every href/src of the content, absolute.
  std::string content_text;               // A phrase of the content.
};

std::string PostId(int n) { return "tag:blog.test,2026:post-" + std::to_string(n); }

// Hand-written entries an origin blog may carry besides its numbered posts.
enum class Showcase {
  kNone,
  // Everything feeds carry: relative links under xml:base, HTML content, enclosures,
  // categories, authors, non-ASCII text, entries without a guid, a link or a title.
  kVaried,
  // Atom only: an HTML title, an HTML summary beside the content, and a relative reference in
  // the content whose xml:base is not the entry link's directory.
  kHtmlAndXmlBase,
};

// A blog on `server`: the `showcase` entries, then numbered posts published as the test goes.
// Served newest first, the latest `window` numbered posts only (as real feeds show their latest
// few). Thread-safe.
class OriginBlog {
 public:
  OriginBlog(HttpTestServer& server, OriginFormat format, int window, Showcase showcase)
      : server_(server), format_(format), window_(window), showcase_(showcase) {
    server_.Route(Path(), [this](const HttpTestServer::Request&, HttpTestServer::Response& resp) {
      std::lock_guard lock(mu_);
      resp.SetHeader("Content-Type", format_ == OriginFormat::kRss
                                         ? "application/rss+xml; charset=utf-8"
                                         : "application/atom+xml; charset=utf-8");
      resp.SetBody(Render());
    });
  }

  std::string Path() const { return format_ == OriginFormat::kRss ? "/blog/rss" : "/atom/feed"; }
  std::string Url() const { return server_.Url(Path()); }
  // The xml:base of the document: relative references in it resolve against this.
  std::string Base() const {
    return server_.Url(format_ == OriginFormat::kRss ? "/blog/" : "/atom/");
  }

  // Adds `n` numbered posts; returns the number of the last.
  int Publish(int n) {
    std::lock_guard lock(mu_);
    posts_ += n;
    return posts_;
  }
  int posts() const {
    std::lock_guard lock(mu_);
    return posts_;
  }

  // The expectations for the hand-written entries, by id (for those without one: by link, and
  // "untitled" for the entry with neither).
  std::map<std::string, Expected> Expectations() const {
    const std::string b = Base();
    if (showcase_ == Showcase::kNone) return {};
    if (showcase_ == Showcase::kHtmlAndXmlBase) {
      return {{"tag:blog.test,2026:html",
               {.authors = {"Zoë"},
                .content_urls = {b + "2026/pics/3.jpg"},
                .content_text = "Golden"}}};
    }
    if (format_ == OriginFormat::kRss) {
      return {
          {"tag:blog.test,2026:fish",
           {.tags = {"garden", "roses"},
            .authors = {"Zoë"},
            .enclosures = {b + "media/a.mp3"},
            .content_urls = {b + "pics/1.jpg", "https://elsewhere.test/page"},
            .content_text = "Crisp"}},
          {b + "posts/no-guid.html", {.authors = {"Ana"}, .content_text = "No guid"}},
          {b + "posts/perma.html", {.content_text = "Permalink"}},
          {"untitled", {.content_text = "Untitled note with"}},
      };
    }
    return {
        {"tag:blog.test,2026:no-link", {.authors = {"Zoë"}, .content_text = "Nowhere"}},
        {"tag:blog.test,2026:xhtml", {.authors = {"Al"}, .content_text = "there"}},
        {"tag:blog.test,2026:creme",
         {.tags = {"cuisine"},
          .authors = {"Zoë"},
          .enclosures = {b + "2026/media/a.ogg"},
          .content_urls = {b + "2026/pics/2.jpg", b + "2026/recipes/"},
          .content_text = "photo"}},
        {"tag:blog.test,2026:summary-only", {.authors = {"Zoë"}, .content_text = "Only a summary"}},
    };
  }

 private:
  static std::string Date(int minutes, bool rfc822) {
    // Numbered posts and the showcase entries keep a strict order: 2026-11-02 + minutes.
    const auto t =
        std::chrono::sys_days{std::chrono::year{2026} / 11 / 2} + std::chrono::minutes(minutes);
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof(buf), rfc822 ? "%a, %d %b %Y %H:%M:%S GMT" : "%Y-%m-%dT%H:%M:%SZ",
                  &tm);
    return buf;
  }

  std::string Render() const {
    std::string items;
    const int first = std::max(1, posts_ - window_ + 1);
    for (int n = posts_; n >= first; --n)
      items += format_ == OriginFormat::kRss ? RssPost(n) : AtomPost(n);
    if (showcase_ == Showcase::kVaried) {
      items += format_ == OriginFormat::kRss ? RssShowcase() : AtomShowcase();
    } else if (showcase_ == Showcase::kHtmlAndXmlBase) {
      items += AtomHtmlAndXmlBase();
    }
    if (format_ == OriginFormat::kRss) {
      return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
             "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\""
             " xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
             "<channel xml:base=\"" +
             Base() +
             "\">\n"
             "<title>Le café de Zoë</title><link>./</link>"
             "<description>Notes &amp; recipes</description><language>fr</language>\n" +
             items + "</channel></rss>\n";
    }
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
           "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"" +
           Base() +
           "\" xml:lang=\"fr\">\n"
           "<title>Journal de Zoë</title><id>tag:blog.test,2026:feed</id>"
           "<updated>" +
           Date(posts_, false) +
           "</updated>"
           "<link rel=\"alternate\" href=\"./\"/><link rel=\"self\" href=\"feed\"/>"
           "<author><name>Zoë</name><uri>about</uri></author>\n" +
           items + "</feed>\n";
  }

  static std::string RssPost(int n) {
    const std::string s = std::to_string(n);
    return "<item><title>Post " + s + " &amp; friends</title><link>posts/" + s +
           ".html</link><guid isPermaLink=\"false\">" + PostId(n) + "</guid><pubDate>" +
           Date(100 + n, true) + "</pubDate><description>&lt;p&gt;Body " + s +
           "&lt;/p&gt;</description></item>\n";
  }

  static std::string AtomPost(int n) {
    const std::string s = std::to_string(n);
    return "<entry><title>Post " + s + " &amp; friends</title><id>" + PostId(n) +
           "</id><link href=\"posts/" + s + "\"/><updated>" + Date(100 + n, false) +
           "</updated><content type=\"html\">&lt;p&gt;Body " + s + "&lt;/p&gt;</content></entry>\n";
  }

  // Newest first, dated before every numbered post.
  std::string RssShowcase() const {
    return
        // Neither guid nor link nor title: the bridge's identity is a hash.
        "<item><description>&lt;p&gt;Untitled note with &lt;em&gt;emphasis&lt;/em&gt;&lt;/p&gt;"
        "</description><pubDate>" +
        Date(4, true) +
        "</pubDate></item>\n"
        // A permalink guid and no <link>: the guid is the link.
        "<item><title>Permalink only</title><guid>" +
        Base() + "posts/perma.html</guid><pubDate>" + Date(3, true) +
        "</pubDate><description>Permalink post</description></item>\n"
        // No guid: the link is the identity.
        "<item><title>Ünïcödé — 日本語 😀</title><link>posts/no-guid.html</link>"
        "<dc:creator>Ana</dc:creator><pubDate>" +
        Date(2, true) +
        "</pubDate><description>No guid here</description></item>\n"
        // Everything at once. (The content's relative reference resolves alike against the
        // xml:base and the entry's link, which sits in the same directory.)
        "<item><title>Fish &amp; chips &lt;3 — naïve</title><link>fish.html</link>"
        "<guid isPermaLink=\"false\">tag:blog.test,2026:fish</guid>"
        "<author>zoe@blog.test (Zoë)</author>"
        "<category>garden</category><category domain=\"https://blog.test/tags\">roses</category>"
        "<enclosure url=\"media/a.mp3\" length=\"1234\" type=\"audio/mpeg\"/>"
        "<pubDate>" +
        Date(1, true) +
        "</pubDate>"
        "<description>Crisp and golden</description>"
        "<content:encoded><![CDATA[<p>Crisp <b>and</b> golden. <img src=\"pics/1.jpg\" alt=\"\">"
        " <a href=\"https://elsewhere.test/page\">more</a>"
        "<script>alert(1)</script></p>]]></content:encoded></item>\n";
  }

  std::string AtomShowcase() const {
    return
        // No link at all.
        "<entry><title>Nowhere to go</title><id>tag:blog.test,2026:no-link</id><updated>" +
        Date(4, false) +
        "</updated><content type=\"text\">Nowhere, really.</content></entry>\n"
        // XHTML content, its own author.
        "<entry><title type=\"text\">Hi &amp; hello</title>"
        "<id>tag:blog.test,2026:xhtml</id><link href=\"entry-3\"/><updated>" +
        Date(3, false) +
        "</updated><author><name>Al</name></author>"
        "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Hi <b>there</b>"
        "</p></div></content></entry>\n"
        // xml:base on the entry, a relative enclosure, a category, HTML content with relative
        // references, the feed's author.
        "<entry xml:base=\"2026/\"><title type=\"text\">Crème brûlée &amp; &lt;tags&gt; "
        "“quotes” 😀</title><id>tag:blog.test,2026:creme</id>"
        "<link rel=\"alternate\" type=\"text/html\" href=\"entry-2\"/>"
        "<link rel=\"enclosure\" href=\"media/a.ogg\" length=\"99\" type=\"audio/ogg\"/>"
        "<published>" +
        Date(1, false) + "</published><updated>" + Date(2, false) +
        "</updated><category term=\"cuisine\" label=\"Cuisine\"/>"
        "<content type=\"html\">&lt;p&gt;See &lt;a href=\"recipes/\"&gt;the "
        "recipes&lt;/a&gt; and the &lt;img src=\"pics/2.jpg\" alt=\"photo\"&gt; "
        "photo&lt;/p&gt;</content></entry>\n"
        // Summary only, an absolute link.
        "<entry><title>Summary only</title><id>tag:blog.test,2026:summary-only</id>"
        "<link href=\"/atom/summary-only\"/><updated>" +
        Date(0, false) + "</updated><summary>Only a summary.</summary></entry>\n";
  }

  std::string AtomHtmlAndXmlBase() const {
    return "<entry xml:base=\"2026/\"><title type=\"html\">Fish &amp;amp; chips "
           "&lt;b&gt;bold&lt;/b&gt;</title><id>tag:blog.test,2026:html</id>"
           "<link href=\"posts/fish\"/><updated>" +
           Date(1, false) +
           "</updated><summary type=\"html\">Crisp &lt;b&gt;and&lt;/b&gt; golden</summary>"
           "<content type=\"html\">&lt;p&gt;Golden &lt;img src=\"pics/3.jpg\" "
           "alt=\"\"&gt;&lt;/p&gt;</content></entry>\n";
  }

  HttpTestServer& server_;
  const OriginFormat format_;
  const int window_;
  const Showcase showcase_;
  mutable std::mutex mu_;
  int posts_ = 0;  // Guarded by mu_.
};

// ---- Reading JSON from read_mirror.py.

std::string Str(const JsonObject& o, const std::string& key) {
  return o->has(key) && !o->isNull(key) ? o->getValue<std::string>(key) : std::string();
}

bool IsNull(const JsonObject& o, const std::string& key) { return !o->has(key) || o->isNull(key); }

std::vector<std::string> Strings(const JsonArray& a) {
  std::vector<std::string> out;
  if (a.isNull()) return out;
  for (unsigned i = 0; i < a->size(); ++i) {
    out.push_back(a->isNull(i) ? "" : a->getElement<std::string>(i));
  }
  return out;
}

// Every href="..." and src="..." in `html`.
std::set<std::string> ReferencedUrls(const std::string& html) {
  static const std::regex kRef("(?:href|src)=\"([^\"]*)\"");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), kRef); it != std::sregex_iterator();
       ++it) {
    out.insert((*it)[1].str());
  }
  return out;
}

// The text of a title feedparser reports as HTML (DESIGN.md: "HTML in titles ... is reduced to
// text"): tags dropped, the few entities our tests use decoded.
std::string TitleText(const JsonObject& entry) {
  std::string title = Str(entry, "title");
  if (Str(entry, "title_type") != "text/html") return title;
  title = std::regex_replace(title, std::regex("<[^>]*>"), "");
  for (const auto& [entity, ch] : std::vector<std::pair<std::string, std::string>>{
           {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&amp;", "&"}}) {
    for (size_t at = title.find(entity); at != std::string::npos; at = title.find(entity, at + 1)) {
      title.replace(at, entity.size(), ch);
    }
  }
  return title;
}

// Whether the document gave the entry an alternate link. (feedparser's "link" falls back to an
// Atom id or a permalink guid when there is none; "links" says what the document had.)
bool HasAlternateLink(const JsonObject& entry) {
  const JsonArray links = entry->getArray("links");
  for (unsigned i = 0; links && i < links->size(); ++i) {
    if (Str(links->getObject(i), "rel") == "alternate") return true;
  }
  return false;
}

// ---- The fixture: origin, poller, mirror.

class MirrorIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kPython))
        << kPython << " is missing (the bootstrap installs python3-feedparser)";
    Poco::Logger::get("feedbridge.poller").setLevel(Poco::Message::PRIO_ERROR);
    Poco::Logger::get("feedbridge.access").setLevel(Poco::Message::PRIO_ERROR);
    ASSERT_OK(StartMirror());
  }

  // The poller and the web server as the real wiring (app/wiring.h) builds them, on the fake
  // clock, the web server on a free loopback port, its base URL naming that port (the next links
  // must be fetchable). Another process may take the port between the probe and the bind: retry.
  Status StartMirror() {
    Status last = Status::Unavailable("not started");
    for (int attempt = 0; attempt < 5; ++attempt) {
      const std::string port = std::to_string(testing::FreeLoopbackPort());
      base_url_ = "http://127.0.0.1:" + port + "/";
      config::Config config;
      config.server.base_url = base_url_;
      config.server.listen = "127.0.0.1:" + port;
      config.server.workers = 4;
      config.database.url = "sqlite:" + (dir_.path() / "fb.db").string();
      config.redis.url = redis_.url();
      config.redis.prefix = "fbmirror:";
      config.poller.user_agent = "feedbridge-test";
      config.poller.allow_private_networks = true;
      auto services =
          app::Services::Open(config, {.poller = true, .web = true}, {.clock = &clock_});
      if (services.ok()) {
        services_ = std::move(services).value();
        db_ = &services_->database();
        poller_ = &services_->poller();
        return Status::Ok();
      }
      last = services.status();
      if (last.code() != Status::Code::kUnavailable) break;
    }
    return last;
  }

  // Bridges `blog` as kNick.
  void Bridge(const OriginBlog& blog) {
    auto feed = db_->feeds().AddFeed({.url = blog.Url(), .nickname = kNick});
    ASSERT_OK(feed);
    feed_id_ = feed->id;
  }

  // One poll, a second later than the last (entries of one poll share first_seen_at).
  poller::PollReport Poll() {
    clock_.Advance(std::chrono::seconds(1));
    auto report = poller_->PollFeed(feed_id_);
    EXPECT_OK(report);
    if (!report.ok()) return {};
    EXPECT_EQ(report->error, "") << report->url;
    return *report;
  }

  std::string MirrorUrl(const std::string& format, const std::string& query = "") const {
    return base_url_ + kNick + "/" + format + query;
  }

  // Runs read_mirror.py; its JSON output.
  Poco::Dynamic::Var RunReader(const std::vector<std::string>& args) {
    const std::filesystem::path script =
        testing::SourceDir() / "tests" / "integration" / "read_mirror.py";
    std::vector<std::string> argv = {script.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    const testing::ProcessResult run = testing::RunProcess(kPython, argv);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    try {
      return Poco::JSON::Parser().parse(run.out);
    } catch (const Poco::Exception& e) {
      ADD_FAILURE() << "read_mirror.py printed no JSON: " << e.displayText() << "\n"
                    << run.out << run.err;
      return {};
    }
  }

  // fetch URL...: one summary per URL.
  std::vector<JsonObject> Fetch(const std::vector<std::string>& urls) {
    std::vector<std::string> args = {"fetch"};
    args.insert(args.end(), urls.begin(), urls.end());
    const Poco::Dynamic::Var out = RunReader(args);
    std::vector<JsonObject> summaries;
    if (out.isEmpty()) return summaries;
    const JsonArray array = out.extract<JsonArray>();
    for (unsigned i = 0; i < array->size(); ++i) summaries.push_back(array->getObject(i));
    return summaries;
  }

  // Checks that `mirror` (feedparser's reading of one mirror format) shows the entries of
  // `origin` (its reading of the origin feed), as the mirror promises.
  void ExpectSameEntries(const JsonObject& origin, const JsonObject& mirror,
                         const std::map<std::string, Expected>& expected) {
    SCOPED_TRACE(Str(mirror, "url") + " (" + Str(mirror, "version") + ")");
    EXPECT_EQ(mirror->getValue<int>("status"), 200);
    EXPECT_FALSE(mirror->getValue<bool>("bozo")) << Str(mirror, "bozo_exception");
    const JsonArray theirs = origin->getArray("entries");
    const JsonArray ours = mirror->getArray("entries");
    ASSERT_FALSE(theirs.isNull());
    ASSERT_FALSE(ours.isNull());
    ASSERT_EQ(ours->size(), theirs->size());
    size_t checked = 0;
    for (unsigned i = 0; i < ours->size(); ++i) {
      const JsonObject o = theirs->getObject(i);
      const JsonObject m = ours->getObject(i);
      SCOPED_TRACE("entry " + std::to_string(i) + ": origin id '" + Str(o, "id") + "', link '" +
                   Str(o, "link") + "'");
      // Identity: the origin's id, else its link, else the bridge's hash.
      std::string key;
      if (!IsNull(o, "id")) {
        EXPECT_EQ(Str(m, "id"), Str(o, "id"));
        key = Str(o, "id");
      } else if (!IsNull(o, "link")) {
        EXPECT_EQ(Str(m, "id"), Str(o, "link"));
        key = Str(o, "link");
      } else {
        EXPECT_EQ(Str(m, "id").rfind("sha1:", 0), 0u) << Str(m, "id");
        key = "untitled";
      }
      // Links: the origin's (an alternate link, or a permalink guid), absolute. Without one
      // (feedparser may show a tag: id as "link" then), the mirror has none either.
      if (Str(o, "link").rfind("http", 0) == 0) {
        EXPECT_EQ(Str(m, "link"), Str(o, "link"));
      } else {
        EXPECT_FALSE(HasAlternateLink(m));
      }
      // Titles: the origin's as text; an untitled entry takes its summary's text.
      if (!IsNull(o, "title")) {
        EXPECT_EQ(Str(m, "title"), TitleText(o));
      } else {
        const auto e = expected.find(key);
        ASSERT_NE(e, expected.end()) << "an untitled entry the test does not know";
        EXPECT_EQ(Str(m, "title").rfind(e->second.content_text, 0), 0u) << Str(m, "title");
      }
      // Everything else the hand-written entries carry.
      const auto e = expected.find(key);
      if (e == expected.end()) continue;
      ++checked;
      EXPECT_EQ(Strings(m->getArray("tags")), e->second.tags);
      EXPECT_EQ(Strings(m->getArray("authors")), e->second.authors);
      std::vector<std::string> enclosures;
      const JsonArray es = m->getArray("enclosures");
      for (unsigned j = 0; es && j < es->size(); ++j) {
        enclosures.push_back(Str(es->getObject(j), "href"));
      }
      EXPECT_EQ(enclosures, e->second.enclosures);
      // HTML stays HTML: no markup shown as text.
      EXPECT_THAT(Str(m, "summary"), Not(HasSubstr("&lt;")));
      const std::string content = Str(m, "content");
      EXPECT_THAT(content, HasSubstr(e->second.content_text));
      EXPECT_THAT(content, Not(HasSubstr("<script")));
      const std::set<std::string> urls = ReferencedUrls(content);
      EXPECT_EQ(urls,
                std::set<std::string>(e->second.content_urls.begin(), e->second.content_urls.end()))
          << content;
    }
    EXPECT_EQ(checked, expected.size()) << "hand-written entries found in the mirror";
  }

  // The mirror of a freshly bridged `format` origin, read by feedparser in the three formats.
  void ExpectMirrorOf(OriginFormat format, Showcase showcase) {
    OriginBlog blog(origin_, format, 50, showcase);
    Bridge(blog);
    const poller::PollReport report = Poll();
    EXPECT_EQ(report.http_status, 200);
    const size_t count = blog.Expectations().size();
    EXPECT_EQ(report.new_entries, count);

    const std::vector<JsonObject> read =
        Fetch({blog.Url(), MirrorUrl(kFormats[0]), MirrorUrl(kFormats[1]), MirrorUrl(kFormats[2])});
    ASSERT_EQ(read.size(), 4u);
    const JsonObject& origin = read[0];
    ASSERT_FALSE(origin->getValue<bool>("bozo")) << Str(origin, "bozo_exception");
    ASSERT_EQ(origin->getArray("entries")->size(), count);
    EXPECT_EQ(Str(read[1], "version"), "atom10");
    EXPECT_EQ(Str(read[2], "version"), "rss20");
    EXPECT_EQ(Str(read[3], "version"), "json11");
    for (size_t i = 1; i < read.size(); ++i) {
      EXPECT_EQ(Str(read[i], "title"), Str(origin, "title"));
      ExpectSameEntries(origin, read[i], blog.Expectations());
    }
  }

  TempDir dir_;
  FakeClock clock_;
  RedisTestServer redis_;
  HttpTestServer origin_;
  std::string base_url_;
  // Stops the web server before the poller and the stores go.
  std::unique_ptr<app::Services> services_;
  store::Database* db_ = nullptr;  // Owned by services_, as the poller.
  poller::Poller* poller_ = nullptr;
  int64_t feed_id_ = 0;
};

TEST_F(MirrorIntegrationTest, RssOriginIsMirroredAsAtomRssAndJsonFeed) {
  ExpectMirrorOf(OriginFormat::kRss, Showcase::kVaried);
}

TEST_F(MirrorIntegrationTest, AtomOriginIsMirroredAsAtomRssAndJsonFeed) {
  ExpectMirrorOf(OriginFormat::kAtom, Showcase::kVaried);
}

// The stored entry is a one-entry JSON Feed document, whose title and summary are plain text and
// which has no xml:base (poller/poll_steps.cc): the title must be stored as "Fish & chips bold",
// not as markup shown as text; the summary as "Crisp and golden"; and the content's "pics/3.jpg"
// made absolute against its xml:base (.../atom/2026/), not later against the entry's link
// (.../atom/2026/posts/).
TEST_F(MirrorIntegrationTest, HtmlTitleSummaryAndContentBaseSurviveTheStoredDocument) {
  ExpectMirrorOf(OriginFormat::kAtom, Showcase::kHtmlAndXmlBase);
}

TEST_F(MirrorIntegrationTest, ConditionalGetsAre304UntilAPollAddsAnEntry) {
  OriginBlog blog(origin_, OriginFormat::kRss, 50, Showcase::kVaried);
  blog.Publish(3);
  Bridge(blog);
  Poll();
  std::vector<std::string> urls;
  for (const char* format : kFormats) urls.push_back(MirrorUrl(format));
  const std::vector<JsonObject> before = Fetch(urls);
  ASSERT_EQ(before.size(), 3u);

  // feedparser's own conditional GETs (JSON Feed: urllib), one validator at a time.
  std::vector<std::string> args = {"revalidate"};
  for (const JsonObject& page : before) {
    ASSERT_FALSE(Str(page, "etag").empty()) << Str(page, "url");
    ASSERT_FALSE(Str(page, "modified").empty()) << Str(page, "url");
    args.insert(args.end(), {Str(page, "url"), Str(page, "etag"), Str(page, "modified")});
  }
  Poco::Dynamic::Var unchanged = RunReader(args);
  ASSERT_FALSE(unchanged.isEmpty());
  for (unsigned i = 0; i < 3; ++i) {
    const JsonObject r = unchanged.extract<JsonArray>()->getObject(i);
    SCOPED_TRACE(Str(r, "url"));
    EXPECT_EQ(r->getValue<int>("etag_status"), 304);
    EXPECT_EQ(r->getValue<int>("modified_status"), 304);
  }

  // A polled-for entry: new validators, both old ones answered 200, the entry first.
  const int newest = blog.Publish(1);
  clock_.Advance(std::chrono::seconds(60));
  EXPECT_EQ(Poll().new_entries, 1u);
  Poco::Dynamic::Var changed = RunReader(args);
  ASSERT_FALSE(changed.isEmpty());
  for (unsigned i = 0; i < 3; ++i) {
    const JsonObject r = changed.extract<JsonArray>()->getObject(i);
    SCOPED_TRACE(Str(r, "url"));
    EXPECT_EQ(r->getValue<int>("etag_status"), 200);
    EXPECT_EQ(r->getValue<int>("modified_status"), 200);
  }
  const std::vector<JsonObject> after = Fetch(urls);
  ASSERT_EQ(after.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(Str(after[i], "url"));
    EXPECT_FALSE(after[i]->getValue<bool>("bozo")) << Str(after[i], "bozo_exception");
    EXPECT_NE(Str(after[i], "etag"), Str(before[i], "etag"));
    EXPECT_NE(Str(after[i], "modified"), Str(before[i], "modified"));
    const JsonArray entries = after[i]->getArray("entries");
    ASSERT_EQ(entries->size(), before[i]->getArray("entries")->size() + 1);
    EXPECT_EQ(Str(entries->getObject(0), "id"), PostId(newest));
    EXPECT_EQ(Str(entries->getObject(1), "id"),
              Str(before[i]->getArray("entries")->getObject(0), "id"));
  }
}

TEST_F(MirrorIntegrationTest, LargeFeedPagesThroughEveryEntryOnceWhileNewOnesArrive) {
  // 2,500 posts taken in over polls of a feed that shows its latest 200.
  constexpr int kWindow = 200;
  constexpr int kPosts = 2500;
  OriginBlog blog(origin_, OriginFormat::kRss, kWindow, Showcase::kNone);
  Bridge(blog);
  while (blog.posts() < kPosts) {
    blog.Publish(std::min(kWindow, kPosts - blog.posts()));
    ASSERT_GT(Poll().new_entries, 0u);
  }
  ASSERT_EQ(blog.posts(), kPosts);

  // Between two page fetches, a post arrives and is polled in (the reader's GET of /arrive
  // returns once it is stored).
  HttpTestServer control;
  std::mutex arrivals_mu;
  std::vector<int> arrivals;
  control.Route("/arrive", [&](const HttpTestServer::Request&, HttpTestServer::Response& resp) {
    const int n = blog.Publish(1);
    clock_.Advance(std::chrono::seconds(1));
    auto report = poller_->PollFeed(feed_id_);
    if (!report.ok() || report->new_entries != 1) {
      resp.SetStatus(500);
      return;
    }
    std::lock_guard lock(arrivals_mu);
    arrivals.push_back(n);
  });

  struct Walk {
    std::string format;
    std::string query;
    size_t page_bound;
  };
  const Walk walks[] = {
      {"feed.atom", "", 50},              // The default page size.
      {"feed.rss", "?limit=100", 100},    // As asked.
      {"feed.json", "?limit=1000", 200},  // Clamped to the largest page.
  };
  size_t between_pages = 0;
  for (const Walk& walk : walks) {
    SCOPED_TRACE(walk.format + walk.query);
    const int newest_at_start = blog.posts();
    const Poco::Dynamic::Var out =
        RunReader({"walk", MirrorUrl(walk.format, walk.query), control.Url("/arrive")});
    ASSERT_FALSE(out.isEmpty());
    const JsonArray pages = out.extract<JsonObject>()->getArray("pages");
    ASSERT_FALSE(pages.isNull());
    std::vector<std::string> ids;
    for (unsigned p = 0; p < pages->size(); ++p) {
      const JsonObject page = pages->getObject(p);
      SCOPED_TRACE(Str(page, "url"));
      EXPECT_EQ(page->getValue<int>("status"), 200);
      EXPECT_FALSE(page->getValue<bool>("bozo")) << Str(page, "bozo_exception");
      const std::vector<std::string> page_ids = Strings(page->getArray("ids"));
      EXPECT_LE(page_ids.size(), walk.page_bound);
      EXPECT_FALSE(page_ids.empty());
      if (p + 1 < pages->size()) {
        EXPECT_EQ(page_ids.size(), walk.page_bound);  // Only the last page may be short.
      }
      ids.insert(ids.end(), page_ids.begin(), page_ids.end());
    }
    // Every post there was when the walk began, newest first, each exactly once; none of those
    // that arrived meanwhile (they are newer than the first page).
    std::vector<std::string> expected;
    for (int n = newest_at_start; n >= 1; --n) expected.push_back(PostId(n));
    EXPECT_EQ(ids.size(), expected.size());
    EXPECT_TRUE(ids == expected)
        << "first difference at "
        << (std::mismatch(ids.begin(), ids.end(), expected.begin(), expected.end()).first -
            ids.begin());
    EXPECT_EQ(blog.posts(), newest_at_start + static_cast<int>(pages->size()) - 1)
        << "one arrival between two pages";
    between_pages += pages->size() - 1;
  }
  std::lock_guard lock(arrivals_mu);
  EXPECT_EQ(arrivals.size(), between_pages);
}

}  // namespace
}  // namespace feedbridge
