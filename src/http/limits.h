// Every limit on untrusted input, in one place, with its default. Override any of them with
// `motcua serve --limit NAME=VALUE` (names as below); `motcua serve --help` lists them.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "common/error.h"

namespace motcua {

struct Limits {
  size_t max_header_bytes = 8 * 1024;   // request line + headers
  size_t max_body_bytes = 1024 * 1024;  // JSON bodies (uploads get their own limit later)
  std::chrono::milliseconds idle_timeout{30'000};  // keep-alive wait for the next request
  std::chrono::milliseconds read_timeout{10'000};  // from a request's first byte to its end
  std::chrono::milliseconds write_timeout{30'000};
  size_t max_connections = 10'000;  // open connections; more get 503 and are closed
  size_t max_requests_per_connection = 100'000;
  int max_json_depth = 32;
  size_t max_query_chars = 200;             // q= search text, in code points
  size_t max_page_size = 100;               // limit= on listings
  size_t max_concurrent_hashes = 1;         // Argon2id jobs running at once
  size_t max_pending_hashes = 256;          // queued beyond that: 503
  double login_per_minute_per_client = 30;  // login attempts from one address
  double login_burst_per_client = 30;
  double public_lookups_per_minute_per_client = 60;  // public dossier status lookups
  double public_lookups_burst_per_client = 20;
};

// Sets one limit by name from text ("max_body_bytes", "1048576"; timeouts in milliseconds).
// Fails with kInvalidField naming an unknown limit or a bad value.
Status SetLimit(Limits& limits, std::string_view name, std::string_view value);
// "name=value" lines for every limit, for --help and the startup log.
std::string DescribeLimits(const Limits& limits);

}  // namespace motcua
