// A token-bucket rate limiter keyed by a string (a client address, a username).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"

namespace motcua {

// Each key may spend `burst` requests at once and then `per_minute` a minute. Thread-safe.
// The quotas on untrusted callers (Limits: per account, per client address, per dossier) are
// these.
// Memory is bounded: beyond `max_keys` keys the table is cleared of full buckets first.
class RateLimiter {
 public:
  RateLimiter(const Clock& clock, double per_minute, double burst, size_t max_keys = 100000)
      : clock_(clock), per_minute_(per_minute), burst_(burst), max_keys_(max_keys) {}
  // Takes one token for `key`; false if the key is over its rate (and then takes nothing).
  bool Allow(std::string_view key);
  // True iff Allow(key) would succeed now; takes nothing.
  bool WouldAllow(std::string_view key);

 private:
  struct Bucket {
    double tokens;
    Instant updated;
  };
  const Clock& clock_;
  double per_minute_;
  double burst_;
  size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace motcua
