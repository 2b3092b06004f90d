#include "cli/application.h"

#include <filesystem>

#include "api/embedded_fonts.h"
#include "api/routes.h"
#include "common/log.h"

namespace motcua {
namespace {

// Appends one Prometheus metric with its HELP and TYPE lines.
void AppendMetric(std::string& out, std::string_view name, std::string_view type,
                  std::string_view help, uint64_t value) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n# TYPE ");
  out.append(name).append(" ").append(type).append("\n").append(name).append(" ");
  out.append(std::to_string(value)).append("\n");
}

QuotaRates QuotaRatesOf(const Limits& l) {
  return {{l.filings_per_hour_per_citizen, l.filings_burst_per_citizen},
          {l.filings_per_hour_per_officer, l.filings_burst_per_officer},
          {l.filings_per_hour_per_client, l.filings_burst_per_client},
          {l.uploads_per_hour_per_account, l.uploads_burst_per_account},
          {l.uploads_per_hour_per_client, l.uploads_burst_per_client}};
}

FormConfig MakeFormConfig(const AppConfig& config) {
  FormConfig out;
  out.public_base_url = config.public_base_url;
  while (!out.public_base_url.empty() && out.public_base_url.back() == '/') {
    out.public_base_url.pop_back();
  }
  if (auto fonts = EmbeddedFormFonts()) {
    out.fonts = *fonts;
  } else {
    LogError("forms unavailable: " + ErrorText(fonts.error()));  // requests get 500
  }
  std::error_code ec;
  out.tmp_dir = std::filesystem::temp_directory_path(ec);
  if (ec) out.tmp_dir = "/tmp";
  return out;
}

}  // namespace

Application::Application(storage::SqlStore& store, const Clock& clock, Random& random,
                         AppConfig config)
    : store_(store),
      clock_(clock),
      config_(std::move(config)),
      fs_(MakePosixFileSystem()),
      blobs_(config_.files_dir, *fs_, random),
      blob_port_(blobs_, file_limits()),
      reference_(store.units(), store.catalog(), store.calendar(), config_.working_hours),
      deadlines_([this] { return reference_.calendar(); }),
      login_limiter_(clock, config_.limits.login_per_minute_per_client,
                     config_.limits.login_burst_per_client),
      public_limiter_(clock, config_.limits.public_lookups_per_minute_per_client,
                      config_.limits.public_lookups_burst_per_client),
      wrong_guesses_(clock, config_.limits.public_wrong_guesses_per_hour_per_dossier / 60,
                     config_.limits.public_wrong_guesses_burst_per_dossier),
      quotas_(clock, QuotaRatesOf(config_.limits)),
      login_slots_(std::max<size_t>(1, config_.limits.max_pending_logins_per_client)),
      pools_(config_.limits) {
  UnitSource units = [this] { return reference_.units(); };
  CatalogSource catalog = [this] { return reference_.catalog(); };
  render::FontPair fonts;
  if (auto f = EmbeddedFormFonts()) fonts = *f;
  national_ = std::make_unique<storage::SimulatedNationalRegistry>(blobs_, file_limits(),
                                                                   store.files(), fonts, clock);
  auth_ = std::make_unique<AuthService>(store.accounts(), store.sessions(), clock, random,
                                        config_.auth);
  accounts_ =
      std::make_unique<AccountService>(store.accounts(), *auth_, units, config_.province_code);
  dossiers_ = std::make_unique<DossierService>(
      DossierPorts{store.dossiers(), store.documents(), store.files(), store.accounts(),
                   *national_},
      clock, deadlines_, catalog, units, config_.province_code, pools_.file_executor(), &quotas_);
  queues_ = std::make_unique<QueueService>(store.queries(), units, config_.province_code);
  lookup_ =
      std::make_unique<DossierLookup>(*dossiers_, store.dossiers(), store.audit(), store.outbox(),
                                      public_limiter_, wrong_guesses_, clock, deadlines_);
  files_ = std::make_unique<FileService>(blob_port_, store.files(), store.documents(), *dossiers_,
                                         clock, config_.limits.max_upload_bytes, &quotas_);
  forms_ = std::make_unique<FormService>(store.queries(), store.audit(), clock, *dossiers_, catalog,
                                         units, MakeFormConfig(config_));
  calendar_ = std::make_unique<CalendarService>(store.calendar(), store.audit(), reference_, clock,
                                                config_.province_code);

  Router router;
  const Limits& limits = config_.limits;
  RegisterSystemRoutes(router,
                       {store.health(), [this](std::string& out) { RenderMetrics(out); },
                        [this]() -> const std::string& { return pipeline_->openapi_json(); }});
  RegisterUnitRoutes(router, {reference_, *accounts_, clock, limits});
  RegisterCatalogRoutes(router, {reference_, limits});
  RegisterAuthRoutes(router, {*auth_, *accounts_, pools_, login_limiter_, login_slots_, clock,
                              limits, config_.cookie_secure});
  RegisterStaticRoutes(router);
  RegisterDossierRoutes(router, {*dossiers_, *queues_, *lookup_, reference_, clock, limits});
  RegisterCalendarRoutes(router, {*calendar_, clock, limits});
  RegisterNotificationRoutes(router, *lookup_);
  RegisterFileRoutes(router, {*files_, pools_, limits});
  RegisterFormRoutes(router, {*forms_, pools_, clock});
  pipeline_ = std::make_unique<Pipeline>(std::move(router), *auth_, clock, random);
}

Application::~Application() {
  {
    std::lock_guard lock(refresh_mu_);
    stopping_ = true;
  }
  refresh_cv_.notify_all();
  if (refresh_thread_.joinable()) refresh_thread_.join();
  pools_.Stop();
}

FileContentLimits Application::file_limits() const {
  const Limits& l = config_.limits;
  return {l.max_image_pixels, l.max_pdf_inflated_bytes, l.max_pdf_inflate_ratio, l.max_pdf_pages,
          l.max_file_check_passes};
}

void Application::AddMetricsSource(std::function<void(std::string&)> render) {
  metrics_sources_.push_back(std::move(render));
}

void Application::RenderMetrics(std::string& out) {
  pipeline_->metrics().Render(out);
  storage::DatabaseStats s = store_.database().Stats();
  AppendMetric(out, "motcua_db_readers", "gauge", "Reader connections in the pool.",
               s.readers_total);
  AppendMetric(out, "motcua_db_readers_in_use", "gauge", "Reader connections in use.",
               s.readers_in_use);
  AppendMetric(out, "motcua_db_reader_waits_total", "counter", "Waits for a free reader.",
               s.reader_waits);
  AppendMetric(out, "motcua_db_write_batches_total", "counter", "Group commits.", s.write_batches);
  AppendMetric(out, "motcua_db_write_jobs_total", "counter", "Write jobs committed or failed.",
               s.write_jobs);
  AppendMetric(out, "motcua_db_log_syncs_total", "counter",
               "Log syncs made after the commit (each covers one or more batches).", s.log_syncs);
  AppendMetric(out, "motcua_db_write_failures_total", "counter", "Write jobs that failed.",
               s.write_failures);
  AppendMetric(out, "motcua_db_write_queue", "gauge", "Write jobs waiting.", s.write_queue);
  for (const auto& render : metrics_sources_) render(out);
}

Status Application::Load() {
  if (auto st = blobs_.Open(); !st) return st;
  if (auto st = reference_.Load(); !st) return st;
  if (!refresh_thread_.joinable()) refresh_thread_ = std::thread([this] { RefreshLoop(); });
  return {};
}

void Application::RefreshLoop() {
  std::unique_lock lock(refresh_mu_);
  while (!stopping_) {
    refresh_cv_.wait_for(lock, config_.refresh_interval);
    if (stopping_) break;
    lock.unlock();
    if (auto st = reference_.RefreshIfChanged(); !st) {
      LogError("reference data refresh failed: " + ErrorText(st.error()));
    }
    (void)store_.sessions().DeleteExpiredSessions(clock_.Now());
    lock.lock();
  }
}

}  // namespace motcua
