#include "common/random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdlib>

namespace feedbridge {

double UniformUnit(Random& random) {
  // The top 53 bits make every double in [0, 1) with a 2^-53 step equally likely.
  return static_cast<double>(random.Next() >> 11) * 0x1.0p-53;
}

std::string RandomToken(Random& random, size_t length) {
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  out.reserve(length);
  while (out.size() < length) {
    uint64_t bits = random.Next();
    // 62 symbols: take 6 bits at a time and reject 62 and 63 so every symbol is equally likely.
    for (int i = 0; i < 10 && out.size() < length; ++i, bits >>= 6) {
      const uint64_t v = bits & 63u;
      if (v < 62) out.push_back(kAlphabet[v]);
    }
  }
  return out;
}

uint64_t SystemRandom::Next() {
  uint64_t value = 0;
  auto* p = reinterpret_cast<char*>(&value);
  size_t got = 0;
  while (got < sizeof(value)) {
    const ssize_t n = getrandom(p + got, sizeof(value) - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::abort();  // No entropy source at all: nothing safe to fall back to.
    }
    got += static_cast<size_t>(n);
  }
  return value;
}

}  // namespace feedbridge
