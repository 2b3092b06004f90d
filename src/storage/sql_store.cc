// The Store over SQL, written once for both backends (same statements, $N placeholders).
#include <filesystem>

#include "common/crypto.h"
#include "storage/migrations.h"
#include "storage/open_store.h"
#include "storage/postgres/pg_connection.h"
#include "storage/sqlite/sqlite_connection.h"

namespace motcua::storage {
namespace {

int64_t Micros(Instant t) { return t.time_since_epoch().count(); }
Instant FromMicros(int64_t us) { return Instant(std::chrono::microseconds(us)); }

UnitCategory ParseCategory(std::string_view s) {
  if (s == "agency") return UnitCategory::kAgency;
  if (s == "agency_template") return UnitCategory::kAgencyTemplate;
  return UnitCategory::kAdministrative;
}

constexpr std::string_view kUserColumns =
    "u.id, u.username, u.password_hash, u.role, COALESCE(u.unit_code, ''), u.full_name, "
    "u.failed_logins, u.locked_until, u.disabled, u.created_at";

UserRecord ReadUser(const SqlRow& r, size_t base) {
  UserRecord u;
  u.id = r.Int(base);
  u.username = r.Str(base + 1);
  u.password_hash = r.Str(base + 2);
  u.role = ParseRole(r.Str(base + 3)).value_or(Role::kCitizen);
  u.unit_code = r.Str(base + 4);
  u.full_name = r.Str(base + 5);
  u.failed_logins = r.Int(base + 6);
  u.locked_until = FromMicros(r.Int(base + 7));
  u.disabled = r.Int(base + 8) != 0;
  u.created_at = FromMicros(r.Int(base + 9));
  return u;
}

ProcedureRecord ReadProcedure(const SqlRow& r) {
  return ProcedureRecord{r.Str(0),     r.Int(1), r.Str(2), r.Str(3), FromMicros(r.Int(4)),
                         r.Int(5) != 0};
}

// Runs `fn` and moves its value out, so callers can write `return Value(db.Read, ...)`.
template <typename T, typename Fn>
Result<T> Collect(Database& db, bool write, Fn fn) {
  T out{};
  auto job = [&](SqlConnection& c) -> Status {
    auto r = fn(c);
    if (!r) return tl::unexpected(r.error());
    out = std::move(*r);
    return {};
  };
  Status st = write ? db.Write(job) : db.Read(job);
  if (!st) return tl::unexpected(st.error());
  return out;
}

Status Discard(const Result<SqlRows>& r) {
  if (!r) return tl::unexpected(r.error());
  return {};
}

class SqlStoreImpl final : public SqlStore {
 public:
  explicit SqlStoreImpl(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  Database& database() override { return *db_; }

  Status Ping() override {
    return db_->Read([](SqlConnection& c) { return Discard(c.Query("SELECT 1", {})); });
  }

  Result<int> SchemaVersion() override {
    int version = 0;
    Status st = db_->Exclusive([&](SqlConnection& c) -> Status {
      auto exists =
          c.Query(c.backend() == Backend::kSqlite
                      ? "SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'"
                      : "SELECT count(*) FROM pg_tables WHERE tablename = 'schema_version' "
                        "AND schemaname = current_schema()",
                  {});
      if (!exists) return tl::unexpected(exists.error());
      if (exists->at(0).Int(0) == 0) return {};
      auto rows = c.Query("SELECT COALESCE(MAX(version), 0) FROM schema_version", {});
      if (!rows) return tl::unexpected(rows.error());
      version = static_cast<int>(rows->at(0).Int(0));
      return {};
    });
    if (!st) return tl::unexpected(st.error());
    return version;
  }

  Status Migrate() override {
    auto current = SchemaVersion();
    if (!current) return tl::unexpected(current.error());
    if (*current > LatestSchemaVersion()) return NewerSchema(*current);
    for (const Migration& m : Migrations()) {
      if (m.version <= *current) continue;
      Status st = db_->Exclusive([&](SqlConnection& c) -> Status {
        std::string script =
            "BEGIN; CREATE TABLE IF NOT EXISTS schema_version (version INTEGER "
            "NOT NULL, applied_at BIGINT NOT NULL); ";
        script += c.backend() == Backend::kSqlite ? m.sqlite : m.postgres;
        auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
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
    if (!v) return tl::unexpected(v.error());
    if (*v > LatestSchemaVersion()) return NewerSchema(*v);
    if (*v < LatestSchemaVersion()) {
      return Fail(ErrorCode::kUnavailable,
                  "The database schema is version " + std::to_string(*v) + "; this binary needs " +
                      std::to_string(LatestSchemaVersion()) + ". Run `motcua init` to migrate.",
                  "Lược đồ cơ sở dữ liệu ở phiên bản " + std::to_string(*v) + "; cần phiên bản " +
                      std::to_string(LatestSchemaVersion()) + ". Hãy chạy `motcua init`.");
    }
    return {};
  }

  Status UpsertUnits(const std::vector<Unit>& units) override {
    return db_->Write([&](SqlConnection& c) -> Status {
      auto pos = c.Query("SELECT COALESCE(MAX(position), 0) FROM units", {});
      if (!pos) return tl::unexpected(pos.error());
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
            return Fail(ErrorCode::kInvalidField,
                        "Unit " + u.code + " has an unknown parent " + u.parent_code + ".",
                        "Đơn vị " + u.code + " có đơn vị cha không tồn tại " + u.parent_code + ".",
                        "parent_code");
          }
          return tl::unexpected(r.error());
        }
      }
      return {};
    });
  }

  Result<std::vector<Unit>> LoadUnits() override {
    return Collect<std::vector<Unit>>(
        *db_, false, [](SqlConnection& c) -> Result<std::vector<Unit>> {
          auto rows = c.Query(
              "SELECT code, name, name_en, kind, category, COALESCE(parent_code, '') FROM units "
              "ORDER BY position",
              {});
          if (!rows) return tl::unexpected(rows.error());
          std::vector<Unit> out;
          out.reserve(rows->size());
          for (const auto& r : *rows) {
            out.push_back(
                Unit{r.Str(0), r.Str(1), r.Str(2), r.Str(3), r.Str(5), ParseCategory(r.Str(4))});
          }
          return out;
        });
  }

  Result<ImportSummary> ImportProcedures(const std::vector<ProcedureRecord>& records,
                                         Instant now) override {
    return Collect<ImportSummary>(*db_, true, [&](SqlConnection& c) -> Result<ImportSummary> {
      ImportSummary s;
      for (const ProcedureRecord& p : records) {
        std::string sha = Sha256Hex(p.content);
        auto cur = c.Query(
            "SELECT version, content_sha256 FROM procedures WHERE id = $1 AND is_current = 1",
            {p.id});
        if (!cur) return tl::unexpected(cur.error());
        int64_t version = 1;
        if (!cur->empty()) {
          if (cur->at(0).Str(1) == sha) {
            ++s.unchanged;
            continue;
          }
          version = cur->at(0).Int(0) + 1;
          auto r = c.Query("UPDATE procedures SET is_current = 0 WHERE id = $1 AND is_current = 1",
                           {p.id});
          if (!r) return tl::unexpected(r.error());
          ++s.changed;
        } else {
          ++s.added;
        }
        auto r = c.Query(
            "INSERT INTO procedures (id, version, content, content_sha256, imported_at, "
            "is_current) VALUES ($1, $2, $3, $4, $5, 1)",
            {p.id, version, p.content, sha, Micros(now)});
        if (!r) return tl::unexpected(r.error());
      }
      return s;
    });
  }

  Result<std::vector<ProcedureRecord>> LoadCurrentProcedures() override {
    return Collect<std::vector<ProcedureRecord>>(
        *db_, false, [](SqlConnection& c) -> Result<std::vector<ProcedureRecord>> {
          auto rows = c.Query(
              "SELECT id, version, content, content_sha256, imported_at, is_current FROM "
              "procedures WHERE is_current = 1 ORDER BY id",
              {});
          if (!rows) return tl::unexpected(rows.error());
          std::vector<ProcedureRecord> out;
          for (const auto& r : *rows) out.push_back(ReadProcedure(r));
          return out;
        });
  }

  Result<std::vector<ProcedureRecord>> LoadProcedureVersions(const std::string& id) override {
    return Collect<std::vector<ProcedureRecord>>(
        *db_, false, [&](SqlConnection& c) -> Result<std::vector<ProcedureRecord>> {
          auto rows = c.Query(
              "SELECT id, version, content, content_sha256, imported_at, is_current FROM "
              "procedures WHERE id = $1 ORDER BY version",
              {id});
          if (!rows) return tl::unexpected(rows.error());
          std::vector<ProcedureRecord> out;
          for (const auto& r : *rows) out.push_back(ReadProcedure(r));
          return out;
        });
  }

  Result<int64_t> CreateUser(const UserRecord& u) override {
    return Collect<int64_t>(*db_, true, [&](SqlConnection& c) -> Result<int64_t> {
      SqlValue unit = u.unit_code.empty() ? SqlValue{} : SqlValue{u.unit_code};
      auto rows = c.Query(
          "INSERT INTO users (username, password_hash, role, unit_code, full_name, "
          "failed_logins, locked_until, disabled, created_at) VALUES ($1, $2, $3, $4, $5, 0, 0, "
          "$6, $7) RETURNING id",
          {u.username, u.password_hash, std::string(RoleName(u.role)), unit, u.full_name,
           int64_t{u.disabled ? 1 : 0}, Micros(u.created_at)});
      if (!rows) return tl::unexpected(rows.error());
      return rows->at(0).Int(0);
    });
  }

  Result<std::optional<UserRecord>> FindUser(const std::string& username) override {
    return Collect<std::optional<UserRecord>>(
        *db_, false, [&](SqlConnection& c) -> Result<std::optional<UserRecord>> {
          auto rows =
              c.Query("SELECT " + std::string(kUserColumns) + " FROM users u WHERE u.username = $1",
                      {username});
          if (!rows) return tl::unexpected(rows.error());
          if (rows->empty()) return std::optional<UserRecord>();
          return std::optional<UserRecord>(ReadUser(rows->at(0), 0));
        });
  }

  Result<std::vector<UserRecord>> ListUsersOfUnit(const std::string& unit_code) override {
    return Collect<std::vector<UserRecord>>(
        *db_, false, [&](SqlConnection& c) -> Result<std::vector<UserRecord>> {
          auto rows = c.Query("SELECT " + std::string(kUserColumns) +
                                  " FROM users u WHERE u.unit_code = $1 ORDER BY u.username",
                              {unit_code});
          if (!rows) return tl::unexpected(rows.error());
          std::vector<UserRecord> out;
          for (const auto& r : *rows) out.push_back(ReadUser(r, 0));
          return out;
        });
  }

  Status SetLoginState(int64_t user_id, int64_t failed, Instant locked_until) override {
    return db_->Write([&](SqlConnection& c) {
      return Discard(c.Query("UPDATE users SET failed_logins = $1, locked_until = $2 WHERE id = $3",
                             {failed, Micros(locked_until), user_id}));
    });
  }

  Status CreateSession(const SessionRecord& s) override {
    return db_->Write([&](SqlConnection& c) {
      return Discard(c.Query(
          "INSERT INTO sessions (token_hash, user_id, csrf_hash, created_at, expires_at) VALUES "
          "($1, $2, $3, $4, $5)",
          {s.token_hash, s.user_id, s.csrf_hash, Micros(s.created_at), Micros(s.expires_at)}));
    });
  }

  Result<std::optional<std::pair<SessionRecord, UserRecord>>> FindSession(
      const std::string& token_hash) override {
    using Found = std::optional<std::pair<SessionRecord, UserRecord>>;
    return Collect<Found>(*db_, false, [&](SqlConnection& c) -> Result<Found> {
      auto rows =
          c.Query("SELECT s.token_hash, s.user_id, s.csrf_hash, s.created_at, s.expires_at, " +
                      std::string(kUserColumns) +
                      " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
                  {token_hash});
      if (!rows) return tl::unexpected(rows.error());
      if (rows->empty()) return Found();
      const SqlRow& r = rows->at(0);
      SessionRecord s{r.Str(0), r.Int(1), r.Str(2), FromMicros(r.Int(3)), FromMicros(r.Int(4))};
      return Found(std::make_pair(std::move(s), ReadUser(r, 5)));
    });
  }

  Status DeleteSession(const std::string& token_hash) override {
    return db_->Write([&](SqlConnection& c) {
      return Discard(c.Query("DELETE FROM sessions WHERE token_hash = $1", {token_hash}));
    });
  }

  Result<int64_t> DeleteExpiredSessions(Instant now) override {
    return Collect<int64_t>(*db_, true, [&](SqlConnection& c) -> Result<int64_t> {
      auto rows =
          c.Query("DELETE FROM sessions WHERE expires_at < $1 RETURNING token_hash", {Micros(now)});
      if (!rows) return tl::unexpected(rows.error());
      return static_cast<int64_t>(rows->size());
    });
  }

  Result<std::pair<std::string, std::string>> DataStamps() override {
    using Stamps = std::pair<std::string, std::string>;
    return Collect<Stamps>(*db_, false, [](SqlConnection& c) -> Result<Stamps> {
      auto u = c.Query("SELECT count(*), COALESCE(MAX(position), 0) FROM units", {});
      if (!u) return tl::unexpected(u.error());
      auto p = c.Query(
          "SELECT count(*), COALESCE(MAX(imported_at), 0), COALESCE(SUM(version), 0) FROM "
          "procedures",
          {});
      if (!p) return tl::unexpected(p.error());
      return Stamps(u->at(0).Str(0) + "/" + u->at(0).Str(1),
                    p->at(0).Str(0) + "/" + p->at(0).Str(1) + "/" + p->at(0).Str(2));
    });
  }

 private:
  static Status NewerSchema(int v) {
    return Fail(ErrorCode::kUnavailable,
                "The database schema is version " + std::to_string(v) +
                    ", newer than this binary knows (" + std::to_string(LatestSchemaVersion()) +
                    "). Upgrade motcua.",
                "Lược đồ cơ sở dữ liệu ở phiên bản " + std::to_string(v) +
                    ", mới hơn phiên bản chương trình hỗ trợ (" +
                    std::to_string(LatestSchemaVersion()) + "). Hãy nâng cấp motcua.");
  }

  std::unique_ptr<Database> db_;
};

}  // namespace

Result<std::unique_ptr<SqlStore>> OpenStore(const std::string& url, StoreOptions options) {
  Result<std::unique_ptr<Database>> db = tl::unexpected(Error{});
  if (url.rfind("sqlite:", 0) == 0) {
    std::string path = url.substr(7);
    if (path.empty()) {
      return Fail(ErrorCode::kInvalidField, "sqlite: URL needs a path, e.g. sqlite:var/motcua.db",
                  "URL sqlite: cần đường dẫn, ví dụ sqlite:var/motcua.db", "db");
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
    return Fail(ErrorCode::kInvalidField,
                "Unsupported database URL; use sqlite:PATH or postgresql://user@host:port/db.",
                "URL cơ sở dữ liệu không được hỗ trợ; dùng sqlite:PATH hoặc "
                "postgresql://user@host:port/db.",
                "db");
  }
  if (!db) return tl::unexpected(db.error());
  return std::unique_ptr<SqlStore>(std::make_unique<SqlStoreImpl>(std::move(*db)));
}

}  // namespace motcua::storage
