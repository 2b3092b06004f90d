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

// splitmix64: a small, fast deterministic generator (Steele, Lea and Flood, 2014) for demo data
// and tests. A value type, not thread-safe; NOT for secrets. MakeSeededRandom wraps one.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  // The next 64 random bits.
  uint64_t Next() { return Finalise(state_ += 0x9e3779b97f4a7c15ULL); }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // True with probability p.
  bool Chance(double p) { return Uniform() < p; }
  // Uniform in [lo, hi] (lo when hi <= lo).
  int64_t Between(int64_t lo, int64_t hi) {
    if (hi <= lo) return lo;
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  // A uniformly chosen index below n (n > 0).
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }

  // The splitmix64 finaliser: a bijective mix of 64 bits.
  static constexpr uint64_t Finalise(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // A well-mixed seed from one or two values (independent streams per key).
  static constexpr uint64_t Mix(uint64_t x) { return Finalise(x + 0x9e3779b97f4a7c15ULL); }
  static constexpr uint64_t Mix(uint64_t a, uint64_t b) {
    return Mix(a ^ Mix(b + 0x632be59bd9b4e019ULL));
  }

 private:
  uint64_t state_;
};

// Cryptographically secure randomness (libsodium's randombytes_buf).
std::unique_ptr<Random> MakeSecureRandom();
// A deterministic generator (splitmix64) for tests and demo data; NOT for secrets in production.
std::unique_ptr<Random> MakeSeededRandom(uint64_t seed);

}  // namespace motcua
