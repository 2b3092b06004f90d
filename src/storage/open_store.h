// Opening a store from a database URL: sqlite:PATH or postgresql://user[:pass]@host:port/db.
#pragma once

#include <memory>
#include <string>

#include "domain/store.h"
#include "storage/database.h"

namespace motcua::storage {

// The concrete store: Store over a Database, plus schema management.
class SqlStore : public Store {
 public:
  ~SqlStore() override = default;
  // The schema version of the database (0 if empty).
  virtual Result<int> SchemaVersion() = 0;
  // Applies every missing migration; fails on a database newer than this binary.
  virtual Status Migrate() = 0;
  // Fails unless the schema is exactly the version this binary expects.
  virtual Status CheckSchema() = 0;
  virtual Database& database() = 0;
};

struct StoreOptions {
  size_t readers = 8;            // reader connections in the pool
  size_t max_write_batch = 256;  // jobs per group commit
};

// Opens the database at `url` (creating the SQLite file and its folder if needed). Does not
// migrate. Fails with kInvalidField on an unsupported URL, kUnavailable if unreachable.
Result<std::unique_ptr<SqlStore>> OpenStore(const std::string& url, StoreOptions options = {});

}  // namespace motcua::storage
