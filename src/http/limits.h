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
  size_t max_header_bytes = 8 * 1024;              // request line + headers
  size_t max_body_bytes = 1024 * 1024;             // JSON bodies (uploads: max_upload_bytes)
  std::chrono::milliseconds idle_timeout{30'000};  // keep-alive wait for the next request
  std::chrono::milliseconds read_timeout{10'000};  // from a request's first byte to its end
  std::chrono::milliseconds write_timeout{30'000};
  size_t max_connections = 10'000;  // open connections; more get 503 and are closed
  // Open connections from one client address; more get 503 and are closed (and are counted in
  // motcua_http_connections_rejected_per_client_total). Behind a reverse proxy every client
  // has the proxy's address: raise it there.
  size_t max_connections_per_client = 256;
  // Bytes held for request bodies by all connections together: a JSON body holds its declared
  // length while it is read and handled (a chunked one what it has read, plus 64 KiB), an upload
  // 128 KiB (its read piece and the blob writer's buffer). A request whose body finds no room is
  // answered 503 with Retry-After: 1 without being read, and its connection closed (counted in
  // motcua_http_bodies_refused_total), so slow bodies cannot pin unbounded memory.
  uint64_t max_buffered_body_bytes = 256ull << 20;
  size_t max_requests_per_connection = 100'000;
  int max_json_depth = 32;
  size_t max_query_chars = 200;              // q= search text, in code points
  size_t max_page_size = 100;                // limit= on listings
  size_t max_concurrent_hashes = 1;          // Argon2id jobs running at once
  size_t max_pending_hashes = 256;           // queued beyond that: 503
  double login_per_minute_per_client = 30;   // login attempts from one address
  size_t max_pending_logins_per_client = 4;  // of one address, waiting for the hashing pool
  double login_burst_per_client = 30;
  double public_lookups_per_minute_per_client = 60;  // public dossier status lookups
  double public_lookups_burst_per_client = 20;
  // Wrong last-4-digit guesses at one dossier's public status (then its lookup waits).
  double public_wrong_guesses_per_hour_per_dossier = 5;
  double public_wrong_guesses_burst_per_dossier = 10;
  // Filings (POST /api/v1/dossiers) and uploads (POST /api/v1/files): per account, by role,
  // and per client address (an office behind one address files for many).
  double filings_per_hour_per_citizen = 30;
  double filings_burst_per_citizen = 10;
  double filings_per_hour_per_officer = 600;
  double filings_burst_per_officer = 100;
  double filings_per_hour_per_client = 1200;
  double filings_burst_per_client = 200;
  double uploads_per_hour_per_account = 600;
  double uploads_burst_per_account = 100;
  double uploads_per_hour_per_client = 3000;
  double uploads_burst_per_client = 500;
  // Uploads (POST /api/v1/files): streamed to disk, never whole in memory.
  size_t max_upload_bytes = 20u << 20;                // one file
  std::chrono::milliseconds upload_timeout{600'000};  // a whole upload, however slow the network
  size_t max_concurrent_file_commits = 2;             // content checks + fsync + rename at once
  uint64_t max_image_pixels = 50'000'000;             // JPEG/PNG width × height (image bombs)
  uint64_t max_pdf_inflated_bytes = 256ull << 20;     // a PDF's Flate streams, decompressed
  uint64_t max_pdf_inflate_ratio = 200;               // decompressed / file size (PDF bombs)
  uint64_t max_pdf_pages = 2'000;
  // Work budget of a content check: it reads at most this many times the file's bytes (plus
  // 64 KiB); a file that would take more is refused (413). The checks read about 5 at most.
  uint64_t max_file_check_passes = 16;
  // Forms 01-06 and registers: read and rendered off the I/O threads.
  size_t max_concurrent_renders = 2;  // documents being made at once
  size_t max_pending_renders = 64;    // queued beyond that: 503
};

// Sets one limit by name from text ("max_body_bytes", "1048576"; timeouts in milliseconds).
// Fails with kInvalidField naming an unknown limit or a bad value.
Status SetLimit(Limits& limits, std::string_view name, std::string_view value);
// "name=value" lines for every limit, for --help and the startup log.
std::string DescribeLimits(const Limits& limits);

}  // namespace motcua
