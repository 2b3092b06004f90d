#include "domain/calendar/calendar_service.h"

#include <cstdio>

#include "common/json.h"

namespace motcua {
namespace {

Status CheckDate(std::chrono::year_month_day d) {
  if (!d.ok() || int(d.year()) < WorkingCalendar::kFirstYear ||
      int(d.year()) > WorkingCalendar::kLastYear) {
    return Fail(ErrorCode::kInvalidField, "date must be YYYY-MM-DD between 1900 and 2100.",
                "date phải có dạng YYYY-MM-DD, từ năm 1900 đến 2100.", "date");
  }
  return {};
}

// Admins (and, for reading, auditors) of the deployment's province.
Status OfTheProvince(const Principal& who, const UnitDirectory& units, std::string_view province,
                     bool read) {
  bool role = who.role == Role::kAdmin || (read && who.role == Role::kAuditor);
  if (!role || units.ProvinceOf(who.unit_code) != province) {
    return Fail(ErrorCode::kForbidden,
                read ? "Only the province's administrators and auditors see these changes."
                     : "Only the province's administrators change the working calendar.",
                read ? "Chỉ quản trị viên và thanh tra của tỉnh được xem các thay đổi này."
                     : "Chỉ quản trị viên của tỉnh được điều chỉnh lịch làm việc.");
  }
  return {};
}

std::string RowText(const CalendarOverrideRow& r) {
  return std::string(r.working ? "working" : "day_off") + ": " + r.reason_vi +
         (r.reason_en.empty() ? "" : " / " + r.reason_en);
}

}  // namespace

std::string DateText(std::chrono::year_month_day d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(d.year()), unsigned(d.month()),
                unsigned(d.day()));
  return buf;
}

std::string CalendarAuditSubject(const std::string& day) { return "calendar:" + day; }

CalendarService::CalendarService(CalendarStore& store, AuditLog& audit, ReferenceData& reference,
                                 const Clock& clock, std::string province_code)
    : store_(store),
      audit_(audit),
      reference_(reference),
      clock_(clock),
      province_(std::move(province_code)) {}

Result<std::vector<AuditEntry>> CalendarService::Changes(const Principal& who) {
  MOTCUA_RETURN_IF_ERROR(OfTheProvince(who, *reference_.units(), province_, true));
  return audit_.LoadAuditByPrefix(CalendarAuditSubject(""));
}

Result<DeadlineAnswer> CalendarService::Deadline(Instant from, int64_t amount,
                                                 std::string_view unit) const {
  auto time_unit = ParseTimeUnit(unit);
  if (!time_unit) {
    return Fail(ErrorCode::kInvalidField, "unit must be working_day, hour, calendar_day or month.",
                "unit phải là working_day, hour, calendar_day hoặc month.", "unit");
  }
  auto calendar = reference_.calendar();
  auto due = calendar->AddTimeLimit(from, amount, *time_unit);
  if (!due) {
    Error e = due.error();
    if (e.field == "received") e.field = "from";  // the domain's name for this parameter
    return tl::unexpected(e);
  }
  return DeadlineAnswer{from, calendar->EffectiveStart(from), *due};
}

Result<std::vector<CalendarDay>> CalendarService::Days(int year) const {
  if (year < WorkingCalendar::kFirstYear || year > WorkingCalendar::kLastYear) {
    return Fail(ErrorCode::kInvalidField, "year must be 1900-2100.", "year phải từ 1900 đến 2100.",
                "year");
  }
  return reference_.calendar()->DaysOffAndMakeUps(year);
}

Result<std::string> CalendarService::Describe(const std::string& day) {
  auto rows = store_.LoadOverrides();
  MOTCUA_RETURN_IF_ERROR(rows);
  for (const CalendarOverrideRow& r : *rows) {
    if (r.day == day) return RowText(r);
  }
  return std::string("none");
}

Result<CalendarOverrideRow> CalendarService::SetOverride(const Principal& who,
                                                         std::chrono::year_month_day date,
                                                         bool working, std::string reason_vi,
                                                         std::string reason_en) {
  MOTCUA_RETURN_IF_ERROR(OfTheProvince(who, *reference_.units(), province_, false));
  MOTCUA_RETURN_IF_ERROR(CheckDate(date));
  CalendarOverrideRow row{DateText(date), working, std::move(reason_vi), std::move(reason_en)};
  auto before = Describe(row.day);
  MOTCUA_RETURN_IF_ERROR(before);
  AuditEntry e{0,
               CalendarAuditSubject(row.day),
               clock_.Now(),
               who.user_id,
               std::string(RoleName(who.role)),
               who.unit_code,
               "calendar_override_set",
               *before,
               RowText(row),
               "date " + row.day,
               "",
               ""};
  MOTCUA_RETURN_IF_ERROR(store_.SetOverride(row, e));
  MOTCUA_RETURN_IF_ERROR(reference_.ReloadCalendar());
  return row;
}

Status CalendarService::DeleteOverride(const Principal& who, std::chrono::year_month_day date) {
  if (auto st = OfTheProvince(who, *reference_.units(), province_, false); !st) return st;
  if (auto st = CheckDate(date); !st) return st;
  std::string day = DateText(date);
  auto before = Describe(day);
  MOTCUA_RETURN_IF_ERROR(before);
  AuditEntry e{0,
               CalendarAuditSubject(day),
               clock_.Now(),
               who.user_id,
               std::string(RoleName(who.role)),
               who.unit_code,
               "calendar_override_delete",
               *before,
               "none",
               "date " + day,
               "",
               ""};
  if (auto st = store_.DeleteOverride(day, e); !st) {
    if (st.error().code != ErrorCode::kNotFound) return st;
    return Fail(ErrorCode::kNotFound, "No override for that day.",
                "Không có điều chỉnh cho ngày này.", "date");
  }
  return reference_.ReloadCalendar();
}

}  // namespace motcua
