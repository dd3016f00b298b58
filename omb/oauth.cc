#include "omb/oauth.h"

#include <Poco/Base64Encoder.h>
#include <Poco/HMACEngine.h>
#include <Poco/SHA1Engine.h>

#include <algorithm>
#include <charconv>
#include <sstream>

#include "common/ascii.h"

namespace feedbridge::omb {
namespace {

constexpr char kHexUpper[] = "0123456789ABCDEF";

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool IsOAuthName(std::string_view name) { return name.starts_with("oauth_"); }

// Appends one decoded parameter to `out`, enforcing the caps.
Status AppendParam(std::string&& name, std::string&& value, const ParamLimits& limits,
                   ParamList& out) {
  if (out.size() >= limits.max_params) {
    return Status::ResourceExhausted("oauth: more than " + std::to_string(limits.max_params) +
                                     " parameters");
  }
  if (name.size() > limits.max_name_bytes) {
    return Status::ResourceExhausted("oauth: a parameter name is over " +
                                     std::to_string(limits.max_name_bytes) + " bytes");
  }
  if (value.size() > limits.max_value_bytes) {
    return Status::ResourceExhausted("oauth: parameter " + name + " is over " +
                                     std::to_string(limits.max_value_bytes) + " bytes");
  }
  out.push_back({std::move(name), std::move(value)});
  return Status::Ok();
}

// Parses form-encoded `s` onto the end of `out` (caps counted over all of `out`).
Status ParseFormInto(std::string_view s, const ParamLimits& limits, ParamList& out) {
  while (!s.empty()) {
    const size_t amp = s.find('&');
    const std::string_view piece = s.substr(0, amp);
    s = amp == std::string_view::npos ? std::string_view() : s.substr(amp + 1);
    if (piece.empty()) continue;
    // Reject a grossly oversized piece before decoding it.
    if (piece.size() > 3 * (limits.max_name_bytes + limits.max_value_bytes) + 1) {
      return Status::ResourceExhausted("oauth: a parameter is over " +
                                       std::to_string(limits.max_value_bytes) + " bytes");
    }
    const size_t eq = piece.find('=');
    Result<std::string> name = PercentDecode(piece.substr(0, eq), /*plus_is_space=*/true);
    if (!name.ok()) return name.status();
    Result<std::string> value =
        PercentDecode(eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1),
                      /*plus_is_space=*/true);
    if (!value.ok()) return value.status();
    Status s2 = AppendParam(std::move(*name), std::move(*value), limits, out);
    if (!s2.ok()) return s2;
  }
  return Status::Ok();
}

}  // namespace

const std::string* FindParam(const ParamList& params, std::string_view name) {
  for (const Param& p : params) {
    if (p.name == name) return &p.value;
  }
  return nullptr;
}

std::string PercentEncode(std::string_view s) {
  // Written into room for the worst case, then cut: a signed request encodes its whole body
  // twice (the parameters, then the base string), so this runs on every byte it sends.
  std::string out(s.size() * 3, '\0');
  char* p = out.data();
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c)) {
      *p++ = ch;
    } else {
      p[0] = '%';
      p[1] = kHexUpper[c >> 4];
      p[2] = kHexUpper[c & 0xF];
      p += 3;
    }
  }
  out.resize(static_cast<size_t>(p - out.data()));
  return out;
}

Result<std::string> PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return Status::InvalidArgument("oauth: truncated %-escape");
      const int h = HexValue(s[i + 1]);
      const int l = HexValue(s[i + 2]);
      if (h < 0 || l < 0) return Status::InvalidArgument("oauth: malformed %-escape");
      out.push_back(static_cast<char>(h * 16 + l));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string FormEncode(const ParamList& params) {
  std::string out;
  for (const Param& p : params) {
    if (!out.empty()) out.push_back('&');
    out += PercentEncode(p.name);
    out.push_back('=');
    out += PercentEncode(p.value);
  }
  return out;
}

std::string NormalizeParameters(const ParamList& params) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(params.size());
  for (const Param& p : params) {
    if (p.name == "oauth_signature") continue;
    encoded.emplace_back(PercentEncode(p.name), PercentEncode(p.value));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

Result<SplitUrl> SplitRequestUrl(std::string_view url) {
  const auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("oauth: " + std::string(url) + ": " + std::string(why));
  };
  const size_t colon = url.find("://");
  if (colon == std::string_view::npos) return bad("not an absolute URL");
  const std::string scheme = AsciiLower(url.substr(0, colon));
  if (scheme != "http" && scheme != "https") return bad("not an http(s) URL");
  std::string_view rest = url.substr(colon + 3);
  const size_t fragment = rest.find('#');
  if (fragment != std::string_view::npos) rest = rest.substr(0, fragment);
  std::string_view query;
  const size_t question = rest.find('?');
  if (question != std::string_view::npos) {
    query = rest.substr(question + 1);
    rest = rest.substr(0, question);
  }
  const size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  const std::string_view path = slash == std::string_view::npos ? "/" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) return bad("user info in the URL");

  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed IPv6 literal");
    host = authority.substr(0, close + 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("junk after the IPv6 literal");
      port = after.substr(1);
    }
  } else {
    const size_t port_colon = authority.find(':');
    if (port_colon != std::string_view::npos) {
      host = authority.substr(0, port_colon);
      port = authority.substr(port_colon + 1);
    }
  }
  if (host.empty()) return bad("no host");
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return bad("bad port");
    }
    if ((scheme == "http" && value == 80) || (scheme == "https" && value == 443)) port = {};
  }

  SplitUrl split;
  split.base = scheme + "://" + AsciiLower(host);
  if (!port.empty()) {
    split.base.push_back(':');
    split.base += port;
  }
  split.base += path;
  const ParamLimits unlimited{.max_params = SIZE_MAX / 4,
                              .max_name_bytes = SIZE_MAX / 16,
                              .max_value_bytes = SIZE_MAX / 16};
  Status s = ParseFormInto(query, unlimited, split.query);
  if (!s.ok()) return s.WithContext("oauth: " + std::string(url));
  return split;
}

std::string SignatureBaseString(std::string_view method, std::string_view base_url,
                                const ParamList& params) {
  std::string out = AsciiUpper(method);
  out.push_back('&');
  out += PercentEncode(base_url);
  out.push_back('&');
  out += PercentEncode(NormalizeParameters(params));
  return out;
}

std::string HmacSha1Signature(std::string_view base_string, std::string_view consumer_secret,
                              std::string_view token_secret) {
  const std::string key = PercentEncode(consumer_secret) + "&" + PercentEncode(token_secret);
  Poco::HMACEngine<Poco::SHA1Engine> hmac(key);
  hmac.update(base_string.data(), static_cast<unsigned>(base_string.size()));
  const Poco::DigestEngine::Digest& digest = hmac.digest();
  std::ostringstream out;
  {
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);
    encoder.write(reinterpret_cast<const char*>(digest.data()),
                  static_cast<std::streamsize>(digest.size()));
    encoder.close();
  }
  return out.str();
}

Result<SignedRequest> SignRequest(const OAuthRequestParts& parts,
                                  const OAuthCredentials& credentials, std::string_view nonce,
                                  int64_t timestamp) {
  SignedRequest signed_request;
  signed_request.method = AsciiUpper(parts.method);
  if (signed_request.method != "GET" && signed_request.method != "POST") {
    return Status::InvalidArgument("oauth: method " + parts.method + " is neither GET nor POST");
  }
  if (nonce.empty()) return Status::InvalidArgument("oauth: empty nonce");
  for (const Param& p : parts.params) {
    if (IsOAuthName(p.name) && p.name != "oauth_callback") {
      return Status::InvalidArgument("oauth: " + p.name + " is set by SignRequest itself");
    }
  }
  Result<SplitUrl> split = SplitRequestUrl(parts.endpoint_url);
  if (!split.ok()) return split.status();

  ParamList& params = signed_request.params;
  params.push_back({"oauth_version", std::string(kOAuthVersion)});
  params.push_back({"oauth_nonce", std::string(nonce)});
  params.push_back({"oauth_timestamp", std::to_string(timestamp)});
  params.push_back({"oauth_consumer_key", credentials.consumer_key});
  params.insert(params.end(), split->query.begin(), split->query.end());
  if (!credentials.token.empty()) params.push_back({"oauth_token", credentials.token});
  params.insert(params.end(), parts.params.begin(), parts.params.end());
  params.push_back({"oauth_signature_method", std::string(kHmacSha1)});

  signed_request.base_string = SignatureBaseString(signed_request.method, split->base, params);
  params.push_back(
      {"oauth_signature", HmacSha1Signature(signed_request.base_string, credentials.consumer_secret,
                                            credentials.token_secret)});
  if (signed_request.method == "POST") {
    signed_request.url = split->base;
    signed_request.body = FormEncode(params);
  } else {
    signed_request.url = split->base + "?" + FormEncode(params);
  }
  return signed_request;
}

Result<ParamList> ParseFormEncoded(std::string_view s, const ParamLimits& limits) {
  ParamList out;
  Status status = ParseFormInto(s, limits, out);
  if (!status.ok()) return status;
  return out;
}

Result<ParamList> ParseAuthorizationHeader(std::string_view header, const ParamLimits& limits) {
  std::string_view s = Trim(header, kHttpWhitespace);
  const auto bad = [](std::string_view why) {
    return Status::InvalidArgument("oauth: Authorization header: " + std::string(why));
  };
  if (s.size() < 5 || !StartsWithIgnoreAsciiCase(s, "OAuth") ||
      (s.size() > 5 && s[5] != ' ' && s[5] != '\t')) {
    return bad("not the OAuth scheme");
  }
  s = Trim(s.substr(5), kHttpWhitespace);
  ParamList out;
  while (!s.empty()) {
    const size_t eq = s.find('=');
    if (eq == std::string_view::npos) return bad("a parameter without '='");
    const std::string_view raw_name = Trim(s.substr(0, eq), kHttpWhitespace);
    s = Trim(s.substr(eq + 1), kHttpWhitespace);
    if (s.empty() || s.front() != '"') return bad("an unquoted value");
    const size_t close = s.find('"', 1);
    if (close == std::string_view::npos) return bad("an unterminated value");
    const std::string_view raw_value = s.substr(1, close - 1);
    s = Trim(s.substr(close + 1), kHttpWhitespace);
    if (!s.empty()) {
      if (s.front() != ',') return bad("parameters not separated by ','");
      s = Trim(s.substr(1), kHttpWhitespace);
    }
    if (raw_name.empty()) return bad("an empty parameter name");
    Result<std::string> name = PercentDecode(raw_name, /*plus_is_space=*/false);
    if (!name.ok()) return name.status();
    if (*name == "realm") continue;
    Result<std::string> value = PercentDecode(raw_value, /*plus_is_space=*/false);
    if (!value.ok()) return value.status();
    Status status = AppendParam(std::move(*name), std::move(*value), limits, out);
    if (!status.ok()) return status;
  }
  return out;
}

Result<ParamList> CollectRequestParams(std::string_view query, std::string_view form_body,
                                       std::string_view authorization_header,
                                       const ParamLimits& limits) {
  ParamList out;
  Status status = ParseFormInto(query, limits, out);
  if (!status.ok()) return status.WithContext("query");
  status = ParseFormInto(form_body, limits, out);
  if (!status.ok()) return status.WithContext("body");
  if (!Trim(authorization_header, kHttpWhitespace).empty()) {
    Result<ParamList> header = ParseAuthorizationHeader(authorization_header, limits);
    if (!header.ok()) return header.status();
    for (Param& p : *header) {
      status = AppendParam(std::move(p.name), std::move(p.value), limits, out);
      if (!status.ok()) return status;
    }
  }
  std::vector<std::string_view> oauth_names;
  for (const Param& p : out) {
    if (IsOAuthName(p.name)) oauth_names.push_back(p.name);
  }
  std::sort(oauth_names.begin(), oauth_names.end());
  const auto dup = std::adjacent_find(oauth_names.begin(), oauth_names.end());
  if (dup != oauth_names.end()) {
    return Status::InvalidArgument("oauth: duplicate parameter " + std::string(*dup));
  }
  return out;
}

Result<OAuthProtocolParams> ReadOAuthParams(const ParamList& params) {
  const auto required = [&](std::string_view name) -> Result<std::string> {
    const std::string* v = FindParam(params, name);
    if (v == nullptr || v->empty()) {
      return Status::InvalidArgument("oauth: missing " + std::string(name));
    }
    return *v;
  };
  const std::string* method = FindParam(params, "oauth_signature_method");
  if (method == nullptr) {
    return Status::InvalidArgument("oauth: no oauth_signature_method (PLAINTEXT is not accepted)");
  }
  if (*method != kHmacSha1) {
    return Status::InvalidArgument("oauth: unsupported signature method " + *method);
  }
  const std::string* version = FindParam(params, "oauth_version");
  if (version != nullptr && *version != kOAuthVersion) {
    return Status::InvalidArgument("oauth: unsupported oauth_version " + *version);
  }
  OAuthProtocolParams out;
  for (const auto& [name, field] :
       {std::pair<std::string_view, std::string*>{"oauth_consumer_key", &out.consumer_key},
        {"oauth_signature", &out.signature},
        {"oauth_nonce", &out.nonce}}) {
    Result<std::string> v = required(name);
    if (!v.ok()) return v.status();
    *field = std::move(*v);
  }
  if (out.nonce.size() > kMaxNonceBytes) {
    return Status::InvalidArgument("oauth: oauth_nonce over " + std::to_string(kMaxNonceBytes) +
                                   " bytes");
  }
  Result<std::string> ts = required("oauth_timestamp");
  if (!ts.ok()) return ts.status();
  const auto [end, ec] = std::from_chars(ts->data(), ts->data() + ts->size(), out.timestamp);
  if (ec != std::errc() || end != ts->data() + ts->size() || out.timestamp < 0) {
    return Status::InvalidArgument("oauth: oauth_timestamp " + *ts + " is not a Unix time");
  }
  if (const std::string* token = FindParam(params, "oauth_token")) out.token = *token;
  if (const std::string* callback = FindParam(params, "oauth_callback")) out.callback = *callback;
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = static_cast<unsigned char>(
        diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
  }
  return diff == 0;
}

Status VerifyRequest(const ReceivedRequest& request, const OAuthProtocolParams& oauth,
                     std::string_view consumer_secret, std::string_view token_secret, int64_t now,
                     NonceChecker& nonces) {
  if (now - oauth.timestamp > kMaxTimestampSkewSeconds) {
    return Status::Unauthenticated("oauth: stale timestamp " + std::to_string(oauth.timestamp) +
                                   " (now " + std::to_string(now) + ")");
  }
  if (oauth.timestamp - now > kMaxTimestampSkewSeconds) {
    return Status::Unauthenticated("oauth: timestamp " + std::to_string(oauth.timestamp) +
                                   " in the future (now " + std::to_string(now) + ")");
  }
  Result<SplitUrl> split = SplitRequestUrl(request.endpoint_url);
  if (!split.ok()) return split.status();
  const std::string base = SignatureBaseString(request.method, split->base, request.params);
  const std::string expected = HmacSha1Signature(base, consumer_secret, token_secret);
  if (!ConstantTimeEquals(expected, oauth.signature)) {
    return Status::Unauthenticated("oauth: bad signature for " + split->base);
  }
  return nonces.CheckAndRemember(oauth.consumer_key, oauth.token, oauth.timestamp, oauth.nonce);
}

}  // namespace feedbridge::omb
