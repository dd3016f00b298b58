#include "tests/listener/laconica_peer.h"

#include <chrono>
#include <thread>

#include "omb/xrds.h"

namespace feedbridge::testing {

Status LaconicaPeer::Nonces::CheckAndRemember(std::string_view consumer, std::string_view token,
                                              int64_t ts, std::string_view nonce) {
  const std::string key = std::string(consumer) + " " + std::string(token) + " " +
                          std::to_string(ts) + " " + std::string(nonce);
  if (!seen_.insert(key).second) return Status::AlreadyExists("Nonce already used");
  return Status::Ok();
}

LaconicaPeer::LaconicaPeer(HttpTestServer& server, std::string consumer_key)
    : server_(server), consumer_key_(std::move(consumer_key)) {
  server_.Route("/alice", [this](const HttpTestServer::Request&, HttpTestServer::Response& r) {
    std::lock_guard lock(mu_);
    const std::string xrds = server_.Url("/alice/xrds");
    r.SetHeader("Content-Type", "text/html; charset=utf-8");
    if (knobs_.profile_without_xrds) {
      r.SetBody("<html><head><title>alice</title></head><body>alice</body></html>");
      return;
    }
    if (!knobs_.meta_only) r.SetHeader("X-XRDS-Location", xrds);
    r.SetBody("<html><head><title>alice</title><meta http-equiv=\"X-XRDS-Location\" content=\"" +
              xrds + "\"/></head><body>alice</body></html>");
  });
  server_.Route("/alice/xrds", [this](const HttpTestServer::Request&, HttpTestServer::Response& r) {
    std::lock_guard lock(mu_);
    const std::string base = server_.Url("/index.php");
    std::string body = omb::WriteXrds(omb::XrdsAccount{
        .local_id = server_.Url("/user/42"),
        .request_token_url = base + "?action=requesttoken",
        .authorize_url = base + "?action=userauthorization",
        .access_token_url = base + "?action=accesstoken",
        .post_notice_url = base + "?action=postnotice",
        .update_profile_url = base + "?action=updateprofile",
    });
    if (knobs_.xrds_without_post_notice) {
      const std::string type = "<Type>" + std::string(omb::kPostNoticeType) + "</Type>";
      const size_t at = body.find(type);
      if (at != std::string::npos) body.replace(at, type.size(), "<Type>urn:x-nothing</Type>");
    }
    r.SetHeader("Content-Type", std::string(omb::kXrdsContentType));
    r.SetBody(std::move(body));
  });
  server_.Route("/index.php", [this](const HttpTestServer::Request& req,
                                     HttpTestServer::Response& r) { Handle(req, r); });
}

void LaconicaPeer::SetKnobs(const Knobs& knobs) {
  std::lock_guard lock(mu_);
  knobs_ = knobs;
}

std::optional<omb::AuthorizeRequest> LaconicaPeer::authorized() const {
  std::lock_guard lock(mu_);
  return authorized_;
}

std::map<std::string, std::string> LaconicaPeer::access_tokens() const {
  std::lock_guard lock(mu_);
  return access_tokens_;
}

std::vector<std::string> LaconicaPeer::errors() const {
  std::lock_guard lock(mu_);
  return errors_;
}

void LaconicaPeer::Fail(HttpTestServer::Response& r, int status, const std::string& why) {
  errors_.push_back(why);
  r.SetStatus(status);
  r.SetBody(why);
}

std::optional<omb::OAuthProtocolParams> LaconicaPeer::Verify(const std::string& method,
                                                             const omb::ParamList& params,
                                                             const std::string& token_secret,
                                                             HttpTestServer::Response& r) {
  Result<omb::OAuthProtocolParams> oauth = omb::ReadOAuthParams(params);
  if (!oauth.ok()) {
    Fail(r, 400, oauth.status().message());
    return std::nullopt;
  }
  if (oauth->consumer_key != consumer_key_) {
    Fail(r, 400, "consumer key " + oauth->consumer_key);
    return std::nullopt;
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  // Laconica 0.7.4+ checks every signature as advertised: its own configured URL.
  if (Status s = omb::VerifyRequest({method, server_.Url("/index.php"), params}, *oauth, "",
                                    token_secret, now, nonces_);
      !s.ok()) {
    Fail(r, 401, "Invalid signature: " + s.message());
    return std::nullopt;
  }
  return *oauth;
}

void LaconicaPeer::Handle(const HttpTestServer::Request& req, HttpTestServer::Response& r) {
  std::unique_lock lock(mu_);
  const bool form = req.Header("Content-Type").find(omb::kFormContentType) != std::string::npos;
  Result<omb::ParamList> params =
      omb::CollectRequestParams(req.query, form ? req.body : "", req.Header("Authorization"));
  if (!params.ok()) return Fail(r, 400, params.status().message());
  const std::string* action = omb::FindParam(*params, "action");
  if (action == nullptr) return Fail(r, 400, "no action");
  const std::string* version = omb::FindParam(*params, "omb_version");

  if (*action == "requesttoken") {
    if (req.method != "POST") return Fail(r, 400, "requesttoken by " + req.method);
    if (!Verify("POST", *params, "", r)) return;
    const std::string* listener = omb::FindParam(*params, "omb_listener");
    if (listener == nullptr || *listener != server_.Url("/user/42")) {
      return Fail(r, 400, "omb_listener is not alice");
    }
    if (version == nullptr || *version != omb::kOmbVersion) return Fail(r, 400, "omb_version");
    if (omb::FindParam(*params, "oauth_token") != nullptr) {
      return Fail(r, 400, "a request-token call carries no token");
    }
    if (knobs_.hang_request_token) {
      lock.unlock();
      r.Hang(std::chrono::milliseconds(3000));
      return;
    }
    if (knobs_.request_token_status != 200) {
      r.SetStatus(knobs_.request_token_status);
      r.SetBody("Unknown consumer, go away");
      return;
    }
    const std::string n = std::to_string(++issued_);
    const std::string token = "reqtoken" + n;
    request_tokens_[token] = "reqsecret" + n;
    r.SetBody("oauth_token=" + token + "&oauth_token_secret=" + request_tokens_[token]);
    return;
  }

  if (*action == "userauthorization") {
    if (req.method != "GET") return Fail(r, 400, "userauthorization by " + req.method);
    const std::string* token = omb::FindParam(*params, "oauth_token");
    if (token == nullptr || !request_tokens_.contains(*token)) {
      return Fail(r, 400, "unknown request token");
    }
    // Laconica ≤0.7.2 checks the authorize request as a full OAuth request (legacy signing).
    if (!Verify("GET", *params, request_tokens_[*token], r)) return;
    Result<omb::AuthorizeRequest> request = omb::ParseAuthorizeParams(*params);
    if (!request.ok()) return Fail(r, 400, request.status().message());
    if (request->listener != server_.Url("/user/42")) {
      return Fail(r, 400, "Can't add for another user!");
    }
    // Laconica ≤0.8: nickname [0-9a-z]{1,64}, license string-equal to the site's.
    if (request->listenee.license != omb::kDefaultLicense) return Fail(r, 400, "license");
    if (!request->listenee.avatar.empty()) return Fail(r, 400, "avatar not 96x96");
    authorized_ = *request;
    r.SetStatus(303);
    if (knobs_.reject) {
      r.SetHeader("Location", request->callback);
      return;
    }
    authorized_tokens_.insert(*token);
    const std::string sep = request->callback.find('?') == std::string::npos ? "?" : "&";
    r.SetHeader("Location", request->callback + sep +
                                omb::FormEncode({
                                    {"oauth_token", *token},
                                    {"omb_version", std::string(omb::kOmbVersion)},
                                    {"omb_listener_nickname", "alice"},
                                    {"omb_listener_profile", server_.Url("/alice")},
                                    {"omb_listener_fullname", "Alice Example"},
                                    {"omb_listener_bio", "Reads blogs."},
                                }));
    return;
  }

  if (*action == "accesstoken") {
    if (req.method != "POST") return Fail(r, 400, "accesstoken by " + req.method);
    const std::string* token = omb::FindParam(*params, "oauth_token");
    if (token == nullptr || !authorized_tokens_.contains(*token)) {
      return Fail(r, 400, "request token not authorized");
    }
    if (!Verify("POST", *params, request_tokens_[*token], r)) return;
    if (knobs_.access_token_status != 200) {
      r.SetStatus(knobs_.access_token_status);
      r.SetBody("no");
      return;
    }
    authorized_tokens_.erase(*token);  // Used: state 2.
    const std::string n = std::to_string(++issued_);
    access_tokens_["acctoken" + n] = "accsecret" + n;
    r.SetBody("oauth_token=acctoken" + n + "&oauth_token_secret=accsecret" + n);
    return;
  }
  Fail(r, 400, "unknown action " + *action);
}

}  // namespace feedbridge::testing
