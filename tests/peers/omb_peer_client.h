#pragma once

// tests/peers/omb_peer.py (a Laconica 0.8 / StatusNet 0.9 listener service verifying every
// signature with python3-oauthlib) run as a child process for a C++ test, with what the test
// asks of it: its URLs, what it received (GET /_received), its fault switch (POST /_control),
// and a subscription made through its real OAuth endpoints (discovery, request token, the
// legacy-signed authorize redirect answered at once by --auto-approve, access token), the way a
// Laconica consumer makes one. Loopback only.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "http/http_client.h"
#include "omb/messages.h"
#include "store/records.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace feedbridge::testing {

// One postNotice or updateProfile request as the peer saw it.
struct PeerRequest {
  std::string action;                         // "postnotice" or "updateprofile".
  std::map<std::string, std::string> params;  // Every parameter, decoded.
  std::string token;                          // oauth_token.
  std::string user;                           // The local user the token belongs to, or "".
  bool signature_ok = false;                  // oauthlib verified the HMAC-SHA1 signature.
  bool duplicate = false;                     // Its omb_notice was known already.
  int status = 0;                             // What the peer answered.
  std::string answer;

  std::string Param(const std::string& name) const {
    const auto it = params.find(name);
    return it == params.end() ? "" : it->second;
  }
};

class OmbPeerProcess {
 public:
  struct Options {
    std::string variant = "laconica-0.8";  // Or "statusnet-0.9".
    std::vector<std::string> users = {"alice"};
    std::string bind = "127.0.0.1";  // Another 127.0.0.N: a host of its own.
    std::string fault = "none";
    // The authorize page 303s straight to the callback; false: it shows the Approve/Reject
    // form (Subscribe then fails at the authorize step).
    bool auto_approve = true;
  };

  // Starts the peer and waits (up to 10 s) until it listens. Throws std::runtime_error.
  explicit OmbPeerProcess(Options options);
  ~OmbPeerProcess();
  OmbPeerProcess(const OmbPeerProcess&) = delete;
  OmbPeerProcess& operator=(const OmbPeerProcess&) = delete;

  const Options& options() const { return options_; }
  std::string base() const;  // "http://HOST:PORT/"
  std::string ProfileUrl(const std::string& nick) const { return base() + nick; }
  std::string UserUri(const std::string& nick) const;
  std::string PostNoticeUrl() const { return base() + "index.php?action=postnotice"; }
  std::string UpdateProfileUrl() const { return base() + "index.php?action=updateprofile"; }

  // Every postNotice/updateProfile request so far, in arrival order.
  Result<std::vector<PeerRequest>> Received();
  // Only the postNotice ones the peer took (answered 200, not a duplicate).
  Result<std::vector<PeerRequest>> Accepted();
  // fault: none, down, 403, 500-duplicate, slow (with `seconds`), huge, endless, redirect.
  Status SetFault(const std::string& fault, double seconds = 0);
  // `nick` stops listening (the next postNotice with its token gets 403).
  Status Unsubscribe(const std::string& nick);

  // Subscribes `nick` to `listenee` through the peer's own endpoints as a Laconica consumer
  // with key `consumer_key`: the returned subscription (account_id left 0) holds the access
  // token the peer issued and the endpoints its XRDS advertised.
  Result<store::Subscription> Subscribe(const std::string& nick,
                                        const omb::ListeneeProfile& listenee,
                                        const std::string& consumer_key,
                                        const std::string& callback);

  // Output of the peer process (its log), for failure messages.
  std::string Log() const;

  // Plain requests to the peer (no redirects followed).
  Result<http::HttpResponse> Get(const std::string& url, int max_redirects = 0);
  Result<http::HttpResponse> PostForm(const std::string& url, const std::string& body);

 private:
  Options options_;
  TempDir dir_;
  std::unique_ptr<ChildProcess> process_;
  std::unique_ptr<http::HttpClient> http_;
  int port_ = 0;
};

}  // namespace feedbridge::testing
