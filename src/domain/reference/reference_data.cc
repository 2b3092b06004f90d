#include "domain/reference/reference_data.h"

#include "common/json.h"
#include "common/log.h"

namespace motcua {

Catalog MakeCatalog(const std::vector<ProcedureRecord>& records,
                    std::vector<std::string>* skipped) {
  CatalogReferences refs;
  refs.check_references = false;  // validated at import
  std::vector<CatalogEntry> entries;
  entries.reserve(records.size());
  for (const ProcedureRecord& rec : records) {
    auto doc = ParseJson(rec.content, 64);
    if (!doc) {
      if (skipped) skipped->push_back(rec.id + ": not valid JSON");
      continue;
    }
    boost::json::array one{std::move(*doc)};
    auto parsed = ParseCatalog(boost::json::value(std::move(one)), refs);
    if (!parsed) {
      if (skipped) skipped->push_back(rec.id + ": " + parsed.error().front().message);
      continue;
    }
    entries.push_back(MakeCatalogEntry(std::move(parsed->front()), rec.version, rec.imported_at));
  }
  return Catalog(std::move(entries));
}

WorkingCalendar MakeCalendar(const WorkingHours& hours,
                             const std::vector<CalendarOverrideRow>& rows) {
  std::vector<CalendarOverride> overrides;
  for (const CalendarOverrideRow& r : rows) {
    auto t = ParseIso8601(r.day + "T00:00:00Z");
    if (!t) continue;
    overrides.push_back({std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(*t)),
                         r.working, r.reason_vi, r.reason_en});
  }
  return WorkingCalendar(hours, std::move(overrides));
}

ReferenceData::ReferenceData(UnitStore& units, CatalogStore& catalog, CalendarStore& calendar,
                             WorkingHours hours)
    : unit_store_(units), catalog_store_(catalog), calendar_store_(calendar), hours_(hours) {}

std::shared_ptr<const UnitDirectory> ReferenceData::units() const {
  std::lock_guard lock(mu_);
  return units_;
}

std::shared_ptr<const Catalog> ReferenceData::catalog() const {
  std::lock_guard lock(mu_);
  return catalog_;
}

std::shared_ptr<const WorkingCalendar> ReferenceData::calendar() const {
  std::lock_guard lock(mu_);
  return calendar_;
}

Result<std::vector<ProcedureRecord>> ReferenceData::ProcedureVersions(const std::string& id) {
  return catalog_store_.LoadProcedureVersions(id);
}

Status ReferenceData::LoadUnits() {
  auto stamp = unit_store_.UnitsStamp();
  MOTCUA_RETURN_IF_ERROR(stamp);
  auto units = unit_store_.LoadUnits();
  MOTCUA_RETURN_IF_ERROR(units);
  auto dir = std::make_shared<const UnitDirectory>(std::move(*units));
  std::lock_guard lock(mu_);
  units_ = std::move(dir);
  units_stamp_ = std::move(*stamp);
  return {};
}

Status ReferenceData::LoadCatalog() {
  auto stamp = catalog_store_.CatalogStamp();
  MOTCUA_RETURN_IF_ERROR(stamp);
  auto records = catalog_store_.LoadCurrentProcedures();
  MOTCUA_RETURN_IF_ERROR(records);
  std::vector<std::string> skipped;
  auto catalog = std::make_shared<const Catalog>(MakeCatalog(*records, &skipped));
  for (const std::string& s : skipped) LogError("stored procedure skipped: " + s);
  std::lock_guard lock(mu_);
  catalog_ = std::move(catalog);
  catalog_stamp_ = std::move(*stamp);
  return {};
}

Status ReferenceData::LoadCalendar() {
  auto stamp = calendar_store_.CalendarStamp();
  MOTCUA_RETURN_IF_ERROR(stamp);
  auto rows = calendar_store_.LoadOverrides();
  MOTCUA_RETURN_IF_ERROR(rows);
  auto cal = std::make_shared<const WorkingCalendar>(MakeCalendar(hours_, *rows));
  std::lock_guard lock(mu_);
  calendar_ = std::move(cal);
  calendar_stamp_ = std::move(*stamp);
  return {};
}

Status ReferenceData::Load() {
  if (auto st = LoadUnits(); !st) return st;
  if (auto st = LoadCatalog(); !st) return st;
  return LoadCalendar();
}

Status ReferenceData::ReloadCalendar() { return LoadCalendar(); }

Status ReferenceData::RefreshIfChanged() {
  Status first;
  auto changed = [&](Result<std::string> stamp, std::string ReferenceData::*held) {
    if (!stamp) {
      if (first) first = tl::unexpected(stamp.error());
      return false;
    }
    std::lock_guard lock(mu_);
    return *stamp != this->*held;
  };
  auto keep = [&](Status st) {
    if (!st && first) first = st;
  };
  if (changed(unit_store_.UnitsStamp(), &ReferenceData::units_stamp_)) keep(LoadUnits());
  if (changed(catalog_store_.CatalogStamp(), &ReferenceData::catalog_stamp_)) keep(LoadCatalog());
  if (changed(calendar_store_.CalendarStamp(), &ReferenceData::calendar_stamp_)) {
    keep(LoadCalendar());
  }
  return first;
}

}  // namespace motcua
