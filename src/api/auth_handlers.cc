// Login, logout, the current user and account creation.
#include <boost/json.hpp>

#include "api/request_util.h"
#include "api/routes.h"
#include "common/json.h"

namespace motcua {

namespace asio = boost::asio;

namespace {

boost::json::object PrincipalJson(const Principal& p) {
  return {
      {"user_id", p.user_id},
      {"username", p.username},
      {"role", RoleName(p.role)},
      {"unit", p.unit_code.empty() ? boost::json::value(nullptr) : boost::json::value(p.unit_code)},
      {"full_name", p.full_name}};
}

std::string Cookie(bool secure, std::string_view name, std::string_view value, bool http_only,
                   long long max_age) {
  std::string c = std::string(name) + "=" + std::string(value) +
                  "; Path=/; SameSite=Strict; Max-Age=" + std::to_string(max_age);
  if (http_only) c += "; HttpOnly";
  if (secure) c += "; Secure";
  return c;
}

constexpr std::string_view kLoginSchema =
    R"({"type":"object","required":["username","password"],"additionalProperties":false,)"
    R"("properties":{"username":{"type":"string","maxLength":64},"password":{"type":"string","maxLength":128}}})";
constexpr std::string_view kNewUserSchema =
    R"({"type":"object","required":["username","password","role"],"additionalProperties":false,)"
    R"("properties":{"username":{"type":"string"},"password":{"type":"string","minLength":8},)"
    R"("role":{"enum":["citizen","reception","specialist","leader","admin","auditor"]},)"
    R"("unit":{"type":"string"},"full_name":{"type":"string","maxLength":200}}})";

}  // namespace

void RegisterAuthRoutes(Router& router, AuthDeps deps) {
  router.Add(
      "POST", "/api/v1/auth/login",
      [deps](RequestContext& ctx) -> asio::awaitable<Response> {
        if (auto st = RequireJson(ctx.request); !st) co_return ErrorResponse(st.error());
        if (!deps.login_limiter.Allow(ctx.request.client_ip)) {
          Response r = ErrorResponse(Error{ErrorCode::kTooManyRequests});
          r.headers.emplace_back("Retry-After", "60");
          co_return r;
        }
        auto doc = ParseJson(ctx.request.body, deps.limits.max_json_depth);
        if (!doc) co_return ErrorResponse(doc.error());
        JsonObjectReader r(*doc);
        auto username = r.String("username", {true, 64, false});
        auto password = r.String("password", {true, 128, false});
        if (auto st = r.Finish(); !st) co_return ErrorResponse(st.error());
        auto login = [&auth = deps.auth, u = *username, p = *password] { return auth.Login(u, p); };
        Result<LoginResult> result = co_await deps.pools.OnHashPool<LoginResult>(std::move(login));
        if (!result) {
          Response err = ErrorResponse(result.error());
          if (result.error().code == ErrorCode::kLocked) {
            err.headers.emplace_back("Retry-After",
                                     std::to_string(deps.auth.config().lockout.count()));
          }
          co_return err;
        }
        long long ttl =
            std::chrono::duration_cast<std::chrono::seconds>(result->expires_at - deps.clock.Now())
                .count();
        boost::json::object out = PrincipalJson(result->principal);
        out["token"] = result->token;
        out["csrf_token"] = result->csrf_token;
        out["unit"] = result->principal.unit_code.empty()
                          ? boost::json::value(nullptr)
                          : boost::json::value(result->principal.unit_code);
        out["expires_at"] = FormatIso8601Vn(result->expires_at);
        Response res = JsonResponse(200, boost::json::serialize(out));
        res.headers.emplace_back(
            "Set-Cookie", Cookie(deps.cookie_secure, "motcua_session", result->token, true, ttl));
        res.headers.emplace_back("Set-Cookie", Cookie(deps.cookie_secure, "motcua_csrf",
                                                      result->csrf_token, false, ttl));
        co_return res;
      },
      {.summary = "Log in with username and password. Returns a bearer token (API clients) and "
                  "sets an HttpOnly SameSite=Strict session cookie plus a CSRF token (browsers "
                  "send it back in X-CSRF-Token on POST/PUT/PATCH/DELETE).",
       .tag = "auth",
       .request_schema = std::string(kLoginSchema),
       .response_schema =
           R"({"type":"object","properties":{"token":{"type":"string"},"csrf_token":{"type":"string"},)"
           R"("role":{"type":"string"},"unit":{"type":["string","null"]},"expires_at":{"type":"string"}}})",
       .statuses = {200, 400, 401, 415, 429, 503}});

  router.Add("POST", "/api/v1/auth/logout",
             [deps](RequestContext& ctx) -> asio::awaitable<Response> {
               bool via_cookie = false;  // the very token that authenticated this request
               std::string_view token = SessionToken(ctx.request, &via_cookie);
               if (auto st = deps.auth.Logout(token); !st) co_return ErrorResponse(st.error());
               Response res;
               res.status = 204;
               res.content_type = "application/json";
               res.headers.emplace_back("Set-Cookie",
                                        Cookie(deps.cookie_secure, "motcua_session", "", true, 0));
               res.headers.emplace_back("Set-Cookie",
                                        Cookie(deps.cookie_secure, "motcua_csrf", "", false, 0));
               co_return res;
             },
             {.summary = "End the current session.",
              .tag = "auth",
              .auth = true,
              .statuses = {204, 401, 403}});

  router.Add("GET", "/api/v1/me",
             [](RequestContext& ctx) -> asio::awaitable<Response> {
               co_return JsonResponse(200, boost::json::serialize(PrincipalJson(*ctx.principal)));
             },
             {.summary = "The logged-in user: id, username, role, unit.",
              .tag = "auth",
              .auth = true,
              .response_schema = R"({"type":"object","properties":{"username":{"type":"string"},)"
                                 R"("role":{"type":"string"},"unit":{"type":["string","null"]}}})",
              .statuses = {200, 401}});

  router.Add(
      "POST", "/api/v1/users",
      [deps](RequestContext& ctx) -> asio::awaitable<Response> {
        if (auto st = RequireJson(ctx.request); !st) co_return ErrorResponse(st.error());
        auto doc = ParseJson(ctx.request.body, deps.limits.max_json_depth);
        if (!doc) co_return ErrorResponse(doc.error());
        JsonObjectReader r(*doc);
        NewUser u;
        u.username = r.String("username", {true, 64, false}).value_or("");
        u.password = r.String("password", {true, 128, false}).value_or("");
        auto role_name = r.String("role", {true, 16, false});
        u.unit_code = r.String("unit", {false, 32, false}).value_or("");
        u.full_name = r.String("full_name", {false, 200, true}).value_or("");
        if (role_name && !ParseRole(*role_name)) {
          r.Reject(ErrorCode::kInvalidField, "role",
                   "role must be citizen, reception, specialist, leader, admin or auditor.",
                   "role phải là citizen, reception, specialist, leader, admin hoặc auditor.");
        }
        if (auto st = r.Finish(); !st) co_return ErrorResponse(st.error());
        u.role = *ParseRole(*role_name);
        auto create = [&accounts = deps.accounts, who = *ctx.principal, u = std::move(u)] {
          return accounts.Create(who, u);
        };
        Result<UserRecord> created = co_await deps.pools.OnHashPool<UserRecord>(std::move(create));
        if (!created) co_return ErrorResponse(created.error());
        boost::json::object out{
            {"id", created->id},
            {"username", created->username},
            {"role", RoleName(created->role)},
            {"unit", created->unit_code.empty() ? boost::json::value(nullptr)
                                                : boost::json::value(created->unit_code)},
            {"full_name", created->full_name},
            {"created_at", FormatIso8601Vn(created->created_at)}};
        co_return JsonResponse(201, boost::json::serialize(out));
      },
      {.summary = "Create an account (admins, within their province).",
       .tag = "users",
       .auth = true,
       .roles = {"admin"},
       .access = "admins, within their province",
       .request_schema = std::string(kNewUserSchema),
       .response_schema = R"({"type":"object","properties":{"id":{"type":"integer"},)"
                          R"("username":{"type":"string"},"role":{"type":"string"}}})",
       .statuses = {201, 400, 401, 403, 409, 415}});
}

}  // namespace motcua
