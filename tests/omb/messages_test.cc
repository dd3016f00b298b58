#include "omb/messages.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "tests/support/status_matchers.h"

namespace feedbridge::omb {
namespace {

using ::feedbridge::testing::StatusIs;
using ::testing::HasSubstr;

ListeneeProfile ExampleBlog() {
  return {.uri = "http://bridge.example.org/user/7",
          .profile = "http://bridge.example.org/exampleblog",
          .nickname = "exampleblog",
          .license = std::string(kDefaultLicense),
          .fullname = "Example Blog",
          .homepage = "http://blog.example.com/"};
}

TEST(StrictUriRuleTest, Table) {
  const std::tuple<const char*, bool> cases[] = {
      {"http://identi.example/index.php?action=postnotice", true},
      {"https://bridge.example.org/notice/1001", true},
      {"http://blog.example.com/2009/01/hello", true},
      {"http://127.0.0.1:8080/omb/7/postnotice", true},
      {"http://localhost/", true},
      {"http://ex.org", true},
      {"http://ex.org/a%20b?x=a%2Fb&y=1+2#frag", true},
      {"http://ex.org/p;q:r@s,t$u!v*w'x(y)z", true},  // Allowed in a path.
      {"http://ex.org/?url=http%3A%2F%2Fx", true},
      {"http://ex.org/?url=http://x", false},  // §8 item 2's own example.
      {"http://ex.org/?a=b;c", false},
      {"http://ex.org/?a=b,c", false},
      {"http://ex.org/?a=b$c", false},
      {"http://ex.org/?a=b@c", false},
      {"http://ex.org/?a=b?c", false},
      {"http://ex.org/#a/b", false},
      {"http://ex.org/caf\xC3\xA9", false},  // Non-ASCII in the path.
      {"http://ex.org/a b", false},
      {"http://ex.org/a%2", false},
      {"http://ex.org/a%zz", false},
      {"tag:example.org,2008:user:1", false},
      {"urn:uuid:1234", false},
      {"ftp://ex.org/", false},
      {"HTTP://ex.org/", false},
      {"http://user@ex.org/", false},
      {"http://ex.123/", false},  // The last label must be alphabetic.
      {"http://-ex.org/", false},
      {"http://ex..org/", false},
      {"http://ex_ample.org/", false},
      {"http://256.1.1.1/", false},
      {"http://1.2.3/", false},
      {"http://[::1]/", false},
      {"http://ex.org:8a/", false},
      {"http:/ex.org/", false},
      {"", false},
  };
  for (const auto& [url, passes] : cases) {
    SCOPED_TRACE(url);
    EXPECT_EQ(PassesStrictUriRule(url), passes);
  }
}

TEST(EncodeForStrictUriTest, MakesPermalinksPass) {
  const std::tuple<const char*, const char*> cases[] = {
      {"http://blog.example.com/2009/01/hello", "http://blog.example.com/2009/01/hello"},
      {"http://ex.org/?url=http://x&p=a;b,c", "http://ex.org/?url=http%3A%2F%2Fx&p=a%3Bb%2Cc"},
      {"https://ex.org/caf\xC3\xA9 1?q=caf\xC3\xA9", "https://ex.org/caf%C3%A9%201?q=caf%C3%A9"},
      {"http://ex.org/a%20b?x=%41%zz", "http://ex.org/a%20b?x=%41%25zz"},
      {"http://ex.org/p#sec/2", "http://ex.org/p#sec%2F2"},
  };
  for (const auto& [in, out] : cases) {
    SCOPED_TRACE(in);
    Result<std::string> r = EncodeForStrictUri(in);
    ASSERT_OK(r);
    EXPECT_EQ(*r, out);
    EXPECT_TRUE(PassesStrictUriRule(*r));
  }
  for (const char* bad : {"ftp://ex.org/", "http://user@ex.org/", "http://[::1]/x",
                          "http://b\xC3\xBC\x63her.example/"}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(EncodeForStrictUri(bad), StatusIs(Status::Code::kInvalidArgument));
  }
}

// One row per rule a field must meet; each profile differs from a valid one in one field.
TEST(ValidateProfileTest, Table) {
  EXPECT_OK(ValidateProfile(ExampleBlog()));
  const std::string max_url = "http://ex.org/" + std::string(kMaxUriBytes - 14, 'a');
  ASSERT_EQ(max_url.size(), kMaxUriBytes);
  struct Row {
    const char* name;
    void (*mutate)(ListeneeProfile&);
    const char* param;  // nullptr: valid.
  };
  const Row rows[] = {
      {"uri missing", [](ListeneeProfile& p) { p.uri.clear(); }, "omb_listenee:"},
      {"tag uri", [](ListeneeProfile& p) { p.uri = "tag:ex.org,2008:user:1"; }, "omb_listenee:"},
      {"uri 256 bytes",
       [](ListeneeProfile& p) { p.uri = "http://ex.org/" + std::string(kMaxUriBytes - 13, 'a'); },
       "omb_listenee:"},
      {"uri 255 bytes",
       [](ListeneeProfile& p) { p.uri = "http://ex.org/" + std::string(kMaxUriBytes - 14, 'a'); },
       nullptr},
      {"profile missing", [](ListeneeProfile& p) { p.profile.clear(); }, "omb_listenee_profile"},
      {"profile strict query", [](ListeneeProfile& p) { p.profile = "http://ex.org/?u=http://x"; },
       "omb_listenee_profile"},
      {"nickname upper", [](ListeneeProfile& p) { p.nickname = "Example"; },
       "omb_listenee_nickname"},
      {"nickname underscore", [](ListeneeProfile& p) { p.nickname = "ex_blog"; },
       "omb_listenee_nickname"},
      {"nickname empty", [](ListeneeProfile& p) { p.nickname.clear(); }, "omb_listenee_nickname"},
      {"nickname 65", [](ListeneeProfile& p) { p.nickname = std::string(65, 'a'); },
       "omb_listenee_nickname"},
      {"nickname 64", [](ListeneeProfile& p) { p.nickname = std::string(64, 'a'); }, nullptr},
      {"license missing", [](ListeneeProfile& p) { p.license.clear(); }, "omb_listenee_license"},
      {"fullname 256 bytes", [](ListeneeProfile& p) { p.fullname = std::string(256, 'a'); },
       "omb_listenee_fullname"},
      {"fullname 255 bytes", [](ListeneeProfile& p) { p.fullname = std::string(255, 'a'); },
       nullptr},
      // 128 two-byte characters: 128 characters but 256 bytes (libomb counts bytes).
      {"fullname 256 bytes of 128 characters",
       [](ListeneeProfile& p) {
         p.fullname.clear();
         for (int i = 0; i < 128; ++i) p.fullname += "\xC3\xA9";
       },
       "omb_listenee_fullname"},
      {"fullname not utf-8", [](ListeneeProfile& p) { p.fullname = "a\xFF"; },
       "omb_listenee_fullname"},
      {"bio 141 characters", [](ListeneeProfile& p) { p.bio = std::string(141, 'a'); },
       "140 characters"},
      {"bio 140 characters", [](ListeneeProfile& p) { p.bio = std::string(140, 'a'); }, nullptr},
      // 71 characters, 142 bytes: fine for Laconica's mb_strlen, too long for libomb's strlen.
      {"bio 71 characters 142 bytes",
       [](ListeneeProfile& p) {
         p.bio.clear();
         for (int i = 0; i < 71; ++i) p.bio += "\xC3\xA9";
       },
       "140 bytes"},
      {"location 256", [](ListeneeProfile& p) { p.location = std::string(256, 'a'); },
       "omb_listenee_location"},
      {"homepage bad", [](ListeneeProfile& p) { p.homepage = "javascript:alert(1)"; },
       "omb_listenee_homepage"},
      {"avatar bad", [](ListeneeProfile& p) { p.avatar = "http://ex.org/a b.png"; },
       "omb_listenee_avatar"},
      {"avatar ok", [](ListeneeProfile& p) { p.avatar = "http://ex.org/a.png"; }, nullptr},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    ListeneeProfile p = ExampleBlog();
    row.mutate(p);
    if (row.param == nullptr) {
      EXPECT_OK(ValidateProfile(p));
    } else {
      EXPECT_THAT(ValidateProfile(p),
                  StatusIs(Status::Code::kInvalidArgument, HasSubstr(row.param)));
    }
  }
  ListeneeProfile no_license = ExampleBlog();
  no_license.license.clear();
  EXPECT_OK(ValidateProfile(no_license, /*require_license=*/false));
}

TEST(AuthorizeParamsTest, VectorOrderAndRoundTrip) {
  const AuthorizeRequest request{.listener = "http://identi.example/user/42",
                                 .listenee = ExampleBlog(),
                                 .callback = "http://bridge.example.org/omb/finishsubscribe"};
  Result<ParamList> params = AuthorizeParams(request);
  ASSERT_OK(params);
  // omb-0.1.md §7.6's authorize vector: the same parameters in the same order (empty bio,
  // location and avatar are left out).
  EXPECT_EQ(*params,
            (ParamList{{"omb_version", "http://openmicroblogging.org/protocol/0.1"},
                       {"omb_listener", "http://identi.example/user/42"},
                       {"omb_listenee", "http://bridge.example.org/user/7"},
                       {"omb_listenee_profile", "http://bridge.example.org/exampleblog"},
                       {"omb_listenee_nickname", "exampleblog"},
                       {"omb_listenee_license", "http://creativecommons.org/licenses/by/3.0/"},
                       {"omb_listenee_fullname", "Example Blog"},
                       {"omb_listenee_homepage", "http://blog.example.com/"},
                       {"oauth_callback", "http://bridge.example.org/omb/finishsubscribe"}}));
  ParamList received = *params;
  received.insert(received.begin(), {"oauth_token", "t"});  // Extra parameters are ignored.
  Result<AuthorizeRequest> back = ParseAuthorizeParams(received);
  ASSERT_OK(back);
  EXPECT_EQ(*back, request);
}

TEST(AuthorizeParamsTest, Rejects) {
  AuthorizeRequest request{.listener = "tag:x,2008:1", .listenee = ExampleBlog()};
  EXPECT_THAT(AuthorizeParams(request),
              StatusIs(Status::Code::kInvalidArgument, HasSubstr("omb_listener")));
  request.listener = "http://identi.example/user/42";
  request.callback = "http://ex.org/?u=http://x";
  EXPECT_THAT(AuthorizeParams(request),
              StatusIs(Status::Code::kInvalidArgument, HasSubstr("oauth_callback")));
  request.callback.clear();
  ParamList params = *AuthorizeParams(request);
  params[0].value = "http://openmicroblogging.org/protocol/0.2";
  EXPECT_THAT(ParseAuthorizeParams(params),
              StatusIs(Status::Code::kInvalidArgument, HasSubstr("wrong OMB version")));
  params.erase(params.begin());
  EXPECT_THAT(ParseAuthorizeParams(params),
              StatusIs(Status::Code::kInvalidArgument, HasSubstr("omb_version")));
}

PostNotice ExampleNotice() {
  return {.listenee = "http://bridge.example.org/user/7",
          .notice = "http://bridge.example.org/notice/1001",
          .content = "New post: Hello OMB world! http://blog.example.com/2009/01/hello",
          .url = "http://blog.example.com/2009/01/hello",
          .license = std::string(kDefaultLicense)};
}

TEST(PostNoticeTest, VectorOrderAndRoundTrip) {
  Result<ParamList> params = PostNoticeParams(ExampleNotice());
  ASSERT_OK(params);
  EXPECT_EQ(*params,
            (ParamList{{"omb_version", "http://openmicroblogging.org/protocol/0.1"},
                       {"omb_listenee", "http://bridge.example.org/user/7"},
                       {"omb_notice", "http://bridge.example.org/notice/1001"},
                       {"omb_notice_content",
                        "New post: Hello OMB world! http://blog.example.com/2009/01/hello"},
                       {"omb_notice_url", "http://blog.example.com/2009/01/hello"},
                       {"omb_notice_license", "http://creativecommons.org/licenses/by/3.0/"}}));
  Result<PostNotice> back = ParsePostNotice(*params);
  ASSERT_OK(back);
  EXPECT_EQ(*back, ExampleNotice());

  PostNotice with_seealso = ExampleNotice();
  with_seealso.seealso = "http://blog.example.com/i.png";
  with_seealso.seealso_disposition = "inline";
  with_seealso.seealso_mediatype = "image/png";
  params = PostNoticeParams(with_seealso);
  ASSERT_OK(params);
  EXPECT_EQ(params->size(), 9u);
  EXPECT_EQ(*ParsePostNotice(*params), with_seealso);
}

TEST(PostNoticeTest, Table) {
  struct Row {
    const char* name;
    void (*mutate)(PostNotice&);
    const char* param;
  };
  const Row rows[] = {
      {"listenee missing", [](PostNotice& n) { n.listenee.clear(); }, "omb_listenee"},
      {"notice tag uri", [](PostNotice& n) { n.notice = "tag:ex.org,2009:1"; }, "omb_notice"},
      {"notice 256 bytes",
       [](PostNotice& n) { n.notice = "http://ex.org/" + std::string(242, 'a'); }, "omb_notice"},
      {"content missing", [](PostNotice& n) { n.content.clear(); }, "omb_notice_content"},
      {"content not utf-8", [](PostNotice& n) { n.content = "\xC3"; }, "omb_notice_content"},
      {"url unencoded query", [](PostNotice& n) { n.url = "http://ex.org/?u=http://x"; },
       "omb_notice_url"},
      {"license bad", [](PostNotice& n) { n.license = "by-sa"; }, "omb_notice_license"},
      {"seealso_mediatype without seealso", [](PostNotice& n) { n.seealso_mediatype = "a/b"; },
       "omb_seealso"},
      {"disposition other",
       [](PostNotice& n) {
         n.seealso = "http://ex.org/x";
         n.seealso_disposition = "embed";
       },
       "omb_seealso_disposition"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    PostNotice n = ExampleNotice();
    row.mutate(n);
    EXPECT_THAT(ValidatePostNotice(n),
                StatusIs(Status::Code::kInvalidArgument, HasSubstr(row.param)));
    EXPECT_THAT(PostNoticeParams(n), StatusIs(Status::Code::kInvalidArgument));
  }
  // A long notice is the receiver's business (OMB sets no maximum).
  PostNotice long_notice = ExampleNotice();
  long_notice.content = std::string(1000, 'x');
  EXPECT_OK(ValidatePostNotice(long_notice));
  ParamList wrong_version = *PostNoticeParams(ExampleNotice());
  wrong_version[0].value = "0.1";
  EXPECT_THAT(ParsePostNotice(wrong_version),
              StatusIs(Status::Code::kInvalidArgument, HasSubstr("wrong OMB version")));
}

TEST(UpdateProfileTest, SendsEveryFieldBlanksIncluded) {
  Result<ParamList> params = UpdateProfileParams(ExampleBlog());
  ASSERT_OK(params);
  EXPECT_EQ(*params,
            (ParamList{{"omb_version", "http://openmicroblogging.org/protocol/0.1"},
                       {"omb_listenee", "http://bridge.example.org/user/7"},
                       {"omb_listenee_profile", "http://bridge.example.org/exampleblog"},
                       {"omb_listenee_nickname", "exampleblog"},
                       {"omb_listenee_license", "http://creativecommons.org/licenses/by/3.0/"},
                       {"omb_listenee_fullname", "Example Blog"},
                       {"omb_listenee_homepage", "http://blog.example.com/"},
                       {"omb_listenee_bio", ""},
                       {"omb_listenee_location", ""},
                       {"omb_listenee_avatar", ""}}));
  Result<ProfileUpdate> back = ParseUpdateProfile(*params);
  ASSERT_OK(back);
  EXPECT_EQ(back->listenee, "http://bridge.example.org/user/7");
  EXPECT_EQ(back->nickname, "exampleblog");
  EXPECT_EQ(back->bio, "");  // Sent blank: cleared.
  ListeneeProfile bad = ExampleBlog();
  bad.bio = std::string(141, 'b');
  EXPECT_THAT(UpdateProfileParams(bad), StatusIs(Status::Code::kInvalidArgument));
}

TEST(UpdateProfileTest, ParsesAbsentBlankAndInvalid) {
  // Laconica 0.8 sends no license: absent leaves it unchanged.
  const ParamList laconica = {{"omb_version", std::string(kOmbVersion)},
                              {"omb_listenee", "http://identi.example/user/42"},
                              {"omb_listenee_nickname", "alice"},
                              {"omb_listenee_fullname", ""}};
  Result<ProfileUpdate> u = ParseUpdateProfile(laconica);
  ASSERT_OK(u);
  EXPECT_EQ(u->license, std::nullopt);
  EXPECT_EQ(u->profile, std::nullopt);
  EXPECT_EQ(u->fullname, std::optional<std::string>(""));
  EXPECT_EQ(u->nickname, std::optional<std::string>("alice"));

  const std::tuple<const char*, const char*, const char*> bad[] = {
      {"omb_listenee_nickname", "", "cannot be blank"},
      {"omb_listenee_profile", "", "cannot be blank"},
      {"omb_listenee_nickname", "Alice", "[0-9a-z]"},
      {"omb_listenee_avatar", "tag:x", "omb_listenee_avatar"},
      {"omb_listenee_bio", "\xFF", "not UTF-8"},
  };
  for (const auto& [name, value, why] : bad) {
    SCOPED_TRACE(name);
    ParamList params = laconica;
    params.push_back({name, value});
    std::erase_if(params, [&](const Param& p) { return p.name == name && p.value != value; });
    EXPECT_THAT(ParseUpdateProfile(params),
                StatusIs(Status::Code::kInvalidArgument, HasSubstr(why)));
  }
  EXPECT_THAT(ParseUpdateProfile({{"omb_version", std::string(kOmbVersion)}}),
              StatusIs(Status::Code::kInvalidArgument, HasSubstr("omb_listenee")));
}

TEST(TokenReplyTest, ParsesWhatPeersSend) {
  const TokenReply expected{.token = "5d41402abc4b2a76b9719d911017c592",
                            .secret = "7d793037a0760186574b0282f2f435e7"};
  for (const char* body :
       {"oauth_token=5d41402abc4b2a76b9719d911017c592&oauth_token_secret="
        "7d793037a0760186574b0282f2f435e7",
        // Laconica after 940ea07d4 (unencoded version), with a trailing newline.
        "oauth_token=5d41402abc4b2a76b9719d911017c592&oauth_token_secret="
        "7d793037a0760186574b0282f2f435e7&omb_version=http://openmicroblogging.org/protocol/0.1\n",
        "oauth_token_secret=7d793037a0760186574b0282f2f435e7&oauth_token="
        "5d41402abc4b2a76b9719d911017c592"}) {
    SCOPED_TRACE(body);
    Result<TokenReply> r = ParseTokenReply(body);
    ASSERT_OK(r);
    EXPECT_EQ(*r, expected);
  }
  EXPECT_EQ(*ParseTokenReply(TokenReplyBody(expected)), expected);
  EXPECT_EQ(TokenReplyBody(expected),
            "oauth_token=5d41402abc4b2a76b9719d911017c592&oauth_token_secret="
            "7d793037a0760186574b0282f2f435e7&omb_version=http%3A%2F%2Fopenmicroblogging.org%"
            "2Fprotocol%2F0.1");
  EXPECT_THAT(ParseTokenReply("oauth_token=a"),
              StatusIs(Status::Code::kInvalidArgument, HasSubstr("oauth_token_secret")));
  EXPECT_THAT(ParseTokenReply("<html>error</html>"), StatusIs(Status::Code::kInvalidArgument));
  EXPECT_THAT(ParseTokenReply("oauth_token=" + std::string(256, 'a') + "&oauth_token_secret=b"),
              StatusIs(Status::Code::kInvalidArgument, HasSubstr("255")));
}

ParamList LaconicaCallback() {
  return {{"oauth_token", "5d41402abc4b2a76b9719d911017c592"},
          {"omb_version", std::string(kOmbVersion)},
          {"omb_listener_nickname", "alice"},
          {"omb_listener_profile", "http://identi.example/alice"},
          {"omb_listener_fullname", "Alice A."},
          {"omb_listener_avatar", "http://identi.example/avatar/42-96.png"}};
}

TEST(AuthorizeCallbackTest, ReadsTheListener) {
  Result<AuthorizeCallback> cb = ParseAuthorizeCallback(LaconicaCallback());
  ASSERT_OK(cb);
  EXPECT_EQ(cb->token, "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(cb->listener.uri, "");  // Laconica sends no omb_listener.
  EXPECT_EQ(cb->listener.nickname, "alice");
  EXPECT_EQ(cb->listener.profile, "http://identi.example/alice");
  EXPECT_EQ(cb->listener.fullname, "Alice A.");
  EXPECT_EQ(cb->listener.avatar, "http://identi.example/avatar/42-96.png");
  ParamList statusnet = LaconicaCallback();
  statusnet.push_back({"omb_listener", "http://identi.example/user/42"});
  statusnet[2].value = "Alice";  // StatusNet 0.9 nicknames may be upper-case.
  cb = ParseAuthorizeCallback(statusnet);
  ASSERT_OK(cb);
  EXPECT_EQ(cb->listener.uri, "http://identi.example/user/42");
}

TEST(AuthorizeCallbackTest, RejectedOrInvalid) {
  EXPECT_THAT(ParseAuthorizeCallback({}),
              StatusIs(Status::Code::kPermissionDenied, HasSubstr("rejected")));
  const std::tuple<size_t, std::string, const char*> bad[] = {
      {1, "http://openmicroblogging.org/protocol/0.2", "omb_version"},
      {2, "", "omb_listener_nickname"},
      {2, "al_ice", "omb_listener_nickname"},
      {3, "", "omb_listener_profile"},
      {3, "ftp://identi.example/alice", "omb_listener_profile"},
      {4, std::string(256, 'x'), "omb_listener_fullname"},
      {5, "http://identi.example/a b.png", "omb_listener_avatar"},
  };
  for (const auto& [index, value, param] : bad) {
    SCOPED_TRACE(param);
    ParamList params = LaconicaCallback();
    params[index].value = value;
    EXPECT_THAT(ParseAuthorizeCallback(params),
                StatusIs(Status::Code::kInvalidArgument, HasSubstr(param)));
  }
}

TEST(ReplyBodyTest, SuccessBody) {
  EXPECT_EQ(kOmbSuccessBody, "omb_version=http://openmicroblogging.org/protocol/0.1");
  const std::tuple<const char*, bool> cases[] = {
      {"omb_version=http://openmicroblogging.org/protocol/0.1", true},
      {"omb_version=http://openmicroblogging.org/protocol/0.1\n", true},
      {"omb_version=http%3A%2F%2Fopenmicroblogging.org%2Fprotocol%2F0.1", true},
      {"omb_version=http%3a%2f%2fopenmicroblogging.org%2fprotocol%2f0.1\r\n", true},
      {"oauth_token=a&omb_version=http%3A%2F%2Fopenmicroblogging.org%2Fprotocol%2F0.1", true},
      {"<p>ok</p> omb_version=http://openmicroblogging.org/protocol/0.1",
       true},  // libomb's strpos.
      {"", false},
      {"OK", false},
      {"omb_version=http://openmicroblogging.org/protocol/0.2", false},
      {"omb_version=", false},
      {"<html>Duplicate notice.</html>", false},
  };
  for (const auto& [body, ok] : cases) {
    SCOPED_TRACE(body);
    EXPECT_EQ(IsOmbSuccessBody(body), ok);
  }
}

TEST(ReplyBodyTest, DuplicateNoticeBody) {
  EXPECT_TRUE(IsDuplicateNoticeBody("Duplicate notice."));
  EXPECT_TRUE(IsDuplicateNoticeBody("<html><body><p>Duplicate notice.</p></body></html>"));
  EXPECT_TRUE(IsDuplicateNoticeBody("duplicate NOTICE"));
  EXPECT_FALSE(IsDuplicateNoticeBody("Duplicate"));
  EXPECT_FALSE(IsDuplicateNoticeBody("Too many duplicate messages too quickly"));
  EXPECT_FALSE(IsDuplicateNoticeBody(""));
}

TEST(ReplyBodyTest, ClassifyOmbReply) {
  const std::string ok(kOmbSuccessBody);
  const std::tuple<int, std::string, OmbReply> cases[] = {
      {200, ok, OmbReply::kDelivered},
      {200, "omb_version=http%3A%2F%2Fopenmicroblogging.org%2Fprotocol%2F0.1",
       OmbReply::kDelivered},
      {500, "Duplicate notice.", OmbReply::kDelivered},
      {403, "Revoked accesstoken for http://bridge.example.org/user/7",
       OmbReply::kSubscriptionGone},
      {403, ok, OmbReply::kSubscriptionGone},
      {200, "", OmbReply::kRetryLater},  // libomb: no version string is a failure.
      {201, ok, OmbReply::kRetryLater},
      {500, "Internal error", OmbReply::kRetryLater},
      {400, "Invalid notice content", OmbReply::kRetryLater},
      {503, "", OmbReply::kRetryLater},
      {400, "Duplicate notice.", OmbReply::kRetryLater},
  };
  for (const auto& [status, body, outcome] : cases) {
    SCOPED_TRACE(std::to_string(status) + " " + body);
    EXPECT_EQ(ClassifyOmbReply(status, body), outcome);
  }
}

}  // namespace
}  // namespace feedbridge::omb
