// The procedure catalog: listing with filters and accent-insensitive search, one procedure, and
// its stored versions.
#include <boost/json.hpp>

#include "api/request_util.h"
#include "api/routes.h"
#include "common/text.h"

namespace motcua {

namespace asio = boost::asio;

namespace {

Error BadEnum(std::string field, std::string allowed) {
  return Error{ErrorCode::kInvalidField, field + " must be one of: " + allowed + ".",
               field + " phải là một trong: " + allowed + ".", field};
}

}  // namespace

void RegisterCatalogRoutes(Router& router, CatalogDeps deps) {
  router.Add(
      "GET", "/api/v1/procedures",
      [deps](RequestContext& ctx) -> asio::awaitable<Response> {
        const Request& req = ctx.request;
        if (auto st = CheckQueryParams(
                req, {"q", "level", "field", "online_level", "agency", "offset", "limit"});
            !st) {
          co_return ErrorResponse(st.error());
        }
        auto paging = ParsePaging(req, 20, deps.limits.max_page_size);
        if (!paging) co_return ErrorResponse(paging.error());
        CatalogQuery q;
        std::tie(q.offset, q.limit) = *paging;
        auto text = [&](const char* name, std::string& out) -> bool {
          const std::string* v = req.Query(name);
          if (v == nullptr) return true;
          if (Utf8Length(*v) > deps.limits.max_query_chars) return false;
          out = *v;
          return true;
        };
        for (auto [name, dest] :
             {std::pair{"q", &q.q}, std::pair{"level", &q.level}, std::pair{"field", &q.field},
              std::pair{"online_level", &q.online_level}, std::pair{"agency", &q.agency}}) {
          if (!text(name, *dest)) {
            co_return ErrorResponse(Error{ErrorCode::kInvalidField,
                                          std::string(name) + " is too long.",
                                          std::string(name) + " quá dài.", name});
          }
        }
        if (!q.level.empty() && q.level != "commune" && q.level != "province") {
          co_return ErrorResponse(BadEnum("level", "commune, province"));
        }
        if (!q.online_level.empty() && q.online_level != "full" && q.online_level != "partial" &&
            q.online_level != "none") {
          co_return ErrorResponse(BadEnum("online_level", "full, partial, none"));
        }
        auto catalog = deps.reference.catalog();
        CatalogPage page = catalog->Search(q);
        std::string body;
        body.reserve(256 + page.items.size() * 400);
        body += "{\"items\":[";
        for (size_t i = 0; i < page.items.size(); ++i) {
          if (i) body += ',';
          body += page.items[i]->summary_json;
        }
        body += "],\"total\":" + std::to_string(page.total) +
                ",\"offset\":" + std::to_string(q.offset) +
                ",\"limit\":" + std::to_string(q.limit) + "}";
        co_return JsonResponse(200, std::move(body));
      },
      {.summary = "Search the procedure catalog. `q` is accent-insensitive: `dang ky khai sinh` "
                  "finds \"Thủ tục đăng ký khai sinh\".",
       .tag = "catalog",
       .params = {{"q", "query", "string", false, "Free text, with or without diacritics."},
                  {"level", "query", "string", false, "commune | province"},
                  {"field", "query", "string", false, "Field (lĩnh vực), e.g. Hộ tịch."},
                  {"online_level", "query", "string", false, "full | partial | none"},
                  {"agency", "query", "string", false, "Deciding agency code, e.g. UBND_XA."},
                  {"offset", "query", "integer", false, "Skip this many."},
                  {"limit", "query", "integer", false, "At most this many (default 20, max 100)."}},
       .response_schema =
           R"({"type":"object","properties":{"items":{"type":"array","items":{"type":"object"}},)"
           R"("total":{"type":"integer"},"offset":{"type":"integer"},"limit":{"type":"integer"}}})",
       .statuses = {200, 400}});

  router.Add(
      "GET", "/api/v1/procedures/{id}",
      [deps](RequestContext& ctx) -> asio::awaitable<Response> {
        if (auto st = CheckQueryParams(ctx.request, {"version"}); !st) {
          co_return ErrorResponse(st.error());
        }
        const std::string& id = ctx.Param("id");
        Error not_found{ErrorCode::kNotFound, "No procedure with that id.",
                        "Không có thủ tục với mã này.", "id"};
        const std::string* version = ctx.request.Query("version");
        if (version == nullptr) {
          auto catalog = deps.reference.catalog();
          const CatalogEntry* e = catalog->Find(id);
          if (e == nullptr) co_return ErrorResponse(not_found);
          co_return JsonResponse(200, e->detail_json);
        }
        int64_t want = 0;
        if (version->empty() || version->size() > 6 ||
            version->find_first_not_of("0123456789") != std::string::npos ||
            (want = std::stoll(*version)) < 1) {
          co_return ErrorResponse(Error{ErrorCode::kInvalidField,
                                        "version must be a positive integer.",
                                        "version phải là số nguyên dương.", "version"});
        }
        if (id.size() > 32) co_return ErrorResponse(not_found);
        auto versions = deps.reference.ProcedureVersions(id);
        if (!versions) co_return ErrorResponse(versions.error());
        if (versions->empty()) co_return ErrorResponse(not_found);
        for (const ProcedureRecord& rec : *versions) {
          if (rec.version != want) continue;
          boost::system::error_code ec;
          boost::json::value doc = boost::json::parse(rec.content, ec);
          if (ec || !doc.is_object()) co_return ErrorResponse(Error{ErrorCode::kInternal});
          doc.as_object()["version"] = rec.version;
          doc.as_object()["imported_at"] = FormatIso8601Vn(rec.imported_at);
          doc.as_object()["is_current"] = rec.is_current;
          co_return JsonResponse(200, boost::json::serialize(doc));
        }
        co_return ErrorResponse(Error{ErrorCode::kNotFound, "No such version of this procedure.",
                                      "Không có phiên bản này của thủ tục.", "version"});
      },
      {.summary = "One procedure: the current version, or an earlier one with `version`.",
       .tag = "catalog",
       .params = {{"id", "path", "string", true, "Procedure id, e.g. HT-001."},
                  {"version", "query", "integer", false, "A stored version number."}},
       .response_schema = R"({"type":"object"})",
       .statuses = {200, 400, 404}});

  router.Add(
      "GET", "/api/v1/procedures/{id}/versions",
      [deps](RequestContext& ctx) -> asio::awaitable<Response> {
        if (auto st = CheckQueryParams(ctx.request, {}); !st) co_return ErrorResponse(st.error());
        const std::string& id = ctx.Param("id");
        Error not_found{ErrorCode::kNotFound, "No procedure with that id.",
                        "Không có thủ tục với mã này.", "id"};
        if (id.size() > 32) co_return ErrorResponse(not_found);
        auto versions = deps.reference.ProcedureVersions(id);
        if (!versions) co_return ErrorResponse(versions.error());
        if (versions->empty()) co_return ErrorResponse(not_found);
        boost::json::array items;
        for (const ProcedureRecord& rec : *versions) {
          items.push_back({{"version", rec.version},
                           {"imported_at", FormatIso8601Vn(rec.imported_at)},
                           {"is_current", rec.is_current},
                           {"content_sha256", rec.content_sha256}});
        }
        boost::json::object out{{"id", id}, {"items", std::move(items)}};
        co_return JsonResponse(200, boost::json::serialize(out));
      },
      {.summary = "The stored versions of a procedure, oldest first. Dossiers keep the version "
                  "they were filed under.",
       .tag = "catalog",
       .params = {{"id", "path", "string", true, "Procedure id."}},
       .response_schema = R"({"type":"object","properties":{"items":{"type":"array"}}})",
       .statuses = {200, 400, 404}});
}

}  // namespace motcua
