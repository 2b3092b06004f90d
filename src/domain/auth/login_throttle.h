// Slowing down password guessing without handing anyone a lock: failures are counted per
// (username as typed, client address), whether or not the username exists, and past a few free
// ones each further attempt from that address for that username must wait, twice as long after
// each failure, up to a cap. The account itself is never locked: its owner, from another
// address, logs in as usual. In memory, per node.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"

namespace motcua {

struct LoginThrottleConfig {
  int free_failures = 3;                         // failures before the first wait
  std::chrono::seconds first_wait{2};            // after the first counted failure, doubling ...
  std::chrono::seconds max_wait{15 * 60};        // ... up to this
  std::chrono::seconds forget_after{24 * 3600};  // a pair idle this long starts afresh
  size_t max_pairs = 200'000;                    // memory bound (oldest pairs forgotten)
};

class LoginThrottle {
 public:
  LoginThrottle(const Clock& clock, LoginThrottleConfig config) : clock_(clock), config_(config) {}

  // How long an attempt for (username, client) must still wait; nullopt when it may go ahead.
  // Thread-safe.
  std::optional<std::chrono::seconds> Wait(std::string_view username, std::string_view client);
  // Records a failed attempt (wrong password, unknown username, disabled account alike).
  void Failed(std::string_view username, std::string_view client);
  // Records a successful login: the pair starts afresh.
  void Succeeded(std::string_view username, std::string_view client);

 private:
  struct Pair {
    int failures = 0;
    Instant not_before{};
    Instant last{};
  };
  static std::string Key(std::string_view username, std::string_view client);

  const Clock& clock_;
  LoginThrottleConfig config_;
  std::mutex mu_;
  std::unordered_map<std::string, Pair> pairs_;
};

// At most `per_key` slots held at once per key (a client address): what one client may have
// queued for a scarce resource (the password-hashing pool), so that one client's flood does not
// delay everyone's login. Thread-safe.
class KeyedSlots {
 public:
  explicit KeyedSlots(size_t per_key) : per_key_(per_key) {}
  // Takes a slot for `key`; false when its slots are all held.
  bool TryAcquire(std::string_view key);
  // Gives back a slot TryAcquire gave.
  void Release(std::string_view key);

 private:
  size_t per_key_;
  std::mutex mu_;
  std::unordered_map<std::string, size_t> held_;
};

}  // namespace motcua
