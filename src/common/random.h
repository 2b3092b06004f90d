// Randomness comes in through Random so tests can make tokens deterministic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace motcua {

// A source of random bytes. Implementations are thread-safe.
class Random {
 public:
  virtual ~Random() = default;
  // Fills `out[0..n)` with random bytes. Never fails.
  virtual void Fill(uint8_t* out, size_t n) = 0;
};

// Cryptographically secure randomness (libsodium's randombytes_buf).
std::unique_ptr<Random> MakeSecureRandom();
// A deterministic generator (splitmix64) for tests and demo data; NOT for secrets in production.
std::unique_ptr<Random> MakeSeededRandom(uint64_t seed);

}  // namespace motcua
