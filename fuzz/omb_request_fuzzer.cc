// libFuzzer target: any bytes as a received OMB/OAuth request to omb/oauth (CollectRequestParams,
// ReadOAuthParams, VerifyRequest), and as a peer's XRDS or profile page to omb/xrds (ReadXrds,
// DecideYadis). Besides crashes, hangs, leaks and undefined behaviour it checks two properties:
// parameters parsed from a form re-encode (FormEncode) to a form that parses back to the same
// list, and a request signed by SignRequest with the parsed parameters verifies. Build with
// scripts/fuzz.
//
// Layout: the input is split at its first three '\n' into the query string, the form body and
// the Authorization header; the rest is the XRDS/HTML document.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "omb/oauth.h"
#include "omb/xrds.h"

namespace {

using namespace feedbridge::omb;  // NOLINT(google-build-using-namespace): a fuzz driver.

class AcceptAll final : public NonceChecker {
 public:
  feedbridge::Status CheckAndRemember(std::string_view, std::string_view, int64_t,
                                      std::string_view) override {
    return feedbridge::Status::Ok();
  }
};

std::string_view NextLine(std::string_view& rest) {
  const size_t nl = rest.find('\n');
  const std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return line;
}

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string_view query = NextLine(rest);
  const std::string_view body = NextLine(rest);
  const std::string_view header = NextLine(rest);

  feedbridge::Result<ParamList> params = CollectRequestParams(query, body, header);
  if (params.ok()) {
    // FormEncode -> ParseFormEncoded is the identity on parsed lists.
    const ParamLimits unlimited{
        .max_params = 1u << 20, .max_name_bytes = 1u << 20, .max_value_bytes = 1u << 24};
    feedbridge::Result<ParamList> again = ParseFormEncoded(FormEncode(*params), unlimited);
    Check(again.ok());
    Check(*again == *params);

    feedbridge::Result<OAuthProtocolParams> oauth = ReadOAuthParams(*params);
    AcceptAll nonces;
    if (oauth.ok()) {
      const ReceivedRequest request{.method = "POST",
                                    .endpoint_url = "http://listener.example/omb/7/postnotice",
                                    .params = *params};
      (void)VerifyRequest(request, *oauth, "", "secret", oauth->timestamp, nonces);
    }

    // Signing the non-oauth parameters and verifying the result always succeeds.
    OAuthRequestParts parts{.method = "POST",
                            .endpoint_url = "http://listener.example/index.php?action=postnotice",
                            .params = {}};
    for (const Param& p : *params) {
      if (!p.name.starts_with("oauth_")) parts.params.push_back(p);
    }
    feedbridge::Result<SignedRequest> signed_request = SignRequest(
        parts, {.consumer_key = "http://bridge.example/", .token = "t", .token_secret = "s"},
        "nonce", 1230000000);
    Check(signed_request.ok());
    feedbridge::Result<ParamList> received =
        CollectRequestParams("", signed_request->body, "", unlimited);
    Check(received.ok());
    feedbridge::Result<OAuthProtocolParams> read = ReadOAuthParams(*received);
    Check(read.ok());
    const ReceivedRequest request{
        .method = "POST", .endpoint_url = parts.endpoint_url, .params = *received};
    Check(VerifyRequest(request, *read, "", "s", 1230000000, nonces).ok());
  }

  (void)ReadXrds(rest);
  (void)DecideYadis(
      {.status = 200, .content_type = "text/html", .xrds_location = "", .body = rest});
  return 0;
}
