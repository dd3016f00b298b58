// Interop: our HMAC-SHA1 signatures against an independent implementation, Debian's
// python3-oauthlib (tests/omb/sign_with_oauthlib.py), on generated requests that exercise what
// implementations tend to get wrong: non-ASCII text, spaces, '+', reserved characters, duplicate
// names, query parameters on the endpoint, mixed-case hosts and explicit default ports.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "omb/oauth.h"
#include "tests/support/status_matchers.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_data.h"

namespace feedbridge::omb {
namespace {

constexpr char kPython[] = "/usr/bin/python3";

std::string Hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const char c : s) {
    out.push_back(kDigits[static_cast<unsigned char>(c) >> 4]);
    out.push_back(kDigits[static_cast<unsigned char>(c) & 0xF]);
  }
  return out.empty() ? "-" : out;  // sign_with_oauthlib.py reads "-" as the empty string.
}

struct Case {
  OAuthRequestParts parts;
  OAuthCredentials credentials;
  std::string nonce;
  int64_t timestamp;
};

std::vector<Case> Cases() {
  const std::string version = "http://openmicroblogging.org/protocol/0.1";
  return {
      {{.method = "POST",
        .endpoint_url = "http://identi.example/index.php?action=postnotice",
        .params = {{"omb_version", version},
                   {"omb_listenee", "http://bridge.example.org/user/7"},
                   {"omb_notice", "http://bridge.example.org/notice/1002"},
                   {"omb_notice_content",
                    "Caf\xC3\xA9 \xE2\x80\x94 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80 a+b=c&d "
                    "100% ~tilde* 'q' \"dq\" <t> #h @u !g"},
                   {"omb_notice_url", "http://blog.example.com/p?x=1&y=a%20b"}}},
       {.consumer_key = "http://bridge.example.org/",
        .token = "9f86d081884c7d659a2feaa0c55ad015",
        .token_secret = "a3bf4f1b2b0b822cd15d6c15b0f00a08"},
       "abcdef0123456789abcdef0123456789",
       1764806400},
      {{.method = "GET",
        .endpoint_url = "https://Social.Example.NET:443/index.php?action=userauthorization&x=a+b",
        .params = {{"omb_version", version},
                   {"omb_listener", "https://social.example.net/user/1"},
                   {"omb_listenee_fullname", "J\xC3\xBCrgen O'Brien & Co."},
                   {"omb_listenee_bio", "Line one\nline two\ttab; semi: colon/slash?q"},
                   {"oauth_callback", "https://bridge.example.org/omb/finish?nick=blog&x=1"}}},
       {.consumer_key = "https://bridge.example.org/",
        .token = "tok",
        .token_secret = "s&e=c ret+"},
       "0011",
       1},
      {{.method = "post",
        .endpoint_url = "http://ex.org:8080/omb/7/postnotice?a=2&a=1&z=",
        .params = {{"a", "3"}, {"omb_seealso", "http://ex.org/i.png"}, {"b", ""}}},
       {.consumer_key = "key with space", .consumer_secret = "c\xC3\xA9", .token = ""},
       "n",
       2000000000},
      {{.method = "POST",
        .endpoint_url = "http://ex.org/p%C3%A9th/requesttoken",
        .params = {{"omb_listener", "http://ex.org/user/%7E1"}, {"omb_version", version}}},
       {.consumer_key = "http://bridge.example.org/"},
       "ffffffffffffffffffffffffffffffff",
       1230000000},
  };
}

TEST(OAuthlibCrossCheckTest, SignaturesAndBaseStringsMatch) {
  if (!std::filesystem::exists(kPython)) {
    FAIL() << kPython << " is missing: the bootstrap installs python3 and python3-oauthlib";
  }
  const std::vector<Case> cases = Cases();
  std::vector<SignedRequest> signed_requests;
  std::string input;
  for (const Case& c : cases) {
    Result<SignedRequest> r = SignRequest(c.parts, c.credentials, c.nonce, c.timestamp);
    ASSERT_OK(r);
    signed_requests.push_back(*r);
    // oauthlib gets the endpoint URL with its query, the oauth_* parameters we generated and the
    // protocol's own: it must fold the query in itself.
    input += Hex(c.parts.method) + " " + Hex(c.parts.endpoint_url) + " " +
             Hex(c.credentials.consumer_secret) + " " + Hex(c.credentials.token_secret);
    for (const Param& p : r->params) {
      if (p.name.starts_with("oauth_") && p.name != "oauth_signature" &&
          p.name != "oauth_callback") {
        input += " " + Hex(p.name) + " " + Hex(p.value);
      }
    }
    for (const Param& p : c.parts.params) input += " " + Hex(p.name) + " " + Hex(p.value);
    input += "\n";
  }
  const std::filesystem::path script =
      testing::SourceDir() / "tests" / "omb" / "sign_with_oauthlib.py";
  testing::ProcessResult run = testing::RunProcess(kPython, {script.string()}, {}, input);
  ASSERT_NE(run.exit_code, 3) << "oauthlib is not installed for " << kPython
                              << ": install python3-oauthlib (scripts/bootstrap does)";
  ASSERT_EQ(run.exit_code, 0) << run.err;

  std::istringstream out(run.out);
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].parts.endpoint_url);
    std::string line;
    ASSERT_TRUE(std::getline(out, line)) << run.out;
    const size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    EXPECT_EQ(signed_requests[i].base_string, line.substr(0, tab));
    EXPECT_EQ(*FindParam(signed_requests[i].params, "oauth_signature"), line.substr(tab + 1));
  }
}

}  // namespace
}  // namespace feedbridge::omb
