#pragma once

// Account nicknames for bridged blogs: [0-9a-z]{1,64}, what every OMB peer accepts.

#include <string>
#include <string_view>

#include "common/nickname.h"

namespace feedbridge::app {

// A nickname for a blog that was given none: from its title ("The Sample Garden" ->
// "thesamplegarden"), else from its host ("www.example.org" -> "exampleorg"), else "blog".
// Latin letters with accents lose them; everything outside [0-9a-z] is dropped; at most 64.
std::string DeriveNickname(std::string_view title, std::string_view url);

// `base` with a number appended that fits 64 characters: ("garden", 2) -> "garden2".
std::string NumberedNickname(std::string_view base, int n);

}  // namespace feedbridge::app
