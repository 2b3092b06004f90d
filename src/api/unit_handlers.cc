// Units: the hierarchy of provinces, communes/wards and agencies, and the officers of a unit.
#include <boost/json.hpp>

#include "api/request_util.h"
#include "api/routes.h"
#include "common/text.h"

namespace motcua {

namespace asio = boost::asio;

namespace {

boost::json::object UnitJson(const Unit& u) {
  return {{"code", u.code},
          {"name", u.name},
          {"name_en", u.name_en},
          {"kind", u.kind},
          {"category", CategoryName(u.category)},
          {"parent_code", u.parent_code.empty() ? boost::json::value(nullptr)
                                                : boost::json::value(u.parent_code)}};
}

constexpr std::string_view kUnitSchema =
    R"({"type":"object","properties":{"code":{"type":"string"},"name":{"type":"string"},)"
    R"("name_en":{"type":"string"},"kind":{"type":"string"},"category":{"enum":["administrative",)"
    R"("agency","agency_template"]},"parent_code":{"type":["string","null"]}}})";

}  // namespace

void RegisterUnitRoutes(Router& router, UnitDeps deps) {
  router.Add(
      "GET", "/api/v1/units",
      [deps](RequestContext& ctx) -> asio::awaitable<Response> {
        if (auto st = CheckQueryParams(ctx.request, {"parent", "category", "q", "offset", "limit"});
            !st) {
          co_return ErrorResponse(st.error());
        }
        auto paging = ParsePaging(ctx.request, 5000, 5000);
        if (!paging) co_return ErrorResponse(paging.error());
        const std::string* parent = ctx.request.Query("parent");
        const std::string* category = ctx.request.Query("category");
        UnitCategory want = UnitCategory::kAdministrative;
        bool all = false;
        if (category != nullptr) {
          if (*category == "agency")
            want = UnitCategory::kAgency;
          else if (*category == "agency_template")
            want = UnitCategory::kAgencyTemplate;
          else if (*category == "all")
            all = true;
          else if (*category != "administrative") {
            co_return ErrorResponse(Error{
                ErrorCode::kInvalidField,
                "category must be administrative, agency, agency_template or all.",
                "category phải là administrative, agency, agency_template hoặc all.", "category"});
          }
        }
        std::string folded_q;
        if (const std::string* q = ctx.request.Query("q")) {
          if (Utf8Length(*q) > deps.limits.max_query_chars) {
            co_return ErrorResponse(
                Error{ErrorCode::kInvalidField, "q is too long.", "Chuỗi tìm kiếm quá dài.", "q"});
          }
          folded_q = FoldForSearch(*q);
        }
        auto dir = deps.reference.units();
        std::vector<const Unit*> pool;
        if (parent != nullptr) {
          if (dir->Find(*parent) == nullptr) {
            co_return ErrorResponse(Error{ErrorCode::kNotFound, "No unit with that code.",
                                          "Không có đơn vị với mã này.", "parent"});
          }
          pool = dir->Children(*parent);
        } else {
          // No parent: the provinces, or every unit of another category (or matching q).
          bool roots_only = !all && want == UnitCategory::kAdministrative && folded_q.empty();
          for (const Unit& u : dir->All()) {
            if (!roots_only || u.parent_code.empty()) pool.push_back(&u);
          }
        }
        boost::json::array items;
        size_t total = 0;
        auto [offset, limit] = *paging;
        for (const Unit* u : pool) {
          if (!all && u->category != want) continue;
          if (!folded_q.empty() && FoldForSearch(u->name).find(folded_q) == std::string::npos) {
            continue;
          }
          if (total >= offset && items.size() < limit) items.push_back(UnitJson(*u));
          ++total;
        }
        boost::json::object out{
            {"items", std::move(items)}, {"total", total}, {"offset", offset}, {"limit", limit}};
        co_return JsonResponse(200, boost::json::serialize(out));
      },
      {.summary = "List units: the children of `parent` (default: the provinces), "
                  "administrative units unless `category` says otherwise.",
       .tag = "units",
       .params = {{"parent", "query", "string", false, "Parent unit code, e.g. 25 (Phú Thọ)."},
                  {"category", "query", "string", false,
                   "administrative (default) | agency | agency_template | all"},
                  {"q", "query", "string", false, "Name contains, accent-insensitive."},
                  {"offset", "query", "integer", false, "Skip this many."},
                  {"limit", "query", "integer", false,
                   "At most this many (default and max 5000)."}},
       .response_schema =
           R"({"type":"object","properties":{"items":{"type":"array","items":)" +
           std::string(kUnitSchema) +
           R"(},"total":{"type":"integer"},"offset":{"type":"integer"},"limit":{"type":"integer"}}})",
       .statuses = {200, 400, 404}});

  router.Add("GET", "/api/v1/units/{code}",
             [deps](RequestContext& ctx) -> asio::awaitable<Response> {
               if (auto st = CheckQueryParams(ctx.request, {}); !st)
                 co_return ErrorResponse(st.error());
               auto dir = deps.reference.units();
               const Unit* u = dir->Find(ctx.Param("code"));
               if (u == nullptr) {
                 co_return ErrorResponse(Error{ErrorCode::kNotFound, "No unit with that code.",
                                               "Không có đơn vị với mã này.", "code"});
               }
               boost::json::object out = UnitJson(*u);
               boost::json::array ancestors;
               for (const Unit* a : dir->Ancestors(u->code)) ancestors.push_back(UnitJson(*a));
               out["ancestors"] = std::move(ancestors);
               out["children_count"] = dir->Children(u->code).size();
               co_return JsonResponse(200, boost::json::serialize(out));
             },
             {.summary = "One unit with its ancestors (nearest first) and number of children.",
              .tag = "units",
              .params = {{"code", "path", "string", true, "Unit code, e.g. 08746 or SNV."}},
              .response_schema = std::string(kUnitSchema),
              .statuses = {200, 400, 404}});

  router.Add(
      "GET", "/api/v1/units/{code}/users",
      [deps](RequestContext& ctx) -> asio::awaitable<Response> {
        if (auto st = CheckQueryParams(ctx.request, {}); !st) co_return ErrorResponse(st.error());
        auto users = deps.accounts.ListOfUnit(*ctx.principal, ctx.Param("code"));
        if (!users) co_return ErrorResponse(users.error());
        Instant now = deps.clock.Now();
        boost::json::array items;
        for (const UserRecord& u : *users) {
          items.push_back({{"username", u.username},
                           {"role", RoleName(u.role)},
                           {"unit", u.unit_code},
                           {"full_name", u.full_name},
                           {"disabled", u.disabled},
                           {"created_at", FormatIso8601Vn(u.created_at)}});
        }
        boost::json::object out{{"items", std::move(items)}};
        co_return JsonResponse(200, boost::json::serialize(out));
      },
      {.summary = "The accounts of a unit (officers of that unit and, for leaders, below it; "
                  "admins and auditors: their province).",
       .tag = "units",
       .auth = true,
       .roles = kOfficerRoles,
       .access = "reception and specialists: their own unit; leaders: their unit and below; "
                 "admin and auditor: their province",
       .params = {{"code", "path", "string", true, "Unit code."}},
       .response_schema = R"({"type":"object","properties":{"items":{"type":"array"}}})",
       .statuses = {200, 400, 401, 403, 404}});
}

}  // namespace motcua
