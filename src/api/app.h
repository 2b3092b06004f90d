// The application: the route table, the request pipeline (request id, routing, authentication,
// CSRF, error mapping, metrics, access log) and the in-memory snapshots of units and catalog that
// the read paths serve from. Handlers live in the *_handlers.cc files beside this one.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/clock.h"
#include "common/random.h"
#include "domain/auth/auth_service.h"
#include "domain/auth/rate_limiter.h"
#include "domain/calendar/working_calendar.h"
#include "domain/catalog/catalog.h"
#include "domain/dossier/calendar_deadlines.h"
#include "domain/dossier/dossier_service.h"
#include "domain/units/unit.h"
#include "http/limits.h"
#include "http/router.h"
#include "http/server.h"
#include "storage/blob_store.h"
#include "storage/open_store.h"

namespace motcua {

struct AppConfig {
  std::string province_code = "25";
  Limits limits;
  AuthConfig auth;
  bool cookie_secure = false;                // add "Secure" to cookies (set behind a TLS proxy)
  std::chrono::seconds refresh_interval{5};  // how often to look for catalog/unit changes
  WorkingHours working_hours;                // office hours and the 15:00 cut-off
  std::string files_dir = "var/files";       // the blob store's root (see storage/blob_store.h)
  // Printed on the forms and encoded in their QR codes (<url>/tra-cuu/<code>); no final '/'.
  std::string public_base_url = "http://127.0.0.1:8080";
};

class App final : public HttpApp {
 public:
  // Borrows store, clock and random, which must outlive the App.
  App(storage::SqlStore& store, const Clock& clock, Random& random, AppConfig config);
  ~App() override;

  // Loads the units and catalog snapshots from the store. Call before serving.
  Status Load();
  boost::asio::awaitable<Response> Handle(Request& req) override;
  Metrics& metrics() override { return *metrics_; }
  std::string NewRequestId() override;
  bool StreamsBody(std::string_view method, std::string_view target) const override;

  // Accessors for handlers.
  std::shared_ptr<const UnitDirectory> units() const;
  std::shared_ptr<const Catalog> catalog() const;
  std::shared_ptr<const WorkingCalendar> calendar() const;
  DossierService& dossiers() { return *dossiers_; }
  RateLimiter& public_limiter() { return public_limiter_; }
  // Rebuilds the calendar snapshot from the stored overrides (after an admin edit).
  Status LoadCalendar();
  storage::SqlStore& store() { return store_; }
  storage::BlobStore& blobs() { return *blobs_; }
  // Limits on uploaded files' content, from config().limits.
  FileContentLimits file_limits() const;
  AuthService& auth() { return *auth_; }
  const AppConfig& config() const { return config_; }
  const Clock& clock() const { return clock_; }
  RateLimiter& login_limiter() { return login_limiter_; }
  const Router& router() const { return router_; }
  const std::string& openapi_json() const { return openapi_json_; }
  // Adds a renderer whose text GET /metrics appends (the outbox sender's counters). Call before
  // serving: the list is read without a lock. Whatever `render` uses must outlive the serving.
  void AddMetricsSource(std::function<void(std::string&)> render) {
    metrics_sources_.push_back(std::move(render));
  }
  const std::vector<std::function<void(std::string&)>>& metrics_sources() const {
    return metrics_sources_;
  }

  // Awaits an asynchronous store operation: `start(done)` begins it and calls `done(result)`
  // from a store thread; the awaiting coroutine resumes on its own executor. Not a coroutine,
  // for the same reason as OnPool.
  template <typename T, typename Start>
  auto AwaitStore(Start start) {
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(Result<T>)>(
        [](auto handler, Start begin) {
          auto executor = boost::asio::get_associated_executor(handler);
          auto shared = std::make_shared<decltype(handler)>(std::move(handler));
          begin([executor, shared](Result<T> r) mutable {
            boost::asio::post(executor, [shared, r = std::move(r)]() mutable {
              std::move (*shared)(std::move(r));
            });
          });
        },
        boost::asio::use_awaitable, std::move(start));
  }

  // Waits for the jobs of the hashing, file and render pools to finish (idempotent; the
  // destructor calls it too). Call it after the server's I/O threads have stopped and before its
  // io_contexts go: a finishing job posts its result to the executor of its request.
  void StopPools();

  // Runs CPU-heavy `fn` (password hashing) on the bounded hashing pool; the awaiting coroutine
  // resumes on its own executor with fn's result. Fails with kUnavailable when too many jobs are
  // already queued. Not itself a coroutine: GCC 12 mishandles lambdas captured in coroutine
  // frames, so the job travels through plain Asio handlers.
  template <typename T, typename Fn>
  auto OnHashPool(Fn fn) {
    return OnPool<T>(hash_pool_, pending_hashes_, config_.limits.max_pending_hashes,
                     "Too many logins at once; try again shortly.",
                     "Quá nhiều lượt đăng nhập cùng lúc; vui lòng thử lại sau.", std::move(fn));
  }
  // Runs blocking file work (content checks, fsync, rename) on the bounded file pool.
  template <typename T, typename Fn>
  auto OnFilePool(Fn fn) {
    return OnPool<T>(file_pool_, pending_file_jobs_, config_.limits.max_pending_hashes,
                     "Too many uploads at once; try again shortly.",
                     "Quá nhiều tệp đang được tải lên cùng lúc; vui lòng thử lại sau.",
                     std::move(fn));
  }
  // Runs the making of a document (reading its rows, rendering a PDF or XLSX) on the bounded
  // render pool, so that a month's register does not hold up an I/O thread's other requests.
  template <typename T, typename Fn>
  auto OnRenderPool(Fn fn) {
    return OnPool<T>(render_pool_, pending_renders_, config_.limits.max_pending_renders,
                     "Too many documents are being made at once; try again shortly.",
                     "Quá nhiều văn bản đang được tạo cùng lúc; vui lòng thử lại sau.",
                     std::move(fn));
  }

 private:
  template <typename T, typename Fn>
  auto OnPool(boost::asio::thread_pool& pool, std::atomic<size_t>& pending, size_t max_pending,
              const char* busy_en, const char* busy_vi, Fn fn) {
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(Result<T>)>(
        [&pool, &pending, max_pending, busy_en, busy_vi](auto handler, Fn job) {
          auto executor = boost::asio::get_associated_executor(handler);
          if (pending.fetch_add(1) >= max_pending) {
            pending.fetch_sub(1);
            Result<T> busy = Fail(ErrorCode::kUnavailable, busy_en, busy_vi);
            boost::asio::post(executor, [h = std::move(handler), r = std::move(busy)]() mutable {
              std::move(h)(std::move(r));
            });
            return;
          }
          boost::asio::post(
              pool, [&pending, executor, h = std::move(handler), job = std::move(job)]() mutable {
                Result<T> r = job();
                pending.fetch_sub(1);
                boost::asio::post(executor, [h = std::move(h), r = std::move(r)]() mutable {
                  std::move(h)(std::move(r));
                });
              });
        },
        boost::asio::use_awaitable, std::move(fn));
  }

  void RefreshLoop();
  Status LoadUnits();
  Status LoadCatalog();
  Result<const Principal*> Authenticate(const Request& req, const Route& route, Principal& storage);

  storage::SqlStore& store_;
  const Clock& clock_;
  Random& random_;
  AppConfig config_;
  std::unique_ptr<AuthService> auth_;
  RateLimiter login_limiter_;
  RateLimiter public_limiter_;
  std::unique_ptr<CalendarDeadlines> deadlines_;
  std::unique_ptr<DossierService> dossiers_;
  Router router_;
  std::unique_ptr<Metrics> metrics_;
  std::string openapi_json_;
  std::vector<std::function<void(std::string&)>> metrics_sources_;
  boost::asio::thread_pool hash_pool_;
  std::atomic<size_t> pending_hashes_{0};
  boost::asio::thread_pool file_pool_;
  std::atomic<size_t> pending_file_jobs_{0};
  boost::asio::thread_pool render_pool_;
  std::atomic<size_t> pending_renders_{0};
  std::atomic<bool> pools_stopped_{false};
  std::unique_ptr<FileSystem> fs_;
  std::unique_ptr<storage::BlobStore> blobs_;
  std::atomic<uint64_t> request_seq_{0};
  std::string node_prefix_;

  mutable std::mutex snapshot_mu_;
  std::shared_ptr<const UnitDirectory> units_;
  std::shared_ptr<const Catalog> catalog_;
  std::shared_ptr<const WorkingCalendar> calendar_;
  std::string catalog_stamp_;
  std::string units_stamp_;

  std::mutex refresh_mu_;
  std::condition_variable refresh_cv_;
  bool stopping_ = false;
  std::thread refresh_thread_;
};

// Route registration, one function per area (each in its *_handlers.cc).
void RegisterSystemRoutes(App& app, Router& router);
void RegisterUnitRoutes(App& app, Router& router);
void RegisterCatalogRoutes(App& app, Router& router);
void RegisterAuthRoutes(App& app, Router& router);
void RegisterStaticRoutes(App& app, Router& router);
void RegisterDossierRoutes(App& app, Router& router);
void RegisterCalendarRoutes(App& app, Router& router);
void RegisterNotificationRoutes(App& app, Router& router);
void RegisterFileRoutes(App& app, Router& router);
void RegisterFormRoutes(App& app, Router& router);

// The value of cookie `name` in a Cookie header (exact name match), or "".
std::string_view CookieValue(std::string_view header, std::string_view name);
// The session token a request carries: the bearer token, else the motcua_session cookie (then
// `*via_cookie` is set). Empty if none.
std::string_view SessionToken(const Request& req, bool* via_cookie);

// Builds the OpenAPI 3.1 document from the documented routes.
std::string BuildOpenApi(const Router& router);

// Helpers shared by handlers.
Response JsonResponse(int status, std::string body);
inline Response ErrorOf(const Error& e) { return ErrorResponse(e); }
// Parses the offset/limit query parameters; limit defaults to `default_limit`, capped at `max`.
Result<std::pair<size_t, size_t>> ParsePaging(const Request& req, size_t default_limit, size_t max);
// Fails with kUnsupportedMedia unless the body is declared application/json.
Status RequireJson(const Request& req);
// Fails with kUnknownField if the query has a parameter outside `allowed`.
Status CheckQueryParams(const Request& req, std::initializer_list<std::string_view> allowed);

}  // namespace motcua
