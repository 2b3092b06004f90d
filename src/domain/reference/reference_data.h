// The reference data every request reads: the unit directory, the current catalog and the
// working calendar, held as immutable snapshots that are swapped whole when the stored data
// changes (an import, an admin's calendar override, an edit on another node). Reads never wait
// for the database.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/error.h"
#include "domain/calendar/working_calendar.h"
#include "domain/catalog/catalog.h"
#include "domain/ports/calendar_store.h"
#include "domain/ports/catalog_store.h"
#include "domain/ports/unit_store.h"
#include "domain/units/unit.h"

namespace motcua {

class ReferenceData {
 public:
  // Borrows the ports, which must outlive this object. Empty until Load. Thread-safe.
  ReferenceData(UnitStore& units, CatalogStore& catalog, CalendarStore& calendar,
                WorkingHours hours);

  // Loads all three snapshots. Call before serving.
  Status Load();
  // Reloads each snapshot whose stored data changed since it was loaded (compares cheap
  // stamps). What it could not read stays as it was; returns the first failure.
  Status RefreshIfChanged();
  // Reloads the calendar at once (after this node changed an override).
  Status ReloadCalendar();

  std::shared_ptr<const UnitDirectory> units() const;
  std::shared_ptr<const Catalog> catalog() const;
  std::shared_ptr<const WorkingCalendar> calendar() const;
  // Every stored version of a procedure, oldest first; empty if unknown.
  Result<std::vector<ProcedureRecord>> ProcedureVersions(const std::string& id);

 private:
  Status LoadUnits();
  Status LoadCatalog();
  Status LoadCalendar();

  UnitStore& unit_store_;
  CatalogStore& catalog_store_;
  CalendarStore& calendar_store_;
  WorkingHours hours_;

  mutable std::mutex mu_;
  std::shared_ptr<const UnitDirectory> units_;
  std::shared_ptr<const Catalog> catalog_;
  std::shared_ptr<const WorkingCalendar> calendar_;
  std::string units_stamp_, catalog_stamp_, calendar_stamp_;
};

// Builds the catalog snapshot from stored procedure records (records that no longer parse or
// validate are skipped, each named in `skipped`).
Catalog MakeCatalog(const std::vector<ProcedureRecord>& records, std::vector<std::string>* skipped);
// Builds a calendar from stored override rows (rows with a bad date are skipped).
WorkingCalendar MakeCalendar(const WorkingHours& hours,
                             const std::vector<CalendarOverrideRow>& rows);

}  // namespace motcua
