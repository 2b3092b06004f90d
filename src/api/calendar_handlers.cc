// The working calendar: appointment dates before filing, the year's days off and make-up days,
// and the official overrides admins maintain.
#include <boost/json.hpp>
#include <cstdio>

#include "api/app.h"
#include "common/json.h"

namespace motcua {

namespace asio = boost::asio;

namespace {

std::string DateText(std::chrono::year_month_day d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(d.year()), unsigned(d.month()),
                unsigned(d.day()));
  return buf;
}

// "YYYY-MM-DD" of a valid date in 1900..2100, or nullopt.
std::optional<std::chrono::year_month_day> ParseDate(std::string_view s) {
  auto t = ParseIso8601(std::string(s) + "T00:00:00Z");
  if (!t || s.size() != 10) return std::nullopt;
  std::chrono::year_month_day d(std::chrono::floor<std::chrono::days>(*t));
  if (int(d.year()) < WorkingCalendar::kFirstYear || int(d.year()) > WorkingCalendar::kLastYear) {
    return std::nullopt;
  }
  return d;
}

Error BadDate() {
  return Error{ErrorCode::kInvalidField, "date must be YYYY-MM-DD between 1900 and 2100.",
               "date phải có dạng YYYY-MM-DD, từ năm 1900 đến 2100.", "date"};
}

}  // namespace

void RegisterCalendarRoutes(App& app, Router& router) {
  router.Add(
      "GET", "/api/v1/calendar/deadline",
      [&app](RequestContext& ctx) -> asio::awaitable<Response> {
        const Request& req = ctx.request;
        if (auto st = CheckQueryParams(req, {"from", "amount", "unit"}); !st) {
          co_return ErrorResponse(st.error());
        }
        Instant from = app.clock().Now();
        if (const std::string* v = req.Query("from")) {
          auto t = ParseIso8601(*v);
          if (!t) {
            co_return ErrorResponse(Error{ErrorCode::kInvalidField,
                                          "from must be an ISO 8601 instant with its offset.",
                                          "from phải là thời điểm ISO 8601 có múi giờ.", "from"});
          }
          from = *t;
        }
        const std::string* amount = req.Query("amount");
        if (amount == nullptr || amount->empty() || amount->size() > 6 ||
            amount->find_first_not_of("0123456789") != std::string::npos) {
          co_return ErrorResponse(Error{ErrorCode::kInvalidField, "amount must be an integer >= 0.",
                                        "amount phải là số nguyên >= 0.", "amount"});
        }
        const std::string* unit = req.Query("unit");
        auto due = app.dossiers().CalendarDue(from, std::stoll(*amount),
                                              unit ? *unit : std::string("working_day"));
        if (!due) {
          Error e = due.error();
          if (e.field == "received") e.field = "from";  // the domain's name for this parameter
          co_return ErrorResponse(e);
        }
        boost::json::object out{
            {"from", FormatIso8601Vn(from)},
            {"counting_from", FormatIso8601Vn(app.calendar()->EffectiveStart(from))},
            {"due", FormatIso8601Vn(*due)}};
        co_return JsonResponse(200, boost::json::serialize(out));
      },
      {.summary = "The appointment for a dossier received at `from` (default now) with a time "
                  "limit: working days skip weekends, holidays (Tết, Hùng Kings' day, ...) and "
                  "official days off; after 15:00 counting starts the next working day.",
       .tag = "calendar",
       .params = {{"from", "query", "string", false, "ISO 8601, e.g. 2026-04-24T10:00:00+07:00"},
                  {"amount", "query", "integer", true, "The time limit."},
                  {"unit", "query", "string", false,
                   "working_day (default) | hour | calendar_day | month"}},
       .response_schema =
           R"({"type":"object","properties":{"due":{"type":"string"},"counting_from":{"type":"string"}}})",
       .statuses = {200, 400}});

  router.Add(
      "GET", "/api/v1/calendar/days",
      [&app](RequestContext& ctx) -> asio::awaitable<Response> {
        if (auto st = CheckQueryParams(ctx.request, {"year"}); !st)
          co_return ErrorResponse(st.error());
        const std::string* y = ctx.request.Query("year");
        int year = 0;
        if (y == nullptr || y->size() != 4 ||
            y->find_first_not_of("0123456789") != std::string::npos ||
            (year = std::stoi(*y)) < WorkingCalendar::kFirstYear ||
            year > WorkingCalendar::kLastYear) {
          co_return ErrorResponse(Error{ErrorCode::kInvalidField, "year must be 1900-2100.",
                                        "year phải từ 1900 đến 2100.", "year"});
        }
        boost::json::array days;
        for (const CalendarDay& d : app.calendar()->DaysOffAndMakeUps(year)) {
          days.push_back({{"date", DateText(d.date)},
                          {"kind", DayKindName(d.kind)},
                          {"working", d.kind == DayKind::kMakeUpWorkday},
                          {"reason_vi", d.reason_vi},
                          {"reason_en", d.reason_en}});
        }
        boost::json::object out{{"year", year}, {"days", std::move(days)}};
        co_return JsonResponse(200, boost::json::serialize(out));
      },
      {.summary = "The year's public holidays, compensatory and official days off and make-up "
                  "working days, each with its reason. Any year 1900-2100.",
       .tag = "calendar",
       .params = {{"year", "query", "integer", true, "1900-2100"}},
       .response_schema = R"({"type":"object","properties":{"days":{"type":"array"}}})",
       .statuses = {200, 400}});

  router.Add(
      "PUT", "/api/v1/calendar/overrides/{date}",
      [&app](RequestContext& ctx) -> asio::awaitable<Response> {
        if (ctx.principal->role != Role::kAdmin)
          co_return ErrorResponse(Error{ErrorCode::kForbidden});
        if (auto st = RequireJson(ctx.request); !st) co_return ErrorResponse(st.error());
        auto date = ParseDate(ctx.Param("date"));
        if (!date) co_return ErrorResponse(BadDate());
        auto doc = ParseJson(ctx.request.body, app.config().limits.max_json_depth);
        if (!doc) co_return ErrorResponse(doc.error());
        JsonObjectReader r(*doc);
        auto working = r.Bool("working", true);
        auto vi = r.String("reason_vi", {true, 500, false});
        auto en = r.String("reason_en", {false, 500, true});
        if (auto st = r.Finish(); !st) co_return ErrorResponse(st.error());
        Store::CalendarOverrideRow row{DateText(*date), *working, *vi, en.value_or("")};
        if (auto st = app.store().UpsertCalendarOverrides({row}); !st) {
          co_return ErrorResponse(st.error());
        }
        if (auto st = app.LoadCalendar(); !st) co_return ErrorResponse(st.error());
        boost::json::object out{{"date", row.day},
                                {"working", row.working},
                                {"reason_vi", row.reason_vi},
                                {"reason_en", row.reason_en}};
        co_return JsonResponse(200, boost::json::serialize(out));
      },
      {.summary = "Set an official override for a date: a day off (working=false) or a make-up "
                  "working day (working=true), with its reason. Takes effect at once for new "
                  "appointments.",
       .tag = "calendar",
       .auth = true,
       .roles = "admin",
       .params = {{"date", "path", "string", true, "YYYY-MM-DD"}},
       .request_schema =
           R"({"type":"object","required":["working","reason_vi"],"properties":{"working":{"type":"boolean"},"reason_vi":{"type":"string"},"reason_en":{"type":"string"}}})",
       .response_schema = R"({"type":"object"})",
       .statuses = {200, 400, 401, 403, 415}});

  router.Add("DELETE", "/api/v1/calendar/overrides/{date}",
             [&app](RequestContext& ctx) -> asio::awaitable<Response> {
               if (ctx.principal->role != Role::kAdmin)
                 co_return ErrorResponse(Error{ErrorCode::kForbidden});
               auto date = ParseDate(ctx.Param("date"));
               if (!date) co_return ErrorResponse(BadDate());
               if (auto st = app.store().DeleteCalendarOverride(DateText(*date)); !st) {
                 co_return ErrorResponse(st.error());
               }
               if (auto st = app.LoadCalendar(); !st) co_return ErrorResponse(st.error());
               Response res;
               res.status = 204;
               co_return res;
             },
             {.summary = "Remove the official override of a date (the computed calendar applies).",
              .tag = "calendar",
              .auth = true,
              .roles = "admin",
              .params = {{"date", "path", "string", true, "YYYY-MM-DD"}},
              .statuses = {204, 400, 401, 403, 404}});
}

}  // namespace motcua
