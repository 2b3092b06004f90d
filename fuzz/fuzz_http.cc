// Raw bytes -> Beast's request parser -> the framing and Host checks the server runs
// (CheckFraming) -> router -> handlers -> response, with a real SQLite store holding the bundled
// units, catalog and demo accounts. A 5xx answer or an error body without the four fields is a
// finding.
//
// So that the handlers behind authentication are fuzzed too, not only the 401 in front of them,
// a request may carry `X-Fuzz-As: citizen|reception|specialist|leader|admin`: the harness then
// replaces its Authorization header with a live session of that demo account. The citizen and
// the reception officer have each uploaded kStandingScan (its SHA-256 is in the seed corpus), so
// a seed dossier can be filed and acted on. A session that an input ended (logout, a disabled
// account) is signed in again; an account that can no longer sign in is dropped.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "cli/application.h"
#include "cli/provisioning.h"
#include "common/crypto.h"
#include "http/beast_adapter.h"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace motcua;

// The bytes every signed-in fuzz identity has uploaded (a valid PDF: header and end marker).
constexpr std::string_view kStandingScan = "%PDF-1.4\n% fuzz standing scan\n%%EOF\n";
// X-Fuzz-As value -> demo account.
const std::pair<std::string_view, std::string_view> kIdentities[] = {
    {"citizen", "025095000123"},
    {"reception", "reception.xuanhoa"},
    {"specialist", "specialist.xuanhoa"},
    {"leader", "leader.xuanhoa"},
    {"admin", "admin.phutho"},
};

asio::awaitable<void> Run(Pipeline& app, Request& req, Response& out, bool& done);

struct Env {
  Env() {
    InitCrypto();
    dir = std::filesystem::temp_directory_path() / ("motcua-fuzz-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    store = std::move(*storage::OpenStore("sqlite:" + (dir / "fuzz.db").string()));
    if (!InitDatabase(*store, "25", clock.Now())) abort();
    AppConfig config;
    config.files_dir = (dir / "files").string();
    config.auth.password_cost = PasswordCost{1, 8 << 10};
    config.limits.max_concurrent_hashes = 1;
    app = std::make_unique<Application>(*store, clock, *random, config);
    if (!EnsureDemoAccounts(store->accounts(), app->auth()) || !app->Load()) abort();
    for (auto [as, username] : kIdentities) {
      if (!SignIn(as)) abort();
    }
    for (std::string_view as : {"citizen", "reception"}) {
      Request up;
      up.method = "POST";
      up.target = up.path = "/api/v1/files";
      up.headers = {{"content-type", "application/pdf"}};
      up.body = std::string(kStandingScan);
      up.client_ip = "127.0.0.1";
      Authorize(up, as);
      if (Call(up).status != 201) abort();
    }
  }
  // Signs the demo account of `as` in; false if it cannot (then `as` has no token).
  bool SignIn(std::string_view as) {
    tokens.erase(std::string(as));
    for (auto [a, username] : kIdentities) {
      if (a != as) continue;
      auto login = app->auth().Login(username, kDemoPassword);
      if (!login) return false;
      tokens[std::string(as)] = login->token;
      return true;
    }
    return false;
  }
  // Gives `req` the session of `as` in place of any Authorization header it has.
  void Authorize(Request& req, std::string_view as) {
    auto it = tokens.find(std::string(as));
    if (it == tokens.end()) return;
    std::erase_if(req.headers, [](const auto& h) { return h.first == "authorization"; });
    req.headers.emplace_back("authorization", "Bearer " + it->second);
  }
  Response Call(Request& req) {
    Response res;
    bool done = false;
    ioc.restart();  // the previous input's work guard stopped it on the way out
    auto guard = asio::make_work_guard(ioc);
    asio::co_spawn(ioc, Run(app->pipeline(), req, res, done), asio::detached);
    while (!done) ioc.run_one();
    return res;
  }
  std::map<std::string, std::string> tokens;  // X-Fuzz-As value -> bearer token
  std::filesystem::path dir;
  std::unique_ptr<storage::SqlStore> store;
  FakeClock clock{*ParseIso8601("2026-04-24T10:00:00+07:00")};
  std::unique_ptr<Random> random = MakeSeededRandom(1);
  std::unique_ptr<Application> app;
  asio::io_context ioc;
};

asio::awaitable<void> Run(Pipeline& app, Request& req, Response& out, bool& done) {
  out = co_await app.Handle(req);
  done = true;
}

void CheckErrorBody(const Response& res) {
  if (res.status >= 500 && res.status != 503) __builtin_trap();
  if (res.status < 400 || res.content_type != "application/json") return;
  boost::system::error_code ec;
  auto v = boost::json::parse(res.body, ec);
  if (ec || !v.is_object()) __builtin_trap();
  const auto* e = v.as_object().if_contains("error");
  if (e == nullptr || !e->is_object()) __builtin_trap();
  for (const char* k : {"code", "message", "message_vi", "field"}) {
    if (!e->as_object().contains(k)) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Env* env = new Env();
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.header_limit(8 * 1024);
  parser.body_limit(64 * 1024);
  boost::beast::error_code ec;
  size_t offset = 0;
  while (offset < size && !parser.is_done()) {
    size_t used = parser.put(asio::buffer(data + offset, size - offset), ec);
    offset += used;
    if (ec || used == 0) break;
  }
  if ((ec == http::error::need_more || (!ec && !parser.is_done())) && parser.got_some()) {
    ec = {};
    parser.put_eof(ec);
  }
  Response res;
  if (ec || !parser.is_done()) {
    res = ErrorResponse(ReadError(ec ? ec : http::error::partial_message));
  } else if (auto refused = CheckFraming(parser.get().base())) {
    res = ErrorResponse(*refused);  // the server answers this and closes
  } else {
    Request req;
    req.client_ip = "127.0.0.1";
    FromBeast(parser.get(), req);
    std::string as(req.Header("x-fuzz-as"));
    env->Authorize(req, as);
    res = env->Call(req);
    auto it = env->tokens.find(as);
    if (it != env->tokens.end() && !env->app->auth().Authenticate(it->second)) env->SignIn(as);
  }
  CheckErrorBody(res);
  static const bool verbose = getenv("MOTCUA_FUZZ_VERBOSE") != nullptr;  // to check the seeds
  if (verbose) fprintf(stderr, "fuzz_http: %d %.200s\n", res.status, res.body.c_str());
  auto out = ToBeast(res, 11, true, false);
  (void)out;
  return 0;
}
