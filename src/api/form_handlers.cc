// Forms 01-06 (Circular 01/2018/TT-VPCP) of a dossier as PDF (06 also as XLSX), and a unit's
// dossier register (form 06) for a month.
#include "api/request_util.h"
#include "api/routes.h"

namespace motcua {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kPdf = "application/pdf";
constexpr std::string_view kXlsx =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

Error BadField(const char* field, const char* en, const char* vi) {
  return Error{ErrorCode::kInvalidField, en, vi, field};
}

// "01".."06" -> 1..6, else 0.
int ParseFormNumber(std::string_view s) {
  if (s.size() != 2 || s[0] != '0' || s[1] < '1' || s[1] > '6') return 0;
  return s[1] - '0';
}

Result<FormFormat> ParseFormat(const Request& req) {
  const std::string* v = req.Query("format");
  if (v == nullptr || *v == "pdf") return FormFormat::kPdf;
  if (*v == "xlsx") return FormFormat::kXlsx;
  return tl::unexpected(BadField("format", "format: pdf or xlsx.", "format: pdf hoặc xlsx."));
}

// "YYYY-MM" -> (year, month); the range is checked by the domain.
std::optional<std::pair<int, int>> ParseMonth(std::string_view s) {
  if (s.size() != 7 || s[4] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  return std::make_pair(std::stoi(std::string(s.substr(0, 4))),
                        std::stoi(std::string(s.substr(5, 2))));
}

Response Document(std::string bytes, FormFormat format, const std::string& filename) {
  Response r;
  r.status = 200;
  r.body = std::move(bytes);
  r.content_type = std::string(format == FormFormat::kXlsx ? kXlsx : kPdf);
  r.headers.emplace_back("Content-Disposition", "inline; filename=\"" + filename + "\"");
  r.headers.emplace_back("Cache-Control", "private, no-store");
  return r;
}

}  // namespace

void RegisterFormRoutes(Router& router, FormDeps deps) {
  router.Add(
      "GET", "/api/v1/dossiers/{code}/forms/{form}",
      [deps](RequestContext& ctx) -> asio::awaitable<Response> {
        if (auto st = CheckQueryParams(ctx.request, {"format"}); !st) {
          co_return ErrorResponse(st.error());
        }
        int number = ParseFormNumber(ctx.Param("form"));
        if (number == 0) {
          co_return ErrorResponse(BadField("form", "form: 01 to 06 (Circular 01/2018/TT-VPCP).",
                                           "form: từ 01 đến 06 (Thông tư 01/2018/TT-VPCP)."));
        }
        auto format = ParseFormat(ctx.request);
        if (!format) co_return ErrorResponse(format.error());
        if (*format == FormFormat::kXlsx && number != 6) {
          co_return ErrorResponse(BadField("format", "format=xlsx is only for form 06.",
                                           "Định dạng xlsx chỉ dùng cho Mẫu 06."));
        }
        const std::string& code = ctx.Param("code");
        auto make = [&forms = deps.forms, who = *ctx.principal, code, number, f = *format] {
          return forms.DossierForm(who, code, number, f);
        };
        Result<std::string> doc = co_await deps.pools.OnRenderPool<std::string>(std::move(make));
        if (!doc) co_return ErrorResponse(doc.error());
        co_return Document(
            std::move(*doc), *format,
            code + "-mau-" + ctx.Param("form") + (*format == FormFormat::kXlsx ? ".xlsx" : ".pdf"));
      },
      {.summary = "A form of the dossier, ready to print, with a QR code of its public status "
                  "page: 01 receipt and appointment, 02 request to supplement, 03 refusal, "
                  "04 apology and new date, 05 processing control sheet (A5), 06 the receiving "
                  "unit's register for the month of receipt (A4 landscape; also as XLSX). "
                  "409 when the form does not exist for the dossier (yet).",
       .tag = "forms",
       .auth = true,
       .access = "whoever may see the dossier; form 06: officers who may read the receiving unit",
       .params = {{"code", "path", "string", true, "Dossier code."},
                  {"form", "path", "string", true, "01 | 02 | 03 | 04 | 05 | 06"},
                  {"format", "query", "string", false, "pdf (default) | xlsx (form 06 only)"}},
       .response_schema = R"({"type":"string","format":"binary"})",
       .response_type = std::string(kPdf),
       .statuses = {200, 400, 401, 403, 404, 409, 503}});

  router.Add(
      "GET", "/api/v1/units/{code}/register",
      [deps](RequestContext& ctx) -> asio::awaitable<Response> {
        if (auto st = CheckQueryParams(ctx.request, {"month", "format"}); !st) {
          co_return ErrorResponse(st.error());
        }
        std::pair<int, int> month;
        if (const std::string* v = ctx.request.Query("month")) {
          auto m = ParseMonth(*v);
          if (!m) {
            co_return ErrorResponse(BadField("month", "month: YYYY-MM, e.g. 2026-04.",
                                             "month: YYYY-MM, ví dụ 2026-04."));
          }
          month = *m;
        } else {  // this month, Vietnam time
          std::string today = FormatIso8601Vn(deps.clock.Now());
          month = *ParseMonth(std::string_view(today).substr(0, 7));
        }
        auto format = ParseFormat(ctx.request);
        if (!format) co_return ErrorResponse(format.error());
        const std::string& unit = ctx.Param("code");
        auto make = [&forms = deps.forms, who = *ctx.principal, unit, month, f = *format] {
          return forms.UnitRegister(who, unit, month.first, month.second, f);
        };
        Result<std::string> doc = co_await deps.pools.OnRenderPool<std::string>(std::move(make));
        if (!doc) co_return ErrorResponse(doc.error());
        char name[32];
        std::snprintf(name, sizeof name, "-so-theo-doi-%04d-%02d", month.first, month.second);
        co_return Document(std::move(*doc), *format,
                           unit + name + (*format == FormFormat::kXlsx ? ".xlsx" : ".pdf"));
      },
      {.summary = "The unit's dossier register (form 06) for a month: one row per dossier it "
                  "received, with appointment, finish, return and deadline status; PDF (A4 "
                  "landscape) or XLSX.",
       .tag = "forms",
       .auth = true,
       .roles = kOfficerRoles,
       .access = "officers of the unit; leaders above it; admin and auditor of the province",
       .params = {{"code", "path", "string", true, "Unit code, e.g. 08746."},
                  {"month", "query", "string", false, "YYYY-MM (default: this month)."},
                  {"format", "query", "string", false, "pdf (default) | xlsx"}},
       .response_schema = R"({"type":"string","format":"binary"})",
       .response_type = std::string(kPdf),
       .statuses = {200, 400, 401, 403, 404, 503}});
}

}  // namespace motcua
