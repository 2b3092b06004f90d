// Port: the procedure catalog, every version of every procedure as imported.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"

namespace motcua {

// One stored version of a procedure: the validated JSON record as imported.
struct ProcedureRecord {
  std::string id;
  int64_t version = 0;
  std::string content;  // JSON
  std::string content_sha256;
  Instant imported_at{};
  bool is_current = false;
};

struct ImportSummary {
  size_t added = 0;      // procedures seen for the first time
  size_t changed = 0;    // procedures that got a new version
  size_t unchanged = 0;  // identical to their current version
};

// Thread-safe; writes are durable when they return success.
class CatalogStore {
 public:
  virtual ~CatalogStore() = default;
  // Stores `records` (id + content) in one transaction: a new id gets version 1; content that
  // differs from the current version becomes version n+1 and current, the old one is kept.
  virtual Result<ImportSummary> ImportProcedures(const std::vector<ProcedureRecord>& records,
                                                 Instant now) = 0;
  // The current version of every procedure, by id.
  virtual Result<std::vector<ProcedureRecord>> LoadCurrentProcedures() = 0;
  // Every version of one procedure, oldest first; empty if unknown.
  virtual Result<std::vector<ProcedureRecord>> LoadProcedureVersions(const std::string& id) = 0;
  // A short string that changes whenever the catalog changes (an import by another process).
  virtual Result<std::string> CatalogStamp() = 0;
};

}  // namespace motcua
