#include "feeds/discovery.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace feedbridge::feeds {
namespace {

std::vector<std::string> Urls(const std::vector<DiscoveredFeed>& feeds) {
  std::vector<std::string> urls;
  for (const DiscoveredFeed& f : feeds) urls.push_back(f.url);
  return urls;
}

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::string_view kPage = "http://ex.org/blog/index.html";

TEST(DiscoverFeedsTest, FindsRssAndAtomLinksInHeadInDocumentOrder) {
  const auto feeds = DiscoverFeeds(R"(<!DOCTYPE html><html><head><title>Blog</title>
    <link rel="alternate" type="application/atom+xml" title="Atom" href="http://ex.org/atom.xml">
    <link rel="alternate" type="application/rss+xml" title="RSS" href="http://ex.org/rss.xml">
    </head><body>hi</body></html>)",
                                   kPage);
  ASSERT_EQ(feeds.size(), 2u);
  EXPECT_EQ(feeds[0].url, "http://ex.org/atom.xml");
  EXPECT_EQ(feeds[0].type, "application/atom+xml");
  EXPECT_EQ(feeds[0].title, "Atom");
  EXPECT_EQ(feeds[0].format_hint, FeedFormat::kAtom10);
  EXPECT_EQ(feeds[1].url, "http://ex.org/rss.xml");
  EXPECT_EQ(feeds[1].format_hint, FeedFormat::kRss20);
}

TEST(DiscoverFeedsTest, MapsTypesToFormatHints) {
  const auto feeds = DiscoverFeeds(R"(<head>
    <link rel=alternate type="Application/RSS+XML; charset=utf-8" href=/a>
    <link rel=alternate type=application/feed+json href=/b>
    <link rel=alternate type=application/json href=/c>
    <link rel=alternate type=application/rdf+xml href=/d>
    <link rel=alternate type=text/xml href=/e>
    <link rel=alternate type=application/x-atom+xml href=/f>)",
                                   kPage);
  ASSERT_EQ(feeds.size(), 6u);
  EXPECT_EQ(feeds[0].type, "application/rss+xml");
  EXPECT_EQ(feeds[0].format_hint, FeedFormat::kRss20);
  EXPECT_EQ(feeds[1].format_hint, FeedFormat::kJsonFeed11);
  EXPECT_EQ(feeds[2].format_hint, FeedFormat::kJsonFeed10);
  EXPECT_EQ(feeds[3].format_hint, FeedFormat::kRss10);
  EXPECT_EQ(feeds[4].format_hint, FeedFormat::kUnknown);
  EXPECT_EQ(feeds[5].format_hint, FeedFormat::kAtom10);
}

TEST(DiscoverFeedsTest, MatchesRelAsCaseInsensitiveToken) {
  const auto feeds = DiscoverFeeds(R"(<head>
    <link rel="ALTERNATE" type="application/rss+xml" href="/a">
    <link rel="  feed   Alternate " type="application/rss+xml" href="/b">
    <link rel="alternates" type="application/rss+xml" href="/c">
    <link rel="non-alternate" type="application/rss+xml" href="/d">)",
                                   kPage);
  EXPECT_THAT(Urls(feeds), ElementsAre("http://ex.org/a", "http://ex.org/b"));
}

TEST(DiscoverFeedsTest, IgnoresLinksThatAreNotFeeds) {
  const auto feeds = DiscoverFeeds(R"(<head>
    <link rel="stylesheet" type="text/css" href="/s.css">
    <link rel="alternate" hreflang="fr" href="/fr/">
    <link rel="alternate" type="application/json+oembed" href="/oembed">
    <link rel="alternate" type="text/html" href="/page">
    <link rel="alternate" type="application/rss+xml">
    <link rel="alternate" type="application/rss+xml" href="  ">
    <link rel="icon" type="application/rss+xml" href="/icon">)",
                                   kPage);
  EXPECT_THAT(feeds, IsEmpty());
}

TEST(DiscoverFeedsTest, ResolvesRelativeHrefAgainstPageUrl) {
  const auto feeds =
      DiscoverFeeds(R"(<link rel=alternate type=application/rss+xml href="feed.xml">)"
                    R"(<link rel=alternate type=application/atom+xml href="../atom?x=1">)",
                    kPage);
  EXPECT_THAT(Urls(feeds), ElementsAre("http://ex.org/blog/feed.xml", "http://ex.org/atom?x=1"));
}

TEST(DiscoverFeedsTest, ResolvesHrefAgainstBaseHrefEvenWhenBaseComesLater) {
  const auto feeds = DiscoverFeeds(R"(<head>
    <link rel=alternate type=application/rss+xml href="rss">
    <base href="/other/">
    <base href="http://ignored.example/">
    <link rel=alternate type=application/atom+xml href="atom"></head>)",
                                   kPage);
  EXPECT_THAT(Urls(feeds), ElementsAre("http://ex.org/other/rss", "http://ex.org/other/atom"));
}

TEST(DiscoverFeedsTest, RemovesDuplicatesKeepingTheFirst) {
  const auto feeds = DiscoverFeeds(R"(<head>
    <link rel=alternate type=application/rss+xml title=First href="/rss">
    <link rel=alternate type=application/atom+xml href="/atom">
    <link rel=alternate type=application/rss+xml title=Second href="http://ex.org/rss">)",
                                   kPage);
  ASSERT_EQ(feeds.size(), 2u);
  EXPECT_EQ(feeds[0].url, "http://ex.org/rss");
  EXPECT_EQ(feeds[0].title, "First");
  EXPECT_EQ(feeds[1].url, "http://ex.org/atom");
}

TEST(DiscoverFeedsTest, ToleratesTagSoupAndLinksInBody) {
  const auto feeds = DiscoverFeeds(
      "<HTML><BODY><p>text<table><tr><td><LINK REL=alternate TYPE=application/rss+xml "
      "HREF=/soup.rss TITLE='Soup &amp; more'></td><div><p>unclosed<b><i></div>",
      kPage);
  ASSERT_EQ(feeds.size(), 1u);
  EXPECT_EQ(feeds[0].url, "http://ex.org/soup.rss");
  EXPECT_EQ(feeds[0].title, "Soup & more");
}

TEST(DiscoverFeedsTest, IgnoresLinksInsideCommentsAndScripts) {
  const auto feeds = DiscoverFeeds(R"(<head>
    <!-- <link rel=alternate type=application/rss+xml href=/commented> -->
    <script>document.write('<link rel=alternate type=application/rss+xml href=/scripted>')</script>
    <link rel=alternate type=application/rss+xml href=/real>)",
                                   kPage);
  EXPECT_THAT(Urls(feeds), ElementsAre("http://ex.org/real"));
}

TEST(DiscoverFeedsTest, KeepsOnlyHttpAndHttpsUrls) {
  const auto feeds = DiscoverFeeds(R"html(<head>
    <link rel=alternate type=application/rss+xml href="javascript:alert(1)">
    <link rel=alternate type=application/rss+xml href="data:text/xml,<rss/>">
    <link rel=alternate type=application/rss+xml href="file:///etc/passwd">
    <link rel=alternate type=application/rss+xml href="https://ex.org/secure.xml">)html",
                                   kPage);
  EXPECT_THAT(Urls(feeds), ElementsAre("https://ex.org/secure.xml"));
}

TEST(DiscoverFeedsTest, DropsRelativeHrefWhenThereIsNoPageUrl) {
  const auto feeds =
      DiscoverFeeds(R"(<link rel=alternate type=application/rss+xml href="/rss">)"
                    R"(<link rel=alternate type=application/rss+xml href="http://ex.org/abs">)",
                    "");
  EXPECT_THAT(Urls(feeds), ElementsAre("http://ex.org/abs"));
}

TEST(DiscoverFeedsTest, UnwrapsFeedPseudoScheme) {
  const auto feeds =
      DiscoverFeeds(R"(<link rel=alternate type=application/rss+xml href="feed://ex.org/a">)"
                    R"(<link rel=alternate type=application/rss+xml href="feed:https://ex.org/b">)",
                    kPage);
  EXPECT_THAT(Urls(feeds), ElementsAre("http://ex.org/a", "https://ex.org/b"));
}

TEST(DiscoverFeedsTest, SkipsWordPressRestApiJsonLinks) {
  const auto feeds = DiscoverFeeds(R"(<head>
    <link rel="alternate" type="application/json" href="https://ex.org/wp-json/wp/v2/pages/2">
    <link rel="alternate" type="application/rss+xml" href="https://ex.org/feed/">)",
                                   kPage);
  EXPECT_THAT(Urls(feeds), ElementsAre("https://ex.org/feed/"));
}

TEST(DiscoverFeedsTest, SurvivesInvalidUtf8AndNulBytes) {
  static constexpr char kHtml[] =
      "<head><title>caf\xc3\x28 \xff\0</title>"
      "<link rel=alternate type=application/rss+xml title=\"t\xff\" href=\"/rss\"></head>";
  const auto feeds = DiscoverFeeds(std::string_view(kHtml, sizeof(kHtml) - 1), kPage);
  ASSERT_EQ(feeds.size(), 1u);
  EXPECT_EQ(feeds[0].url, "http://ex.org/rss");
  EXPECT_EQ(feeds[0].title, "t\ufffd");
}

TEST(DiscoverFeedsTest, DeeplyNestedPageFinishes) {
  std::string html =
      "<html><head><link rel=alternate type=application/rss+xml href=/rss></head>"
      "<body>";
  for (int i = 0; i < 100000; ++i) html += "<div>";
  const auto feeds = DiscoverFeeds(html, kPage);
  EXPECT_THAT(Urls(feeds), ElementsAre("http://ex.org/rss"));
}

TEST(DiscoverFeedsTest, EmptyOrNonHtmlInputFindsNothing) {
  EXPECT_THAT(DiscoverFeeds("", kPage), IsEmpty());
  EXPECT_THAT(DiscoverFeeds("{\"version\": \"https://jsonfeed.org/version/1.1\"}", kPage),
              IsEmpty());
}

// ---- LooksLikeHtml ----

TEST(LooksLikeHtmlTest, RecognizesHtmlPages) {
  EXPECT_TRUE(LooksLikeHtml("<!DOCTYPE html><html><head>"));
  EXPECT_TRUE(LooksLikeHtml("\xEF\xBB\xBF  \n<!doctype HTML>"));
  EXPECT_TRUE(LooksLikeHtml("<!-- generated --><HTML lang=en>"));
  EXPECT_TRUE(LooksLikeHtml("<head><title>x</title>"));
  EXPECT_TRUE(LooksLikeHtml("<body>hello"));
  EXPECT_TRUE(LooksLikeHtml(
      "<?xml version=\"1.0\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
      "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n<html "
      "xmlns=\"http://www.w3.org/1999/xhtml\">"));
}

TEST(LooksLikeHtmlTest, RecognizesFeeds) {
  EXPECT_FALSE(LooksLikeHtml("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"));
  EXPECT_FALSE(LooksLikeHtml("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
  EXPECT_FALSE(LooksLikeHtml(
      "<?xml version=\"1.0\"?>\n<!-- c --><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/"
      "22-rdf-syntax-ns#\">"));
  EXPECT_FALSE(LooksLikeHtml(
      "<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\" "
      "\"http://my.netscape.com/publish/formats/rss-0.91.dtd\"><rss version=\"0.91\">"));
  EXPECT_FALSE(LooksLikeHtml("<?xml-stylesheet href=\"s.xsl\"?><feed>"));
  EXPECT_FALSE(LooksLikeHtml("{\"version\": \"https://jsonfeed.org/version/1\"}"));
  EXPECT_FALSE(LooksLikeHtml(""));
}

TEST(LooksLikeHtmlTest, ReadsUtf16Pages) {
  const std::string le("\xFF\xFE<\0h\0t\0m\0l\0>\0", 14);
  EXPECT_TRUE(LooksLikeHtml(le));
  const std::string be("\xFE\xFF\0<\0r\0s\0s\0>", 12);
  EXPECT_FALSE(LooksLikeHtml(be));
}

TEST(LooksLikeHtmlTest, LooksNoFurtherThanOneKibibyte) {
  const std::string long_comment = "<!--" + std::string(2000, 'x') + "--><html>";
  EXPECT_FALSE(LooksLikeHtml(long_comment));
}

}  // namespace
}  // namespace feedbridge::feeds
