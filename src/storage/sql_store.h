// The SQL store: one Database (SQLite or PostgreSQL) and an implementation of each of the
// domain's ports over it (src/domain/ports), plus schema management. Open one with OpenStore;
// hand each service only the ports it uses.
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "domain/ports/account_store.h"
#include "domain/ports/applicant_documents.h"
#include "domain/ports/audit_log.h"
#include "domain/ports/calendar_store.h"
#include "domain/ports/catalog_store.h"
#include "domain/ports/dossier_queries.h"
#include "domain/ports/dossier_store.h"
#include "domain/ports/file_index.h"
#include "domain/ports/health.h"
#include "domain/ports/history_import.h"
#include "domain/ports/outbox.h"
#include "domain/ports/session_store.h"
#include "domain/ports/unit_store.h"
#include "storage/database.h"

namespace motcua::storage {

struct StoreOptions {
  size_t readers = 8;            // reader connections in the pool
  size_t max_write_batch = 256;  // jobs per group commit
};

// Owns the database and the port implementations; every port is thread-safe and lives as long
// as the store.
class SqlStore {
 public:
  virtual ~SqlStore() = default;

  virtual UnitStore& units() = 0;
  virtual CatalogStore& catalog() = 0;
  virtual AccountStore& accounts() = 0;
  virtual SessionStore& sessions() = 0;
  virtual DossierStore& dossiers() = 0;
  virtual DossierQueries& queries() = 0;
  virtual AuditLog& audit() = 0;
  virtual Outbox& outbox() = 0;
  virtual FileIndex& files() = 0;
  virtual ApplicantDocuments& documents() = 0;
  virtual CalendarStore& calendar() = 0;
  virtual HistoryImport& history() = 0;
  virtual Health& health() = 0;

  // The schema version of the database (0 if empty).
  virtual Result<int> SchemaVersion() = 0;
  // Applies every missing migration, recording `now` as when; fails with kUnavailable on a
  // database newer than this binary.
  virtual Status Migrate(Instant now) = 0;
  // Fails (kUnavailable) unless the schema is exactly the version this binary expects.
  virtual Status CheckSchema() = 0;
  virtual Database& database() = 0;
};

// Opens the database at `url` (sqlite:PATH, creating the file and its folder if needed, or
// postgresql://user[:pass]@host:port/db). Does not migrate. Fails with kInvalidField on an
// unsupported URL, kUnavailable if unreachable.
Result<std::unique_ptr<SqlStore>> OpenStore(const std::string& url, StoreOptions options = {});

}  // namespace motcua::storage
