// CalendarStore over SQL: each change with its audit entry, in one group commit.
#include "storage/sql_ports.h"
#include "storage/sql_util.h"

namespace motcua::storage {

Result<std::vector<CalendarOverrideRow>> SqlCalendar::LoadOverrides() {
  using Rows = std::vector<CalendarOverrideRow>;
  return Collect<Rows>(db_, false, [](SqlConnection& c) -> Result<Rows> {
    auto rows = c.Query(
        "SELECT day, working, reason_vi, reason_en FROM calendar_overrides ORDER BY day", {});
    MOTCUA_RETURN_IF_ERROR(rows);
    Rows out;
    for (const auto& r : *rows) out.push_back({r.Str(0), r.Int(1) != 0, r.Str(2), r.Str(3)});
    return out;
  });
}

Status SqlCalendar::SetOverride(const CalendarOverrideRow& row, const AuditEntry& audit) {
  return db_.Write([&](SqlConnection& c) -> Status {
    auto q = c.Query(
        "INSERT INTO calendar_overrides (day, working, reason_vi, reason_en) VALUES ($1, $2, $3, "
        "$4) ON CONFLICT (day) DO UPDATE SET working = excluded.working, reason_vi = "
        "excluded.reason_vi, reason_en = excluded.reason_en",
        {row.day, int64_t{row.working ? 1 : 0}, row.reason_vi, row.reason_en});
    MOTCUA_RETURN_IF_ERROR(q);
    batch_.DeferAudit(audit);
    return {};
  });
}

Status SqlCalendar::DeleteOverride(const std::string& day, const AuditEntry& audit) {
  return db_.Write([&](SqlConnection& c) -> Status {
    auto q = c.Query("DELETE FROM calendar_overrides WHERE day = $1 RETURNING day", {day});
    MOTCUA_RETURN_IF_ERROR(q);
    if (q->empty()) {
      return Failure(ErrorCode::kNotFound, "no calendar override on " + day, "date");
    }
    batch_.DeferAudit(audit);
    return {};
  });
}

Result<std::string> SqlCalendar::CalendarStamp() {
  return Collect<std::string>(db_, false, [](SqlConnection& c) -> Result<std::string> {
    auto o = c.Query(
        "SELECT count(*), COALESCE(MAX(day), ''), COALESCE(SUM(working), 0), "
        "COALESCE(SUM(length(reason_vi) + length(reason_en)), 0) FROM calendar_overrides",
        {});
    MOTCUA_RETURN_IF_ERROR(o);
    return o->at(0).Str(0) + "/" + o->at(0).Str(1) + "/" + o->at(0).Str(2) + "/" + o->at(0).Str(3);
  });
}

}  // namespace motcua::storage
