// The SQL implementations of the domain's ports, one class per port, each in its own file
// (sql_<port>.cc), all over one Database (statements written once for SQLite and PostgreSQL,
// $N placeholders). SqlStore (sql_store.h) owns them. Internal to src/storage.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

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
#include "storage/write_batch.h"

namespace motcua::storage {

class SqlUnits final : public UnitStore {
 public:
  explicit SqlUnits(Database& db) : db_(db) {}
  Status UpsertUnits(const std::vector<Unit>& units) override;
  Result<std::vector<Unit>> LoadUnits() override;
  Result<std::string> UnitsStamp() override;

 private:
  Database& db_;
};

class SqlCatalog final : public CatalogStore {
 public:
  explicit SqlCatalog(Database& db) : db_(db) {}
  Result<ImportSummary> ImportProcedures(const std::vector<ProcedureRecord>& records,
                                         Instant now) override;
  Result<std::vector<ProcedureRecord>> LoadCurrentProcedures() override;
  Result<std::vector<ProcedureRecord>> LoadProcedureVersions(const std::string& id) override;
  Result<std::string> CatalogStamp() override;

 private:
  Database& db_;
};

class SqlAccounts final : public AccountStore {
 public:
  explicit SqlAccounts(Database& db) : db_(db) {}
  Result<int64_t> CreateUser(const UserRecord& user) override;
  Result<std::optional<UserRecord>> FindUser(const std::string& username) override;
  Result<std::vector<UserRecord>> ListUsersOfUnit(const std::string& unit_code) override;
  Status SetDisabled(int64_t user_id, bool disabled) override;

 private:
  Database& db_;
};

class SqlSessions final : public SessionStore {
 public:
  explicit SqlSessions(Database& db) : db_(db) {}
  Status CreateSession(const SessionRecord& session) override;
  Result<std::optional<std::pair<SessionRecord, UserRecord>>> FindSession(
      const std::string& token_hash) override;
  Status DeleteSession(const std::string& token_hash) override;
  Result<int64_t> DeleteSessionsOfUser(int64_t user_id) override;
  Result<int64_t> DeleteExpiredSessions(Instant now) override;

 private:
  Database& db_;
};

// Writes go through the group commit: creations are deferred to the batch's flush.
class SqlDossiers final : public DossierStore {
 public:
  SqlDossiers(Database& db, WriteBatch& batch) : db_(db), batch_(batch) {}
  Result<CreatedDossier> CreateDossier(const NewDossier& d) override;
  void CreateDossierAsync(NewDossier d, std::function<void(Result<CreatedDossier>)> done) override;
  Result<std::optional<Dossier>> FindDossier(const std::string& code) override;
  Result<Dossier> UpdateDossier(const Dossier& d, int64_t expected_version,
                                const DossierWrite& write) override;
  Result<std::vector<ComplaintRow>> LoadComplaints(const std::string& dossier_code) override;

 private:
  Database& db_;
  WriteBatch& batch_;
};

class SqlDossierQueries final : public DossierQueries {
 public:
  explicit SqlDossierQueries(Database& db) : db_(db) {}
  Result<std::vector<Dossier>> ListDossiers(const DossierQuery& q) override;
  Result<std::vector<DossierLine>> ListDossierLines(const DossierQuery& q) override;

 private:
  Database& db_;
};

class SqlAuditLog final : public AuditLog {
 public:
  explicit SqlAuditLog(Database& db) : db_(db) {}
  Result<std::vector<AuditEntry>> LoadAudit(const std::string& subject) override;
  Result<std::vector<AuditEntry>> LoadAuditByPrefix(const std::string& prefix) override;
  Result<std::pair<int64_t, std::string>> AuditHead() override;
  Result<std::vector<std::string>> CheckReferences() override;

 private:
  Database& db_;
};

class SqlOutbox final : public Outbox {
 public:
  explicit SqlOutbox(Database& db) : db_(db) {}
  Result<std::vector<OutboxMessage>> LoadOutbox(const std::string& dossier_code) override;
  Result<std::vector<OutboxMessage>> ClaimDueOutbox(
      Instant now, std::chrono::seconds lease, size_t max,
      const std::vector<std::string>& channels) override;
  Status RecordDelivery(const OutboxDelivery& d) override;

 private:
  Database& db_;
};

class SqlFileIndex final : public FileIndex {
 public:
  explicit SqlFileIndex(Database& db) : db_(db) {}
  void RecordFileAsync(FileRecord f, int64_t uploader_user_id,
                       std::function<void(Status)> done) override;
  Result<std::optional<FileRecord>> FindFile(const std::string& sha256,
                                             int64_t uploader_user_id) override;
  Result<std::unordered_set<std::string>> AllFileShas() override;

 private:
  Database& db_;
  // FindFile's finds, by "<uploader>:<sha256>". Files and their owners are only ever added
  // (nothing deletes a row of either), so a file once found stays found: every intake's
  // look-up of its scans (one reader round trip each) is served from here after the first.
  // A miss is not kept: the upload may come next.
  static constexpr size_t kCacheEntries = 65536;
  std::mutex cache_mu_;
  std::unordered_map<std::string, FileRecord> cache_;
};

class SqlApplicantDocuments final : public ApplicantDocuments {
 public:
  explicit SqlApplicantDocuments(Database& db) : db_(db) {}
  Result<std::vector<ApplicantDocument>> ListApplicantDocuments(const std::string& id_number,
                                                                size_t limit) override;
  Result<std::optional<ApplicantDocument>> FindApplicantDocument(
      const std::string& id_number, const std::string& sha256) override;
  Result<bool> DossierHasFile(const std::string& code, const std::string& sha256) override;

 private:
  Database& db_;
};

class SqlCalendar final : public CalendarStore {
 public:
  SqlCalendar(Database& db, WriteBatch& batch) : db_(db), batch_(batch) {}
  Result<std::vector<CalendarOverrideRow>> LoadOverrides() override;
  Status SetOverride(const CalendarOverrideRow& row, const AuditEntry& audit) override;
  Status DeleteOverride(const std::string& day, const AuditEntry& audit) override;
  Result<std::string> CalendarStamp() override;

 private:
  Database& db_;
  WriteBatch& batch_;
};

class SqlHistory final : public HistoryImport {
 public:
  SqlHistory(Database& db, WriteBatch& batch, AuditLog& audit)
      : db_(db), batch_(batch), audit_(audit) {}
  Status ImportHistory(const std::vector<HistoryDossier>& batch) override;
  void ImportHistoryAsync(std::vector<HistoryDossier> batch,
                          std::function<void(Status)> done) override;

 private:
  // Prepares a batch on the calling thread (its rows, and its audit hashes chained from the
  // head that the previously queued batch leaves) and queues its write.
  void Queue(const std::vector<HistoryDossier>& batch, std::function<void(Status)> done);

  Database& db_;
  WriteBatch& batch_;
  AuditLog& audit_;
  std::mutex mu_;
  // Where the next batch's audit chain starts: after the last one queued.
  std::optional<std::pair<int64_t, std::string>> head_;
};

class SqlHealth final : public Health {
 public:
  explicit SqlHealth(Database& db) : db_(db) {}
  Status Ping() override;

 private:
  Database& db_;
};

}  // namespace motcua::storage
