// Small helpers every handler group shares: JSON answers, paging and query-string checks, the
// JSON media type, and where a request's session token is.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "common/error.h"
#include "http/message.h"

namespace motcua {

// A response with `status` and a JSON body.
Response JsonResponse(int status, std::string body);
// Parses the offset/limit query parameters; limit defaults to `default_limit`, capped at `max`.
// kInvalidField naming the parameter otherwise.
Result<std::pair<size_t, size_t>> ParsePaging(const Request& req, size_t default_limit, size_t max);
// Fails with kUnsupportedMedia unless the body is declared application/json: that media type
// (in any case), optionally followed by parameters ("; charset=utf-8"), nothing else.
Status RequireJson(const Request& req);
// Fails with kUnknownField if the query has a parameter outside `allowed`.
Status CheckQueryParams(const Request& req, std::initializer_list<std::string_view> allowed);
// The value of cookie `name` in a Cookie header (exact name match), or "".
std::string_view CookieValue(std::string_view header, std::string_view name);
// The session token a request carries: the bearer token, else the motcua_session cookie (then
// `*via_cookie` is set). Empty if none.
std::string_view SessionToken(const Request& req, bool* via_cookie);

}  // namespace motcua
