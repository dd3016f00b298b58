#include "app/nickname.h"

#include <array>
#include <utility>

namespace feedbridge::app {
namespace {

// Two-byte UTF-8 Latin-1 letters to their base letter (é -> e): enough for most blog titles.
char FoldLatin1(unsigned char lead, unsigned char trail) {
  if (lead != 0xC3) return 0;
  static constexpr std::array<std::pair<unsigned char, char>, 24> kRanges = {{
      {0x80, 'a'}, {0x86, 'a'}, {0x87, 'c'}, {0x88, 'e'}, {0x8C, 'i'}, {0x90, 'd'},
      {0x91, 'n'}, {0x92, 'o'}, {0x97, 0},   {0x98, 'o'}, {0x99, 'u'}, {0x9D, 'y'},
      {0x9E, 0},   {0x9F, 's'}, {0xA0, 'a'}, {0xA6, 'a'}, {0xA7, 'c'}, {0xA8, 'e'},
      {0xAC, 'i'}, {0xB0, 'd'}, {0xB1, 'n'}, {0xB2, 'o'}, {0xB9, 'u'}, {0xBD, 'y'},
  }};
  char out = 0;
  for (const auto& [start, letter] : kRanges) {
    if (trail >= start) out = letter;
  }
  if (trail == 0xB7 || trail == 0xB8) out = trail == 0xB8 ? 'o' : 0;  // ÷ and ø
  return out;
}

std::string Fold(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size() && out.size() < kMaxNicknameLength; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out += static_cast<char>(c);
    } else if (c >= 0xC0 && i + 1 < text.size()) {
      if (char folded = FoldLatin1(c, static_cast<unsigned char>(text[i + 1])); folded != 0) {
        out += folded;
      }
      ++i;
    }
  }
  return out;
}

std::string_view HostOf(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  url.remove_prefix(scheme + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  if (const size_t at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  url = url.substr(0, url.find(':'));
  if (url.starts_with("www.")) url.remove_prefix(4);
  return url;
}

}  // namespace

std::string DeriveNickname(std::string_view title, std::string_view url) {
  std::string nick = Fold(title);
  if (nick.size() >= 3) return nick;
  std::string host = Fold(HostOf(url));
  if (!host.empty()) return host;
  return nick.empty() ? "blog" : nick;
}

std::string NumberedNickname(std::string_view base, int n) {
  const std::string suffix = std::to_string(n);
  std::string out(base.substr(0, kMaxNicknameLength - suffix.size()));
  return out + suffix;
}

}  // namespace feedbridge::app
