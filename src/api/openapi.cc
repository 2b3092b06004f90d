// Generates the OpenAPI 3.1 document from the route table. Routes without a summary are left
// out, which tests/unit/openapi_test.cc reports as a missing route.
#include <boost/json.hpp>

#include "api/pipeline.h"

namespace motcua {

namespace {

boost::json::value SchemaOf(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec) return boost::json::object{{"type", "object"}};
  return v;
}

std::string Describe(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No content";
    case 400:
      return "Invalid input (error body names the field)";
    case 401:
      return "Not logged in, or the session expired";
    case 403:
      return "The role or unit lacks the right (or CSRF token missing)";
    case 404:
      return "Not found";
    case 409:
      return "Conflict";
    case 413:
      return "Body too large";
    case 415:
      return "Body must be application/json";
    case 429:
      return "Too many requests (Retry-After says when to retry)";
    case 503:
      return "Temporarily unavailable";
  }
  return "See the error body";
}

}  // namespace

std::string BuildOpenApi(const Router& router) {
  boost::json::object paths;
  for (const Route& r : router.routes()) {
    if (r.doc.summary.empty()) continue;
    boost::json::object op;
    op["summary"] = r.doc.summary;
    op["operationId"] = r.method + " " + r.pattern;
    if (!r.doc.tag.empty()) op["tags"] = boost::json::array{boost::json::value(r.doc.tag)};
    std::string who;
    for (const std::string& role : r.doc.roles) who += (who.empty() ? "" : ", ") + role;
    if (!r.doc.roles.empty()) {
      op["x-roles"] = boost::json::value_from(r.doc.roles);
    }
    if (!who.empty() || !r.doc.access.empty()) {
      op["description"] = "Who may call it: " + (who.empty() ? std::string("anyone") : who) +
                          (r.doc.access.empty() ? "" : "; " + r.doc.access) + ".";
    }
    if (r.doc.auth) {
      op["security"] = boost::json::array{boost::json::object{{"bearer", boost::json::array{}}},
                                          boost::json::object{{"cookie", boost::json::array{}}}};
    }
    boost::json::array params;
    for (const ParamDoc& p : r.doc.params) {
      params.push_back({{"name", p.name},
                        {"in", p.in},
                        {"required", p.required},
                        {"description", p.description},
                        {"schema", {{"type", p.type}}}});
    }
    if (!params.empty()) op["parameters"] = std::move(params);
    if (!r.doc.request_schema.empty()) {
      op["requestBody"] = {
          {"required", true},
          {"content", {{"application/json", {{"schema", SchemaOf(r.doc.request_schema)}}}}}};
    }
    boost::json::object responses;
    for (int status : r.doc.statuses) {
      boost::json::object resp{{"description", Describe(status)}};
      if (status >= 400) {
        resp["content"] = {
            {"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}};
      } else if (status != 204) {
        boost::json::value schema = r.doc.response_schema.empty()
                                        ? boost::json::value({{"type", "string"}})
                                        : SchemaOf(r.doc.response_schema);
        resp["content"] = {{r.doc.response_type, {{"schema", std::move(schema)}}}};
      }
      responses[std::to_string(status)] = std::move(resp);
    }
    op["responses"] = std::move(responses);
    std::string method = r.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    boost::json::value& item = paths[r.pattern];
    if (!item.is_object()) item.emplace_object();
    item.as_object()[method] = std::move(op);
  }
  boost::json::object doc{
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "motcua API"},
        {"version", MOTCUA_VERSION},
        {"description",
         "One-stop administrative procedure service of a Vietnamese province. Every error "
         "body is {\"error\":{\"code\",\"message\",\"message_vi\",\"field\"}}."},
        {"license", {{"name", "Apache-2.0"}, {"identifier", "Apache-2.0"}}}}},
      {"paths", std::move(paths)},
      {"components",
       {{"securitySchemes",
         {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}},
          {"cookie", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "motcua_session"}}}}},
        {"schemas",
         {{"Error",
           {{"type", "object"},
            {"required", boost::json::array{"error"}},
            {"properties",
             {{"error",
               {{"type", "object"},
                {"required", boost::json::array{"code", "message", "message_vi", "field"}},
                {"properties",
                 {{"code", {{"type", "string"}}},
                  {"message", {{"type", "string"}}},
                  {"message_vi", {{"type", "string"}}},
                  {"field", {{"type", boost::json::array{"string", "null"}}}},
                  {"request_id", {{"type", "string"}}}}}}}}}}}}}}}};
  return boost::json::serialize(doc);
}

}  // namespace motcua
