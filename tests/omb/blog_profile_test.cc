// The profile a blog account shows its OMB subscribers (omb-0.1.md §9.1).

#include "omb/blog_profile.h"

#include <gtest/gtest.h>

#include "tests/support/status_matchers.h"

namespace feedbridge::omb {
namespace {

constexpr std::string_view kBase = "http://bridge.example.org/";

BlogAccount Blog() {
  return {.account_id = 7,
          .nickname = "myblog",
          .title = "My  Blog",
          .description = "Notes on things.",
          .site_url = "http://blog.example/home?x=a:b"};
}

TEST(BlogProfileTest, EveryFieldComesFromTheAccountAndTheFeed) {
  const ListeneeProfile p = BlogProfile(Blog(), kBase, kDefaultLicense);
  EXPECT_EQ(p.uri, "http://bridge.example.org/user/7");
  EXPECT_EQ(p.profile, "http://bridge.example.org/myblog");
  EXPECT_EQ(p.nickname, "myblog");
  EXPECT_EQ(p.license, kDefaultLicense);
  EXPECT_EQ(p.fullname, "My Blog");  // White space collapsed.
  EXPECT_EQ(p.bio, "Notes on things.");
  EXPECT_EQ(p.homepage, "http://blog.example/home?x=a%3Ab");  // Passes the strict rule.
  EXPECT_EQ(p.location, "");
  EXPECT_EQ(p.avatar, "");
  EXPECT_OK(ValidateProfile(p));
}

TEST(BlogProfileTest, LongOrOddFieldsAreFittedSoEveryPeerTakesThem) {
  struct Case {
    const char* name;
    BlogAccount blog;
    std::string fullname;  // Expected; "" = blank.
    std::string bio;
    std::string homepage;
  };
  BlogAccount long_title = Blog();
  long_title.title = std::string(300, 'a');
  BlogAccount long_bio = Blog();
  long_bio.description = "word " + std::string(200, 'b');
  BlogAccount wide_bio = Blog();
  // 100 characters of 3 bytes each: 100 characters, but 300 bytes (libomb counts bytes).
  wide_bio.description.clear();
  for (int i = 0; i < 100; ++i) wide_bio.description += "\u65e5";
  BlogAccount no_home = Blog();
  no_home.site_url = "";
  BlogAccount bad_home = Blog();
  bad_home.site_url = "ftp://blog.example/";
  BlogAccount blank = Blog();
  blank.title = "";
  blank.description = "";
  const Case cases[] = {
      {"title over 255 bytes", long_title, std::string(252, 'a') + "\u2026", "Notes on things.",
       "http://blog.example/home?x=a%3Ab"},
      {"bio over 140 characters", long_bio, "My Blog", "word\u2026",
       "http://blog.example/home?x=a%3Ab"},
      {"bio over 140 bytes", wide_bio, "My Blog", "", "http://blog.example/home?x=a%3Ab"},
      {"no home page", no_home, "My Blog", "Notes on things.", ""},
      {"home page the rule refuses", bad_home, "My Blog", "Notes on things.", ""},
      {"no title or description", blank, "", "", "http://blog.example/home?x=a%3Ab"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const ListeneeProfile p = BlogProfile(c.blog, kBase, kDefaultLicense);
    if (std::string_view(c.name) == "bio over 140 bytes") {
      // Cut to whole characters (no word boundary in it): at most 140 bytes, still UTF-8.
      EXPECT_LE(p.bio.size(), kMaxBioLength);
      EXPECT_GT(p.bio.size(), 100u);
      EXPECT_TRUE(p.bio.ends_with("\u2026"));
    } else {
      EXPECT_EQ(p.bio, c.bio);
    }
    EXPECT_EQ(p.fullname, c.fullname);
    EXPECT_EQ(p.homepage, c.homepage);
    EXPECT_OK(ValidateProfile(p));
  }
}

// Cases the remote-subscribe flow's own copy of this builder had (the flow now sends this
// profile, so what a subscriber sees at the authorize step is what updateProfile later says).
TEST(BlogProfileTest, TrimsRepairsAndKeepsWhatPassesAsIs) {
  struct Case {
    const char* name;
    std::string title, description, site_url;
    std::string fullname, bio, homepage;
  };
  const Case cases[] = {
      {"white space trimmed", "  Garden  ", "\n About \n", "", "Garden", "About", ""},
      {"ill-formed UTF-8 replaced", "Bad \xff byte", "", "", "Bad \xef\xbf\xbd byte", "", ""},
      {"https homepage kept", "", "", "https://blog.example/", "", "", "https://blog.example/"},
      {"short bio as is", "", "About gardens.", "", "", "About gardens.", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    BlogAccount blog = Blog();
    blog.title = c.title;
    blog.description = c.description;
    blog.site_url = c.site_url;
    const ListeneeProfile p = BlogProfile(blog, kBase, kDefaultLicense);
    EXPECT_EQ(p.fullname, c.fullname);
    EXPECT_EQ(p.bio, c.bio);
    EXPECT_EQ(p.homepage, c.homepage);
    EXPECT_OK(ValidateProfile(p));
  }
}

}  // namespace
}  // namespace feedbridge::omb
