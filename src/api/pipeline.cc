#include "api/pipeline.h"

#include <exception>

#include "api/request_util.h"
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

bool IsSafeMethod(std::string_view m) { return m == "GET" || m == "HEAD" || m == "OPTIONS"; }

// One access-log line, written into a buffer a background thread flushes.
void LogAccess(const Request& req, const Response& res, std::string_view request_id,
               const Principal* principal, Instant now, std::chrono::nanoseconds elapsed) {
  std::string line;
  line.reserve(256);
  line += "{\"ts_us\":";
  line += std::to_string(now.time_since_epoch().count());
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
}

}  // namespace

Pipeline::Pipeline(Router router, AuthService& auth, const Clock& clock, Random& random)
    : router_(std::move(router)), auth_(auth), clock_(clock) {
  std::vector<std::string> names;
  for (const Route& r : router_.routes()) names.push_back(r.method + " " + r.pattern);
  metrics_ = std::make_unique<Metrics>(std::move(names));
  openapi_json_ = BuildOpenApi(router_);
  uint8_t prefix[4];
  random.Fill(prefix, sizeof prefix);
  node_prefix_ = Hex(prefix, sizeof prefix);
}

std::string Pipeline::NewRequestId() {
  return node_prefix_ + "-" + std::to_string(request_seq_.fetch_add(1) + 1);
}

bool Pipeline::StreamsBody(std::string_view method, std::string_view target) const {
  if (method != "POST" && method != "PUT") return false;  // only uploads stream
  Request probe;
  if (!ParseTarget(target, probe)) return false;
  std::vector<std::pair<std::string_view, std::string>> params;
  std::string allowed;
  const Route* route = router_.Match(method, probe.path, params, &allowed);
  return route != nullptr && route->doc.stream_body;
}

tl::expected<const Principal*, Response> Pipeline::Authenticate(const Request& req,
                                                                const Route& route,
                                                                Principal& storage,
                                                                std::string_view request_id) {
  auto refuse = [&](const Error& e) { return tl::unexpected(ErrorResponse(e, request_id)); };
  std::string_view authz = req.Header("authorization");
  if (!authz.empty() && (authz.size() < 8 || !authz.starts_with("Bearer "))) {
    return refuse(Error{ErrorCode::kUnauthenticated, "Use 'Authorization: Bearer <token>'.",
                        "Dùng 'Authorization: Bearer <mã phiên>'."});
  }
  bool via_cookie = false;
  std::string_view token = SessionToken(req, &via_cookie);
  if (token.empty()) {
    if (route.doc.auth) return refuse(Error{ErrorCode::kUnauthenticated});
    return nullptr;
  }
  auto session = auth_.Authenticate(token);
  if (!session) {
    if (route.doc.auth || session.error().code != ErrorCode::kUnauthenticated) {
      return refuse(session.error());
    }
    return nullptr;  // a stale cookie does not block public pages
  }
  if (via_cookie && !IsSafeMethod(req.method)) {
    std::string_view csrf = req.Header("x-csrf-token");
    if (csrf.empty() || !ConstantTimeEquals(Sha256Hex(csrf), session->csrf_hash)) {
      return tl::unexpected(ErrorResponse(TransportError::kCsrf, request_id));
    }
  }
  storage = std::move(session->principal);
  return &storage;
}

Status Pipeline::CheckRoles(const Route& route, const Principal* who) {
  if (route.doc.roles.empty()) return {};
  if (who != nullptr) {
    std::string_view role = RoleName(who->role);
    for (const std::string& r : route.doc.roles) {
      if (r == role) return {};
    }
  }
  return Fail(ErrorCode::kForbidden);
}

asio::awaitable<Response> Pipeline::Handle(Request& req) {
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
        res = allowed.empty() ? ErrorResponse(Error{ErrorCode::kNotFound}, request_id)
                              : ErrorResponse(TransportError::kMethodNotAllowed, request_id);
        if (!allowed.empty()) res.headers.emplace_back("Allow", allowed);
      }
    }
    if (route != nullptr) {
      route_index = route->index;
      auto who = Authenticate(req, *route, principal_storage, request_id);
      Status allowed = who ? CheckRoles(*route, *who) : Status();
      if (!who) {
        res = std::move(who.error());
      } else if (!allowed) {
        res = ErrorResponse(allowed.error(), request_id);
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
  if (res.status == 429) {  // every throttled answer says when to come back
    bool has = false;
    for (const auto& [k, v] : res.headers) has = has || k == "Retry-After";
    if (!has) res.headers.emplace_back("Retry-After", "60");
  }
  res.headers.emplace_back("X-Request-Id", request_id);
  if (res.content_type == "application/json") {
    res.headers.emplace_back("Cache-Control", "no-store");
  }
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Referrer-Policy", "no-referrer");  // dossier codes are in URLs
  auto elapsed = std::chrono::steady_clock::now() - start;
  metrics_->Observe(route_index, res.status, elapsed);
  LogAccess(req, res, request_id, principal, clock_.Now(), elapsed);
  co_return res;
}

}  // namespace motcua
