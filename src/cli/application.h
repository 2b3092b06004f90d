// The composition root: from a store and the configuration it builds every service over the
// store's ports, the worker pools, the route table (each route group given only the services
// it uses) and the request pipeline; and it runs the background refresh of the reference data.
// `motcua serve` and `demo`, the fuzzers and the tests that need the whole application use it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/pipeline.h"
#include "api/pools.h"
#include "common/clock.h"
#include "common/file_system.h"
#include "common/random.h"
#include "domain/auth/account_service.h"
#include "domain/auth/auth_service.h"
#include "domain/auth/rate_limiter.h"
#include "domain/calendar/calendar_service.h"
#include "domain/dossier/calendar_deadlines.h"
#include "domain/dossier/dossier_service.h"
#include "domain/dossier/lookup_service.h"
#include "domain/dossier/queue_service.h"
#include "domain/files/file_service.h"
#include "domain/forms/form_service.h"
#include "domain/reference/reference_data.h"
#include "http/limits.h"
#include "storage/blob_port.h"
#include "storage/blob_store.h"
#include "storage/simulated_registry.h"
#include "storage/sql_store.h"

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

class Application {
 public:
  // Borrows store, clock and random, which must outlive the application.
  Application(storage::SqlStore& store, const Clock& clock, Random& random, AppConfig config);
  ~Application();
  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;

  // Opens the blob store, loads the reference data and starts its background refresh (and the
  // sweep of expired sessions). Call before serving.
  Status Load();
  // Adds a renderer whose text GET /metrics appends (the outbox sender's counters). Call before
  // serving. Whatever `render` uses must outlive the serving.
  void AddMetricsSource(std::function<void(std::string&)> render);
  // Waits for the pools' jobs (see WorkPools::Stop); the destructor calls it too.
  void StopPools() { pools_.Stop(); }

  // What serving needs.
  Pipeline& pipeline() { return *pipeline_; }
  // What the command line's other jobs (demo accounts, demo history, sweeps) need.
  const AppConfig& config() const { return config_; }
  AuthService& auth() { return *auth_; }
  ReferenceData& reference() { return reference_; }
  storage::BlobStore& blobs() { return blobs_; }
  // Limits on uploaded files' content, from config().limits.
  FileContentLimits file_limits() const;

 private:
  void RefreshLoop();
  void RenderMetrics(std::string& out);

  storage::SqlStore& store_;
  const Clock& clock_;
  AppConfig config_;
  std::unique_ptr<FileSystem> fs_;
  storage::BlobStore blobs_;
  storage::BlobPort blob_port_;
  ReferenceData reference_;
  CalendarDeadlines deadlines_;
  RateLimiter login_limiter_;
  RateLimiter public_limiter_;
  RateLimiter wrong_guesses_;
  CallerQuotas quotas_;
  KeyedSlots login_slots_;
  WorkPools pools_;
  std::unique_ptr<storage::SimulatedNationalRegistry> national_;
  std::unique_ptr<AuthService> auth_;
  std::unique_ptr<AccountService> accounts_;
  std::unique_ptr<DossierService> dossiers_;
  std::unique_ptr<QueueService> queues_;
  std::unique_ptr<DossierLookup> lookup_;
  std::unique_ptr<FileService> files_;
  std::unique_ptr<FormService> forms_;
  std::unique_ptr<CalendarService> calendar_;
  std::unique_ptr<Pipeline> pipeline_;
  std::vector<std::function<void(std::string&)>> metrics_sources_;

  std::mutex refresh_mu_;
  std::condition_variable refresh_cv_;
  bool stopping_ = false;
  std::thread refresh_thread_;
};

}  // namespace motcua
