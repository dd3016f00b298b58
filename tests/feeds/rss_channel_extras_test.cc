// RSS channel elements the model keeps since issue 15 (feedparser's names in the conformance
// corpus): <cloud>, <textInput>, dcterms:created and dcterms:valid of the channel,
// <redirect><newLocation>, and the version names rss090, rss091n, rss091u and "rss".

#include <gtest/gtest.h>

#include <string>

#include "feeds/parser.h"
#include "tests/support/status_matchers.h"

namespace feedbridge::feeds {
namespace {

Feed Parse(std::string_view doc) {
  Result<Feed> r = ParseFeed(doc, "http://example.org/feed");
  EXPECT_OK(r);
  return r.ok() ? std::move(r).value() : Feed{};
}

TEST(RssChannelExtrasTest, CloudAndTextInput) {
  const Feed f = Parse(R"(<rss version="2.0"><channel><title>T</title>
    <link>http://example.org/</link>
    <cloud domain="rpc.sys.com" port="80" path="/RPC2" registerProcedure="pleaseNotify"
           protocol="xml-rpc"/>
    <textInput><title>Search</title><description>Search this site</description>
      <name>q</name><link>/search</link></textInput></channel></rss>)");
  EXPECT_EQ(f.cloud.domain, "rpc.sys.com");
  EXPECT_EQ(f.cloud.port, "80");
  EXPECT_EQ(f.cloud.path, "/RPC2");
  EXPECT_EQ(f.cloud.register_procedure, "pleaseNotify");
  EXPECT_EQ(f.cloud.protocol, "xml-rpc");
  EXPECT_EQ(f.text_input.title, "Search");
  EXPECT_EQ(f.text_input.description, "Search this site");
  EXPECT_EQ(f.text_input.name, "q");
  EXPECT_EQ(f.text_input.link, "http://example.org/search");
  // The text input's children are not the channel's.
  EXPECT_EQ(f.title.value, "T");
  ASSERT_NE(f.AlternateLink(), nullptr);
  EXPECT_EQ(f.AlternateLink()->href, "http://example.org/");
}

TEST(RssChannelExtrasTest, DctermsCreatedAndValid) {
  const Feed f = Parse(R"(<rss version="2.0" xmlns:dcterms="http://purl.org/dc/terms/"><channel>
    <dcterms:created>2003-12-31T10:14:55Z</dcterms:created>
    <dcterms:valid>start=2002-10-13T09:00+01:00;end=2002-10-17T17:00+01:00;scheme=W3C-DTF</dcterms:valid>
    <item><title>i</title><dcterms:valid>end=2002-10-18T00:00Z</dcterms:valid></item>
    </channel></rss>)");
  EXPECT_EQ(f.created.raw, "2003-12-31T10:14:55Z");
  EXPECT_TRUE(f.created.utc.has_value());
  EXPECT_EQ(f.valid_start.raw, "2002-10-13T09:00+01:00");
  EXPECT_EQ(f.valid_end.raw, "2002-10-17T17:00+01:00");
  EXPECT_TRUE(f.valid_end.utc.has_value());
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].expired.raw, "2002-10-18T00:00Z");
}

TEST(RssChannelExtrasTest, RedirectNewLocation) {
  const Feed f = Parse(R"(<rss version="2.0"><redirect>
    <newLocation>http://example.org/new</newLocation></redirect></rss>)");
  EXPECT_EQ(f.new_location, "http://example.org/new");
}

TEST(RssChannelExtrasTest, VersionNames) {
  const Feed netscape = Parse(R"(<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>t</title></channel></rss>)");
  EXPECT_EQ(netscape.format, FeedFormat::kRss091);
  EXPECT_EQ(VersionName(netscape), "rss091n");
  const Feed userland = Parse(R"(<rss version="0.91"><channel><title>t</title></channel></rss>)");
  EXPECT_EQ(userland.format, FeedFormat::kRss091);
  EXPECT_EQ(VersionName(userland), "rss091u");
  EXPECT_EQ(Parse(R"(<rss><channel><title>t</title></channel></rss>)").format,
            FeedFormat::kRssUnversioned);
  EXPECT_EQ(Parse(R"(<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" )"
                  R"(xmlns="http://my.netscape.com/rdf/simple/0.9/"></rdf:RDF>)")
                .format,
            FeedFormat::kRss090);
  EXPECT_EQ(Parse(R"(<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" )"
                  R"(xmlns="http://purl.org/rss/1.0/"><channel><title>t</title></channel>)"
                  R"(</rdf:RDF>)")
                .format,
            FeedFormat::kRss10);
  EXPECT_EQ(FormatName(FeedFormat::kRss091), "rss091u");
  EXPECT_EQ(FormatName(FeedFormat::kRssUnversioned), "rss");
}

}  // namespace
}  // namespace feedbridge::feeds
