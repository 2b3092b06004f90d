// Raw bytes -> Beast's request parser -> router -> handlers -> response, with a real SQLite
// store holding the bundled units, catalog and demo accounts. A 5xx answer or an error body
// without the four fields is a finding.
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <filesystem>

#include "api/app.h"
#include "cli/provisioning.h"
#include "common/crypto.h"
#include "http/beast_adapter.h"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace motcua;

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
    app = std::make_unique<App>(*store, clock, *random, config);
    if (!EnsureDemoAccounts(*store, app->auth()) || !app->Load()) abort();
  }
  std::filesystem::path dir;
  std::unique_ptr<storage::SqlStore> store;
  FakeClock clock{*ParseIso8601("2026-04-24T10:00:00+07:00")};
  std::unique_ptr<Random> random = MakeSeededRandom(1);
  std::unique_ptr<App> app;
  asio::io_context ioc;
};

asio::awaitable<void> Run(App& app, Request& req, Response& out, bool& done) {
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
  } else {
    Request req;
    req.client_ip = "127.0.0.1";
    FromBeast(parser.get(), req);
    bool done = false;
    env->ioc.restart();  // the previous input's work guard stopped it on the way out
    auto guard = asio::make_work_guard(env->ioc);
    asio::co_spawn(env->ioc, Run(*env->app, req, res, done), asio::detached);
    while (!done) env->ioc.run_one();
  }
  CheckErrorBody(res);
  auto out = ToBeast(res, 11, true, false);
  (void)out;
  return 0;
}
