// Health, readiness, metrics and the OpenAPI document.
#include "api/request_util.h"
#include "api/routes.h"

namespace motcua {

namespace asio = boost::asio;

void RegisterSystemRoutes(Router& router, SystemDeps deps) {
  router.Add("GET", "/healthz",
             [](RequestContext&) -> asio::awaitable<Response> {
               co_return JsonResponse(200, R"({"status":"ok"})");
             },
             {.summary = "Liveness: the process serves HTTP.",
              .tag = "system",
              .response_schema = R"({"type":"object","properties":{"status":{"const":"ok"}}})",
              .statuses = {200}});
  router.Add(
      "GET", "/readyz",
      [&health = deps.health](RequestContext&) -> asio::awaitable<Response> {
        if (auto st = health.Ping(); !st) {
          co_return ErrorResponse(Error{ErrorCode::kUnavailable, "The database is unreachable.",
                                        "Không kết nối được cơ sở dữ liệu."});
        }
        co_return JsonResponse(200, R"({"status":"ready"})");
      },
      {.summary = "Readiness: the database answers.",
       .tag = "system",
       .response_schema = R"({"type":"object","properties":{"status":{"const":"ready"}}})",
       .statuses = {200, 503}});
  router.Add("GET", "/metrics",
             [render = deps.render_metrics](RequestContext& ctx) -> asio::awaitable<Response> {
               // For the host's own scraper (or a local agent forwarding them): from anywhere
               // else the metrics do not exist.
               const std::string& from = ctx.request.client_ip;
               if (from != "127.0.0.1" && from != "::1" && from != "::ffff:127.0.0.1") {
                 co_return ErrorResponse(Error{ErrorCode::kNotFound});
               }
               Response r;
               r.content_type = "text/plain; version=0.0.4; charset=utf-8";
               render(r.body);
               co_return r;
             },
             {.summary = "Prometheus metrics: requests by route and status, latency histogram, "
                         "database pool and group commit, outbox delivery.",
              .tag = "system",
              .access = "this host only (127.0.0.1, ::1); 404 from anywhere else",
              .response_type = "text/plain",
              .statuses = {200, 404}});
  router.Add("GET", "/api/openapi.json",
             [openapi = deps.openapi](RequestContext&) -> asio::awaitable<Response> {
               co_return JsonResponse(200, openapi());
             },
             {.summary = "This OpenAPI 3.1 document.",
              .tag = "system",
              .response_schema = R"({"type":"object"})",
              .statuses = {200}});
}

}  // namespace motcua
