// When to try a message again: the pure retry rule of the outbox sender (src/notify). After
// attempt n (1-based) fails transiently the next one is due at now + min(max_backoff,
// base_backoff * 2^(n-1)), shortened by up to `jitter` of itself so that messages that failed
// together do not all come back at the same instant; after max_attempts the message fails for
// good. A permanent failure ends at once. Time and randomness come in as arguments.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/clock.h"
#include "common/random.h"

namespace motcua {

// How one attempt ended, as a channel (SMTP, SMS gateway) reports it.
enum class DeliveryOutcome {
  kSent,       // the provider accepted the message
  kTransient,  // try again later: 4xx, 429, 5xx from a gateway, network trouble, timeouts
  kPermanent,  // this message can never go: 5xx for the recipient, bad address
};

struct DeliveryPolicyConfig {
  int64_t max_attempts = 8;                          // the 8th transient failure is final
  std::chrono::milliseconds base_backoff{30'000};    // after the 1st failure: 30 s
  std::chrono::milliseconds max_backoff{3'600'000};  // never more than 1 h between attempts
  double jitter = 0.2;                               // up to 20% earlier, from Random
};

// What to record after an attempt.
struct DeliveryDecision {
  std::string status;       // "sent" | "failed" | "pending"
  Instant next_attempt_at;  // for "pending": when the next attempt is due
};

// The delay before attempt n+1 after attempt `attempt` (= n >= 1) failed transiently, before
// jitter: min(max_backoff, base_backoff * 2^(n-1)). Never overflows.
std::chrono::milliseconds BaseDelay(const DeliveryPolicyConfig& config, int64_t attempt);

// Decides the status after attempt `attempt` (1-based) ended with `outcome` at `now`. Draws
// from `random` only for a retry. Thread-safe if `random` is.
DeliveryDecision DecideDelivery(const DeliveryPolicyConfig& config, int64_t attempt,
                                DeliveryOutcome outcome, Instant now, Random& random);

}  // namespace motcua
