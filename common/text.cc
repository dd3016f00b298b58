#include "common/text.h"

namespace feedbridge {

std::string Counted(uint64_t n, std::string_view one, std::string_view many) {
  std::string out = std::to_string(n);
  out += ' ';
  out += n == 1 ? one : many;
  return out;
}

}  // namespace feedbridge
