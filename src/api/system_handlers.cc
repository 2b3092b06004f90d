// Health, readiness, metrics and the OpenAPI document.
#include "api/app.h"

namespace motcua {

namespace asio = boost::asio;

void RegisterSystemRoutes(App& app, Router& router) {
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
      [&app](RequestContext&) -> asio::awaitable<Response> {
        if (auto st = app.store().Ping(); !st) {
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
             [&app](RequestContext&) -> asio::awaitable<Response> {
               Response r;
               r.content_type = "text/plain; version=0.0.4; charset=utf-8";
               app.metrics().Render(r.body);
               storage::DatabaseStats s = app.store().database().Stats();
               r.body +=
                   "# HELP motcua_db_readers Reader connections in the pool.\n"
                   "# TYPE motcua_db_readers gauge\nmotcua_db_readers " +
                   std::to_string(s.readers_total) +
                   "\n# HELP motcua_db_readers_in_use Reader connections in use.\n"
                   "# TYPE motcua_db_readers_in_use gauge\nmotcua_db_readers_in_use " +
                   std::to_string(s.readers_in_use) +
                   "\n# HELP motcua_db_reader_waits_total Waits for a free reader.\n"
                   "# TYPE motcua_db_reader_waits_total counter\nmotcua_db_reader_waits_total " +
                   std::to_string(s.reader_waits) +
                   "\n# HELP motcua_db_write_batches_total Group commits.\n"
                   "# TYPE motcua_db_write_batches_total counter\n"
                   "motcua_db_write_batches_total " +
                   std::to_string(s.write_batches) +
                   "\n# HELP motcua_db_write_jobs_total Write jobs committed or failed.\n"
                   "# TYPE motcua_db_write_jobs_total counter\nmotcua_db_write_jobs_total " +
                   std::to_string(s.write_jobs) +
                   "\n# HELP motcua_db_write_failures_total Write jobs that failed.\n"
                   "# TYPE motcua_db_write_failures_total counter\n"
                   "motcua_db_write_failures_total " +
                   std::to_string(s.write_failures) +
                   "\n# HELP motcua_db_write_queue Write jobs waiting.\n"
                   "# TYPE motcua_db_write_queue gauge\nmotcua_db_write_queue " +
                   std::to_string(s.write_queue) + "\n";
               co_return r;
             },
             {.summary = "Prometheus metrics: requests by route and status, latency histogram, "
                         "database pool and group commit.",
              .tag = "system",
              .response_type = "text/plain",
              .statuses = {200}});
  router.Add("GET", "/api/openapi.json",
             [&app](RequestContext&) -> asio::awaitable<Response> {
               co_return JsonResponse(200, app.openapi_json());
             },
             {.summary = "This OpenAPI 3.1 document.",
              .tag = "system",
              .response_schema = R"({"type":"object"})",
              .statuses = {200}});
}

}  // namespace motcua
