#pragma once

// Account nicknames: [0-9a-z]{1,64}, what every OMB peer accepts (DESIGN.md). The one
// definition, for the bridged blogs (app/, store/), their pages and feeds (web/) and the OMB
// profiles of peers (omb/).

#include <cstddef>
#include <string_view>

namespace feedbridge {

inline constexpr size_t kMaxNicknameLength = 64;

// True for [0-9a-z]{1,64}.
bool IsValidNickname(std::string_view nickname);

}  // namespace feedbridge
