// Routes: method + path pattern ("/api/v1/units/{code}") -> handler, with the documentation the
// OpenAPI document is generated from. A route without documentation is a bug that
// tests/unit/openapi_test.cc catches.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "http/message.h"

namespace motcua {

struct Principal;

// What a handler gets: the request, the path parameters and the caller (nullptr if anonymous).
struct RequestContext {
  const Request& request;
  std::vector<std::pair<std::string_view, std::string>> params;
  const Principal* principal = nullptr;
  std::string_view request_id;

  // The path parameter `name` (empty if absent).
  const std::string& Param(std::string_view name) const;
};

// One documented parameter.
struct ParamDoc {
  std::string name;
  std::string in;    // "path" | "query" | "header"
  std::string type;  // "string" | "integer" | "boolean"
  bool required = false;
  std::string description;
};

// A route's documentation and access rule, declared once with the route: the pipeline enforces
// `auth` and `roles`, and the OpenAPI document shows them.
struct RouteDoc {
  std::string summary;
  std::string tag;
  bool auth = false;               // needs a session (bearer or cookie)
  std::vector<std::string> roles;  // role names allowed to call it; empty = any caller
  std::string access;              // what else decides (unit reach, ownership), in words
  std::vector<ParamDoc> params;
  std::string request_schema;   // JSON Schema of the body, as JSON text; "" = no body
  std::string response_schema;  // JSON Schema of the success body, as JSON text
  std::string response_type = "application/json";
  std::vector<int> statuses;  // every status it can answer
  bool stream_body = false;   // the handler reads the body through Request::body_stream
};

using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&)>;

struct Route {
  std::string method;
  std::string pattern;
  std::vector<std::string> segments;
  Handler handler;
  RouteDoc doc;
  size_t index = 0;  // position in the table; metrics key
};

class Router {
 public:
  // Adds a route. Patterns are absolute paths whose segments are literals or {name}.
  void Add(std::string method, std::string pattern, Handler handler, RouteDoc doc);
  // Finds the route for `method` and `path`, filling `params`. If the path matches other
  // methods only, returns nullptr and lists them in `*allowed` ("GET, HEAD"; for 405's Allow);
  // `*allowed` stays empty when no route has this path (404).
  const Route* Match(std::string_view method, std::string_view path,
                     std::vector<std::pair<std::string_view, std::string>>& params,
                     std::string* allowed) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace motcua
