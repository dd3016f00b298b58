#include "omb/oauth.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>

#include "tests/support/status_matchers.h"

namespace feedbridge::omb {
namespace {

using ::feedbridge::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kConsumerKey[] = "http://bridge.example.org/";
constexpr char kOmbVersion[] = "http://openmicroblogging.org/protocol/0.1";
constexpr char kRequestToken[] = "5d41402abc4b2a76b9719d911017c592";
constexpr char kRequestSecret[] = "7d793037a0760186574b0282f2f435e7";
constexpr char kAccessToken[] = "9f86d081884c7d659a2feaa0c55ad015";
constexpr char kAccessSecret[] = "a3bf4f1b2b0b822cd15d6c15b0f00a08";

// ---- omb-0.1.md §7.6, byte for byte ----

TEST(OAuthVectorTest, RequestToken) {
  const OAuthRequestParts parts{
      .method = "POST",
      .endpoint_url = "http://identi.example/index.php?action=requesttoken",
      .params = {{"omb_listener", "http://identi.example/user/42"}, {"omb_version", kOmbVersion}}};
  Result<SignedRequest> r = SignRequest(parts, {.consumer_key = kConsumerKey},
                                        "0123456789abcdef0123456789abcdef", 1230000000);
  ASSERT_OK(r);
  EXPECT_EQ(r->base_string,
            "POST&http%3A%2F%2Fidenti.example%2Findex.php&action%3Drequesttoken%26oauth_consumer_"
            "key%3Dhttp%253A%252F%252Fbridge.example.org%252F%26oauth_nonce%"
            "3D0123456789abcdef0123456789abcdef%26oauth_signature_method%3DHMAC-SHA1%26oauth_"
            "timestamp%3D1230000000%26oauth_version%3D1.0%26omb_listener%3Dhttp%253A%252F%"
            "252Fidenti.example%252Fuser%252F42%26omb_version%3Dhttp%253A%252F%"
            "252Fopenmicroblogging.org%252Fprotocol%252F0.1");
  EXPECT_EQ(*FindParam(r->params, "oauth_signature"), "9AH6tRZ6xeQACORjltiwRfRvLDE=");
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->url, "http://identi.example/index.php");
  EXPECT_EQ(r->body,
            "oauth_version=1.0&oauth_nonce=0123456789abcdef0123456789abcdef&oauth_timestamp="
            "1230000000&oauth_consumer_key=http%3A%2F%2Fbridge.example.org%2F&action="
            "requesttoken&omb_listener=http%3A%2F%2Fidenti.example%2Fuser%2F42&omb_version=http%"
            "3A%2F%2Fopenmicroblogging.org%2Fprotocol%2F0.1&oauth_signature_method=HMAC-SHA1&"
            "oauth_signature=9AH6tRZ6xeQACORjltiwRfRvLDE%3D");
  EXPECT_EQ(FindParam(r->params, "oauth_token"), nullptr);
}

TEST(OAuthVectorTest, AuthorizeRedirect) {
  const OAuthRequestParts parts{
      .method = "GET",
      .endpoint_url = "http://identi.example/index.php?action=userauthorization",
      .params = {{"omb_version", kOmbVersion},
                 {"omb_listener", "http://identi.example/user/42"},
                 {"omb_listenee", "http://bridge.example.org/user/7"},
                 {"omb_listenee_profile", "http://bridge.example.org/exampleblog"},
                 {"omb_listenee_nickname", "exampleblog"},
                 {"omb_listenee_license", "http://creativecommons.org/licenses/by/3.0/"},
                 {"omb_listenee_fullname", "Example Blog"},
                 {"omb_listenee_homepage", "http://blog.example.com/"},
                 {"oauth_callback", "http://bridge.example.org/omb/finishsubscribe"}}};
  Result<SignedRequest> r = SignRequest(
      parts, {.consumer_key = kConsumerKey, .token = kRequestToken, .token_secret = kRequestSecret},
      "00112233445566778899aabbccddeeff", 1230000050);
  ASSERT_OK(r);
  EXPECT_EQ(*FindParam(r->params, "oauth_signature"), "WcP8wffLw6/J5DzxoQy6wUQdPZ4=");
  EXPECT_EQ(r->method, "GET");
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(
      r->url,
      "http://identi.example/"
      "index.php?oauth_version=1.0&oauth_nonce=00112233445566778899aabbccddeeff&oauth_timestamp="
      "1230000050&oauth_consumer_key=http%3A%2F%2Fbridge.example.org%2F&action="
      "userauthorization&oauth_token=5d41402abc4b2a76b9719d911017c592&omb_version=http%3A%2F%"
      "2Fopenmicroblogging.org%2Fprotocol%2F0.1&omb_listener=http%3A%2F%2Fidenti.example%2Fuser%"
      "2F42&omb_listenee=http%3A%2F%2Fbridge.example.org%2Fuser%2F7&omb_listenee_profile=http%"
      "3A%2F%2Fbridge.example.org%2Fexampleblog&omb_listenee_nickname=exampleblog&omb_listenee_"
      "license=http%3A%2F%2Fcreativecommons.org%2Flicenses%2Fby%2F3.0%2F&omb_listenee_fullname="
      "Example%20Blog&omb_listenee_homepage=http%3A%2F%2Fblog.example.com%2F&oauth_callback="
      "http%3A%2F%2Fbridge.example.org%2Fomb%2Ffinishsubscribe&oauth_signature_method=HMAC-SHA1&"
      "oauth_signature=WcP8wffLw6%2FJ5DzxoQy6wUQdPZ4%3D");
}

TEST(OAuthVectorTest, AccessToken) {
  const OAuthRequestParts parts{
      .method = "POST",
      .endpoint_url = "http://identi.example/index.php?action=accesstoken",
      .params = {{"omb_version", kOmbVersion}}};
  Result<SignedRequest> r = SignRequest(
      parts, {.consumer_key = kConsumerKey, .token = kRequestToken, .token_secret = kRequestSecret},
      "ffeeddccbbaa99887766554433221100", 1230000090);
  ASSERT_OK(r);
  EXPECT_EQ(*FindParam(r->params, "oauth_signature"), "pYOoCralWTPtq2EMKcocLN+LMW0=");
  EXPECT_THAT(r->body, HasSubstr("&action=accesstoken&oauth_token=" + std::string(kRequestToken) +
                                 "&omb_version="));
}

OAuthRequestParts PostNoticeParts() {
  return {.method = "POST",
          .endpoint_url = "http://identi.example/index.php?action=postnotice",
          .params = {{"omb_version", kOmbVersion},
                     {"omb_listenee", "http://bridge.example.org/user/7"},
                     {"omb_notice", "http://bridge.example.org/notice/1001"},
                     {"omb_notice_content",
                      "New post: Hello OMB world! http://blog.example.com/2009/01/hello"},
                     {"omb_notice_url", "http://blog.example.com/2009/01/hello"},
                     {"omb_notice_license", "http://creativecommons.org/licenses/by/3.0/"}}};
}

OAuthCredentials AccessCredentials() {
  return {.consumer_key = kConsumerKey, .token = kAccessToken, .token_secret = kAccessSecret};
}

constexpr char kPostNoticeNonce[] = "fedcba9876543210fedcba9876543210";
constexpr int64_t kPostNoticeTs = 1230000100;

TEST(OAuthVectorTest, PostNotice) {
  Result<SignedRequest> r =
      SignRequest(PostNoticeParts(), AccessCredentials(), kPostNoticeNonce, kPostNoticeTs);
  ASSERT_OK(r);
  EXPECT_EQ(
      r->base_string,
      "POST&http%3A%2F%2Fidenti.example%2Findex.php&action%3Dpostnotice%26oauth_consumer_key%"
      "3Dhttp%253A%252F%252Fbridge.example.org%252F%26oauth_nonce%"
      "3Dfedcba9876543210fedcba9876543210%26oauth_signature_method%3DHMAC-SHA1%26oauth_"
      "timestamp%3D1230000100%26oauth_token%3D9f86d081884c7d659a2feaa0c55ad015%26oauth_version%"
      "3D1.0%26omb_listenee%3Dhttp%253A%252F%252Fbridge.example.org%252Fuser%252F7%26omb_notice%"
      "3Dhttp%253A%252F%252Fbridge.example.org%252Fnotice%252F1001%26omb_notice_content%3DNew%"
      "2520post%253A%2520Hello%2520OMB%2520world%2521%2520http%253A%252F%252Fblog.example.com%"
      "252F2009%252F01%252Fhello%26omb_notice_license%3Dhttp%253A%252F%252Fcreativecommons.org%"
      "252Flicenses%252Fby%252F3.0%252F%26omb_notice_url%3Dhttp%253A%252F%252Fblog.example.com%"
      "252F2009%252F01%252Fhello%26omb_version%3Dhttp%253A%252F%252Fopenmicroblogging.org%"
      "252Fprotocol%252F0.1");
  EXPECT_EQ(*FindParam(r->params, "oauth_signature"), "3/fHCrxcJaJSff/DGAgtPw8mQBo=");
  EXPECT_EQ(r->url, "http://identi.example/index.php");
  EXPECT_EQ(
      r->body,
      "oauth_version=1.0&oauth_nonce=fedcba9876543210fedcba9876543210&oauth_timestamp="
      "1230000100&oauth_consumer_key=http%3A%2F%2Fbridge.example.org%2F&action=postnotice&oauth_"
      "token=9f86d081884c7d659a2feaa0c55ad015&omb_version=http%3A%2F%2Fopenmicroblogging.org%"
      "2Fprotocol%2F0.1&omb_listenee=http%3A%2F%2Fbridge.example.org%2Fuser%2F7&omb_notice=http%"
      "3A%2F%2Fbridge.example.org%2Fnotice%2F1001&omb_notice_content=New%20post%3A%20Hello%"
      "20OMB%20world%21%20http%3A%2F%2Fblog.example.com%2F2009%2F01%2Fhello&omb_notice_url=http%"
      "3A%2F%2Fblog.example.com%2F2009%2F01%2Fhello&omb_notice_license=http%3A%2F%"
      "2Fcreativecommons.org%2Flicenses%2Fby%2F3.0%2F&oauth_signature_method=HMAC-SHA1&oauth_"
      "signature=3%2FfHCrxcJaJSff%2FDGAgtPw8mQBo%3D");
}

// ---- Encoding and normalization ----

TEST(PercentEncodeTest, Table) {
  const std::tuple<std::string, std::string> cases[] = {
      {"", ""},
      {"AZaz09-._~", "AZaz09-._~"},
      {" ", "%20"},
      {"+", "%2B"},
      {"*", "%2A"},
      {"!'()", "%21%27%28%29"},
      {"/?#[]@", "%2F%3F%23%5B%5D%40"},
      {"&=;,$:", "%26%3D%3B%2C%24%3A"},
      {"%", "%25"},
      {"caf\xC3\xA9", "caf%C3%A9"},
      {"\xE2\x98\x83", "%E2%98%83"},
      {std::string("\0\x7F\xFF", 3), "%00%7F%FF"},
  };
  for (const auto& [raw, encoded] : cases) {
    SCOPED_TRACE(raw);
    EXPECT_EQ(PercentEncode(raw), encoded);
    Result<std::string> back = PercentDecode(encoded, /*plus_is_space=*/false);
    ASSERT_OK(back);
    EXPECT_EQ(*back, raw);
  }
}

TEST(PercentDecodeTest, PlusAndMalformed) {
  EXPECT_EQ(*PercentDecode("a+b%2b", true), "a b+");
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(*PercentDecode("%e2%98%83", false), "\xE2\x98\x83");  // Lower-case hex accepted.
  EXPECT_THAT(PercentDecode("%", false), StatusIs(Status::Code::kInvalidArgument));
  EXPECT_THAT(PercentDecode("a%4", false), StatusIs(Status::Code::kInvalidArgument));
  EXPECT_THAT(PercentDecode("%zz", false), StatusIs(Status::Code::kInvalidArgument));
}

// The request of RFC 5849 §3.4.1.1 and §3.4.1.3.2, its parameters in the order they arrived.
ParamList Rfc5849ExampleParams() {
  return {{"b5", "=%3D"},
          {"a3", "a"},
          {"c@", ""},
          {"a2", "r b"},
          {"oauth_consumer_key", "9djdj82h48djs9d2"},
          {"oauth_token", "kkk9d7dh3k39sjv7"},
          {"oauth_signature_method", "HMAC-SHA1"},
          {"oauth_timestamp", "137131201"},
          {"oauth_nonce", "7d8f3e4a"},
          {"c2", ""},
          {"a3", "2 q"}};
}

TEST(NormalizeParametersTest, SortsByEncodedNameThenValueKeepsDuplicatesDropsSignature) {
  ParamList params = Rfc5849ExampleParams();
  params.push_back({"oauth_signature", "ignored"});
  EXPECT_EQ(NormalizeParameters(params),
            "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2&"
            "oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201&"
            "oauth_token=kkk9d7dh3k39sjv7");
}

TEST(SplitRequestUrlTest, NormalizesBaseAndReadsQuery) {
  const std::tuple<std::string, std::string> cases[] = {
      {"http://identi.example/index.php?action=postnotice", "http://identi.example/index.php"},
      {"HTTP://Identi.Example:80/Index.php", "http://identi.example/Index.php"},
      {"https://EX.org:443/a%2Fb?x#frag", "https://ex.org/a%2Fb"},
      {"https://ex.org:8443/", "https://ex.org:8443/"},
      {"http://ex.org:443/", "http://ex.org:443/"},
      {"http://ex.org", "http://ex.org/"},
      {"http://ex.org?a=1", "http://ex.org/"},
      {"http://[::1]:8080/p", "http://[::1]:8080/p"},
  };
  for (const auto& [url, base] : cases) {
    SCOPED_TRACE(url);
    Result<SplitUrl> r = SplitRequestUrl(url);
    ASSERT_OK(r);
    EXPECT_EQ(r->base, base);
  }
  Result<SplitUrl> r = SplitRequestUrl("http://ex.org/p?action=postnotice&b=a+b%2B&c#x");
  ASSERT_OK(r);
  EXPECT_EQ(r->query, (ParamList{{"action", "postnotice"}, {"b", "a b+"}, {"c", ""}}));

  for (const char* bad :
       {"ftp://ex.org/", "/relative", "http:///p", "http://u:p@ex.org/", "http://ex.org:0/",
        "http://ex.org:99999/", "http://ex.org:8a/", "http://ex.org/?a=%zz"}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(SplitRequestUrl(bad), StatusIs(Status::Code::kInvalidArgument));
  }
}

TEST(SignatureTest, Rfc5849Section311Example) {
  // RFC 5849 §3.4.1.1 example (consumer secret j49sk3j29djd, token secret dh893hdasih9); the
  // signature checked with Python's hmac module.
  const std::string base =
      SignatureBaseString("post", "http://example.com/request", Rfc5849ExampleParams());
  EXPECT_EQ(base,
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%"
            "3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_"
            "nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%"
            "26oauth_token%3Dkkk9d7dh3k39sjv7");
  EXPECT_EQ(HmacSha1Signature(base, "j49sk3j29djd", "dh893hdasih9"),
            "r6/TJjbCOr97/+UU0NsvSne7s5g=");
}

TEST(SignRequestTest, RejectsBadInput) {
  OAuthRequestParts parts = PostNoticeParts();
  parts.method = "PUT";
  EXPECT_THAT(SignRequest(parts, AccessCredentials(), "n", 1),
              StatusIs(Status::Code::kInvalidArgument));
  parts = PostNoticeParts();
  parts.params.push_back({"oauth_nonce", "sneaky"});
  EXPECT_THAT(SignRequest(parts, AccessCredentials(), "n", 1),
              StatusIs(Status::Code::kInvalidArgument, HasSubstr("oauth_nonce")));
  parts = PostNoticeParts();
  parts.endpoint_url = "gopher://ex.org/";
  EXPECT_THAT(SignRequest(parts, AccessCredentials(), "n", 1),
              StatusIs(Status::Code::kInvalidArgument));
  EXPECT_THAT(SignRequest(PostNoticeParts(), AccessCredentials(), "", 1),
              StatusIs(Status::Code::kInvalidArgument));
}

// ---- Verification ----

// Remembers every nonce; a second sighting is a replay.
class MemoryNonceChecker : public NonceChecker {
 public:
  Status CheckAndRemember(std::string_view consumer_key, std::string_view token, int64_t timestamp,
                          std::string_view nonce) override {
    ++calls;
    const auto key = std::make_tuple(std::string(consumer_key), std::string(token), timestamp,
                                     std::string(nonce));
    if (!seen_.insert(key).second) return Status::AlreadyExists("nonce already used");
    return Status::Ok();
  }
  int calls = 0;

 private:
  std::set<std::tuple<std::string, std::string, int64_t, std::string>> seen_;
};

// What the receiving side sees of the §7.6 postNotice: the path without query, the body.
struct Received {
  ParamList params;
  OAuthProtocolParams oauth;
};

Received ReceiveBody(std::string_view body, std::string_view query = "",
                     std::string_view header = "") {
  Result<ParamList> params = CollectRequestParams(query, body, header);
  EXPECT_OK(params);
  if (!params.ok()) return {};
  Result<OAuthProtocolParams> oauth = ReadOAuthParams(*params);
  EXPECT_OK(oauth);
  if (!oauth.ok()) return {};
  return {*params, *oauth};
}

std::string SignedPostNoticeBody() {
  return SignRequest(PostNoticeParts(), AccessCredentials(), kPostNoticeNonce, kPostNoticeTs)->body;
}

Status Verify(const Received& rx, int64_t now, NonceChecker& nonces,
              std::string_view url = "http://identi.example/index.php?action=postnotice",
              std::string_view token_secret = kAccessSecret) {
  return VerifyRequest({.method = "POST", .endpoint_url = url, .params = rx.params}, rx.oauth, "",
                       token_secret, now, nonces);
}

TEST(VerifyRequestTest, AcceptsTheVectorOnceThenSeesTheReplay) {
  const Received rx = ReceiveBody(SignedPostNoticeBody());
  EXPECT_EQ(rx.oauth.consumer_key, kConsumerKey);
  EXPECT_EQ(rx.oauth.token, kAccessToken);
  EXPECT_EQ(rx.oauth.nonce, kPostNoticeNonce);
  EXPECT_EQ(rx.oauth.timestamp, kPostNoticeTs);
  MemoryNonceChecker nonces;
  EXPECT_OK(Verify(rx, kPostNoticeTs + 10, nonces));
  EXPECT_THAT(Verify(rx, kPostNoticeTs + 10, nonces), StatusIs(Status::Code::kAlreadyExists));
}

TEST(VerifyRequestTest, AcceptsParamsSplitOverQueryBodyAndHeader) {
  // The same signed parameters, delivered the three ways a server must read (§7.4).
  const SignedRequest sr =
      *SignRequest(PostNoticeParts(), AccessCredentials(), kPostNoticeNonce, kPostNoticeTs);
  ParamList query, body;
  std::string header = "OAuth realm=\"http://identi.example/\"";
  for (const Param& p : sr.params) {
    if (p.name == "action") {
      query.push_back(p);
    } else if (p.name.starts_with("oauth_")) {
      header += ", " + PercentEncode(p.name) + "=\"" + PercentEncode(p.value) + "\"";
    } else {
      body.push_back(p);
    }
  }
  const Received rx = ReceiveBody(FormEncode(body), FormEncode(query), header);
  EXPECT_EQ(FindParam(rx.params, "realm"), nullptr);
  MemoryNonceChecker nonces;
  EXPECT_OK(Verify(rx, kPostNoticeTs, nonces));
}

TEST(VerifyRequestTest, BadSignature) {
  std::string body = SignedPostNoticeBody();
  body.replace(body.find("Hello"), 5, "Howdy");  // Tampered content.
  MemoryNonceChecker nonces;
  EXPECT_THAT(Verify(ReceiveBody(body), kPostNoticeTs, nonces),
              StatusIs(Status::Code::kUnauthenticated, HasSubstr("bad signature")));
  // The wrong token secret, and a URL other than the one advertised, fail the same way.
  EXPECT_THAT(Verify(ReceiveBody(SignedPostNoticeBody()), kPostNoticeTs, nonces,
                     "http://identi.example/index.php", "other"),
              StatusIs(Status::Code::kUnauthenticated, HasSubstr("bad signature")));
  EXPECT_THAT(Verify(ReceiveBody(SignedPostNoticeBody()), kPostNoticeTs, nonces,
                     "http://identi.example/other.php"),
              StatusIs(Status::Code::kUnauthenticated, HasSubstr("bad signature")));
  EXPECT_EQ(nonces.calls, 0);  // A bad request never burns a nonce.
}

TEST(VerifyRequestTest, WrongSignatureMethod) {
  std::string body = SignedPostNoticeBody();
  body.replace(body.find("HMAC-SHA1"), 9, "PLAINTEXT");
  Result<ParamList> params = CollectRequestParams("", body, "");
  ASSERT_OK(params);
  EXPECT_THAT(ReadOAuthParams(*params),
              StatusIs(Status::Code::kInvalidArgument, HasSubstr("PLAINTEXT")));
  // Absent means PLAINTEXT to OAuth.php, which OMB never accepts.
  std::erase_if(*params, [](const Param& p) { return p.name == "oauth_signature_method"; });
  EXPECT_THAT(ReadOAuthParams(*params),
              StatusIs(Status::Code::kInvalidArgument, HasSubstr("oauth_signature_method")));
}

TEST(VerifyRequestTest, WrongVersionOrMissingFields) {
  Result<ParamList> params = CollectRequestParams("", SignedPostNoticeBody(), "");
  ASSERT_OK(params);
  ParamList v = *params;
  for (Param& p : v) {
    if (p.name == "oauth_version") p.value = "1.0a";
  }
  EXPECT_THAT(ReadOAuthParams(v), StatusIs(Status::Code::kInvalidArgument, HasSubstr("1.0a")));
  v = *params;
  std::erase_if(v, [](const Param& p) { return p.name == "oauth_version"; });
  EXPECT_OK(ReadOAuthParams(v));  // Absent is 1.0.
  for (const char* name :
       {"oauth_consumer_key", "oauth_signature", "oauth_nonce", "oauth_timestamp"}) {
    SCOPED_TRACE(name);
    v = *params;
    std::erase_if(v, [&](const Param& p) { return p.name == name; });
    EXPECT_THAT(ReadOAuthParams(v), StatusIs(Status::Code::kInvalidArgument, HasSubstr(name)));
  }
  v = *params;
  for (Param& p : v) {
    if (p.name == "oauth_timestamp") p.value = "12e5";
  }
  EXPECT_THAT(ReadOAuthParams(v), StatusIs(Status::Code::kInvalidArgument, HasSubstr("12e5")));
  v = *params;
  for (Param& p : v) {
    if (p.name == "oauth_nonce") p.value = std::string(kMaxNonceBytes + 1, 'n');
  }
  EXPECT_THAT(ReadOAuthParams(v),
              StatusIs(Status::Code::kInvalidArgument, HasSubstr("oauth_nonce over 255 bytes")));
}

TEST(VerifyRequestTest, StaleTimestamp) {
  const Received rx = ReceiveBody(SignedPostNoticeBody());
  MemoryNonceChecker nonces;
  EXPECT_THAT(Verify(rx, kPostNoticeTs + kMaxTimestampSkewSeconds + 1, nonces),
              StatusIs(Status::Code::kUnauthenticated, HasSubstr("stale")));
  EXPECT_OK(Verify(rx, kPostNoticeTs + kMaxTimestampSkewSeconds, nonces));  // The edge passes.
}

TEST(VerifyRequestTest, FutureTimestamp) {
  const Received rx = ReceiveBody(SignedPostNoticeBody());
  MemoryNonceChecker nonces;
  EXPECT_THAT(Verify(rx, kPostNoticeTs - kMaxTimestampSkewSeconds - 1, nonces),
              StatusIs(Status::Code::kUnauthenticated, HasSubstr("future")));
  EXPECT_OK(Verify(rx, kPostNoticeTs - kMaxTimestampSkewSeconds, nonces));
}

TEST(VerifyRequestTest, ReplayedNonce) {
  const Received rx = ReceiveBody(SignedPostNoticeBody());
  MemoryNonceChecker nonces;
  ASSERT_OK(nonces.CheckAndRemember(kConsumerKey, kAccessToken, kPostNoticeTs, kPostNoticeNonce));
  EXPECT_THAT(Verify(rx, kPostNoticeTs, nonces), StatusIs(Status::Code::kAlreadyExists));
}

TEST(CollectRequestParamsTest, DuplicateOAuthParam) {
  const std::string body = SignedPostNoticeBody();
  EXPECT_THAT(
      CollectRequestParams("oauth_nonce=x", body, ""),
      StatusIs(Status::Code::kInvalidArgument, HasSubstr("duplicate parameter oauth_nonce")));
  EXPECT_THAT(CollectRequestParams("", body, "OAuth oauth_token=\"x\""),
              StatusIs(Status::Code::kInvalidArgument, HasSubstr("oauth_token")));
  // Other duplicates are kept (and signed) as RFC 5849 says.
  Result<ParamList> ok = CollectRequestParams("a=1&a=2", "a=3", "");
  ASSERT_OK(ok);
  EXPECT_EQ(ok->size(), 3u);
}

TEST(CollectRequestParamsTest, OversizedParam) {
  const ParamLimits limits{.max_params = 10, .max_name_bytes = 8, .max_value_bytes = 16};
  EXPECT_THAT(CollectRequestParams("", "a=" + std::string(17, 'x'), "", limits),
              StatusIs(Status::Code::kResourceExhausted, HasSubstr("over 16 bytes")));
  EXPECT_OK(CollectRequestParams("", "a=" + std::string(16, 'x'), "", limits));
  // Counted decoded: 16 escaped bytes are 16 bytes.
  std::string escaped;
  for (int i = 0; i < 16; ++i) escaped += "%41";
  EXPECT_OK(CollectRequestParams("", "a=" + escaped, "", limits));
  EXPECT_THAT(CollectRequestParams(std::string(9, 'n') + "=1", "", "", limits),
              StatusIs(Status::Code::kResourceExhausted, HasSubstr("name")));
  EXPECT_THAT(CollectRequestParams("", "", "OAuth a=\"" + std::string(17, 'x') + "\"", limits),
              StatusIs(Status::Code::kResourceExhausted));
  // The default cap holds against a megabyte value.
  EXPECT_THAT(CollectRequestParams("", "a=" + std::string(1 << 20, 'x'), ""),
              StatusIs(Status::Code::kResourceExhausted));
}

TEST(CollectRequestParamsTest, TooManyParams) {
  const ParamLimits limits{.max_params = 3};
  EXPECT_OK(CollectRequestParams("a=1", "b=2", "OAuth c=\"3\"", limits));
  EXPECT_THAT(CollectRequestParams("a=1&b=2", "c=3&d=4", "", limits),
              StatusIs(Status::Code::kResourceExhausted, HasSubstr("more than 3 parameters")));
  EXPECT_THAT(CollectRequestParams("a=1", "b=2", "OAuth c=\"3\", d=\"4\"", limits),
              StatusIs(Status::Code::kResourceExhausted));
  std::string many;
  for (int i = 0; i < 200; ++i) many += "x=" + std::to_string(i) + "&";
  EXPECT_THAT(CollectRequestParams(many, "", ""), StatusIs(Status::Code::kResourceExhausted));
}

TEST(ParseAuthorizationHeaderTest, ParsesAndRejects) {
  Result<ParamList> r = ParseAuthorizationHeader(
      "oauth realm=\"Example\",oauth_consumer_key=\"http%3A%2F%2Fb%2F\" ,  oauth_nonce=\"a+b\"");
  ASSERT_OK(r);
  EXPECT_EQ(*r, (ParamList{{"oauth_consumer_key", "http://b/"}, {"oauth_nonce", "a+b"}}));
  for (const char* bad : {"Basic dXNlcjpwYXNz", "OAuthx a=\"1\"", "OAuth a=1", "OAuth a=\"1",
                          "OAuth a=\"1\" b=\"2\"", "OAuth =\"1\"", "OAuth a=\"%zz\""}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(ParseAuthorizationHeader(bad), StatusIs(Status::Code::kInvalidArgument));
  }
}

TEST(ConstantTimeEqualsTest, Compares) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace feedbridge::omb
