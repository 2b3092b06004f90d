// FileIndex and ApplicantDocuments over SQL.
#include "storage/sql_ports.h"
#include "storage/sql_util.h"

namespace motcua::storage {
namespace {

constexpr std::string_view kApplicantDocumentSelect =
    "SELECT d.sha256, d.kind, d.component_id, d.dossier_code, f.media_type, f.size, d.created_at "
    "FROM dossier_files d JOIN files f ON f.sha256 = d.sha256";

ApplicantDocument ReadApplicantDocument(const SqlRow& r) {
  return {r.Str(0), r.Str(1), r.Str(2), r.Str(3), r.Str(4), r.Int(5), FromMicros(r.Int(6))};
}

}  // namespace

void SqlFileIndex::RecordFileAsync(FileRecord f, int64_t uploader,
                                   std::function<void(Status)> done) {
  db_.WriteAsync(
      [f = std::move(f), uploader](SqlConnection& c) -> Status {
        auto r = c.Query(
            "INSERT INTO files (sha256, size, media_type, created_at) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (sha256) DO NOTHING",
            {f.sha256, f.size, f.media_type, Micros(f.created_at)});
        MOTCUA_RETURN_IF_ERROR(r);
        return Discard(
            c.Query("INSERT INTO file_owners (sha256, user_id, created_at) VALUES ($1, $2, $3) "
                    "ON CONFLICT (sha256, user_id) DO NOTHING",
                    {f.sha256, uploader, Micros(f.created_at)}));
      },
      std::move(done));
}

Result<std::optional<FileRecord>> SqlFileIndex::FindFile(const std::string& sha256,
                                                         int64_t uploader) {
  using Found = std::optional<FileRecord>;
  std::string key = std::to_string(uploader) + ":" + sha256;
  {
    std::lock_guard lock(cache_mu_);
    if (auto it = cache_.find(key); it != cache_.end()) return Found(it->second);
  }
  auto found = Collect<Found>(db_, false, [&](SqlConnection& c) -> Result<Found> {
    auto rows =
        uploader == 0
            ? c.Query("SELECT sha256, size, media_type, created_at FROM files WHERE sha256 = $1",
                      {sha256})
            : c.Query(
                  "SELECT f.sha256, f.size, f.media_type, f.created_at FROM files f JOIN "
                  "file_owners o ON o.sha256 = f.sha256 WHERE f.sha256 = $1 AND o.user_id = $2",
                  {sha256, uploader});
    MOTCUA_RETURN_IF_ERROR(rows);
    if (rows->empty()) return Found();
    const SqlRow& r = rows->at(0);
    return Found(FileRecord{r.Str(0), r.Int(1), r.Str(2), FromMicros(r.Int(3))});
  });
  if (found && *found) {
    std::lock_guard lock(cache_mu_);
    if (cache_.size() >= kCacheEntries) cache_.clear();
    cache_.emplace(std::move(key), **found);
  }
  return found;
}

Result<std::unordered_set<std::string>> SqlFileIndex::AllFileShas() {
  using Shas = std::unordered_set<std::string>;
  return Collect<Shas>(db_, false, [](SqlConnection& c) -> Result<Shas> {
    auto rows = c.Query("SELECT sha256 FROM files", {});
    MOTCUA_RETURN_IF_ERROR(rows);
    Shas out;
    out.reserve(rows->size());
    for (const auto& r : *rows) out.insert(r.Str(0));
    return out;
  });
}

Result<std::vector<ApplicantDocument>> SqlApplicantDocuments::ListApplicantDocuments(
    const std::string& id_number, size_t limit) {
  return Collect<std::vector<ApplicantDocument>>(
      db_, false, [&](SqlConnection& c) -> Result<std::vector<ApplicantDocument>> {
        auto rows = c.Query(std::string(kApplicantDocumentSelect) +
                                " WHERE d.applicant_id_number = $1 ORDER BY d.created_at DESC, "
                                "d.sha256 LIMIT $2",
                            {id_number, static_cast<int64_t>(limit * 4 + 4)});
        MOTCUA_RETURN_IF_ERROR(rows);
        std::vector<ApplicantDocument> out;
        std::unordered_set<std::string> seen;
        for (const auto& r : *rows) {
          if (out.size() >= limit) break;
          if (!seen.insert(r.Str(0)).second) continue;
          out.push_back(ReadApplicantDocument(r));
        }
        return out;
      });
}

Result<std::optional<ApplicantDocument>> SqlApplicantDocuments::FindApplicantDocument(
    const std::string& id_number, const std::string& sha256) {
  using Found = std::optional<ApplicantDocument>;
  return Collect<Found>(db_, false, [&](SqlConnection& c) -> Result<Found> {
    auto rows = c.Query(std::string(kApplicantDocumentSelect) +
                            " WHERE d.applicant_id_number = $1 AND d.sha256 = $2 ORDER BY "
                            "d.created_at DESC LIMIT 1",
                        {id_number, sha256});
    MOTCUA_RETURN_IF_ERROR(rows);
    if (rows->empty()) return Found();
    return Found(ReadApplicantDocument(rows->at(0)));
  });
}

Result<bool> SqlApplicantDocuments::DossierHasFile(const std::string& code,
                                                   const std::string& sha256) {
  return Collect<bool>(db_, false, [&](SqlConnection& c) -> Result<bool> {
    auto rows =
        c.Query("SELECT 1 FROM dossier_files WHERE dossier_code = $1 AND sha256 = $2 LIMIT 1",
                {code, sha256});
    MOTCUA_RETURN_IF_ERROR(rows);
    return !rows->empty();
  });
}

}  // namespace motcua::storage
