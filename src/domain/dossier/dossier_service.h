// Filing and settling dossiers: intake on three channels and the workflow actions, with their
// authorisation, appointment dates, audit entries and notifications. For an action it loads
// the facts the action's rule needs (workflow.h), calls the rule (rules.h) and persists the
// effect; the ports, the clock and the working calendar come in.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/executor.h"
#include "domain/auth/quotas.h"
#include "domain/auth/role.h"
#include "domain/catalog/catalog.h"
#include "domain/dossier/dossier.h"
#include "domain/dossier/rules.h"
#include "domain/ports/account_store.h"
#include "domain/ports/applicant_documents.h"
#include "domain/ports/dossier_store.h"
#include "domain/ports/file_index.h"
#include "domain/ports/national_registry.h"
#include "domain/units/unit.h"

namespace motcua {

struct SubmitRequest {
  std::string procedure_id;
  Channel channel = Channel::kOnline;
  std::string unit;  // receiving unit
  Applicant applicant;
  std::vector<DossierComponent> components;
  std::optional<Payment> payment;  // the fee as declared at filing (checked by ValidateIntake)
  std::string idempotency_key;     // as sent; scoped to the caller here
  std::string request_sha256;
  std::string client_address;  // where the request came from (the per-address quota)
};

// The ports the dossier service uses (all borrowed; they must outlive the service).
struct DossierPorts {
  DossierStore& dossiers;
  ApplicantDocuments& documents;  // reuse of the applicant's documents
  FileIndex& files;               // uploads named by components and results
  AccountStore& accounts;         // the assignee of `assign`
  NationalRegistry& national;     // components taken from the national databases
};

class DossierService {
 public:
  // Borrows everything; all must outlive the service. Thread-safe. `blocking` runs the filings
  // that must fetch from the national registry (SubmitAsync), off the caller's thread.
  DossierService(DossierPorts ports, const Clock& clock, const DeadlineCalendar& calendar,
                 CatalogSource catalog, UnitSource units, std::string province_code,
                 Executor& blocking, CallerQuotas* quotas = nullptr);

  // Files a dossier. Citizens file online for themselves (the ID number is their username);
  // reception officers file at the counter or record postal dossiers for their own unit,
  // which are received at once (form 01). Validates against the current procedure version, then
  // takes a filing from the caller's quotas (kTooManyRequests; none when built without them).
  Result<CreatedDossier> Submit(const Principal& who, const SubmitRequest& req);
  // Submit's checks and the record to store, without storing it: the HTTP path hands the result
  // to DossierStore::CreateDossierAsync so that the I/O thread never waits for a commit.
  Result<NewDossier> PrepareSubmit(const Principal& who, const SubmitRequest& req);
  // The dossier if `who` may see it: its applicant, officers of the units on its path (leaders
  // also above them), admins and auditors of the province. kNotFound otherwise (no leak).
  Result<Dossier> Get(const Principal& who, const std::string& code);
  // Takes a workflow action: the table's edge for (state, action) (kConflict naming the allowed
  // actions), the actor's role and unit or applicancy (kForbidden), the optimistic `version`
  // (kConflict), then the action's rule with the facts it needs, then one durable write of the
  // dossier, its audit entry and its messages.
  Result<Dossier> Act(const Principal& who, const std::string& code, const ActionRequest& req);
  // Submit without waiting: PrepareSubmit's checks, then DossierStore::CreateDossierAsync, so
  // that concurrent filings share one commit and the caller's thread never waits for it (a
  // filing with components from the national registry is prepared on `blocking`). `done` runs
  // once, on a store thread, on `blocking`'s, or at once with a refusal.
  void SubmitAsync(const Principal& who, const SubmitRequest& req,
                   std::function<void(Result<CreatedDossier>)> done);
  // The deadline status of `d` at `at` (domain.md §5).
  DeadlineStatus DeadlineOf(const Dossier& d, Instant at) const;
  DeadlineStatus DeadlineOf(const DossierLine& d, Instant at) const;
  // The unit's dossier-code prefix (QCVN 102 form; synthetic until official codes are loaded).
  std::string CodePrefix(const Unit& unit) const;

 private:
  // Gives every component the file it stands for, as far as `who` may use it, with its size and
  // type from the stored record: an upload of `who`'s own (uploaded, paper_scan); a document of
  // the applicant's store (reused) that `who` is the applicant of, or (officers) may see the
  // dossier of; a copy fetched from the national registry (national_db: the client names no
  // file). The answer is the same whether a file someone else may use exists or not.
  Status ResolveFiles(const Principal& who, const std::string& applicant_id,
                      const Procedure& procedure, std::vector<DossierComponent>& components) const;
  // The facts the rule of `spec` needs.
  Result<ActionFacts> LoadFacts(const ActionSpec& spec, const Principal& who, const Dossier& d,
                                const ActionRequest& req, const Catalog& catalog,
                                const UnitDirectory& units) const;
  std::vector<OutboxMessage> Notify(const Dossier& d, std::string subject, std::string body) const;

  DossierPorts ports_;
  const Clock& clock_;
  const DeadlineCalendar& calendar_;
  CatalogSource catalog_;
  UnitSource units_;
  std::string province_code_;
  Executor& blocking_;
  CallerQuotas* quotas_;
};

// Who may see a dossier: its applicant (by account or ID number), officers who may read a unit
// on its path or its current unit (AccessPolicy::CanRead).
bool CanSeeDossier(const Principal& who, const Dossier& d, const UnitDirectory& units);

// The dossier-code prefix of a unit of `province_code` (QCVN 102 form; synthetic until official
// codes are loaded): communes "<3 digits>.<2 digits>.00.H<province>", agencies
// "000.00.00.<agency code>".
std::string DossierCodePrefix(const Unit& unit, std::string_view province_code);

// The deadline status (domain.md §5) of a dossier or a queue line at `at`.
DeadlineStatus DeadlineOf(const Dossier& d, Instant at, const DeadlineCalendar& calendar);
DeadlineStatus DeadlineOf(const DossierLine& d, Instant at, const DeadlineCalendar& calendar);

}  // namespace motcua
