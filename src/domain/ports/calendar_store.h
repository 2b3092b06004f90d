// Port: the official calendar overrides (days off and make-up working days announced by the
// Government), each change audited in the same transaction.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "domain/dossier/audit.h"

namespace motcua {

// One override as stored, by date "YYYY-MM-DD".
struct CalendarOverrideRow {
  std::string day;
  bool working = false;
  std::string reason_vi;
  std::string reason_en;
};

// Thread-safe; writes are durable when they return success.
class CalendarStore {
 public:
  virtual ~CalendarStore() = default;
  // Every override, by date.
  virtual Result<std::vector<CalendarOverrideRow>> LoadOverrides() = 0;
  // Inserts or replaces the override of row.day and appends `audit` (seq and hashes assigned
  // by the store) to the audit chain, in one transaction.
  virtual Status SetOverride(const CalendarOverrideRow& row, const AuditEntry& audit) = 0;
  // Deletes the override of `day` and appends `audit`, in one transaction; kNotFound (field
  // "date"), writing nothing, if there is none.
  virtual Status DeleteOverride(const std::string& day, const AuditEntry& audit) = 0;
  // A short string that changes whenever the overrides change (an edit on another node).
  virtual Result<std::string> CalendarStamp() = 0;
};

}  // namespace motcua
