// AuditLog over SQL, and the offline check of the references the schema leaves to the domain.
#include "storage/sql_ports.h"
#include "storage/sql_util.h"

namespace motcua::storage {

Result<std::vector<AuditEntry>> SqlAuditLog::LoadAudit(const std::string& subject) {
  return Collect<std::vector<AuditEntry>>(
      db_, false, [&](SqlConnection& c) -> Result<std::vector<AuditEntry>> {
        std::string cols =
            "SELECT seq, dossier_code, at, actor_user_id, actor_role, actor_unit, action, "
            "state_before, state_after, note, prev_hash, hash FROM audit_events";
        auto rows = subject.empty()
                        ? c.Query(cols + " ORDER BY seq", {})
                        : c.Query(cols + " WHERE dossier_code = $1 ORDER BY seq", {subject});
        MOTCUA_RETURN_IF_ERROR(rows);
        std::vector<AuditEntry> out;
        out.reserve(rows->size());
        for (const auto& r : *rows) out.push_back(ReadAudit(r));
        return out;
      });
}

Result<std::vector<AuditEntry>> SqlAuditLog::LoadAuditByPrefix(const std::string& prefix) {
  using Entries = std::vector<AuditEntry>;
  return Collect<Entries>(db_, false, [&](SqlConnection& c) -> Result<Entries> {
    // A range on the subject: substr() = prefix, which both backends index-scan the same way.
    auto rows = c.Query(
        "SELECT seq, dossier_code, at, actor_user_id, actor_role, actor_unit, action, "
        "state_before, state_after, note, prev_hash, hash FROM audit_events WHERE "
        "substr(dossier_code, 1, $1) = $2 ORDER BY seq",
        {static_cast<int64_t>(prefix.size()), prefix});
    MOTCUA_RETURN_IF_ERROR(rows);
    Entries out;
    out.reserve(rows->size());
    for (const auto& r : *rows) out.push_back(ReadAudit(r));
    return out;
  });
}

Result<std::pair<int64_t, std::string>> SqlAuditLog::AuditHead() {
  using Head = std::pair<int64_t, std::string>;
  return Collect<Head>(db_, false, [](SqlConnection& c) -> Result<Head> {
    auto rows = c.Query("SELECT seq, hash FROM audit_head WHERE id = 1", {});
    MOTCUA_RETURN_IF_ERROR(rows);
    return Head(rows->at(0).Int(0), rows->at(0).Str(1));
  });
}

Result<std::vector<std::string>> SqlAuditLog::CheckReferences() {
  using Lines = std::vector<std::string>;
  return Collect<Lines>(db_, false, [](SqlConnection& c) -> Result<Lines> {
    // Each: the rows of a table whose reference finds nothing, and what they should name.
    struct Check {
      const char* rows;
      const char* names;
      const char* sql;
    };
    static constexpr Check kChecks[] = {
        {"dossiers", "a receiving unit",
         "SELECT count(*) FROM dossiers d WHERE NOT EXISTS (SELECT 1 FROM units u WHERE "
         "u.code = d.receiving_unit)"},
        {"dossiers", "a current unit",
         "SELECT count(*) FROM dossiers d WHERE NOT EXISTS (SELECT 1 FROM units u WHERE "
         "u.code = d.current_unit)"},
        {"idempotency_keys", "a dossier",
         "SELECT count(*) FROM idempotency_keys k WHERE NOT EXISTS (SELECT 1 FROM dossiers d "
         "WHERE d.code = k.dossier_code)"},
        {"dossier_files", "a dossier",
         "SELECT count(*) FROM dossier_files f WHERE NOT EXISTS (SELECT 1 FROM dossiers d "
         "WHERE d.code = f.dossier_code)"},
        {"dossier_files", "a file",
         "SELECT count(*) FROM dossier_files df WHERE NOT EXISTS (SELECT 1 FROM files f "
         "WHERE f.sha256 = df.sha256)"},
    };
    Lines out;
    for (const Check& k : kChecks) {
      auto rows = c.Query(k.sql, {});
      MOTCUA_RETURN_IF_ERROR(rows);
      int64_t n = rows->empty() ? 0 : rows->at(0).Int(0);
      if (n > 0) {
        out.push_back(std::to_string(n) + " " + k.rows + " row(s) name " + k.names +
                      " that does not exist");
      }
    }
    return out;
  });
}

}  // namespace motcua::storage
