#include "omb/messages.h"

#include <algorithm>
#include <array>

#include "common/ascii.h"
#include "common/nickname.h"
#include "common/utf8.h"

namespace feedbridge::omb {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsUnreserved(char c) {
  return IsAlpha(c) || IsDigit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
// Sub-delimiters and the rest PEAR's path allows, besides unreserved and %HH.
bool IsPathExtra(char c) {
  return std::string_view("/!*'()&=+$,;:@").find(c) != std::string_view::npos;
}
// What the strict rule leaves of the sub-delimiters in a query or fragment.
bool IsQueryExtra(char c) { return std::string_view("!*'()&=+").find(c) != std::string_view::npos; }

// True when s[i] starts a %HH escape.
bool IsEscapeAt(std::string_view s, size_t i) {
  return s[i] == '%' && i + 2 < s.size() && IsHex(s[i + 1]) && IsHex(s[i + 2]);
}

bool PartOk(std::string_view part, bool (*extra)(char)) {
  for (size_t i = 0; i < part.size(); ++i) {
    const char c = part[i];
    if (c == '%') {
      if (!IsEscapeAt(part, i)) return false;
      i += 2;
    } else if (!IsUnreserved(c) && !extra(c)) {
      return false;
    }
  }
  return true;
}

bool HostOk(std::string_view host) {
  if (host.empty()) return false;
  // Dotted IPv4.
  if (std::all_of(host.begin(), host.end(), [](char c) { return IsDigit(c) || c == '.'; })) {
    int parts = 0;
    size_t start = 0;
    while (start <= host.size()) {
      const size_t dot = std::min(host.find('.', start), host.size());
      const std::string_view octet = host.substr(start, dot - start);
      if (octet.empty() || octet.size() > 3) return false;
      int value = 0;
      for (const char c : octet) value = value * 10 + (c - '0');
      if (value > 255) return false;
      ++parts;
      start = dot + 1;
    }
    return parts == 4;
  }
  std::string_view last;
  size_t start = 0;
  while (start <= host.size()) {
    const size_t dot = std::min(host.find('.', start), host.size());
    const std::string_view label = host.substr(start, dot - start);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (const char c : label) {
      if (!IsAlpha(c) && !IsDigit(c) && c != '-') return false;
    }
    last = label;
    start = dot + 1;
  }
  return std::all_of(last.begin(), last.end(), IsAlpha);
}

struct UrlParts {
  std::string_view scheme_and_authority;  // "http://host:port"
  std::string_view host;
  std::string_view port;
  std::string_view path;
  std::string_view query;     // Without '?'.
  std::string_view fragment;  // Without '#'.
  bool has_query = false;
  bool has_fragment = false;
  bool has_userinfo = false;
};

std::optional<UrlParts> SplitHttpUrl(std::string_view url) {
  UrlParts p;
  size_t after_scheme;
  if (url.starts_with("http://")) {
    after_scheme = 7;
  } else if (url.starts_with("https://")) {
    after_scheme = 8;
  } else {
    return std::nullopt;
  }
  const size_t authority_end = std::min(url.find_first_of("/?#", after_scheme), url.size());
  p.scheme_and_authority = url.substr(0, authority_end);
  std::string_view authority = url.substr(after_scheme, authority_end - after_scheme);
  p.has_userinfo = authority.find('@') != std::string_view::npos;
  const size_t colon = authority.find(':');
  p.host = authority.substr(0, colon);
  if (colon != std::string_view::npos) p.port = authority.substr(colon + 1);
  std::string_view rest = url.substr(authority_end);
  const size_t hash = rest.find('#');
  if (hash != std::string_view::npos) {
    p.has_fragment = true;
    p.fragment = rest.substr(hash + 1);
    rest = rest.substr(0, hash);
  }
  const size_t question = rest.find('?');
  if (question != std::string_view::npos) {
    p.has_query = true;
    p.query = rest.substr(question + 1);
    rest = rest.substr(0, question);
  }
  p.path = rest;
  return p;
}

void AppendEncoded(std::string_view part, bool (*extra)(char), std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < part.size(); ++i) {
    const char c = part[i];
    if ((c == '%' && IsEscapeAt(part, i)) || IsUnreserved(c) || (c != '%' && extra(c))) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[static_cast<unsigned char>(c) >> 4]);
      out.push_back(kHex[static_cast<unsigned char>(c) & 0xF]);
    }
  }
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); i += DecodeUtf8(s, i).length) ++n;
  return n;
}

Status Invalid(std::string_view param, std::string_view why) {
  return Status::InvalidArgument("omb: " + std::string(param) + ": " + std::string(why));
}

Status CheckText(std::string_view param, std::string_view value, size_t max_bytes) {
  if (!IsWellFormedUtf8(value)) return Invalid(param, "not UTF-8");
  if (value.size() > max_bytes) {
    return Invalid(param, "over " + std::to_string(max_bytes) + " bytes");
  }
  return Status::Ok();
}

// An optional URL field: empty passes unless `required`.
Status CheckUrl(std::string_view param, std::string_view value, bool required) {
  if (value.empty()) return required ? Invalid(param, "missing") : Status::Ok();
  if (value.size() > kMaxUriBytes) {
    return Invalid(param, "over " + std::to_string(kMaxUriBytes) + " bytes");
  }
  if (!PassesStrictUriRule(value)) {
    return Invalid(param, "not an http(s) URL peers accept: " + std::string(value));
  }
  return Status::Ok();
}

Status CheckBio(std::string_view param, std::string_view bio) {
  if (!IsWellFormedUtf8(bio)) return Invalid(param, "not UTF-8");
  if (CodePoints(bio) > kMaxBioLength) {
    return Invalid(param, "over " + std::to_string(kMaxBioLength) + " characters");
  }
  if (bio.size() > kMaxBioLength) {
    return Invalid(param, "over " + std::to_string(kMaxBioLength) + " bytes");
  }
  return Status::Ok();
}

Status CheckNickname(std::string_view param, std::string_view nickname) {
  if (!IsValidNickname(nickname)) return Invalid(param, "not [0-9a-z]{1,64}");
  return Status::Ok();
}

Status CheckVersion(const ParamList& params) {
  const std::string* version = FindParam(params, "omb_version");
  if (version == nullptr) return Invalid("omb_version", "missing");
  if (*version != kOmbVersion) return Invalid("omb_version", "wrong OMB version " + *version);
  return Status::Ok();
}

std::string Get(const ParamList& params, std::string_view name) {
  const std::string* v = FindParam(params, name);
  return v == nullptr ? std::string() : *v;
}

// The profile fields as (suffix, member) pairs, in the order StatusNet's updateProfile sends
// them after omb_listenee.
constexpr std::array<std::pair<std::string_view, std::string ListeneeProfile::*>, 8>
    kProfileFields = {{{"_profile", &ListeneeProfile::profile},
                       {"_nickname", &ListeneeProfile::nickname},
                       {"_license", &ListeneeProfile::license},
                       {"_fullname", &ListeneeProfile::fullname},
                       {"_homepage", &ListeneeProfile::homepage},
                       {"_bio", &ListeneeProfile::bio},
                       {"_location", &ListeneeProfile::location},
                       {"_avatar", &ListeneeProfile::avatar}}};

// Validates one profile field by its suffix; `value` non-empty or required.
Status CheckProfileField(std::string_view param, std::string_view suffix, std::string_view value) {
  if (suffix == "_nickname") return CheckNickname(param, value);
  if (suffix == "_bio") return CheckBio(param, value);
  if (suffix == "_fullname" || suffix == "_location") return CheckText(param, value, kMaxUriBytes);
  return CheckUrl(param, value, /*required=*/false);
}

}  // namespace

bool PassesStrictUriRule(std::string_view url) {
  const std::optional<UrlParts> p = SplitHttpUrl(url);
  if (!p || p->has_userinfo || !HostOk(p->host)) return false;
  if (!std::all_of(p->port.begin(), p->port.end(), IsDigit)) return false;
  if (!PartOk(p->path, IsPathExtra)) return false;
  if (!PartOk(p->query, IsQueryExtra) || !PartOk(p->fragment, IsQueryExtra)) return false;
  return true;
}

Result<std::string> EncodeForStrictUri(std::string_view url) {
  const std::optional<UrlParts> p = SplitHttpUrl(url);
  if (!p) return Status::InvalidArgument("omb: " + std::string(url) + ": not an http(s) URL");
  std::string out(p->scheme_and_authority);
  AppendEncoded(p->path, IsPathExtra, out);
  if (p->has_query) {
    out.push_back('?');
    AppendEncoded(p->query, IsQueryExtra, out);
  }
  if (p->has_fragment) {
    out.push_back('#');
    AppendEncoded(p->fragment, IsQueryExtra, out);
  }
  if (!PassesStrictUriRule(out)) {
    return Status::InvalidArgument("omb: " + std::string(url) +
                                   ": its scheme, user info or host fails Validate::uri");
  }
  return out;
}

Status ValidateProfile(const ListeneeProfile& profile, bool require_license) {
  Status s = CheckUrl("omb_listenee", profile.uri, /*required=*/true);
  if (!s.ok()) return s;
  s = CheckUrl("omb_listenee_profile", profile.profile, /*required=*/true);
  if (!s.ok()) return s;
  s = CheckUrl("omb_listenee_license", profile.license, require_license);
  if (!s.ok()) return s;
  for (const auto& [suffix, member] : kProfileFields) {
    const std::string& value = profile.*member;
    if (value.empty() && suffix != "_nickname") continue;
    s = CheckProfileField("omb_listenee" + std::string(suffix), suffix, value);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Result<ParamList> AuthorizeParams(const AuthorizeRequest& request) {
  Status s = CheckUrl("omb_listener", request.listener, /*required=*/true);
  if (!s.ok()) return s;
  s = ValidateProfile(request.listenee);
  if (!s.ok()) return s;
  s = CheckUrl("oauth_callback", request.callback, /*required=*/false);
  if (!s.ok()) return s;
  const ListeneeProfile& l = request.listenee;
  ParamList out = {{"omb_version", std::string(kOmbVersion)},
                   {"omb_listener", request.listener},
                   {"omb_listenee", l.uri},
                   {"omb_listenee_profile", l.profile},
                   {"omb_listenee_nickname", l.nickname},
                   {"omb_listenee_license", l.license}};
  for (const auto& [suffix, member] :
       {std::pair<std::string_view, const std::string*>{"_fullname", &l.fullname},
        {"_homepage", &l.homepage},
        {"_bio", &l.bio},
        {"_location", &l.location},
        {"_avatar", &l.avatar}}) {
    if (!member->empty()) out.push_back({"omb_listenee" + std::string(suffix), *member});
  }
  if (!request.callback.empty()) out.push_back({"oauth_callback", request.callback});
  return out;
}

Result<AuthorizeRequest> ParseAuthorizeParams(const ParamList& params) {
  Status s = CheckVersion(params);
  if (!s.ok()) return s;
  AuthorizeRequest r;
  r.listener = Get(params, "omb_listener");
  r.listenee.uri = Get(params, "omb_listenee");
  for (const auto& [suffix, member] : kProfileFields) {
    r.listenee.*member = Get(params, "omb_listenee" + std::string(suffix));
  }
  r.callback = Get(params, "oauth_callback");
  s = CheckUrl("omb_listener", r.listener, /*required=*/true);
  if (!s.ok()) return s;
  s = ValidateProfile(r.listenee);
  if (!s.ok()) return s;
  s = CheckUrl("oauth_callback", r.callback, /*required=*/false);
  if (!s.ok()) return s;
  return r;
}

Status ValidatePostNotice(const PostNotice& n) {
  Status s = CheckUrl("omb_listenee", n.listenee, /*required=*/true);
  if (!s.ok()) return s;
  s = CheckUrl("omb_notice", n.notice, /*required=*/true);
  if (!s.ok()) return s;
  if (n.content.empty()) return Invalid("omb_notice_content", "missing");
  if (!IsWellFormedUtf8(n.content)) return Invalid("omb_notice_content", "not UTF-8");
  for (const auto& [name, value] :
       {std::pair<std::string_view, const std::string*>{"omb_notice_url", &n.url},
        {"omb_notice_license", &n.license},
        {"omb_seealso", &n.seealso},
        {"omb_seealso_license", &n.seealso_license}}) {
    s = CheckUrl(name, *value, /*required=*/false);
    if (!s.ok()) return s;
  }
  if (n.seealso.empty() && (!n.seealso_disposition.empty() || !n.seealso_mediatype.empty() ||
                            !n.seealso_license.empty())) {
    return Invalid("omb_seealso", "missing, while other omb_seealso_* are set");
  }
  if (!n.seealso_disposition.empty() && n.seealso_disposition != "link" &&
      n.seealso_disposition != "inline") {
    return Invalid("omb_seealso_disposition", "neither link nor inline");
  }
  return CheckText("omb_seealso_mediatype", n.seealso_mediatype, kMaxUriBytes);
}

Result<ParamList> PostNoticeParams(const PostNotice& n) {
  Status s = ValidatePostNotice(n);
  if (!s.ok()) return s;
  ParamList out = {{"omb_version", std::string(kOmbVersion)},
                   {"omb_listenee", n.listenee},
                   {"omb_notice", n.notice},
                   {"omb_notice_content", n.content}};
  for (const auto& [name, value] :
       {std::pair<std::string_view, const std::string*>{"omb_notice_url", &n.url},
        {"omb_notice_license", &n.license},
        {"omb_seealso", &n.seealso},
        {"omb_seealso_disposition", &n.seealso_disposition},
        {"omb_seealso_mediatype", &n.seealso_mediatype},
        {"omb_seealso_license", &n.seealso_license}}) {
    if (!value->empty()) out.push_back({std::string(name), *value});
  }
  return out;
}

Result<PostNotice> ParsePostNotice(const ParamList& params) {
  Status s = CheckVersion(params);
  if (!s.ok()) return s;
  PostNotice n{.listenee = Get(params, "omb_listenee"),
               .notice = Get(params, "omb_notice"),
               .content = Get(params, "omb_notice_content"),
               .url = Get(params, "omb_notice_url"),
               .license = Get(params, "omb_notice_license"),
               .seealso = Get(params, "omb_seealso"),
               .seealso_disposition = Get(params, "omb_seealso_disposition"),
               .seealso_mediatype = Get(params, "omb_seealso_mediatype"),
               .seealso_license = Get(params, "omb_seealso_license")};
  s = ValidatePostNotice(n);
  if (!s.ok()) return s;
  return n;
}

Result<ParamList> UpdateProfileParams(const ListeneeProfile& profile) {
  Status s = ValidateProfile(profile);
  if (!s.ok()) return s;
  ParamList out = {{"omb_version", std::string(kOmbVersion)}, {"omb_listenee", profile.uri}};
  for (const auto& [suffix, member] : kProfileFields) {
    out.push_back({"omb_listenee" + std::string(suffix), profile.*member});
  }
  return out;
}

Result<ProfileUpdate> ParseUpdateProfile(const ParamList& params) {
  Status s = CheckVersion(params);
  if (!s.ok()) return s;
  ProfileUpdate u;
  u.listenee = Get(params, "omb_listenee");
  s = CheckUrl("omb_listenee", u.listenee, /*required=*/true);
  if (!s.ok()) return s;
  const std::array<std::optional<std::string>*, 8> targets = {&u.profile,  &u.nickname, &u.license,
                                                              &u.fullname, &u.homepage, &u.bio,
                                                              &u.location, &u.avatar};
  for (size_t i = 0; i < kProfileFields.size(); ++i) {
    const std::string_view suffix = kProfileFields[i].first;
    const std::string name = "omb_listenee" + std::string(suffix);
    const std::string* value = FindParam(params, name);
    if (value == nullptr) continue;
    if (value->empty() && (suffix == "_nickname" || suffix == "_profile")) {
      return Invalid(name, "cannot be blank");
    }
    if (!value->empty()) {
      s = CheckProfileField(name, suffix, *value);
      if (!s.ok()) return s;
    }
    *targets[i] = *value;
  }
  return u;
}

Result<TokenReply> ParseTokenReply(std::string_view body) {
  Result<ParamList> params = ParseFormEncoded(Trim(body));
  if (!params.ok()) return params.status().WithContext("omb: token reply");
  TokenReply reply{.token = Get(*params, "oauth_token"),
                   .secret = Get(*params, "oauth_token_secret")};
  for (const auto& [name, value] :
       {std::pair<std::string_view, const std::string*>{"oauth_token", &reply.token},
        {"oauth_token_secret", &reply.secret}}) {
    if (value->empty()) return Invalid(name, "missing from the token reply");
    if (value->size() > kMaxTokenBytes) {
      return Invalid(name, "over " + std::to_string(kMaxTokenBytes) + " bytes");
    }
  }
  return reply;
}

std::string TokenReplyBody(const TokenReply& reply) {
  return FormEncode({{"oauth_token", reply.token},
                     {"oauth_token_secret", reply.secret},
                     {"omb_version", std::string(kOmbVersion)}});
}

Result<AuthorizeCallback> ParseAuthorizeCallback(const ParamList& params) {
  AuthorizeCallback cb;
  cb.token = Get(params, "oauth_token");
  if (cb.token.empty()) {
    return Status::PermissionDenied("omb: the listener's service rejected the subscription");
  }
  Status s = CheckVersion(params);
  if (!s.ok()) return s;
  ListeneeProfile& l = cb.listener;
  l.uri = Get(params, "omb_listener");
  for (const auto& [suffix, member] : kProfileFields) {
    l.*member = Get(params, "omb_listener" + std::string(suffix));
  }
  // StatusNet 0.9 allows [0-9a-zA-Z]{1,64}: the common rule on the lower-cased name is that.
  if (!IsValidNickname(AsciiLower(l.nickname))) {
    return Invalid("omb_listener_nickname", "not [0-9a-zA-Z]{1,64}");
  }
  s = CheckUrl("omb_listener", l.uri, /*required=*/false);
  if (!s.ok()) return s;
  s = CheckUrl("omb_listener_profile", l.profile, /*required=*/true);
  if (!s.ok()) return s;
  for (const auto& [suffix, member] : kProfileFields) {
    const std::string& value = l.*member;
    if (value.empty() || suffix == "_nickname") continue;
    s = CheckProfileField("omb_listener" + std::string(suffix), suffix, value);
    if (!s.ok()) return s;
  }
  return cb;
}

bool IsOmbSuccessBody(std::string_view body) {
  if (body.find(kOmbSuccessBody) != std::string_view::npos) return true;
  Result<ParamList> params = ParseFormEncoded(Trim(body));
  if (!params.ok()) return false;
  const std::string* version = FindParam(*params, "omb_version");
  return version != nullptr && *version == kOmbVersion;
}

bool IsDuplicateNoticeBody(std::string_view body) {
  constexpr std::string_view kNeedle = "duplicate notice";
  if (body.size() < kNeedle.size()) return false;
  for (size_t i = 0; i + kNeedle.size() <= body.size(); ++i) {
    if (EqualsIgnoreAsciiCase(body.substr(i, kNeedle.size()), kNeedle)) return true;
  }
  return false;
}

OmbReply ClassifyOmbReply(int http_status, std::string_view body) {
  if (http_status == 200 && IsOmbSuccessBody(body)) return OmbReply::kDelivered;
  if (http_status == 500 && IsDuplicateNoticeBody(body)) return OmbReply::kDelivered;
  if (http_status == 403) return OmbReply::kSubscriptionGone;
  return OmbReply::kRetryLater;
}

}  // namespace feedbridge::omb
