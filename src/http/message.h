// The request and response as handlers see them: plain structs, independent of Beast, so that
// handlers, tests and fuzzers need no sockets.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace motcua {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as received, e.g. "/api/v1/procedures?q=khai%20sinh"
  std::string path;    // percent-decoded path without the query
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string client_ip;

  // The first header named `name` (lower case), or "".
  std::string_view Header(std::string_view name) const;
  // The first query parameter named `name`, or nullptr.
  const std::string* Query(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

// Splits `target` into a decoded path and query parameters. Fails with kBadRequest on bad percent
// escapes, NUL bytes, invalid UTF-8 or a relative target.
Status ParseTarget(std::string_view target, Request& req);

// The JSON error body {"error":{"code","message","message_vi","field"}} with the table's status.
Response ErrorResponse(const Error& error, std::string_view request_id = {});

}  // namespace motcua
