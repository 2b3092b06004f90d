#include "http/metrics.h"

#include <cstdio>

namespace motcua {

Metrics::Metrics(std::vector<std::string> route_names) {
  route_names.emplace_back("unmatched");
  for (auto& n : route_names) {
    auto r = std::make_unique<PerRoute>();
    r->name = std::move(n);
    routes_.push_back(std::move(r));
  }
}

void Metrics::Observe(size_t route_index, int status, std::chrono::nanoseconds latency) {
  if (route_index >= routes_.size()) route_index = routes_.size() - 1;
  PerRoute& r = *routes_[route_index];
  if (status >= 100 && status < 600) {
    r.by_status[static_cast<size_t>(status - 100)].fetch_add(1, std::memory_order_relaxed);
  }
  double seconds = std::chrono::duration<double>(latency).count();
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  r.buckets[b].fetch_add(1, std::memory_order_relaxed);
  r.sum_ns.fetch_add(static_cast<uint64_t>(latency.count()), std::memory_order_relaxed);
  r.count.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::Render(std::string& out) const {
  char buf[512];
  out += "# HELP motcua_http_requests_total HTTP requests by route, method and status.\n";
  out += "# TYPE motcua_http_requests_total counter\n";
  for (const auto& r : routes_) {
    for (size_t s = 0; s < r->by_status.size(); ++s) {
      uint64_t n = r->by_status[s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::snprintf(buf, sizeof buf,
                    "motcua_http_requests_total{route=\"%s\",status=\"%zu\"} %llu\n",
                    r->name.c_str(), s + 100, static_cast<unsigned long long>(n));
      out += buf;
    }
  }
  out +=
      "# HELP motcua_http_request_duration_seconds Time from a complete request to its response.\n";
  out += "# TYPE motcua_http_request_duration_seconds histogram\n";
  for (const auto& r : routes_) {
    uint64_t count = r->count.load(std::memory_order_relaxed);
    if (count == 0) continue;
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += r->buckets[b].load(std::memory_order_relaxed);
      if (b < kBuckets.size()) {
        std::snprintf(buf, sizeof buf,
                      "motcua_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                      r->name.c_str(), kBuckets[b], static_cast<unsigned long long>(cumulative));
      } else {
        std::snprintf(
            buf, sizeof buf,
            "motcua_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
            r->name.c_str(), static_cast<unsigned long long>(cumulative));
      }
      out += buf;
    }
    std::snprintf(buf, sizeof buf,
                  "motcua_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                  "motcua_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                  r->name.c_str(), r->sum_ns.load(std::memory_order_relaxed) / 1e9, r->name.c_str(),
                  static_cast<unsigned long long>(count));
    out += buf;
  }
  std::snprintf(
      buf, sizeof buf,
      "# HELP motcua_http_connections Open HTTP connections.\n"
      "# TYPE motcua_http_connections gauge\nmotcua_http_connections %lld\n"
      "# HELP motcua_http_connections_rejected_total Connections refused over the limit.\n"
      "# TYPE motcua_http_connections_rejected_total counter\n"
      "motcua_http_connections_rejected_total %llu\n",
      connections_.load(), static_cast<unsigned long long>(rejected_.load()));
  out += buf;
  std::snprintf(buf, sizeof buf,
                "# HELP motcua_http_connections_rejected_per_client_total Connections refused "
                "over the limit per client address.\n"
                "# TYPE motcua_http_connections_rejected_per_client_total counter\n"
                "motcua_http_connections_rejected_per_client_total %llu\n"
                "# HELP motcua_http_bodies_refused_total Request bodies refused (503) because "
                "the bytes held for bodies were at their limit.\n"
                "# TYPE motcua_http_bodies_refused_total counter\n"
                "motcua_http_bodies_refused_total %llu\n",
                static_cast<unsigned long long>(rejected_per_client_.load()),
                static_cast<unsigned long long>(bodies_refused_.load()));
  out += buf;
}

}  // namespace motcua
