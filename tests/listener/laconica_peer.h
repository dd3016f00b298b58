#pragma once

// A Laconica 0.8 listener service on a loopback HttpTestServer, for the remote-subscribe flow:
// alice's profile page (X-XRDS-Location and <meta>), her XRDS, and index.php?action=
// requesttoken | userauthorization | accesstoken, each checking the consumer's OAuth signature
// with omb::VerifyRequest and the OMB parameters as Laconica does. Its authorize step accepts at
// once (alice is "logged in") and 303s the browser back to oauth_callback with the token and
// alice's profile, as Laconica ≤0.8 does. Knobs make it misbehave for the failure pages.
// Thread-safe.

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "omb/messages.h"
#include "omb/oauth.h"
#include "tests/support/http_test_server.h"

namespace feedbridge::testing {

class LaconicaPeer {
 public:
  // How the peer (mis)behaves.
  struct Knobs {
    bool profile_without_xrds = false;      // The profile page advertises no XRDS.
    bool meta_only = false;                 // Only the <meta http-equiv>, no header.
    bool xrds_without_post_notice = false;  // The #omb XRD lacks postNotice.
    int request_token_status = 200;         // Anything else: refused with that status.
    bool hang_request_token = false;        // Answers the request-token call after 3 s.
    bool reject = false;                    // The person declines: bare callback.
    int access_token_status = 200;
  };

  // Routes /alice, /alice/xrds and /index.php on `server`; `consumer_key` is the bridge's root
  // URL, which every signed request must carry.
  LaconicaPeer(HttpTestServer& server, std::string consumer_key);

  void SetKnobs(const Knobs& knobs);
  std::string profile_url() const { return server_.Url("/alice"); }
  std::string listener_uri() const { return server_.Url("/user/42"); }
  std::string post_notice_url() const { return server_.Url("/index.php") + "?action=postnotice"; }
  std::string update_profile_url() const {
    return server_.Url("/index.php") + "?action=updateprofile";
  }

  // What the authorize step received (the listenee's fields), once it was called.
  std::optional<omb::AuthorizeRequest> authorized() const;
  // The access tokens issued, token -> secret.
  std::map<std::string, std::string> access_tokens() const;
  // Every check that failed, in order (a test expects none).
  std::vector<std::string> errors() const;

 private:
  class Nonces final : public omb::NonceChecker {
   public:
    Status CheckAndRemember(std::string_view consumer, std::string_view token, int64_t ts,
                            std::string_view nonce) override;

   private:
    std::set<std::string> seen_;  // Guarded by the peer's mu_.
  };

  void Handle(const HttpTestServer::Request& req, HttpTestServer::Response& r);
  // Checks the OAuth signature of a request to index.php; the OAuth parameters on success.
  std::optional<omb::OAuthProtocolParams> Verify(const std::string& method,
                                                 const omb::ParamList& params,
                                                 const std::string& token_secret,
                                                 HttpTestServer::Response& r);
  void Fail(HttpTestServer::Response& r, int status, const std::string& why);

  HttpTestServer& server_;
  const std::string consumer_key_;
  mutable std::mutex mu_;
  Knobs knobs_;                                        // Guarded by mu_.
  Nonces nonces_;                                      // Guarded by mu_.
  std::map<std::string, std::string> request_tokens_;  // Guarded by mu_.
  std::set<std::string> authorized_tokens_;            // Guarded by mu_.
  std::map<std::string, std::string> access_tokens_;   // Guarded by mu_.
  std::optional<omb::AuthorizeRequest> authorized_;    // Guarded by mu_.
  std::vector<std::string> errors_;                    // Guarded by mu_.
  int issued_ = 0;                                     // Guarded by mu_.
};

}  // namespace feedbridge::testing
