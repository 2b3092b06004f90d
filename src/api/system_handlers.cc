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
             [render = deps.render_metrics](RequestContext&) -> asio::awaitable<Response> {
               Response r;
               r.content_type = "text/plain; version=0.0.4; charset=utf-8";
               render(r.body);
               co_return r;
             },
             {.summary = "Prometheus metrics: requests by route and status, latency histogram, "
                         "database pool and group commit, outbox delivery.",
              .tag = "system",
              .response_type = "text/plain",
              .statuses = {200}});
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
