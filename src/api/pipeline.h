// The request pipeline every request goes through, in order: a request id; the target decoded
// and the route found (404/405); the caller authenticated (bearer token or session cookie, a
// cookie's unsafe methods needing X-CSRF-Token); the route's declared access enforced (`auth`
// and `roles` of its RouteDoc: 401/403 before any handler runs); the handler; errors mapped to
// their HTTP answer; security headers; metrics and the access log.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "domain/auth/auth_service.h"
#include "http/router.h"
#include "http/server.h"

namespace motcua {

class Pipeline final : public HttpApp {
 public:
  // Takes the finished route table; borrows `auth`, `clock` and `random` (they must outlive the
  // pipeline). Builds the metrics per route and the OpenAPI document.
  Pipeline(Router router, AuthService& auth, const Clock& clock, Random& random);

  boost::asio::awaitable<Response> Handle(Request& req) override;
  Metrics& metrics() override { return *metrics_; }
  std::string NewRequestId() override;
  bool StreamsBody(std::string_view method, std::string_view target) const override;

  const Router& router() const { return router_; }
  // The OpenAPI 3.1 document of the routes (GET /api/openapi.json serves it).
  const std::string& openapi_json() const { return openapi_json_; }

 private:
  // The caller of `req`: nullptr when anonymous on a route that allows it. Otherwise the
  // refusal: 401 on a route that needs a session; 403 for a cookie-authenticated unsafe request
  // without its CSRF token.
  tl::expected<const Principal*, Response> Authenticate(const Request& req, const Route& route,
                                                        Principal& storage,
                                                        std::string_view request_id);
  // 403 unless the route's roles admit the caller.
  static Status CheckRoles(const Route& route, const Principal* who);

  Router router_;
  AuthService& auth_;
  const Clock& clock_;
  std::unique_ptr<Metrics> metrics_;
  std::string openapi_json_;
  std::atomic<uint64_t> request_seq_{0};
  std::string node_prefix_;
};

// Builds the OpenAPI 3.1 document from the documented routes.
std::string BuildOpenApi(const Router& router);

}  // namespace motcua
