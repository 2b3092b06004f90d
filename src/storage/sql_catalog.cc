// CatalogStore over SQL: every version of every procedure, one current.
#include "common/crypto.h"
#include "storage/sql_ports.h"
#include "storage/sql_util.h"

namespace motcua::storage {
namespace {

constexpr std::string_view kProcedureSelect =
    "SELECT id, version, content, content_sha256, imported_at, is_current FROM procedures";

Result<std::vector<ProcedureRecord>> ReadProcedures(const Result<SqlRows>& rows) {
  MOTCUA_RETURN_IF_ERROR(rows);
  std::vector<ProcedureRecord> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) {
    out.push_back(ProcedureRecord{r.Str(0), r.Int(1), r.Str(2), r.Str(3), FromMicros(r.Int(4)),
                                  r.Int(5) != 0});
  }
  return out;
}

}  // namespace

Result<ImportSummary> SqlCatalog::ImportProcedures(const std::vector<ProcedureRecord>& records,
                                                   Instant now) {
  return Collect<ImportSummary>(db_, true, [&](SqlConnection& c) -> Result<ImportSummary> {
    ImportSummary s;
    for (const ProcedureRecord& p : records) {
      std::string sha = Sha256Hex(p.content);
      auto cur =
          c.Query("SELECT version, content_sha256 FROM procedures WHERE id = $1 AND is_current = 1",
                  {p.id});
      MOTCUA_RETURN_IF_ERROR(cur);
      int64_t version = 1;
      if (!cur->empty()) {
        if (cur->at(0).Str(1) == sha) {
          ++s.unchanged;
          continue;
        }
        version = cur->at(0).Int(0) + 1;
        auto r = c.Query("UPDATE procedures SET is_current = 0 WHERE id = $1 AND is_current = 1",
                         {p.id});
        MOTCUA_RETURN_IF_ERROR(r);
        ++s.changed;
      } else {
        ++s.added;
      }
      auto r = c.Query(
          "INSERT INTO procedures (id, version, content, content_sha256, imported_at, "
          "is_current) VALUES ($1, $2, $3, $4, $5, 1)",
          {p.id, version, p.content, sha, Micros(now)});
      MOTCUA_RETURN_IF_ERROR(r);
    }
    return s;
  });
}

Result<std::vector<ProcedureRecord>> SqlCatalog::LoadCurrentProcedures() {
  return Collect<std::vector<ProcedureRecord>>(db_, false, [](SqlConnection& c) {
    return ReadProcedures(
        c.Query(std::string(kProcedureSelect) + " WHERE is_current = 1 ORDER BY id", {}));
  });
}

Result<std::vector<ProcedureRecord>> SqlCatalog::LoadProcedureVersions(const std::string& id) {
  return Collect<std::vector<ProcedureRecord>>(db_, false, [&](SqlConnection& c) {
    return ReadProcedures(
        c.Query(std::string(kProcedureSelect) + " WHERE id = $1 ORDER BY version", {id}));
  });
}

Result<std::string> SqlCatalog::CatalogStamp() {
  return Collect<std::string>(db_, false, [](SqlConnection& c) -> Result<std::string> {
    auto p = c.Query(
        "SELECT count(*), COALESCE(MAX(imported_at), 0), COALESCE(SUM(version), 0) FROM "
        "procedures",
        {});
    MOTCUA_RETURN_IF_ERROR(p);
    return p->at(0).Str(0) + "/" + p->at(0).Str(1) + "/" + p->at(0).Str(2);
  });
}

}  // namespace motcua::storage
