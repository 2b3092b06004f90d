// CalendarStore over SQL: each change with its audit entry, in one group commit.
#include "storage/sql_ports.h"
#include "storage/sql_util.h"

namespace motcua::storage {

Result<std::vector<CalendarOverrideRow>> SqlCalendar::LoadOverrides() {
  using Rows = std::vector<CalendarOverrideRow>;
  return Collect<Rows>(db_, false, [](SqlConnection& c) -> Result<Rows> {
    auto rows = c.Query(
        "SELECT day, working, reason_vi, reason_en FROM calendar_overrides ORDER BY day", {});
    if (!rows) return tl::unexpected(rows.error());
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
    if (!q) return tl::unexpected(q.error());
    batch_.DeferAudit(audit);
    return {};
  });
}

Status SqlCalendar::DeleteOverride(const std::string& day, const AuditEntry& audit) {
  return db_.Write([&](SqlConnection& c) -> Status {
    auto q = c.Query("DELETE FROM calendar_overrides WHERE day = $1 RETURNING day", {day});
    if (!q) return tl::unexpected(q.error());
    if (q->empty()) {
      return Fail(ErrorCode::kNotFound, "No override for that day.",
                  "Không có điều chỉnh cho ngày này.", "date");
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
    if (!o) return tl::unexpected(o.error());
    return o->at(0).Str(0) + "/" + o->at(0).Str(1) + "/" + o->at(0).Str(2) + "/" + o->at(0).Str(3);
  });
}

}  // namespace motcua::storage
