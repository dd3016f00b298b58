#include "poller/poll_steps.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "feeds/html.h"
#include "feeds/parser.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::poller::internal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kFeedUrl = "https://blog.test/atom/feed";

// An Atom 1.0 document (xml:base "https://blog.test/atom/") around `entry_xml`.
std::string Atom(const std::string& entry_xml) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
         "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"https://blog.test/atom/\">"
         "<title type=\"html\">Journal &amp;amp; &lt;i&gt;notes&lt;/i&gt;</title>"
         "<id>tag:blog.test,2026:feed</id><updated>2026-11-02T00:00:00Z</updated>"
         "<link href=\"./\"/><author><name>Zoë</name></author>" +
         entry_xml + "</feed>";
}

// The origin parsed, its first entry turned into a row, and that row's document read back the
// way the mirror reads it (web/feed_handlers.cc: ParseFeed(document, entry URL)).
class StoredDocumentTest : public ::testing::Test {
 protected:
  // Polls `document` as if fetched from `feed_url`; the stored entry as the mirror reads it.
  const feeds::Entry& Store(const std::string& document, std::string_view feed_url = kFeedUrl) {
    Result<feeds::Feed> origin = feeds::ParseFeed(document, feed_url);
    EXPECT_OK(origin);
    origin_ = std::move(origin).value();
    EXPECT_EQ(origin_.entries.size(), 1u);
    const std::vector<Candidate> candidates = IdentifyEntries(origin_);
    const EntryContext context{.feed = &origin_,
                               .feed_url = std::string(feed_url),
                               .notice_template = "{title} {url}",
                               .fallback_url = "https://bridge.test/zoe"};
    row_ = BuildNewEntry(candidates.front(), context, /*with_notice=*/true);
    Result<feeds::Feed> stored = feeds::ParseFeed(row_.document, row_.url);
    EXPECT_OK(stored);
    stored_ = std::move(stored).value();
    EXPECT_EQ(stored_.entries.size(), 1u);
    return stored_.entries.front();
  }

  // The first content of `entry` with a value, or an empty Text.
  static feeds::Text Content(const feeds::Entry& entry) {
    for (const feeds::Text& c : entry.contents) {
      if (!c.value.empty()) return c;
    }
    return {};
  }

  feeds::Feed origin_;
  store::NewEntry row_;
  feeds::Feed stored_;
};

// ---- Titles ----

TEST_F(StoredDocumentTest, HtmlTitleIsStoredAsItsText) {
  const feeds::Entry& e =
      Store(Atom("<entry><title type=\"html\">Fish &amp;amp; chips &lt;b&gt;bold&lt;/b&gt;</title>"
                 "<id>tag:t,2026:1</id><link href=\"p/1\"/><content>x</content></entry>"));
  EXPECT_EQ(e.title.value, "Fish & chips bold");
  EXPECT_FALSE(e.title.is_html());
  EXPECT_EQ(row_.title, "Fish & chips bold");
  EXPECT_EQ(row_.notice_text, "Fish & chips bold https://blog.test/atom/p/1");
}

TEST_F(StoredDocumentTest, XhtmlTitleIsStoredAsItsText) {
  const feeds::Entry& e =
      Store(Atom("<entry><title type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">A "
                 "<b>bold</b> &amp; true</div></title><id>tag:t,2026:1</id></entry>"));
  EXPECT_EQ(e.title.value, "A bold & true");
}

TEST_F(StoredDocumentTest, PlainTitleIsStoredAsGiven) {
  // Plain text is not HTML: "<3" and "&amp;" are what the author wrote.
  const feeds::Entry& e =
      Store(Atom("<entry><title>I &lt;3 &amp;amp; tags</title><id>tag:t,2026:1</id></entry>"));
  EXPECT_EQ(e.title.value, "I <3 &amp; tags");
}

TEST_F(StoredDocumentTest, HtmlFeedTitleIsStoredAsItsText) {
  Store(Atom("<entry><title>t</title><id>tag:t,2026:1</id></entry>"));
  EXPECT_EQ(stored_.title.value, "Journal & notes");
}

// ---- Summaries ----

TEST_F(StoredDocumentTest, HtmlSummaryBesideContentIsStoredAsItsText) {
  const feeds::Entry& e = Store(
      Atom("<entry><title>t</title><id>tag:t,2026:1</id>"
           "<summary type=\"html\">Crisp &lt;b&gt;and&lt;/b&gt; golden &amp;amp; hot</summary>"
           "<content type=\"html\">&lt;p&gt;Golden&lt;/p&gt;</content></entry>"));
  EXPECT_EQ(e.summary.value, "Crisp and golden & hot");
  EXPECT_FALSE(e.summary.is_html());
  EXPECT_EQ(Content(e).value, "<p>Golden</p>");
  EXPECT_TRUE(Content(e).is_html());
}

TEST_F(StoredDocumentTest, HtmlSummaryWithoutContentBecomesContentHtml) {
  const feeds::Entry& e = Store(
      Atom("<entry xml:base=\"2026/\"><title>t</title><id>tag:t,2026:1</id><link href=\"posts/1\"/>"
           "<summary type=\"html\">Crisp &lt;b&gt;and&lt;/b&gt; &lt;img src=\"pics/1.jpg\"&gt;"
           "</summary></entry>"));
  EXPECT_TRUE(e.summary.empty()) << e.summary.value;
  ASSERT_EQ(e.contents.size(), 1u);
  EXPECT_TRUE(e.contents[0].is_html());
  EXPECT_EQ(e.contents[0].value,
            "Crisp <b>and</b> <img src=\"https://blog.test/atom/2026/pics/1.jpg\">");
}

TEST_F(StoredDocumentTest, PlainSummaryWithoutContentIsStoredAsText) {
  const feeds::Entry& e =
      Store(Atom("<entry><title>t</title><id>tag:t,2026:1</id><summary>1 &lt; 2 &amp;amp; "
                 "&lt;b&gt;</summary></entry>"));
  const feeds::Text content = Content(e);
  EXPECT_FALSE(content.is_html());
  EXPECT_EQ(content.value, "1 < 2 &amp; <b>");
}

TEST_F(StoredDocumentTest, PlainSummaryBesideContentIsStoredAsGiven) {
  const feeds::Entry& e =
      Store(Atom("<entry><title>t</title><id>tag:t,2026:1</id><summary>Only &lt;text&gt;</summary>"
                 "<content type=\"html\">&lt;p&gt;Body&lt;/p&gt;</content></entry>"));
  EXPECT_EQ(e.summary.value, "Only <text>");
  EXPECT_EQ(Content(e).value, "<p>Body</p>");
}

// ---- Bases of relative references ----

TEST_F(StoredDocumentTest, ContentUrlsResolveAgainstTheEntrysXmlBaseNotItsLink) {
  const feeds::Entry& e = Store(Atom(
      "<entry xml:base=\"2026/\"><title>t</title><id>tag:t,2026:1</id>"
      "<link href=\"posts/fish\"/><content type=\"html\">&lt;p&gt;Golden &lt;img "
      "src=\"pics/3.jpg\" alt=\"\"&gt; &lt;a href=\"/about\"&gt;me&lt;/a&gt;&lt;/p&gt;</content>"
      "</entry>"));
  EXPECT_EQ(e.Url(), "https://blog.test/atom/2026/posts/fish");
  EXPECT_EQ(Content(e).value,
            "<p>Golden <img src=\"https://blog.test/atom/2026/pics/3.jpg\" alt=\"\"> "
            "<a href=\"https://blog.test/about\">me</a></p>");
}

TEST_F(StoredDocumentTest, ContentUrlsResolveAgainstTheContentsOwnXmlBase) {
  const feeds::Entry& e = Store(Atom(
      "<entry xml:base=\"2026/\"><title>t</title><id>tag:t,2026:1</id><link href=\"p\"/>"
      "<summary type=\"html\" xml:base=\"/elsewhere/\">&lt;a href=\"s\"&gt;s&lt;/a&gt;</summary>"
      "<content type=\"html\" xml:base=\"https://cdn.test/img/\">&lt;img src=\"3.jpg\"&gt;"
      "</content></entry>"));
  EXPECT_EQ(Content(e).value, "<img src=\"https://cdn.test/img/3.jpg\">");
  EXPECT_EQ(e.summary.value, "s");
}

TEST_F(StoredDocumentTest, XhtmlContentUrlsResolveToo) {
  const feeds::Entry& e = Store(Atom(
      "<entry><title>t</title><id>tag:t,2026:1</id><content type=\"xhtml\" xml:base=\"x/\">"
      "<div xmlns=\"http://www.w3.org/1999/xhtml\"><a href=\"y\">y</a></div></content></entry>"));
  EXPECT_TRUE(Content(e).is_html());
  EXPECT_THAT(Content(e).value, HasSubstr("href=\"https://blog.test/atom/x/y\""));
}

TEST_F(StoredDocumentTest, RssContentUrlsResolveAgainstTheFeedUrl) {
  // RSS has no base of its own: the document's URL is it (as for the item's <link>).
  const feeds::Entry& e = Store(
      "<rss version=\"2.0\"><channel><title>B</title><link>https://blog.test/</link>"
      "<description>d</description><item><title>t</title><link>2026/11/post.html</link>"
      "<guid isPermaLink=\"false\">g1</guid><description>&lt;img src=\"pics/1.jpg\"&gt;"
      "</description></item></channel></rss>",
      "https://blog.test/blog/rss");
  EXPECT_EQ(e.Url(), "https://blog.test/blog/2026/11/post.html");
  EXPECT_EQ(Content(e).value, "<img src=\"https://blog.test/blog/pics/1.jpg\">");
}

// ---- Hostile content ----

TEST_F(StoredDocumentTest, JavascriptUrlsAreNotMadeAbsolute) {
  // Left as written, so the mirror's sanitizer still sees (and drops) them; resolving them would
  // have made "https://blog.test/atom/javascript:alert(1)"-like URLs it keeps.
  const feeds::Entry& e =
      Store(Atom("<entry><title>t</title><id>tag:t,2026:1</id><content type=\"html\">"
                 "&lt;a href=\"javascript:alert(1)\"&gt;a&lt;/a&gt;"
                 "&lt;a href=\"jav&amp;#x09;ascript:alert(2)\"&gt;b&lt;/a&gt;"
                 "&lt;a href=\" JAVA\tSCRIPT:alert(3)\"&gt;c&lt;/a&gt;"
                 "&lt;img src=\"data:image/svg+xml;base64,PHN2Zz4=\"&gt;</content></entry>"));
  const std::string content = Content(e).value;
  EXPECT_THAT(content, HasSubstr("href=\"javascript:alert(1)\""));
  EXPECT_THAT(content, HasSubstr("href=\"jav&#x09;ascript:alert(2)\""));
  EXPECT_THAT(content, HasSubstr("src=\"data:image/svg+xml;base64,PHN2Zz4=\""));
  EXPECT_THAT(content, Not(HasSubstr("https://blog.test/atom/java")));
  EXPECT_THAT(content, Not(HasSubstr("https://blog.test/atom/data")));
  // As the mirror serves it.
  EXPECT_EQ(feeds::SanitizeHtml(content, e.Url()), "<a>a</a><a>b</a><a>c</a><img />");
}

TEST_F(StoredDocumentTest, HostileXmlBaseMakesNothingAbsolute) {
  const feeds::Entry& e =
      Store(Atom("<entry xml:base=\"javascript:alert(1)//\"><title>t</title><id>tag:t,2026:1</id>"
                 "<content type=\"html\">&lt;img src=\"x.png\"&gt;</content></entry>"));
  EXPECT_EQ(Content(e).value, "<img src=\"x.png\">");
}

TEST_F(StoredDocumentTest, StoresContentUnsanitizedForTheMirrorToSanitize) {
  // One place sanitizes: web/ on the way out, with the policy of the day. What it serves from
  // the stored document equals what it would serve from the origin's entry.
  const std::string html =
      "&lt;p onclick=\"x()\"&gt;Hi &lt;img src=\"i.png\" onerror=\"alert(1)\"&gt;"
      "&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;";
  const feeds::Entry& e = Store(
      Atom("<entry xml:base=\"2026/\"><title>t</title><id>tag:t,2026:1</id><link href=\"../p\"/>"
           "<content type=\"html\">" +
           html + "</content></entry>"));
  const feeds::Text& origin_content = origin_.entries.front().contents.front();
  EXPECT_THAT(Content(e).value, HasSubstr("<script>"));
  EXPECT_EQ(feeds::SanitizeHtml(Content(e).value, e.Url()),
            feeds::SanitizeHtml(origin_content.value, origin_content.base));
  EXPECT_EQ(feeds::SanitizeHtml(Content(e).value, e.Url()),
            "<p>Hi <img src=\"https://blog.test/atom/2026/i.png\" /></p>");
}

}  // namespace
}  // namespace feedbridge::poller::internal
