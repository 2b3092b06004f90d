// Health, readiness, metrics and the OpenAPI document.
#include "api/app.h"

namespace motcua {

namespace asio = boost::asio;

namespace {

// Appends one Prometheus metric with its HELP and TYPE lines.
void AppendMetric(std::string& out, std::string_view name, std::string_view type,
                  std::string_view help, uint64_t value) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n# TYPE ");
  out.append(name).append(" ").append(type).append("\n").append(name).append(" ");
  out.append(std::to_string(value)).append("\n");
}

}  // namespace

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
               AppendMetric(r.body, "motcua_db_readers", "gauge", "Reader connections in the pool.",
                            s.readers_total);
               AppendMetric(r.body, "motcua_db_readers_in_use", "gauge",
                            "Reader connections in use.", s.readers_in_use);
               AppendMetric(r.body, "motcua_db_reader_waits_total", "counter",
                            "Waits for a free reader.", s.reader_waits);
               AppendMetric(r.body, "motcua_db_write_batches_total", "counter", "Group commits.",
                            s.write_batches);
               AppendMetric(r.body, "motcua_db_write_jobs_total", "counter",
                            "Write jobs committed or failed.", s.write_jobs);
               AppendMetric(r.body, "motcua_db_log_syncs_total", "counter",
                            "Log syncs made after the commit (each covers one or more batches).",
                            s.log_syncs);
               AppendMetric(r.body, "motcua_db_write_failures_total", "counter",
                            "Write jobs that failed.", s.write_failures);
               AppendMetric(r.body, "motcua_db_write_queue", "gauge", "Write jobs waiting.",
                            s.write_queue);
               for (const auto& render : app.metrics_sources()) render(r.body);
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
