#include "tests/peers/omb_peer_client.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "http/poco_http_client.h"
#include "omb/oauth.h"
#include "omb/xrds.h"
#include "tests/support/test_data.h"

namespace feedbridge::testing {

namespace {

constexpr auto kRequestTimeout = std::chrono::seconds(10);

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A 32-hex nonce (Laconica's length) and the Unix time, for the test's own signed calls.
std::string Nonce() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (char& c : out) c = kHex[rng() % 16];
  return out;
}

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Text(const Poco::JSON::Object::Ptr& o, const std::string& name) {
  if (!o->has(name) || o->isNull(name)) return "";
  return o->getValue<std::string>(name);
}

}  // namespace

OmbPeerProcess::OmbPeerProcess(Options options) : options_(std::move(options)) {
  std::string users;
  for (const std::string& u : options_.users) users += (users.empty() ? "" : ",") + u;
  const std::filesystem::path port_file = dir_.path() / "port";
  std::vector<std::string> args = {(SourceDir() / "tests" / "peers" / "omb_peer.py").string(),
                                   "--variant",
                                   options_.variant,
                                   "--users",
                                   users,
                                   "--bind",
                                   options_.bind,
                                   "--fault",
                                   options_.fault,
                                   "--port-file",
                                   port_file.string()};
  if (options_.auto_approve) args.push_back("--auto-approve");
  process_ = std::make_unique<ChildProcess>(
      "/usr/bin/python3", args, std::map<std::string, std::string>{}, dir_.path() / "peer.log");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!std::filesystem::exists(port_file)) {
    if (std::chrono::steady_clock::now() > deadline ||
        process_->Wait(std::chrono::milliseconds(0))) {
      throw std::runtime_error("omb_peer.py did not start: " + Log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  port_ = std::stoi(ReadAll(port_file));
  http_ = std::make_unique<http::PocoHttpClient>(
      http::PocoHttpClientOptions{.user_agent = "omb-peer-test", .allow_private_networks = true});
}

OmbPeerProcess::~OmbPeerProcess() = default;

std::string OmbPeerProcess::base() const {
  return "http://" + options_.bind + ":" + std::to_string(port_) + "/";
}

std::string OmbPeerProcess::UserUri(const std::string& nick) const {
  for (size_t i = 0; i < options_.users.size(); ++i) {
    if (options_.users[i] == nick) return base() + "user/" + std::to_string(i + 1);
  }
  return "";
}

std::string OmbPeerProcess::Log() const { return ReadAll(dir_.path() / "peer.log"); }

Result<http::HttpResponse> OmbPeerProcess::Get(const std::string& url, int max_redirects) {
  http::HttpRequest request;
  request.url = url;
  request.timeout = kRequestTimeout;
  request.max_redirects = max_redirects;
  return http_->Send(request);
}

Result<http::HttpResponse> OmbPeerProcess::PostForm(const std::string& url,
                                                    const std::string& body) {
  http::HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.headers = {{"Content-Type", std::string(omb::kFormContentType)}};
  request.body = body;
  request.timeout = kRequestTimeout;
  request.max_redirects = 0;
  return http_->Send(request);
}

Result<std::vector<PeerRequest>> OmbPeerProcess::Received() {
  Result<http::HttpResponse> r = Get(base() + "_received");
  if (!r.ok()) return r.status();
  if (r->status != 200)
    return Status::Internal("omb_peer: /_received: HTTP " + std::to_string(r->status));
  std::vector<PeerRequest> out;
  try {
    Poco::JSON::Parser parser;
    const auto list = parser.parse(r->body).extract<Poco::JSON::Array::Ptr>();
    for (size_t i = 0; i < list->size(); ++i) {
      const Poco::JSON::Object::Ptr o = list->getObject(static_cast<unsigned>(i));
      PeerRequest p;
      p.action = Text(o, "action");
      p.token = Text(o, "token");
      p.user = Text(o, "user");
      p.signature_ok = o->optValue<bool>("signature_ok", false);
      p.duplicate = o->optValue<bool>("duplicate", false);
      p.status = o->optValue<int>("status", 0);
      p.answer = Text(o, "answer");
      const Poco::JSON::Object::Ptr params = o->getObject("params");
      for (const auto& [name, value] : *params) p.params[name] = value.convert<std::string>();
      out.push_back(std::move(p));
    }
  } catch (const std::exception& e) {
    return Status::Internal(std::string("omb_peer: /_received: ") + e.what());
  }
  return out;
}

Result<std::vector<PeerRequest>> OmbPeerProcess::Accepted() {
  Result<std::vector<PeerRequest>> all = Received();
  if (!all.ok()) return all.status();
  std::vector<PeerRequest> out;
  for (PeerRequest& p : *all) {
    if (p.action == "postnotice" && p.status == 200 && !p.duplicate) out.push_back(std::move(p));
  }
  return out;
}

Status OmbPeerProcess::SetFault(const std::string& fault, double seconds) {
  omb::ParamList form = {{"fault", fault}};
  if (seconds > 0) form.push_back({"seconds", std::to_string(seconds)});
  Result<http::HttpResponse> r = PostForm(base() + "_control", omb::FormEncode(form));
  if (!r.ok()) return r.status();
  if (r->status != 200) return Status::Internal("omb_peer: /_control: " + r->body);
  return Status::Ok();
}

Status OmbPeerProcess::Unsubscribe(const std::string& nick) {
  Result<http::HttpResponse> r =
      PostForm(base() + "_control", omb::FormEncode({{"unsubscribe", nick}}));
  if (!r.ok()) return r.status();
  if (r->status != 200) return Status::Internal("omb_peer: /_control: " + r->body);
  return Status::Ok();
}

Result<store::Subscription> OmbPeerProcess::Subscribe(const std::string& nick,
                                                      const omb::ListeneeProfile& listenee,
                                                      const std::string& consumer_key,
                                                      const std::string& callback) {
  const auto fail = [](const std::string& step, const std::string& why) {
    return Status::Internal("omb_peer subscribe: " + step + ": " + why);
  };
  // Yadis discovery of the profile URL, then the XRDS it points at.
  http::HttpRequest profile_get;
  profile_get.url = ProfileUrl(nick);
  profile_get.headers = {{"Accept", std::string(omb::kYadisAccept)}};
  profile_get.timeout = kRequestTimeout;
  Result<http::HttpResponse> page = http_->Send(profile_get);
  if (!page.ok()) return page.status();
  Result<omb::YadisDecision> decision = omb::DecideYadis(
      {page->status, page->Find("Content-Type"), page->Find("X-XRDS-Location"), page->body});
  if (!decision.ok()) return fail("yadis", decision.status().message());
  std::string xrds_body = page->body;
  if (decision->kind != omb::YadisDecision::Kind::kIsXrds) {
    Result<http::HttpResponse> xrds = Get(decision->url);
    if (!xrds.ok()) return xrds.status();
    xrds_body = xrds->body;
  }
  Result<omb::OmbServices> services = omb::ReadXrds(xrds_body);
  if (!services.ok()) return fail("xrds", services.status().message());

  // Request token: POST, signed with key "&".
  Result<omb::SignedRequest> rt_request =
      omb::SignRequest({.method = "POST",
                        .endpoint_url = services->request_token.url,
                        .params = {{"omb_version", std::string(omb::kOmbVersion)},
                                   {"omb_listener", services->listener_id()}}},
                       {.consumer_key = consumer_key}, Nonce(), UnixNow());
  if (!rt_request.ok()) return rt_request.status();
  Result<http::HttpResponse> rt_answer = PostForm(rt_request->url, rt_request->body);
  if (!rt_answer.ok()) return rt_answer.status();
  if (rt_answer->status != 200) return fail("request token", rt_answer->body);
  Result<omb::TokenReply> request_token = omb::ParseTokenReply(rt_answer->body);
  if (!request_token.ok()) return fail("request token", request_token.status().message());

  // The legacy-signed authorize GET; --auto-approve answers with the 303 to the callback.
  Result<omb::ParamList> auth_params = omb::AuthorizeParams(
      {.listener = services->listener_id(), .listenee = listenee, .callback = callback});
  if (!auth_params.ok()) return auth_params.status();
  const omb::OAuthCredentials with_request_token{.consumer_key = consumer_key,
                                                 .token = request_token->token,
                                                 .token_secret = request_token->secret};
  Result<omb::SignedRequest> auth = omb::SignRequest(
      {.method = "GET", .endpoint_url = services->authorize.url, .params = *auth_params},
      with_request_token, Nonce(), UnixNow());
  if (!auth.ok()) return auth.status();
  Result<http::HttpResponse> auth_answer = Get(auth->url);
  if (!auth_answer.ok()) return auth_answer.status();
  if (auth_answer->status != 303) return fail("authorize", auth_answer->body);
  const std::string location(auth_answer->Find("Location"));
  if (!location.starts_with(callback + "?")) return fail("authorize", "went to " + location);
  Result<omb::ParamList> callback_params =
      omb::ParseFormEncoded(std::string_view(location).substr(callback.size() + 1));
  if (!callback_params.ok()) return callback_params.status();
  Result<omb::AuthorizeCallback> authorized = omb::ParseAuthorizeCallback(*callback_params);
  if (!authorized.ok()) return fail("callback", authorized.status().message());
  if (authorized->token != request_token->token) return fail("callback", "another token");

  // Access token.
  Result<omb::SignedRequest> at_request =
      omb::SignRequest({.method = "POST",
                        .endpoint_url = services->access_token.url,
                        .params = {{"omb_version", std::string(omb::kOmbVersion)}}},
                       with_request_token, Nonce(), UnixNow());
  if (!at_request.ok()) return at_request.status();
  Result<http::HttpResponse> at_answer = PostForm(at_request->url, at_request->body);
  if (!at_answer.ok()) return at_answer.status();
  if (at_answer->status != 200) return fail("access token", at_answer->body);
  Result<omb::TokenReply> access = omb::ParseTokenReply(at_answer->body);
  if (!access.ok()) return fail("access token", access.status().message());

  store::Subscription s;
  s.subscriber.uri = services->listener_id();
  s.subscriber.nickname = authorized->listener.nickname;
  s.subscriber.profile_url = authorized->listener.profile;
  s.subscriber.license = authorized->listener.license;
  s.post_notice_url = services->post_notice.url;
  s.update_profile_url = services->update_profile.url;
  s.token = access->token;
  s.token_secret = access->secret;
  return s;
}

}  // namespace feedbridge::testing
