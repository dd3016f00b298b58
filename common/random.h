#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace feedbridge {

// Randomness for nonces, tokens and jitter. Injected so tests can be deterministic.
// Implementations are thread-safe.
class Random {
 public:
  virtual ~Random() = default;
  // A uniformly distributed 64-bit value.
  virtual uint64_t Next() = 0;
};

// Uniform double in [0, 1).
double UniformUnit(Random& random);

// `length` characters from [0-9A-Za-z], e.g. for OAuth nonces and tokens.
std::string RandomToken(Random& random, size_t length);

// Cryptographically strong randomness (getrandom(2)). Thread-safe.
class SystemRandom final : public Random {
 public:
  uint64_t Next() override;
};

}  // namespace feedbridge
