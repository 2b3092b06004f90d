// An in-memory Store for generating a demo history fast: the dossier service files and moves
// dossiers over it exactly as over the real store (codes per unit and day, versions, audit
// entries, outbox messages, complaints, the applicant's own document store), and the generator
// takes each dossier out once its lifecycle is over, to write it in bulk into the real store
// with Store::ImportHistory. Only what the service calls is implemented; every other method
// fails with kInternal "not supported by the history store".
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "domain/store.h"

namespace motcua {

class HistoryStore final : public Store {
 public:
  // `users` are the accounts FindUser knows (the officers who act); `files` the recorded files
  // FindFile knows (every one counts as uploaded by anyone: the generated people all "upload"
  // the same sample documents). `clock` is the generator's: a document enters an applicant's
  // store when it is attached, and is only found after that instant. Borrows `clock`.
  HistoryStore(const Clock& clock, std::vector<UserRecord> users, std::vector<FileRecord> files);

  // Removes dossier `code` and returns it with its audit entries, its outbox messages (marked
  // sent, at their creation), its complaints and the files it named. kNotFound if unknown.
  Result<HistoryDossier> Take(const std::string& code);
  // Forgets the applicants' document stores and the daily code counters (between units whose
  // applicants and codes do not overlap, to keep memory bounded).
  void ForgetApplicantsAndCounters();
  // Dossiers currently held (taken ones are gone).
  size_t size() const;

  // --- the Store methods the dossier service uses ---
  Result<CreatedDossier> CreateDossier(const NewDossier& d) override;
  Result<std::optional<Dossier>> FindDossier(const std::string& code) override;
  Result<Dossier> UpdateDossier(const Dossier& d, int64_t expected_version,
                                const DossierWrite& write) override;
  Result<std::optional<UserRecord>> FindUser(const std::string& username) override;
  Result<std::optional<FileRecord>> FindFile(const std::string& sha256,
                                             int64_t uploader_user_id) override;
  Result<std::vector<ApplicantDocument>> ListApplicantDocuments(const std::string& id_number,
                                                                size_t limit) override;
  Result<std::optional<ApplicantDocument>> FindApplicantDocument(
      const std::string& id_number, const std::string& sha256) override;
  Result<bool> DossierHasFile(const std::string& code, const std::string& sha256) override;

  // --- not supported: kInternal ---
  Status Ping() override;
  Status UpsertUnits(const std::vector<Unit>& units) override;
  Result<std::vector<Unit>> LoadUnits() override;
  Result<ImportSummary> ImportProcedures(const std::vector<ProcedureRecord>& records,
                                         Instant now) override;
  Result<std::vector<ProcedureRecord>> LoadCurrentProcedures() override;
  Result<std::vector<ProcedureRecord>> LoadProcedureVersions(const std::string& id) override;
  Result<int64_t> CreateUser(const UserRecord& user) override;
  Result<std::vector<UserRecord>> ListUsersOfUnit(const std::string& unit_code) override;
  Status SetLoginState(int64_t user_id, int64_t failed_logins, Instant locked_until) override;
  Status CreateSession(const SessionRecord& session) override;
  Result<std::optional<std::pair<SessionRecord, UserRecord>>> FindSession(
      const std::string& token_hash) override;
  Status DeleteSession(const std::string& token_hash) override;
  Result<std::pair<std::string, std::string>> DataStamps() override;
  void CreateDossierAsync(NewDossier d, std::function<void(Result<CreatedDossier>)> done) override;
  Result<std::vector<Dossier>> ListDossiers(const DossierQuery& q) override;
  Result<std::vector<DossierLine>> ListDossierLines(const DossierQuery& q) override;
  Status ImportHistory(const std::vector<HistoryDossier>& batch) override;
  void ImportHistoryAsync(std::vector<HistoryDossier> batch,
                          std::function<void(Status)> done) override;
  Result<std::vector<AuditEntry>> LoadAudit(const std::string& dossier_code) override;
  Result<std::pair<int64_t, std::string>> AuditHead() override;
  Result<std::vector<OutboxMessage>> LoadOutbox(const std::string& dossier_code) override;
  Result<std::vector<OutboxMessage>> ClaimDueOutbox(
      Instant now, std::chrono::seconds lease, size_t max,
      const std::vector<std::string>& channels) override;
  Status RecordDelivery(const OutboxDelivery& d) override;
  void RecordFileAsync(FileRecord f, int64_t uploader_user_id,
                       std::function<void(Status)> done) override;
  Result<std::unordered_set<std::string>> AllFileShas() override;
  Result<std::vector<std::string>> CheckReferences() override;
  Result<std::vector<ComplaintRow>> LoadComplaints(const std::string& dossier_code) override;
  Result<std::vector<CalendarOverrideRow>> LoadCalendarOverrides() override;
  Status UpsertCalendarOverrides(const std::vector<CalendarOverrideRow>& rows) override;
  Status DeleteCalendarOverride(const std::string& day) override;
  Result<int64_t> DeleteExpiredSessions(Instant now) override;

 private:
  // Names the dossier's files (as the SQL store's AttachFiles: what was named stays named) and
  // adds them to the applicant's store.
  void Attach(HistoryDossier& h);
  void Append(HistoryDossier& h, const DossierWrite& w);

  const Clock& clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, UserRecord> users_;
  std::unordered_map<std::string, FileRecord> files_;
  std::unordered_map<std::string, HistoryDossier> dossiers_;
  std::map<std::pair<std::string, std::string>, int64_t> sequences_;  // (prefix, day) -> last
  std::unordered_map<std::string, std::vector<ApplicantDocument>> applicant_docs_;
};

}  // namespace motcua
