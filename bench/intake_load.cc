// Load generator for durable intake over HTTP: C connections, each filing dossiers one after
// another for S seconds (POST /api/v1/dossiers with an Idempotency-Key, spread over the units
// given), optionally uploading F files of K KiB first (POST /api/v1/files, unique bytes each).
// A dossier counts when its 201 arrives, that is when it is durable. Every run draws a fresh run
// id for its keys: a key of an earlier run would be answered as a replay (201 with
// Idempotent-Replayed) without making anything. A replay therefore never counts as a dossier;
// any is reported as "replayed". Prints one JSON line: rate, p50 and p99 of the time per dossier
// (uploads included), errors (answers other than 201), replays, failed connections (a connection
// that could not connect or broke ends its worker); then the first error of each kind on stderr.
// Exits 1 if nothing was made or on any error, replay or failed connection: the rate of a run
// with errors is not the rate of durable intake.
//
//   intake_load --port P --token T --units 08746,07900,... [--connections 64] [--seconds 20]
//               [--files 0] [--file-kib 200] [--procedure HT-001]
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  unsigned short port = 8080;
  std::string token;
  std::vector<std::string> units;
  int connections = 64;
  int seconds = 20;
  int files = 0;
  int file_kib = 200;
  std::string procedure = "HT-001";
  std::string id_number = "025095000123";
  std::string run_id;  // in every Idempotency-Key: unique per run
};

struct Stats {
  std::vector<double> latencies_ms;
  long errors = 0;
  long replayed = 0;
  std::string first_error;
};

// A valid PDF of `bytes` whose content differs with `tag` (so that every upload is new and
// none is deduplicated), cut from one random template: making the bytes must not be what limits
// the load.
std::string Pdf(const std::string& tag, size_t bytes) {
  static const std::string kTemplate = [] {
    std::mt19937_64 rng(42);
    std::string t;
    t.reserve(32u << 20);
    while (t.size() < (32u << 20)) {
      for (int i = 0; i < 120; ++i) t.push_back(static_cast<char>('A' + rng() % 26));
      t += "\n%";
    }
    return t;
  }();
  std::string out = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + tag + "\n%";
  size_t room = bytes > out.size() + 16 ? bytes - out.size() - 16 : 0;
  size_t from = std::hash<std::string>{}(tag) % (kTemplate.size() - room);
  out.append(kTemplate, from, room);
  out += "\n%%EOF\n";
  return out;
}

asio::awaitable<void> Worker(const Options& o, int index, Clock::time_point end, Stats& stats) {
  auto ex = co_await asio::this_coro::executor;
  tcp::socket socket(ex);
  co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), o.port}, asio::use_awaitable);
  socket.set_option(tcp::no_delay(true));
  beast::flat_buffer buffer;
  std::mt19937_64 rng(static_cast<uint64_t>(index) * 7919 + 17);
  std::string auth = "Bearer " + o.token;
  long n = 0;
  auto exchange = [&](http::request<http::string_body>& req,
                      http::response<http::string_body>& res) -> asio::awaitable<bool> {
    req.set(http::field::host, "bench");
    req.set(http::field::authorization, auth);
    req.prepare_payload();
    co_await http::async_write(socket, req, asio::use_awaitable);
    co_await http::async_read(socket, buffer, res, asio::use_awaitable);
    co_return res.result_int() == 201;
  };
  while (Clock::now() < end) {
    auto t0 = Clock::now();
    ++n;
    std::vector<std::string> shas;
    bool ok = true;
    for (int f = 0; f < o.files && ok; ++f) {
      http::request<http::string_body> req{http::verb::post, "/api/v1/files", 11};
      req.set(http::field::content_type, "application/pdf");
      req.body() = Pdf(std::to_string(index) + "-" + std::to_string(n) + "-" + std::to_string(f) +
                           "-" + std::to_string(rng()),
                       static_cast<size_t>(o.file_kib) * 1024);
      http::response<http::string_body> res;
      ok = co_await exchange(req, res);
      if (ok) {
        size_t at = res.body().find("\"sha256\":\"");
        shas.push_back(res.body().substr(at + 10, 64));
      } else if (stats.first_error.empty()) {
        stats.first_error =
            "upload: " + std::to_string(res.result_int()) + " " + res.body().substr(0, 300);
      }
    }
    if (ok) {
      const std::string& unit = o.units[static_cast<size_t>(index + n) % o.units.size()];
      std::string body = "{\"procedure_id\":\"" + o.procedure + "\",\"unit\":\"" + unit +
                         "\",\"applicant\":{\"id_number\":\"" + o.id_number +
                         "\",\"full_name\":\"Nguyễn Thị Thử " + std::to_string(index) + "-" +
                         std::to_string(n) + "\",\"email\":\"thu@example.vn\"},\"components\":[";
      // Without files, the scans were uploaded earlier (the standing file of the token's user).
      std::string a = shas.empty() ? std::getenv("MOTCUA_BENCH_SHA") : shas[0];
      std::string b = shas.size() > 1 ? shas[1] : a;
      body += "{\"component_id\":\"to_khai\",\"source\":\"uploaded\",\"file_sha256\":\"" + a +
              "\"},{\"component_id\":\"giay_chung_sinh\",\"source\":\"uploaded\","
              "\"file_sha256\":\"" +
              b +
              "\"},{\"component_id\":\"giay_to_tuy_than\","
              "\"source\":\"national_db\"}]}";
      http::request<http::string_body> req{http::verb::post, "/api/v1/dossiers", 11};
      req.set(http::field::content_type, "application/json");
      req.set("Idempotency-Key", "bench-" + o.run_id + "-" + std::to_string(index) + "-" +
                                     std::to_string(n) + "-" + std::to_string(rng()));
      req.body() = std::move(body);
      http::response<http::string_body> res;
      ok = co_await exchange(req, res);
      if (!ok && stats.first_error.empty()) {
        stats.first_error =
            "dossier: " + std::to_string(res.result_int()) + " " + res.body().substr(0, 300);
      }
      if (ok && res.count("Idempotent-Replayed") != 0) {
        ++stats.replayed;  // nothing was made: not a dossier
        continue;
      }
    }
    if (ok) {
      stats.latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    } else {
      ++stats.errors;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port")
      o.port = static_cast<unsigned short>(std::atoi(v.c_str()));
    else if (k == "--token")
      o.token = v;
    else if (k == "--connections")
      o.connections = std::atoi(v.c_str());
    else if (k == "--seconds")
      o.seconds = std::atoi(v.c_str());
    else if (k == "--files")
      o.files = std::atoi(v.c_str());
    else if (k == "--file-kib")
      o.file_kib = std::atoi(v.c_str());
    else if (k == "--procedure")
      o.procedure = v;
    else if (k == "--id-number")
      o.id_number = v;
    else if (k == "--units") {
      size_t at = 0;
      while (at <= v.size()) {
        size_t comma = v.find(',', at);
        if (comma == std::string::npos) comma = v.size();
        if (comma > at) o.units.push_back(v.substr(at, comma - at));
        at = comma + 1;
      }
    } else {
      std::fprintf(stderr, "intake_load: unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (o.token.empty() || o.units.empty() || (o.files == 0 && !std::getenv("MOTCUA_BENCH_SHA"))) {
    std::fprintf(stderr, "intake_load: --token, --units and (without --files) MOTCUA_BENCH_SHA\n");
    return 2;
  }
  {
    std::random_device rd;
    o.run_id = std::to_string(rd()) + std::to_string(rd());
  }
  asio::io_context ioc(1);
  std::vector<Stats> stats(static_cast<size_t>(o.connections));
  auto start = Clock::now();
  auto end = start + std::chrono::seconds(o.seconds);
  long failed_connections = 0;
  std::string first_failure;
  for (int i = 0; i < o.connections; ++i) {
    asio::co_spawn(ioc, Worker(o, i, end, stats[static_cast<size_t>(i)]),
                   [&](std::exception_ptr e) {
                     if (!e) return;
                     ++failed_connections;
                     if (!first_failure.empty()) return;
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& x) {
                       first_failure = x.what();
                     } catch (...) {
                       first_failure = "unknown exception";
                     }
                   });
  }
  ioc.run();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  long errors = 0, replayed = 0;
  std::string first_error;
  for (auto& s : stats) {
    all.insert(all.end(), s.latencies_ms.begin(), s.latencies_ms.end());
    errors += s.errors;
    replayed += s.replayed;
    if (first_error.empty()) first_error = s.first_error;
  }
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))];
  };
  std::printf(
      "{\"dossiers\":%zu,\"seconds\":%.2f,\"rate\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,"
      "\"errors\":%ld,\"replayed\":%ld,\"failed_connections\":%ld}\n",
      all.size(), elapsed, all.size() / elapsed, pct(0.50), pct(0.99), errors, replayed,
      failed_connections);
  if (!first_error.empty()) std::fprintf(stderr, "first error: %s\n", first_error.c_str());
  if (!first_failure.empty()) {
    std::fprintf(stderr, "first failed connection: %s\n", first_failure.c_str());
  }
  if (replayed != 0) std::fprintf(stderr, "intake_load: %ld replayed (not counted)\n", replayed);
  if (all.empty()) std::fprintf(stderr, "intake_load: no dossier was made\n");
  return all.empty() || replayed != 0 || errors != 0 || failed_connections != 0 ? 1 : 0;
}
