// The working calendar: appointment dates before filing, the year's days off and make-up days,
// and the official overrides admins maintain.
#include <boost/json.hpp>
#include <cstdio>

#include "api/request_util.h"
#include "api/routes.h"
#include "common/json.h"

namespace motcua {

namespace asio = boost::asio;

namespace {

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

void RegisterCalendarRoutes(Router& router, CalendarDeps deps) {
  router.Add(
      "GET", "/api/v1/calendar/deadline",
      [deps](RequestContext& ctx) -> asio::awaitable<Response> {
        const Request& req = ctx.request;
        if (auto st = CheckQueryParams(req, {"from", "amount", "unit"}); !st) {
          co_return ErrorResponse(st.error());
        }
        Instant from = deps.clock.Now();
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
        auto answer = deps.calendar.Deadline(from, std::stoll(*amount),
                                             unit ? *unit : std::string("working_day"));
        if (!answer) co_return ErrorResponse(answer.error());
        boost::json::object out{{"from", FormatIso8601Vn(answer->from)},
                                {"counting_from", FormatIso8601Vn(answer->counting_from)},
                                {"due", FormatIso8601Vn(answer->due)}};
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
      [deps](RequestContext& ctx) -> asio::awaitable<Response> {
        if (auto st = CheckQueryParams(ctx.request, {"year"}); !st)
          co_return ErrorResponse(st.error());
        const std::string* y = ctx.request.Query("year");
        int year = 0;
        if (y == nullptr || y->size() != 4 ||
            y->find_first_not_of("0123456789") != std::string::npos) {
          co_return ErrorResponse(Error{ErrorCode::kInvalidField, "year must be 1900-2100.",
                                        "year phải từ 1900 đến 2100.", "year"});
        }
        year = std::stoi(*y);
        auto listed = deps.calendar.Days(year);
        if (!listed) co_return ErrorResponse(listed.error());
        boost::json::array days;
        for (const CalendarDay& d : *listed) {
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
      [deps](RequestContext& ctx) -> asio::awaitable<Response> {
        if (auto st = RequireJson(ctx.request); !st) co_return ErrorResponse(st.error());
        auto date = ParseDate(ctx.Param("date"));
        if (!date) co_return ErrorResponse(BadDate());
        auto doc = ParseJson(ctx.request.body, deps.limits.max_json_depth);
        if (!doc) co_return ErrorResponse(doc.error());
        JsonObjectReader r(*doc);
        auto working = r.Bool("working", true);
        auto vi = r.String("reason_vi", {true, 500, false});
        auto en = r.String("reason_en", {false, 500, true});
        if (auto st = r.Finish(); !st) co_return ErrorResponse(st.error());
        auto set = deps.calendar.SetOverride(*ctx.principal, *date, *working, *vi, en.value_or(""));
        if (!set) co_return ErrorResponse(set.error());
        const CalendarOverrideRow& row = *set;
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
       .roles = {"admin"},
       .params = {{"date", "path", "string", true, "YYYY-MM-DD"}},
       .request_schema =
           R"({"type":"object","required":["working","reason_vi"],"properties":{"working":{"type":"boolean"},"reason_vi":{"type":"string"},"reason_en":{"type":"string"}}})",
       .response_schema = R"({"type":"object"})",
       .statuses = {200, 400, 401, 403, 415}});

  router.Add("DELETE", "/api/v1/calendar/overrides/{date}",
             [deps](RequestContext& ctx) -> asio::awaitable<Response> {
               auto date = ParseDate(ctx.Param("date"));
               if (!date) co_return ErrorResponse(BadDate());
               if (auto st = deps.calendar.DeleteOverride(*ctx.principal, *date); !st) {
                 co_return ErrorResponse(st.error());
               }
               Response res;
               res.status = 204;
               co_return res;
             },
             {.summary = "Remove the official override of a date (the computed calendar applies).",
              .tag = "calendar",
              .auth = true,
              .roles = {"admin"},
              .params = {{"date", "path", "string", true, "YYYY-MM-DD"}},
              .statuses = {204, 400, 401, 403, 404}});

  router.Add(
      "GET", "/api/v1/calendar/changes",
      [deps](RequestContext& ctx) -> asio::awaitable<Response> {
        if (auto st = CheckQueryParams(ctx.request, {}); !st) co_return ErrorResponse(st.error());
        auto changes = deps.calendar.Changes(*ctx.principal);
        if (!changes) co_return ErrorResponse(changes.error());
        boost::json::array items;
        for (const AuditEntry& e : *changes) {
          items.push_back({{"seq", e.seq},
                           {"date", e.dossier_code.substr(e.dossier_code.find(':') + 1)},
                           {"at", FormatIso8601Vn(e.at)},
                           {"actor_user_id", e.actor_user_id},
                           {"actor_role", e.actor_role},
                           {"action", e.action},
                           {"before", e.state_before},
                           {"after", e.state_after},
                           {"note", e.note},
                           {"hash", e.hash}});
        }
        boost::json::object out{{"items", std::move(items)}};
        co_return JsonResponse(200, boost::json::serialize(out));
      },
      {.summary = "Every change of the official calendar overrides, oldest first: who, when, the "
                  "date, before and after (entries of the hash-chained audit trail).",
       .tag = "calendar",
       .auth = true,
       .roles = {"admin", "auditor"},
       .response_schema = R"({"type":"object","properties":{"items":{"type":"array"}}})",
       .statuses = {200, 400, 401, 403}});
}

}  // namespace motcua
