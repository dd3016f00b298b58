#include "omb/xrds.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/support/status_matchers.h"

namespace feedbridge::omb {
namespace {

using ::feedbridge::testing::StatusIs;
using ::testing::HasSubstr;

// omb-0.1.md §3.3: the XRDS identi.ca served (Laconica 0.6, 2008-09-27), byte for byte.
constexpr char kIdentiCaXrds[] = R"xrds(<?xml version="1.0" encoding="UTF-8"?>
<XRDS xmlns="xri://$xrds">
 <XRD xmlns="xri://$xrd*($v*2.0)" xml:id="oauth" xmlns:simple="http://xrds-simple.net/core/1.0" version="2.0">
  <Type>xri://$xrds*simple</Type>
  <Service>
   <URI>http://identi.ca/index.php?action=requesttoken</URI>
   <Type>http://oauth.net/core/1.0/endpoint/request</Type>
   <Type>http://oauth.net/core/1.0/parameters/auth-header</Type>
   <Type>http://oauth.net/core/1.0/parameters/post-body</Type>
   <Type>http://oauth.net/core/1.0/signature/HMAC-SHA1</Type>
   <LocalID>http://identi.ca/user/4599</LocalID>
</Service>
  <Service>
   <URI>http://identi.ca/index.php?action=userauthorization</URI>
   <Type>http://oauth.net/core/1.0/endpoint/authorize</Type>
   <Type>http://oauth.net/core/1.0/parameters/auth-header</Type>
   <Type>http://oauth.net/core/1.0/parameters/post-body</Type>
   <Type>http://oauth.net/core/1.0/signature/HMAC-SHA1</Type>
</Service>
  <Service>
   <URI>http://identi.ca/index.php?action=accesstoken</URI>
   <Type>http://oauth.net/core/1.0/endpoint/access</Type>
   <Type>http://oauth.net/core/1.0/parameters/auth-header</Type>
   <Type>http://oauth.net/core/1.0/parameters/post-body</Type>
   <Type>http://oauth.net/core/1.0/signature/HMAC-SHA1</Type>
</Service>
  <Service>
   <Type>http://oauth.net/core/1.0/endpoint/resource</Type>
   <Type>http://oauth.net/core/1.0/parameters/auth-header</Type>
   <Type>http://oauth.net/core/1.0/parameters/post-body</Type>
   <Type>http://oauth.net/core/1.0/signature/HMAC-SHA1</Type>
</Service>
</XRD>
 <XRD xmlns="xri://$xrd*($v*2.0)" xml:id="omb" xmlns:simple="http://xrds-simple.net/core/1.0" version="2.0">
  <Type>xri://$xrds*simple</Type>
  <Service>
   <URI>http://identi.ca/index.php?action=postnotice</URI>
   <Type>http://openmicroblogging.org/protocol/0.1/postNotice</Type>
</Service>
  <Service>
   <URI>http://identi.ca/index.php?action=updateprofile</URI>
   <Type>http://openmicroblogging.org/protocol/0.1/updateProfile</Type>
</Service>
</XRD>
 <XRD xmlns="xri://$xrd*($v*2.0)" version="2.0">
  <Type>xri://$xrds*simple</Type>
  <Service>
   <URI>#oauth</URI>
   <Type>http://oauth.net/discovery/1.0</Type>
</Service>
  <Service>
   <URI>#omb</URI>
   <Type>http://openmicroblogging.org/protocol/0.1</Type>
</Service>
</XRD>
</XRDS>
)xrds";

XrdsAccount BridgeAccount() {
  return {.local_id = "http://bridge.example.org/user/7",
          .request_token_url = "http://bridge.example.org/omb/7/requesttoken",
          .authorize_url = "http://bridge.example.org/omb/7/userauthorization",
          .access_token_url = "http://bridge.example.org/omb/7/accesstoken",
          .post_notice_url = "http://bridge.example.org/omb/7/postnotice",
          .update_profile_url = "http://bridge.example.org/omb/7/updateprofile"};
}

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(ReadXrdsTest, ReadsIdentiCaDocument) {
  Result<OmbServices> s = ReadXrds(kIdentiCaXrds);
  ASSERT_OK(s);
  EXPECT_EQ(s->request_token.url, "http://identi.ca/index.php?action=requesttoken");
  EXPECT_EQ(s->request_token.local_id, "http://identi.ca/user/4599");
  EXPECT_EQ(s->listener_id(), "http://identi.ca/user/4599");
  EXPECT_TRUE(s->request_token.auth_header);
  EXPECT_TRUE(s->request_token.post_body);
  EXPECT_TRUE(s->request_token.hmac_sha1);
  EXPECT_EQ(s->authorize.url, "http://identi.ca/index.php?action=userauthorization");
  EXPECT_EQ(s->authorize.local_id, "");
  EXPECT_EQ(s->access_token.url, "http://identi.ca/index.php?action=accesstoken");
  EXPECT_EQ(s->post_notice.url, "http://identi.ca/index.php?action=postnotice");
  EXPECT_FALSE(s->post_notice.hmac_sha1);
  EXPECT_EQ(s->update_profile.url, "http://identi.ca/index.php?action=updateprofile");
}

TEST(ReadXrdsTest, SkipsLeadingWhitespaceAsLaconicaTrims) {
  EXPECT_OK(ReadXrds(std::string("\n\n  ") + kIdentiCaXrds));
}

TEST(WriteXrdsTest, RoundTripsAndPutsThePointerXrdLast) {
  const XrdsAccount account = BridgeAccount();
  const std::string xml = WriteXrds(account);
  EXPECT_THAT(xml, HasSubstr("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  EXPECT_THAT(xml, HasSubstr("<XRDS xmlns=\"xri://$xrds\">"));
  EXPECT_THAT(xml, HasSubstr("xml:id=\"oauth\""));
  EXPECT_THAT(xml, HasSubstr("xml:id=\"omb\""));
  EXPECT_THAT(xml, HasSubstr("<LocalID>http://bridge.example.org/user/7</LocalID>"));
  // The pointer XRD (no xml:id) comes after both others.
  const size_t oauth_pointer = xml.find("<URI>#oauth</URI>");
  ASSERT_NE(oauth_pointer, std::string::npos);
  EXPECT_GT(oauth_pointer, xml.find("xml:id=\"omb\""));
  EXPECT_EQ(xml.find("xml:id", oauth_pointer), std::string::npos);
  EXPECT_THAT(xml, HasSubstr("http://oauth.net/core/1.0/endpoint/resource"));

  Result<OmbServices> s = ReadXrds(xml);
  ASSERT_OK(s);
  EXPECT_EQ(s->listener_id(), account.local_id);
  EXPECT_EQ(s->request_token.url, account.request_token_url);
  EXPECT_EQ(s->authorize.url, account.authorize_url);
  EXPECT_EQ(s->access_token.url, account.access_token_url);
  EXPECT_EQ(s->post_notice.url, account.post_notice_url);
  EXPECT_EQ(s->update_profile.url, account.update_profile_url);
  EXPECT_TRUE(s->access_token.post_body && s->access_token.auth_header &&
              s->access_token.hmac_sha1);
}

TEST(WriteXrdsTest, EscapesUrls) {
  XrdsAccount account = BridgeAccount();
  account.post_notice_url = "http://bridge.example.org/index.php?action=postnotice&id=7";
  const std::string xml = WriteXrds(account);
  EXPECT_THAT(xml, HasSubstr("action=postnotice&amp;id=7"));
  Result<OmbServices> s = ReadXrds(xml);
  ASSERT_OK(s);
  EXPECT_EQ(s->post_notice.url, account.post_notice_url);
}

TEST(ReadXrdsTest, UsesTheLastXrdOnly) {
  // Swap: pointer XRD first, then a copy of the oauth XRD without xml:id last.
  const std::string doc = Replace(kIdentiCaXrds, "</XRDS>",
                                  " <XRD xmlns=\"xri://$xrd*($v*2.0)\" version=\"2.0\">"
                                  "<Type>xri://$xrds*simple</Type></XRD></XRDS>");
  EXPECT_THAT(ReadXrds(doc).status(), StatusIs(Status::Code::kNotFound));
}

TEST(ReadXrdsTest, PicksTheUriWithTheBestPriority) {
  const std::string doc =
      Replace(kIdentiCaXrds, "<URI>http://identi.ca/index.php?action=postnotice</URI>",
              "<URI priority=\"20\">http://a.example/pn</URI>"
              "<URI priority=\"10\">http://b.example/pn</URI><URI>http://c.example/pn</URI>");
  Result<OmbServices> s = ReadXrds(doc);
  ASSERT_OK(s);
  EXPECT_EQ(s->post_notice.url, "http://b.example/pn");
}

TEST(ReadXrdsTest, MissingPieces) {
  struct Case {
    const char* name;
    std::string doc;
    Status::Code code;
    const char* says;
  };
  const std::string x = kIdentiCaXrds;
  const Case cases[] = {
      {"no LocalID", Replace(x, "<LocalID>http://identi.ca/user/4599</LocalID>", ""),
       Status::Code::kNotFound, "LocalID"},
      {"no postNotice service",
       Replace(x, "<Type>http://openmicroblogging.org/protocol/0.1/postNotice</Type>", ""),
       Status::Code::kNotFound, "postNotice"},
      {"no updateProfile URI",
       Replace(x, "<URI>http://identi.ca/index.php?action=updateprofile</URI>", ""),
       Status::Code::kNotFound, "has no URI"},
      {"no authorize service",
       Replace(x, "<Type>http://oauth.net/core/1.0/endpoint/authorize</Type>", ""),
       Status::Code::kNotFound, "authorize"},
      {"no access service",
       Replace(x, "<Type>http://oauth.net/core/1.0/endpoint/access</Type>", ""),
       Status::Code::kNotFound, "access"},
      {"no OMB pointer", Replace(x, "<Type>http://openmicroblogging.org/protocol/0.1</Type>", ""),
       Status::Code::kNotFound, "protocol/0.1"},
      {"pointer to another document",
       Replace(x, "<URI>#oauth</URI>", "<URI>http://identi.ca/xrds#oauth</URI>"),
       Status::Code::kNotFound, "local #fragment"},
      {"pointer to a missing id", Replace(x, "<URI>#omb</URI>", "<URI>#nothere</URI>"),
       Status::Code::kNotFound, "nothere"},
      {"endpoint not http",
       Replace(x, "http://identi.ca/index.php?action=accesstoken", "ftp://identi.ca/accesstoken"),
       Status::Code::kInvalidArgument, "not an http(s) URL"},
      {"wrong XRD namespace",
       Replace(x, " <XRD xmlns=\"xri://$xrd*($v*2.0)\" version=\"2.0\">",
               " <XRD xmlns=\"xri://$xrd*($v*3.0)\" version=\"2.0\">"),
       Status::Code::kNotFound, "XRD"},
      {"wrong root namespace", Replace(x, "xmlns=\"xri://$xrds\"", "xmlns=\"urn:other\""),
       Status::Code::kInvalidArgument, "root"},
      {"not XML", "<html><body>hello", Status::Code::kInvalidArgument, "well-formed"},
      {"empty", "", Status::Code::kInvalidArgument, "well-formed"},
      {"not UTF-8", Replace(x, "version=\"2.0\">", "version=\"2.0\">\xff\xfe"),
       Status::Code::kInvalidArgument, "UTF-8"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<OmbServices> s = ReadXrds(c.doc);
    ASSERT_FALSE(s.ok());
    EXPECT_THAT(s.status(), StatusIs(c.code));
    EXPECT_THAT(s.status().message(), HasSubstr(c.says));
  }
}

// ---- Hostile XML ----

TEST(ReadXrdsTest, RejectsBillionLaughs) {
  std::string doc = "<?xml version=\"1.0\"?><!DOCTYPE XRDS [<!ENTITY a \"aaaaaaaaaa\">";
  for (int i = 1; i < 10; ++i) {
    const std::string prev(1, static_cast<char>('a' + i - 1));
    doc += "<!ENTITY " + std::string(1, static_cast<char>('a' + i)) + " \"";
    for (int k = 0; k < 10; ++k) doc += "&" + prev + ";";
    doc += "\">";
  }
  doc += "]><XRDS xmlns=\"xri://$xrds\">&j;</XRDS>";
  Result<OmbServices> s = ReadXrds(doc);
  EXPECT_THAT(s.status(), StatusIs(Status::Code::kInvalidArgument));
  EXPECT_THAT(s.status().message(), HasSubstr("DOCTYPE"));
}

TEST(ReadXrdsTest, RejectsExternalEntity) {
  const std::string doc =
      "<?xml version=\"1.0\"?><!DOCTYPE XRDS [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
      "<XRDS xmlns=\"xri://$xrds\">&x;</XRDS>";
  Result<OmbServices> s = ReadXrds(doc);
  EXPECT_THAT(s.status(), StatusIs(Status::Code::kInvalidArgument));
  EXPECT_THAT(s.status().message(), HasSubstr("DOCTYPE"));
}

TEST(ReadXrdsTest, RejectsExternalDtd) {
  const std::string doc =
      "<?xml version=\"1.0\"?><!DOCTYPE XRDS SYSTEM \"http://127.0.0.1:1/x.dtd\">"
      "<XRDS xmlns=\"xri://$xrds\"/>";
  EXPECT_THAT(ReadXrds(doc).status(), StatusIs(Status::Code::kInvalidArgument));
}

TEST(ReadXrdsTest, RejectsUndeclaredEntityReference) {
  const std::string doc = Replace(kIdentiCaXrds, "<LocalID>http://identi.ca/user/4599</LocalID>",
                                  "<LocalID>&passwd;</LocalID>");
  EXPECT_THAT(ReadXrds(doc).status(), StatusIs(Status::Code::kInvalidArgument));
}

TEST(ReadXrdsTest, RejectsHugeDocument) {
  std::string doc = kIdentiCaXrds;
  doc.insert(doc.find("</XRDS>"), std::string(kMaxXrdsBytes, ' '));
  Result<OmbServices> s = ReadXrds(doc);
  EXPECT_THAT(s.status(), StatusIs(Status::Code::kResourceExhausted));
  EXPECT_THAT(s.status().message(), HasSubstr("limit"));
}

TEST(ReadXrdsTest, RejectsDeepNesting) {
  std::string doc = "<XRDS xmlns=\"xri://$xrds\">";
  for (int i = 0; i < 5000; ++i) doc += "<a>";
  for (int i = 0; i < 5000; ++i) doc += "</a>";
  doc += "</XRDS>";
  EXPECT_THAT(ReadXrds(doc).status(), StatusIs(Status::Code::kInvalidArgument));
}

// ---- Yadis decisions ----

TEST(DecideYadisTest, Table) {
  struct Case {
    const char* name;
    YadisResponse response;
    YadisDecision::Kind kind;
    const char* url;
  };
  const Case cases[] = {
      {"xrds content type",
       {.status = 200, .content_type = "application/xrds+xml", .xrds_location = "", .body = "x"},
       YadisDecision::Kind::kIsXrds,
       ""},
      {"xrds content type, parameters, upper case, beats the header",
       {.status = 200,
        .content_type = "Application/XRDS+XML; charset=utf-8",
        .xrds_location = "http://a.example/xrds",
        .body = ""},
       YadisDecision::Kind::kIsXrds,
       ""},
      {"header",
       {.status = 200,
        .content_type = "text/html",
        .xrds_location = " http://identi.example/alice/xrds ",
        .body = "<meta http-equiv=\"X-XRDS-Location\" content=\"http://other.example/\">"},
       YadisDecision::Kind::kFollowHeader,
       "http://identi.example/alice/xrds"},
      {"meta, 206",
       {.status = 206,
        .content_type = "text/html; charset=utf-8",
        .xrds_location = "",
        .body = "<html><head><title>x</title>\n<META HTTP-EQUIV='x-xrds-location' "
                "CONTENT='http://identi.example/index.php?action=xrds&amp;nickname=alice' />"
                "</head><body></body></html>"},
       YadisDecision::Kind::kFollowMetaTag,
       "http://identi.example/index.php?action=xrds&nickname=alice"},
      {"meta X-Yadis-Location, content first",
       {.status = 200,
        .content_type = "text/html",
        .xrds_location = "",
        .body = "<head><meta name=a><meta content=\"https://b.example/x\" "
                "http-equiv=\"X-Yadis-Location\"></head>"},
       YadisDecision::Kind::kFollowMetaTag,
       "https://b.example/x"},
      {"meta inside a comment is skipped",
       {.status = 200,
        .content_type = "text/html",
        .xrds_location = "",
        .body = "<head><!-- <meta http-equiv=\"X-XRDS-Location\" content=\"http://no/\"> -->"
                "<meta http-equiv=\"X-XRDS-Location\" content=\"http://yes.example/\"></head>"},
       YadisDecision::Kind::kFollowMetaTag,
       "http://yes.example/"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<YadisDecision> d = DecideYadis(c.response);
    ASSERT_OK(d);
    EXPECT_EQ(d->kind, c.kind);
    EXPECT_EQ(d->url, c.url);
  }
}

TEST(DecideYadisTest, Failures) {
  struct Case {
    const char* name;
    YadisResponse response;
    Status::Code code;
  };
  const Case cases[] = {
      {"404",
       {.status = 404, .content_type = "application/xrds+xml"},
       Status::Code::kFailedPrecondition},
      {"plain page",
       {.status = 200, .content_type = "text/html", .body = "<html>hi</html>"},
       Status::Code::kNotFound},
      {"meta after </head>",
       {.status = 200,
        .content_type = "text/html",
        .body = "<head></head><body><meta http-equiv=\"X-XRDS-Location\" content=\"http://x/\">"},
       Status::Code::kNotFound},
      {"relative header",
       {.status = 200, .content_type = "text/html", .xrds_location = "/alice/xrds"},
       Status::Code::kInvalidArgument},
      {"javascript meta",
       {.status = 200,
        .content_type = "text/html",
        .body = "<meta http-equiv=\"X-XRDS-Location\" content=\"javascript:alert(1)\">"},
       Status::Code::kInvalidArgument},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_THAT(DecideYadis(c.response).status(), StatusIs(c.code));
  }
}

TEST(DecideYadisTest, ScansOnlyTheFirstPartOfAHugePage) {
  std::string page = "<html><head>" + std::string(kMaxYadisHtmlScanBytes, ' ') +
                     "<meta http-equiv=\"X-XRDS-Location\" content=\"http://late.example/\">";
  EXPECT_THAT(DecideYadis({.status = 200, .content_type = "text/html", .body = page}).status(),
              StatusIs(Status::Code::kNotFound));
  page = "<html><head><meta http-equiv=\"X-XRDS-Location\" content=\"http://early.example/\">" +
         std::string(4 * kMaxYadisHtmlScanBytes, 'x');
  Result<YadisDecision> d = DecideYadis({.status = 200, .content_type = "text/html", .body = page});
  ASSERT_OK(d);
  EXPECT_EQ(d->url, "http://early.example/");
}

TEST(DecideYadisTest, UnterminatedTagsAndCommentsEndTheScan) {
  // An unterminated quoted value runs to the end of the page: the URL is taken as written.
  Result<YadisDecision> d = DecideYadis(
      {.status = 200,
       .content_type = "text/html",
       .body = "<head><meta http-equiv=\"X-XRDS-Location\" content=\"http://a.example/"});
  ASSERT_OK(d);
  EXPECT_EQ(d->url, "http://a.example/");
  for (const char* body : {"<head><!-- <meta", "<head><meta", "<", "<meta http-equiv"}) {
    SCOPED_TRACE(body);
    EXPECT_THAT(DecideYadis({.status = 200, .content_type = "text/html", .body = body}).status(),
                StatusIs(Status::Code::kNotFound));
  }
}

TEST(ReadXrdsResponseTest, ChecksStatusThenParses) {
  EXPECT_THAT(ReadXrdsResponse({.status = 500, .body = kIdentiCaXrds}).status(),
              StatusIs(Status::Code::kFailedPrecondition));
  Result<OmbServices> s =
      ReadXrdsResponse({.status = 200, .content_type = "text/plain", .body = kIdentiCaXrds});
  ASSERT_OK(s);
  EXPECT_EQ(s->listener_id(), "http://identi.ca/user/4599");
}

}  // namespace
}  // namespace feedbridge::omb
