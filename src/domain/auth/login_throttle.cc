#include "domain/auth/login_throttle.h"

#include <algorithm>

namespace motcua {

std::string LoginThrottle::Key(std::string_view username, std::string_view client) {
  std::string key(client);
  key += '\n';
  key += username;
  return key;
}

std::optional<std::chrono::seconds> LoginThrottle::Wait(std::string_view username,
                                                        std::string_view client) {
  Instant now = clock_.Now();
  std::lock_guard lock(mu_);
  auto it = pairs_.find(Key(username, client));
  if (it == pairs_.end() || it->second.not_before <= now) return std::nullopt;
  auto left = std::chrono::ceil<std::chrono::seconds>(it->second.not_before - now);
  return std::max(left, std::chrono::seconds(1));
}

void LoginThrottle::Failed(std::string_view username, std::string_view client) {
  Instant now = clock_.Now();
  std::lock_guard lock(mu_);
  if (pairs_.size() >= config_.max_pairs) {
    std::erase_if(pairs_, [&](const auto& kv) { return now - kv.second.last > config_.max_wait; });
    if (pairs_.size() >= config_.max_pairs) pairs_.clear();
  }
  Pair& p = pairs_[Key(username, client)];
  if (p.failures > 0 && now - p.last > config_.forget_after) p = Pair{};
  p.failures += 1;
  p.last = now;
  int counted = p.failures - config_.free_failures;
  if (counted > 0) {
    auto wait = config_.first_wait * (int64_t{1} << std::min(counted - 1, 20));
    p.not_before = now + std::min<std::chrono::microseconds>(wait, config_.max_wait);
  }
}

void LoginThrottle::Succeeded(std::string_view username, std::string_view client) {
  std::lock_guard lock(mu_);
  pairs_.erase(Key(username, client));
}

bool KeyedSlots::TryAcquire(std::string_view key) {
  std::lock_guard lock(mu_);
  size_t& n = held_[std::string(key)];
  if (n >= per_key_) return false;
  ++n;
  return true;
}

void KeyedSlots::Release(std::string_view key) {
  std::lock_guard lock(mu_);
  auto it = held_.find(std::string(key));
  if (it == held_.end()) return;
  if (--it->second == 0) held_.erase(it);
}

}  // namespace motcua
