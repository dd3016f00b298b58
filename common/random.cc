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

namespace {

// Fills `buffer` from getrandom(2); aborts if the kernel has no entropy source at all.
void FillRandom(void* buffer, size_t size) {
  auto* p = static_cast<char*>(buffer);
  size_t got = 0;
  while (got < size) {
    const ssize_t n = getrandom(p + got, size - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::abort();  // Nothing safe to fall back to.
    }
    got += static_cast<size_t>(n);
  }
}

}  // namespace

uint64_t SystemRandom::Next() {
  // Values are read from the kernel 32 at a time per thread (one system call instead of 32:
  // the poller draws one per poll). Each value is handed out once. A fork() duplicates the
  // buffer, so a child must not draw from it; feedbridge forks only to exec.
  constexpr size_t kBatch = 32;
  thread_local uint64_t buffer[kBatch];
  thread_local size_t left = 0;
  if (left == 0) {
    FillRandom(buffer, sizeof buffer);
    left = kBatch;
  }
  const uint64_t value = buffer[--left];
  buffer[left] = 0;  // Not left in memory once used.
  return value;
}

}  // namespace feedbridge
