#include "domain/auth/rate_limiter.h"

#include <algorithm>

namespace motcua {

bool RateLimiter::WouldAllow(std::string_view key) {
  Instant now = clock_.Now();
  std::lock_guard lock(mu_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) return burst_ >= 1.0;
  double minutes = std::chrono::duration<double, std::ratio<60>>(now - it->second.updated).count();
  return std::min(burst_, it->second.tokens + std::max(0.0, minutes) * per_minute_) >= 1.0;
}

bool RateLimiter::Allow(std::string_view key) {
  Instant now = clock_.Now();
  std::lock_guard lock(mu_);
  if (buckets_.size() >= max_keys_) {
    std::erase_if(buckets_, [&](const auto& kv) {
      double minutes =
          std::chrono::duration<double, std::ratio<60>>(now - kv.second.updated).count();
      return kv.second.tokens + minutes * per_minute_ >= burst_;
    });
    if (buckets_.size() >= max_keys_) buckets_.clear();
  }
  auto [it, fresh] = buckets_.try_emplace(std::string(key), Bucket{burst_, now});
  Bucket& b = it->second;
  if (!fresh) {
    double minutes = std::chrono::duration<double, std::ratio<60>>(now - b.updated).count();
    b.tokens = std::min(burst_, b.tokens + std::max(0.0, minutes) * per_minute_);
    b.updated = now;
  }
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace motcua
