// Port: reading the audit trail, the hash chain every change appends to (dossier actions,
// calendar overrides), and checking the references the schema leaves to the domain.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "domain/dossier/audit.h"

namespace motcua {

// Entries are appended only by the writes that cause them (DossierStore, CalendarStore,
// HistoryImport), in the same transaction. Thread-safe.
class AuditLog {
 public:
  virtual ~AuditLog() = default;
  // Entries of one subject (a dossier code, or "calendar:YYYY-MM-DD"; "" = the whole chain), in
  // seq order.
  virtual Result<std::vector<AuditEntry>> LoadAudit(const std::string& subject) = 0;
  // Entries whose subject starts with `prefix` (e.g. "calendar:"), in seq order.
  virtual Result<std::vector<AuditEntry>> LoadAuditByPrefix(const std::string& prefix) = 0;
  // The chain's head as kept apart from the entries: {seq, hash} of the last entry ({0, ""}
  // when empty).
  virtual Result<std::pair<int64_t, std::string>> AuditHead() = 0;
  // Rows naming a unit, dossier or file that does not exist, one line per kind found ("3
  // dossier_files row(s) name a dossier that does not exist"); empty when every reference
  // holds. These are the references the PostgreSQL schema leaves to the domain (migration 8);
  // `motcua audit verify` runs this on both backends. Reads whole tables: offline checks only.
  virtual Result<std::vector<std::string>> CheckReferences() = 0;
};

}  // namespace motcua
