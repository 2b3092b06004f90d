// Request metrics in Prometheus text format: counts by route, method and status, and a latency
// histogram by route. Lock-free on the request path (relaxed atomics).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace motcua {

class Metrics {
 public:
  // `route_names[i]` labels route index i ("GET /api/v1/units/{code}"); one more slot is kept
  // for requests that matched no route.
  explicit Metrics(std::vector<std::string> route_names);

  // Records one finished request. Thread-safe.
  void Observe(size_t route_index, int status, std::chrono::nanoseconds latency);
  void ConnectionOpened() { connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { connections_.fetch_sub(1, std::memory_order_relaxed); }
  void ConnectionRejected() { rejected_.fetch_add(1, std::memory_order_relaxed); }
  // A connection refused because its address had max_connections_per_client open.
  void ConnectionRejectedPerClient() {
    rejected_per_client_.fetch_add(1, std::memory_order_relaxed);
  }
  // A request body refused because the bytes held for bodies were at max_buffered_body_bytes.
  void BodyRefused() { bodies_refused_.fetch_add(1, std::memory_order_relaxed); }
  long long connections() const { return connections_.load(std::memory_order_relaxed); }
  size_t unmatched_index() const { return routes_.size() - 1; }

  // Appends the Prometheus exposition of these metrics to `out`.
  void Render(std::string& out) const;

 private:
  static constexpr std::array<double, 13> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
  struct PerRoute {
    std::string name;
    std::array<std::atomic<uint64_t>, 500> by_status{};  // index status - 100
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};
    std::atomic<uint64_t> sum_ns{0};
    std::atomic<uint64_t> count{0};
  };
  std::vector<std::unique_ptr<PerRoute>> routes_;
  std::atomic<long long> connections_{0};
  std::atomic<uint64_t> rejected_{0};
  std::atomic<uint64_t> rejected_per_client_{0};
  std::atomic<uint64_t> bodies_refused_{0};
};

}  // namespace motcua
