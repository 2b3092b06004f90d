// The demo history's in-memory dossier store: the dossier service files and moves dossiers over
// it exactly as over the SQL store (codes per unit and day, versions, audit entries, outbox
// messages, complaints, the applicant's own document store), and the generator takes each
// dossier out once its lifecycle is over, to write it in bulk with HistoryImport.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "domain/ports/applicant_documents.h"
#include "domain/ports/dossier_store.h"
#include "domain/ports/file_index.h"
#include "domain/ports/history_import.h"

namespace motcua {

// Implements exactly the ports a dossier lifecycle writes and reads back: DossierStore and the
// ApplicantDocuments derived from it. Thread-safe.
class HistoryStore final : public DossierStore, public ApplicantDocuments {
 public:
  // `files` are the recorded files documents may name (their size and type). `clock` is the
  // generator's: a document enters an applicant's store when it is attached, and is only found
  // after that instant. Borrows `clock`.
  HistoryStore(const Clock& clock, std::vector<FileRecord> files);

  // Removes dossier `code` and returns it with its audit entries, its outbox messages (marked
  // sent, at their creation), its complaints and the files it named. kNotFound if unknown.
  Result<HistoryDossier> Take(const std::string& code);
  // Forgets the applicants' document stores, the daily code counters and what is kept of taken
  // dossiers (between units whose applicants and codes do not overlap, to keep memory bounded).
  void ForgetApplicantsAndCounters();
  // Dossiers currently held (taken ones are gone).
  size_t size() const;

  // DossierStore. Idempotency keys are refused (kInvalidField): a history has none.
  Result<CreatedDossier> CreateDossier(const NewDossier& d) override;
  void CreateDossierAsync(NewDossier d, std::function<void(Result<CreatedDossier>)> done) override;
  // A taken dossier is still found, as who may see it (code, applicant, units), until
  // ForgetApplicantsAndCounters: a later filing may reuse its documents.
  Result<std::optional<Dossier>> FindDossier(const std::string& code) override;
  Result<Dossier> UpdateDossier(const Dossier& d, int64_t expected_version,
                                const DossierWrite& write) override;
  Result<std::vector<ComplaintRow>> LoadComplaints(const std::string& dossier_code) override;

  // ApplicantDocuments.
  Result<std::vector<ApplicantDocument>> ListApplicantDocuments(const std::string& id_number,
                                                                size_t limit) override;
  Result<std::optional<ApplicantDocument>> FindApplicantDocument(
      const std::string& id_number, const std::string& sha256) override;
  Result<bool> DossierHasFile(const std::string& code, const std::string& sha256) override;

 private:
  // Names the dossier's files (as the SQL store does: what was named stays named) and adds
  // them to the applicant's store.
  void Attach(HistoryDossier& h);
  void Append(HistoryDossier& h, const DossierWrite& w);

  const Clock& clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, FileRecord> files_;
  std::unordered_map<std::string, HistoryDossier> dossiers_;
  std::unordered_map<std::string, Dossier> taken_;                    // code -> who may see it
  std::map<std::pair<std::string, std::string>, int64_t> sequences_;  // (prefix, day) -> last
  std::unordered_map<std::string, std::vector<ApplicantDocument>> applicant_docs_;
};

}  // namespace motcua
