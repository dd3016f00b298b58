#pragma once

// The OMB profile of a bridged blog account: what the authorize step and every updateProfile
// say about the listenee (omb-0.1.md §4.3, §6, §9.1), made from the feed's metadata. Pure;
// thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "omb/messages.h"

namespace feedbridge::omb {

// What the bridge knows of a blog account.
struct BlogAccount {
  int64_t account_id = 0;   // Identifier URI: BASE/user/<account_id>.
  std::string nickname;     // [0-9a-z]{1,64}. Profile URL: BASE/<nickname>.
  std::string title;        // The feed's title (plain text): the fullname.
  std::string description;  // The feed's description (plain text): the bio.
  std::string site_url;     // The blog's home page: the homepage.
};

// The listenee profile of `blog` on the bridge at `base_url` (ending in '/'): uri, profile,
// nickname and `license`; fullname the title fitted into 255 bytes, bio the description fitted
// into 140 characters and 140 bytes (both cut on a word boundary with "…"); homepage the site URL
// encoded for the strict URI rule (EncodeForStrictUri), blank when it cannot pass or is over 255
// bytes. Location and avatar are blank: the bridge serves no 96x96 image, and a wrong-sized one
// makes Laconica refuse the whole subscription (§8 item 4). Every field is always present, so an
// updateProfile sends blanks as '' (which clear the field on the peer).
ListeneeProfile BlogProfile(const BlogAccount& blog, std::string_view base_url,
                            std::string_view license);

}  // namespace feedbridge::omb
