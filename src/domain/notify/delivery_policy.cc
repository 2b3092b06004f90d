#include "domain/notify/delivery_policy.h"

#include <algorithm>

namespace motcua {

std::chrono::milliseconds BaseDelay(const DeliveryPolicyConfig& config, int64_t attempt) {
  auto cap = std::max(config.max_backoff, std::chrono::milliseconds(0));
  auto delay = std::clamp(config.base_backoff, std::chrono::milliseconds(0), cap);
  for (int64_t i = 1; i < attempt && delay < cap; ++i) {
    delay = delay > cap / 2 ? cap : delay * 2;
  }
  return delay;
}

DeliveryDecision DecideDelivery(const DeliveryPolicyConfig& config, int64_t attempt,
                                DeliveryOutcome outcome, Instant now, Random& random) {
  switch (outcome) {
    case DeliveryOutcome::kSent:
      return {"sent", now};
    case DeliveryOutcome::kPermanent:
      return {"failed", now};
    case DeliveryOutcome::kTransient:
      break;
  }
  if (attempt >= config.max_attempts) return {"failed", now};
  auto delay = BaseDelay(config, attempt);
  uint8_t bytes[4];
  random.Fill(bytes, sizeof bytes);
  uint32_t draw = uint32_t{bytes[0]} | uint32_t{bytes[1]} << 8 | uint32_t{bytes[2]} << 16 |
                  uint32_t{bytes[3]} << 24;
  double fraction = std::clamp(config.jitter, 0.0, 1.0) * (draw / 4294967296.0);
  auto shortened = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::duration<double, std::micro>(
          std::chrono::duration_cast<std::chrono::microseconds>(delay).count() * fraction));
  return {"pending",
          now + std::chrono::duration_cast<std::chrono::microseconds>(delay) - shortened};
}

}  // namespace motcua
