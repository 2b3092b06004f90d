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
        const std::string& client = ctx.request.client_ip;
        auto too_many = [](Error e, long long seconds) {
          Response r = ErrorResponse(e);
          r.headers.emplace_back("Retry-After", std::to_string(seconds));
          return r;
        };
        if (auto wait = deps.auth.LoginWait(*username, client)) {
          co_return too_many(Error{ErrorCode::kTooManyRequests,
                                   "Too many failed logins for this username from your address; "
                                   "try again later.",
                                   "Đăng nhập sai nhiều lần với tên này từ địa chỉ của bạn; vui "
                                   "lòng thử lại sau.",
                                   "username"},
                             wait->count());
        }
        // One client's flood of logins must not queue ahead of everyone else's.
        if (!deps.login_slots.TryAcquire(client)) {
          co_return too_many(Error{ErrorCode::kTooManyRequests}, 1);
        }
        auto login = [&auth = deps.auth, u = *username, p = *password, client] {
          return auth.Login(u, p, client);
        };
        Result<LoginResult> result = co_await deps.pools.OnHashPool<LoginResult>(std::move(login));
        deps.login_slots.Release(client);
        if (!result) co_return ErrorResponse(result.error());
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

  for (bool disable : {true, false}) {
    router.Add(
        "POST", disable ? "/api/v1/users/{username}/disable" : "/api/v1/users/{username}/enable",
        [deps, disable](RequestContext& ctx) -> asio::awaitable<Response> {
          if (auto st = CheckQueryParams(ctx.request, {}); !st) co_return ErrorResponse(st.error());
          auto user = deps.accounts.SetDisabled(*ctx.principal, ctx.Param("username"), disable);
          if (!user) co_return ErrorResponse(user.error());
          boost::json::object out{{"username", user->username},
                                  {"role", RoleName(user->role)},
                                  {"disabled", user->disabled}};
          co_return JsonResponse(200, boost::json::serialize(out));
        },
        {.summary = disable ? "Turn an account off: it cannot log in, and every session of it "
                              "ends at once."
                            : "Turn an account on again.",
         .tag = "users",
         .auth = true,
         .roles = {"admin"},
         .access = "admins of the account's province (citizens: of this deployment's); not "
                   "one's own account",
         .params = {{"username", "path", "string", true, "The account's username."}},
         .response_schema = R"({"type":"object","properties":{"username":{"type":"string"},)"
                            R"("disabled":{"type":"boolean"}}})",
         .statuses = {200, 400, 401, 403, 404, 409}});
  }

  router.Add("DELETE", "/api/v1/users/{username}/sessions",
             [deps](RequestContext& ctx) -> asio::awaitable<Response> {
               if (auto st = CheckQueryParams(ctx.request, {}); !st)
                 co_return ErrorResponse(st.error());
               auto ended = deps.accounts.EndSessions(*ctx.principal, ctx.Param("username"));
               if (!ended) co_return ErrorResponse(ended.error());
               boost::json::object out{{"ended", *ended}};
               co_return JsonResponse(200, boost::json::serialize(out));
             },
             {.summary = "End every session of an account (a lost phone, a departed officer).",
              .tag = "users",
              .auth = true,
              .roles = {"admin"},
              .access = "admins of the account's province (citizens: of this deployment's)",
              .params = {{"username", "path", "string", true, "The account's username."}},
              .response_schema = R"({"type":"object","properties":{"ended":{"type":"integer"}}})",
              .statuses = {200, 400, 401, 403, 404}});
}

}  // namespace motcua
