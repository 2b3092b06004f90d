// SqlStore: the port implementations over one Database, schema migrations, and OpenStore.
#include "storage/sql_store.h"

#include <filesystem>

#include "storage/migrations.h"
#include "storage/postgres/pg_connection.h"
#include "storage/sql_ports.h"
#include "storage/sql_util.h"
#include "storage/sqlite/sqlite_connection.h"

namespace motcua::storage {

Status SqlHealth::Ping() {
  return db_.Read([](SqlConnection& c) { return Discard(c.Query("SELECT 1", {})); });
}

namespace {

class SqlStoreImpl final : public SqlStore {
 public:
  explicit SqlStoreImpl(std::unique_ptr<Database> db)
      : db_(std::move(db)),
        batch_(*db_),
        units_(*db_),
        catalog_(*db_),
        accounts_(*db_),
        sessions_(*db_),
        dossiers_(*db_, batch_),
        queries_(*db_),
        audit_(*db_),
        outbox_(*db_),
        files_(*db_),
        documents_(*db_),
        calendar_(*db_, batch_),
        history_(*db_, batch_, audit_),
        health_(*db_) {}

  UnitStore& units() override { return units_; }
  CatalogStore& catalog() override { return catalog_; }
  AccountStore& accounts() override { return accounts_; }
  SessionStore& sessions() override { return sessions_; }
  DossierStore& dossiers() override { return dossiers_; }
  DossierQueries& queries() override { return queries_; }
  AuditLog& audit() override { return audit_; }
  Outbox& outbox() override { return outbox_; }
  FileIndex& files() override { return files_; }
  ApplicantDocuments& documents() override { return documents_; }
  CalendarStore& calendar() override { return calendar_; }
  HistoryImport& history() override { return history_; }
  Health& health() override { return health_; }
  Database& database() override { return *db_; }

  Result<int> SchemaVersion() override {
    int version = 0;
    Status st = db_->Exclusive([&](SqlConnection& c) -> Status {
      auto exists =
          c.Query(c.backend() == Backend::kSqlite
                      ? "SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'"
                      : "SELECT count(*) FROM pg_tables WHERE tablename = 'schema_version' "
                        "AND schemaname = current_schema()",
                  {});
      MOTCUA_RETURN_IF_ERROR(exists);
      if (exists->at(0).Int(0) == 0) return {};
      auto rows = c.Query("SELECT COALESCE(MAX(version), 0) FROM schema_version", {});
      MOTCUA_RETURN_IF_ERROR(rows);
      version = static_cast<int>(rows->at(0).Int(0));
      return {};
    });
    MOTCUA_RETURN_IF_ERROR(st);
    return version;
  }

  Status Migrate(Instant now_instant) override {
    auto current = SchemaVersion();
    MOTCUA_RETURN_IF_ERROR(current);
    if (*current > LatestSchemaVersion()) return NewerSchema(*current);
    for (const Migration& m : Migrations()) {
      if (m.version <= *current) continue;
      Status st = db_->Exclusive([&](SqlConnection& c) -> Status {
        std::string script =
            "BEGIN; CREATE TABLE IF NOT EXISTS schema_version (version INTEGER "
            "NOT NULL, applied_at BIGINT NOT NULL); ";
        script += c.backend() == Backend::kSqlite ? m.sqlite : m.postgres;
        int64_t now = Micros(now_instant);
        script += "; INSERT INTO schema_version VALUES (" + std::to_string(m.version) + ", " +
                  std::to_string(now) + "); COMMIT;";
        Status r = c.Exec(script);
        if (!r) (void)c.Exec("ROLLBACK");
        return r;
      });
      if (!st) return st;
    }
    return {};
  }

  Status CheckSchema() override {
    auto v = SchemaVersion();
    MOTCUA_RETURN_IF_ERROR(v);
    if (*v > LatestSchemaVersion()) return NewerSchema(*v);
    if (*v < LatestSchemaVersion()) {
      return Failure(ErrorCode::kUnavailable, "The database schema is version " +
                                                  std::to_string(*v) + "; this binary needs " +
                                                  std::to_string(LatestSchemaVersion()) +
                                                  ". Run `motcua init` to migrate.");
    }
    return {};
  }

 private:
  static Status NewerSchema(int v) {
    return Failure(ErrorCode::kUnavailable, "The database schema is version " + std::to_string(v) +
                                                ", newer than this binary knows (" +
                                                std::to_string(LatestSchemaVersion()) +
                                                "). Upgrade motcua.");
  }

  std::unique_ptr<Database> db_;
  WriteBatch batch_;  // the group commit's deferred rows: writer thread only
  SqlUnits units_;
  SqlCatalog catalog_;
  SqlAccounts accounts_;
  SqlSessions sessions_;
  SqlDossiers dossiers_;
  SqlDossierQueries queries_;
  SqlAuditLog audit_;
  SqlOutbox outbox_;
  SqlFileIndex files_;
  SqlApplicantDocuments documents_;
  SqlCalendar calendar_;
  SqlHistory history_;
  SqlHealth health_;
};

}  // namespace

Result<std::unique_ptr<SqlStore>> OpenStore(const std::string& url, StoreOptions options) {
  Result<std::unique_ptr<Database>> db = tl::unexpected(Error{});
  if (url.rfind("sqlite:", 0) == 0) {
    std::string path = url.substr(7);
    if (path.empty()) {
      return Failure(ErrorCode::kInvalidField,
                     "sqlite: URL needs a path, e.g. sqlite:var/motcua.db", "db");
    }
    std::error_code ec;
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    bool first = true;
    db = Database::Open(
        Backend::kSqlite,
        [path, first]() mutable {
          bool read_only = !first;
          first = false;
          return OpenSqlite(path, read_only);
        },
        options.readers, "BEGIN IMMEDIATE", options.max_write_batch);
  } else if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    db = Database::Open(
        Backend::kPostgres, [url] { return OpenPostgres(url); }, options.readers, "BEGIN",
        options.max_write_batch);
  } else {
    return Failure(ErrorCode::kInvalidField,
                   "Unsupported database URL; use sqlite:PATH or postgresql://user@host:port/db.",
                   "db");
  }
  MOTCUA_RETURN_IF_ERROR(db);
  return std::unique_ptr<SqlStore>(std::make_unique<SqlStoreImpl>(std::move(*db)));
}

}  // namespace motcua::storage
