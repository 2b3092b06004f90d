#include "api/request_util.h"

#include <cctype>

namespace motcua {

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

std::string_view SessionToken(const Request& req, bool* via_cookie) {
  std::string_view authz = req.Header("authorization");
  *via_cookie = false;
  if (!authz.empty()) return authz.starts_with("Bearer ") ? authz.substr(7) : std::string_view();
  std::string_view token = CookieValue(req.Header("cookie"), "motcua_session");
  *via_cookie = !token.empty();
  return token;
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
  MOTCUA_RETURN_IF_ERROR(offset);
  auto limit = number("limit", default_limit, max);
  MOTCUA_RETURN_IF_ERROR(limit);
  return std::make_pair(*offset, *limit);
}

Status RequireJson(const Request& req) {
  // The media type is case-insensitive; parameters (charset=utf-8) may follow after a ';'.
  std::string_view type = req.Header("content-type");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  constexpr std::string_view kJson = "application/json";
  bool same = type.size() == kJson.size();
  for (size_t i = 0; same && i < kJson.size(); ++i) {
    same = std::tolower(static_cast<unsigned char>(type[i])) == kJson[i];
  }
  if (!same) return Fail(ErrorCode::kUnsupportedMedia);
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
