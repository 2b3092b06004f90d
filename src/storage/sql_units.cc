// UnitStore over SQL.
#include "storage/sql_ports.h"
#include "storage/sql_util.h"

namespace motcua::storage {
namespace {

UnitCategory ParseCategory(std::string_view s) {
  if (s == "agency") return UnitCategory::kAgency;
  if (s == "agency_template") return UnitCategory::kAgencyTemplate;
  return UnitCategory::kAdministrative;
}

}  // namespace

Status SqlUnits::UpsertUnits(const std::vector<Unit>& units) {
  return db_.Write([&](SqlConnection& c) -> Status {
    auto pos = c.Query("SELECT COALESCE(MAX(position), 0) FROM units", {});
    MOTCUA_RETURN_IF_ERROR(pos);
    int64_t next = pos->at(0).Int(0);
    for (const Unit& u : units) {
      SqlValue parent = u.parent_code.empty() ? SqlValue{} : SqlValue{u.parent_code};
      auto r = c.Query(
          "INSERT INTO units (code, name, name_en, kind, category, parent_code, position) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO UPDATE SET "
          "name = excluded.name, name_en = excluded.name_en, kind = excluded.kind, "
          "category = excluded.category, parent_code = excluded.parent_code",
          {u.code, u.name, u.name_en, u.kind, std::string(CategoryName(u.category)), parent,
           ++next});
      if (!r) {
        if (r.error().code == ErrorCode::kInvalidField) {
          return Failure(ErrorCode::kInvalidField,
                         "Unit " + u.code + " has an unknown parent " + u.parent_code + ".",
                         "parent_code");
        }
        return tl::unexpected(r.error());
      }
    }
    return {};
  });
}

Result<std::vector<Unit>> SqlUnits::LoadUnits() {
  return Collect<std::vector<Unit>>(db_, false, [](SqlConnection& c) -> Result<std::vector<Unit>> {
    auto rows = c.Query(
        "SELECT code, name, name_en, kind, category, COALESCE(parent_code, '') FROM units "
        "ORDER BY position",
        {});
    MOTCUA_RETURN_IF_ERROR(rows);
    std::vector<Unit> out;
    out.reserve(rows->size());
    for (const auto& r : *rows) {
      out.push_back(
          Unit{r.Str(0), r.Str(1), r.Str(2), r.Str(3), r.Str(5), ParseCategory(r.Str(4))});
    }
    return out;
  });
}

Result<std::string> SqlUnits::UnitsStamp() {
  return Collect<std::string>(db_, false, [](SqlConnection& c) -> Result<std::string> {
    auto u = c.Query("SELECT count(*), COALESCE(MAX(position), 0) FROM units", {});
    MOTCUA_RETURN_IF_ERROR(u);
    return u->at(0).Str(0) + "/" + u->at(0).Str(1);
  });
}

}  // namespace motcua::storage
