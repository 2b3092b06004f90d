#include "api/app.h"

#include <exception>

#include "common/crypto.h"
#include "common/json.h"
#include "common/log.h"

namespace motcua {

namespace asio = boost::asio;

namespace {

bool SafeRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string_view CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t semi = header.find(';');
    std::string_view part = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.starts_with(name) && part[name.size()] == '=') {
      return part.substr(name.size() + 1);
    }
  }
  return {};
}

namespace {

bool IsSafeMethod(std::string_view m) { return m == "GET" || m == "HEAD" || m == "OPTIONS"; }

}  // namespace

std::string_view SessionToken(const Request& req, bool* via_cookie) {
  std::string_view authz = req.Header("authorization");
  *via_cookie = false;
  if (!authz.empty()) return authz.starts_with("Bearer ") ? authz.substr(7) : std::string_view();
  std::string_view token = CookieValue(req.Header("cookie"), "motcua_session");
  *via_cookie = !token.empty();
  return token;
}

App::App(storage::SqlStore& store, const Clock& clock, Random& random, AppConfig config)
    : store_(store),
      clock_(clock),
      random_(random),
      config_(std::move(config)),
      login_limiter_(clock, config_.limits.login_per_minute_per_client,
                     config_.limits.login_burst_per_client),
      public_limiter_(clock, config_.limits.public_lookups_per_minute_per_client,
                      config_.limits.public_lookups_burst_per_client),
      hash_pool_(std::max<size_t>(1, config_.limits.max_concurrent_hashes)),
      file_pool_(std::max<size_t>(1, config_.limits.max_concurrent_file_commits)),
      render_pool_(std::max<size_t>(1, config_.limits.max_concurrent_renders)),
      fs_(MakePosixFileSystem()),
      blobs_(std::make_unique<storage::BlobStore>(config_.files_dir, *fs_, random_)) {
  auth_ = std::make_unique<AuthService>(store_, clock_, random_, config_.auth);
  calendar_ = std::make_shared<const WorkingCalendar>(config_.working_hours,
                                                      std::vector<CalendarOverride>{});
  deadlines_ = std::make_unique<CalendarDeadlines>([this] { return calendar(); });
  dossiers_ = std::make_unique<DossierService>(
      store_, clock_, *deadlines_, [this] { return catalog(); }, [this] { return units(); },
      config_.province_code);
  RegisterSystemRoutes(*this, router_);
  RegisterUnitRoutes(*this, router_);
  RegisterCatalogRoutes(*this, router_);
  RegisterAuthRoutes(*this, router_);
  RegisterStaticRoutes(*this, router_);
  RegisterDossierRoutes(*this, router_);
  RegisterCalendarRoutes(*this, router_);
  RegisterNotificationRoutes(*this, router_);
  RegisterFileRoutes(*this, router_);
  RegisterFormRoutes(*this, router_);
  std::vector<std::string> names;
  for (const Route& r : router_.routes()) names.push_back(r.method + " " + r.pattern);
  metrics_ = std::make_unique<Metrics>(std::move(names));
  openapi_json_ = BuildOpenApi(router_);
  uint8_t prefix[4];
  random_.Fill(prefix, sizeof prefix);
  node_prefix_ = Hex(prefix, sizeof prefix);
}

App::~App() {
  {
    std::lock_guard lock(refresh_mu_);
    stopping_ = true;
  }
  refresh_cv_.notify_all();
  if (refresh_thread_.joinable()) refresh_thread_.join();
  StopPools();
}

void App::StopPools() {
  if (pools_stopped_.exchange(true)) return;
  hash_pool_.join();
  file_pool_.join();
  render_pool_.join();
}

std::shared_ptr<const UnitDirectory> App::units() const {
  std::lock_guard lock(snapshot_mu_);
  return units_;
}

std::shared_ptr<const Catalog> App::catalog() const {
  std::lock_guard lock(snapshot_mu_);
  return catalog_;
}

std::shared_ptr<const WorkingCalendar> App::calendar() const {
  std::lock_guard lock(snapshot_mu_);
  return calendar_;
}

Status App::LoadCalendar() {
  auto rows = store_.LoadCalendarOverrides();
  if (!rows) return tl::unexpected(rows.error());
  std::vector<CalendarOverride> overrides;
  for (const auto& r : *rows) {
    auto t = ParseIso8601(r.day + "T00:00:00Z");
    if (!t) continue;
    overrides.push_back({std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(*t)),
                         r.working, r.reason_vi, r.reason_en});
  }
  auto cal = std::make_shared<const WorkingCalendar>(config_.working_hours, std::move(overrides));
  std::lock_guard lock(snapshot_mu_);
  calendar_ = std::move(cal);
  return {};
}

Status App::LoadUnits() {
  auto units = store_.LoadUnits();
  if (!units) return tl::unexpected(units.error());
  auto dir = std::make_shared<const UnitDirectory>(std::move(*units));
  std::lock_guard lock(snapshot_mu_);
  units_ = std::move(dir);
  return {};
}

Status App::LoadCatalog() {
  auto records = store_.LoadCurrentProcedures();
  if (!records) return tl::unexpected(records.error());
  CatalogReferences refs;
  refs.check_references = false;  // validated at import
  std::vector<CatalogEntry> entries;
  entries.reserve(records->size());
  for (const ProcedureRecord& rec : *records) {
    auto doc = ParseJson(rec.content, 64);
    if (!doc) {
      LogError("stored procedure " + rec.id + " is not valid JSON; skipped");
      continue;
    }
    boost::json::array one{std::move(*doc)};
    auto parsed = ParseCatalog(boost::json::value(std::move(one)), refs);
    if (!parsed) {
      LogError("stored procedure " + rec.id +
               " no longer validates: " + parsed.error().front().message);
      continue;
    }
    entries.push_back(MakeCatalogEntry(std::move(parsed->front()), rec.version, rec.imported_at));
  }
  auto catalog = std::make_shared<const Catalog>(std::move(entries));
  std::lock_guard lock(snapshot_mu_);
  catalog_ = std::move(catalog);
  return {};
}

FileContentLimits App::file_limits() const {
  const Limits& l = config_.limits;
  return {l.max_image_pixels, l.max_pdf_inflated_bytes, l.max_pdf_inflate_ratio, l.max_pdf_pages};
}

bool App::StreamsBody(std::string_view method, std::string_view target) const {
  if (method != "POST" && method != "PUT") return false;  // only uploads stream
  Request probe;
  if (!ParseTarget(target, probe)) return false;
  std::vector<std::pair<std::string_view, std::string>> params;
  std::string allowed;
  const Route* route = router_.Match(method, probe.path, params, &allowed);
  return route != nullptr && route->doc.stream_body;
}

Status App::Load() {
  if (auto st = blobs_->Open(); !st) return st;
  auto stamps = store_.DataStamps();
  if (!stamps) return tl::unexpected(stamps.error());
  if (auto st = LoadUnits(); !st) return st;
  if (auto st = LoadCatalog(); !st) return st;
  if (auto st = LoadCalendar(); !st) return st;
  units_stamp_ = stamps->first;
  catalog_stamp_ = stamps->second;
  if (!refresh_thread_.joinable()) refresh_thread_ = std::thread([this] { RefreshLoop(); });
  return {};
}

void App::RefreshLoop() {
  std::unique_lock lock(refresh_mu_);
  while (!stopping_) {
    refresh_cv_.wait_for(lock, config_.refresh_interval);
    if (stopping_) break;
    lock.unlock();
    if (auto stamps = store_.DataStamps(); stamps) {
      if (stamps->first != units_stamp_ && LoadUnits() && LoadCalendar()) {
        units_stamp_ = stamps->first;
        LogInfo("units reloaded");
      }
      if (stamps->second != catalog_stamp_ && LoadCatalog()) {
        catalog_stamp_ = stamps->second;
        LogInfo("catalog reloaded");
      }
    }
    (void)store_.DeleteExpiredSessions(clock_.Now());
    lock.lock();
  }
}

Result<const Principal*> App::Authenticate(const Request& req, const Route& route,
                                           Principal& storage) {
  std::string_view authz = req.Header("authorization");
  if (!authz.empty() && (authz.size() < 8 || !authz.starts_with("Bearer "))) {
    return Fail(ErrorCode::kUnauthenticated, "Use 'Authorization: Bearer <token>'.",
                "Dùng 'Authorization: Bearer <mã phiên>'.");
  }
  bool via_cookie = false;
  std::string_view token = SessionToken(req, &via_cookie);
  if (token.empty()) {
    if (route.doc.auth) return Fail(ErrorCode::kUnauthenticated);
    return nullptr;
  }
  auto session = auth_->Authenticate(token);
  if (!session) {
    if (route.doc.auth || session.error().code != ErrorCode::kUnauthenticated) {
      return tl::unexpected(session.error());
    }
    return nullptr;  // a stale cookie does not block public pages
  }
  if (via_cookie && !IsSafeMethod(req.method)) {
    std::string_view csrf = req.Header("x-csrf-token");
    if (csrf.empty() || !ConstantTimeEquals(Sha256Hex(csrf), session->csrf_hash)) {
      return Fail(ErrorCode::kCsrf);
    }
  }
  storage = std::move(session->principal);
  return &storage;
}

asio::awaitable<Response> App::Handle(Request& req) {
  auto start = std::chrono::steady_clock::now();
  std::string request_id;
  if (std::string_view incoming = req.Header("x-request-id"); SafeRequestId(incoming)) {
    request_id = incoming;
  } else {
    request_id = NewRequestId();
  }
  size_t route_index = metrics_->unmatched_index();
  Principal principal_storage;
  const Principal* principal = nullptr;
  Response res;
  try {
    const Route* route = nullptr;
    std::vector<std::pair<std::string_view, std::string>> params;
    Status target = ParseTarget(req.target, req);
    if (!target) {
      res = ErrorResponse(target.error(), request_id);
    } else {
      std::string allowed;
      route = router_.Match(req.method, req.path, params, &allowed);
      if (route == nullptr) {
        res = ErrorResponse(
            Error{allowed.empty() ? ErrorCode::kNotFound : ErrorCode::kMethodNotAllowed},
            request_id);
        if (!allowed.empty()) res.headers.emplace_back("Allow", allowed);
      }
    }
    if (route != nullptr) {
      route_index = route->index;
      auto who = Authenticate(req, *route, principal_storage);
      if (!who) {
        res = ErrorResponse(who.error(), request_id);
      } else {
        principal = *who;
        RequestContext ctx{req, std::move(params), principal, request_id};
        res = co_await route->handler(ctx);
        if (res.status >= 400 && res.body.find("\"request_id\"") == std::string::npos &&
            res.body.starts_with("{\"error\":")) {
          res.body.insert(res.body.size() - 2, ",\"request_id\":\"" + request_id + "\"");
        }
      }
    }
  } catch (const std::exception& e) {
    LogError("request " + request_id + " failed: " + e.what());
    res = ErrorResponse(Error{ErrorCode::kInternal}, request_id);
  }
  res.headers.emplace_back("X-Request-Id", request_id);
  if (res.content_type == "application/json") {
    res.headers.emplace_back("Cache-Control", "no-store");
  }
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  auto elapsed = std::chrono::steady_clock::now() - start;
  metrics_->Observe(route_index, res.status, elapsed);
  std::string line;
  line.reserve(256);
  line += "{\"ts_us\":";
  line += std::to_string(clock_.Now().time_since_epoch().count());
  line += ",\"level\":\"info\",\"msg\":\"access\",\"id\":\"";
  line += request_id;
  line += "\",\"method\":\"";
  line += JsonEscape(req.method.substr(0, 16));
  line += "\",\"path\":\"";
  line += JsonEscape(req.path.substr(0, 200));
  line += "\",\"status\":";
  line += std::to_string(res.status);
  line += ",\"us\":";
  line += std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
  line += ",\"client\":\"";
  line += req.client_ip;
  line += "\",\"user\":";
  line += principal ? std::to_string(principal->user_id) : "null";
  line += "}";
  LogLine(line);
  co_return res;
}

std::string App::NewRequestId() {
  return node_prefix_ + "-" + std::to_string(request_seq_.fetch_add(1) + 1);
}

Response JsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Result<std::pair<size_t, size_t>> ParsePaging(const Request& req, size_t default_limit,
                                              size_t max) {
  auto number = [&](std::string_view name, size_t fallback, size_t hi) -> Result<size_t> {
    const std::string* v = req.Query(name);
    if (v == nullptr) return fallback;
    size_t n = 0;
    if (v->empty() || v->size() > 9) goto bad;
    for (char c : *v) {
      if (c < '0' || c > '9') goto bad;
      n = n * 10 + static_cast<size_t>(c - '0');
    }
    if (n > hi) goto bad;
    return n;
  bad:
    return Fail(
        ErrorCode::kInvalidField,
        "'" + std::string(name) + "' must be an integer from 0 to " + std::to_string(hi) + ".",
        "'" + std::string(name) + "' phải là số nguyên từ 0 đến " + std::to_string(hi) + ".",
        std::string(name));
  };
  auto offset = number("offset", 0, 100'000'000);
  if (!offset) return tl::unexpected(offset.error());
  auto limit = number("limit", default_limit, max);
  if (!limit) return tl::unexpected(limit.error());
  return std::make_pair(*offset, *limit);
}

Status RequireJson(const Request& req) {
  if (!req.Header("content-type").starts_with("application/json")) {
    return Fail(ErrorCode::kUnsupportedMedia);
  }
  return {};
}

Status CheckQueryParams(const Request& req, std::initializer_list<std::string_view> allowed) {
  for (const auto& [k, v] : req.query) {
    bool ok = false;
    for (auto a : allowed) ok = ok || a == k;
    if (!ok) {
      std::string shown = k.size() <= 64 ? k : k.substr(0, 64);
      return Fail(ErrorCode::kUnknownField, "Unknown query parameter '" + shown + "'.",
                  "Tham số truy vấn không được hỗ trợ: '" + shown + "'.", shown);
    }
  }
  return {};
}

}  // namespace motcua
