#include "common/nickname.h"

#include <algorithm>

namespace feedbridge {

bool IsValidNickname(std::string_view nickname) {
  if (nickname.empty() || nickname.size() > kMaxNicknameLength) return false;
  return std::all_of(nickname.begin(), nickname.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'); });
}

}  // namespace feedbridge
