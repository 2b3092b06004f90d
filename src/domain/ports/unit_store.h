// Port: the administrative units and agencies (the unit directory's source).
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "domain/units/unit.h"

namespace motcua {

// Implemented by src/storage for SQLite and PostgreSQL (contract tests: tests/unit/store_test.cc).
// Thread-safe; writes are durable when they return success.
class UnitStore {
 public:
  virtual ~UnitStore() = default;
  // Inserts or updates units by code. Parents must exist or come earlier in `units`; an unknown
  // parent fails with kInvalidField (field "parent_code") and nothing is written.
  virtual Status UpsertUnits(const std::vector<Unit>& units) = 0;
  // Every unit, parents before children.
  virtual Result<std::vector<Unit>> LoadUnits() = 0;
  // A short string that changes whenever the units change, so a running server notices an
  // import done by another process.
  virtual Result<std::string> UnitsStamp() = 0;
};

}  // namespace motcua
