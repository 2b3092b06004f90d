// What one client, and all clients together, may hold of the server: open connections per client
// address (Limits::max_connections_per_client), so that one address cannot take every connection,
// and the bytes held for request bodies across all connections (Limits::max_buffered_body_bytes),
// so that clients announcing large bodies and sending them slowly cannot pin unbounded memory.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace motcua {

// Open connections per client address. Thread-safe.
class ClientConnections {
 public:
  // Counts one more connection from `address` unless it already has `max`; false (nothing
  // counted) then.
  bool TryOpen(const std::string& address, size_t max);
  // Forgets one connection of `address` that TryOpen counted.
  void Close(const std::string& address);
  // Connections of `address` open now.
  size_t open(const std::string& address) const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, size_t> open_;
};

// The bytes held for request bodies by all connections together, at most `max`. Thread-safe
// (one atomic counter).
class BodyBudget {
 public:
  explicit BodyBudget(uint64_t max) : max_(max) {}
  // Takes `n` bytes if that keeps the total within the maximum; false (nothing taken) otherwise.
  bool TryTake(uint64_t n);
  // Gives back `n` bytes taken before.
  void Give(uint64_t n) { held_.fetch_sub(n, std::memory_order_relaxed); }
  uint64_t held() const { return held_.load(std::memory_order_relaxed); }
  uint64_t max() const { return max_; }

 private:
  const uint64_t max_;
  std::atomic<uint64_t> held_{0};
};

// The bytes one request body holds of a BodyBudget; given back on destruction. Not thread-safe
// (one connection's coroutine uses it); the budget must outlive it.
class BodyReservation {
 public:
  explicit BodyReservation(BodyBudget& budget) : budget_(budget) {}
  ~BodyReservation() { budget_.Give(held_); }
  BodyReservation(const BodyReservation&) = delete;
  BodyReservation& operator=(const BodyReservation&) = delete;
  // Holds at least `n` bytes in all, taking the difference from the budget; false (holding what
  // it held) if the budget cannot give it.
  bool HoldAtLeast(uint64_t n);
  uint64_t held() const { return held_; }

 private:
  BodyBudget& budget_;
  uint64_t held_ = 0;
};

}  // namespace motcua
