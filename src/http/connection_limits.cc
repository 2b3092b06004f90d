#include "http/connection_limits.h"

namespace motcua {

bool ClientConnections::TryOpen(const std::string& address, size_t max) {
  std::lock_guard lock(mu_);
  size_t& n = open_[address];
  if (n >= max) {
    if (n == 0) open_.erase(address);
    return false;
  }
  ++n;
  return true;
}

void ClientConnections::Close(const std::string& address) {
  std::lock_guard lock(mu_);
  auto it = open_.find(address);
  if (it == open_.end()) return;
  if (--it->second == 0) open_.erase(it);
}

size_t ClientConnections::open(const std::string& address) const {
  std::lock_guard lock(mu_);
  auto it = open_.find(address);
  return it == open_.end() ? 0 : it->second;
}

bool BodyBudget::TryTake(uint64_t n) {
  uint64_t held = held_.load(std::memory_order_relaxed);
  do {
    if (n > max_ || held > max_ - n) return false;
  } while (!held_.compare_exchange_weak(held, held + n, std::memory_order_relaxed));
  return true;
}

bool BodyReservation::HoldAtLeast(uint64_t n) {
  if (n <= held_) return true;
  if (!budget_.TryTake(n - held_)) return false;
  held_ = n;
  return true;
}

}  // namespace motcua
