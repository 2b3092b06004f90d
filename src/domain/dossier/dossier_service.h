// Filing and settling dossiers: intake on three channels, the workflow actions with their
// authorisation, appointment dates, audit entries and notifications. Orchestrates the pure rules
// (workflow.h, dossier.h) over the Store port; the clock and the working calendar come in.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "domain/auth/role.h"
#include "domain/catalog/catalog.h"
#include "domain/dossier/dossier.h"
#include "domain/store.h"
#include "domain/units/unit.h"

namespace motcua {

// The working calendar as the dossier service needs it (implemented by WorkingCalendar).
class DeadlineCalendar {
 public:
  virtual ~DeadlineCalendar() = default;
  // The appointment for a dossier received at `received` with a time limit of `amount` in
  // `time_unit` (working_day | hour | calendar_day | month). Fails with kInvalidField.
  virtual Result<Instant> Due(Instant received, int64_t amount,
                              std::string_view time_unit) const = 0;
  // Working time in [from, to) minus the paused intervals.
  virtual std::chrono::microseconds WorkingTime(
      Instant from, Instant to, const std::vector<std::pair<Instant, Instant>>& paused) const = 0;
};

struct SubmitRequest {
  std::string procedure_id;
  Channel channel = Channel::kOnline;
  std::string unit;  // receiving unit
  Applicant applicant;
  std::vector<DossierComponent> components;
  std::optional<Payment> payment;  // the fee as declared at filing (checked by ValidateIntake)
  std::string idempotency_key;     // as sent; scoped to the caller here
  std::string request_sha256;
};

struct ActionRequest {
  DossierAction action = DossierAction::kReceive;
  int64_t version = 0;                       // the version the actor saw (optimistic concurrency)
  std::string note;                          // reason / list of missing items / comment
  std::string to_unit;                       // forward
  std::string to_user;                       // assign: a username of the current unit
  std::optional<Instant> new_due;            // apologise
  std::string result_sha256;                 // issue_result: a file the officer uploaded
  std::vector<DossierComponent> components;  // supplement: components added or replaced
  std::string rating;                        // rate: satisfied | neutral | dissatisfied
};

// What may be done next, by whom (for 409 answers and UIs).
struct ActionConflict {
  std::vector<DossierAction> allowed;
};

class DossierService {
 public:
  using CatalogSource = std::function<std::shared_ptr<const Catalog>()>;
  using UnitSource = std::function<std::shared_ptr<const UnitDirectory>()>;

  // Borrows everything; all must outlive the service. Thread-safe.
  DossierService(Store& store, const Clock& clock, const DeadlineCalendar& calendar,
                 CatalogSource catalog, UnitSource units, std::string province_code);

  // Files a dossier. Citizens file online for themselves (the ID number is their username);
  // reception officers file at the counter or record postal dossiers for their own unit,
  // which are received at once (form 01). Validates against the current procedure version.
  Result<CreatedDossier> Submit(const Principal& who, const SubmitRequest& req);
  // Submit's checks and the record to store, without storing it: the HTTP path hands the result
  // to Store::CreateDossierAsync so that the I/O thread never waits for a commit.
  Result<NewDossier> PrepareSubmit(const Principal& who, const SubmitRequest& req);
  // The dossier if `who` may see it: its applicant, officers of the units on its path (leaders
  // also above them), admins and auditors of the province. kNotFound otherwise (no leak).
  Result<Dossier> Get(const Principal& who, const std::string& code);
  // Takes a workflow action. kConflict (with the allowed actions in the message) for a wrong
  // action or a stale version; kForbidden for a role or unit without the right.
  Result<Dossier> Act(const Principal& who, const std::string& code, const ActionRequest& req);
  // A queue page scoped to `who` (officers: their unit, leaders: and below; citizens: their
  // own dossiers), as queue lines; `q.units` is narrowed to what `who` may see. kForbidden for a
  // unit out of reach.
  Result<std::vector<DossierLine>> Queue(const Principal& who, DossierQuery q);
  // The appointment for a receipt at `received` (what the portal shows before filing).
  Result<Instant> CalendarDue(Instant received, int64_t amount, std::string_view unit) const {
    return calendar_.Due(received, amount, unit);
  }
  // The deadline status of `d` at `at` (domain.md §5).
  DeadlineStatus DeadlineOf(const Dossier& d, Instant at) const;
  DeadlineStatus DeadlineOf(const DossierLine& d, Instant at) const;
  // The unit's dossier-code prefix (QCVN 102 form; synthetic until official codes are loaded).
  std::string CodePrefix(const Unit& unit) const;

 private:
  bool CanSee(const Principal& who, const Dossier& d, const UnitDirectory& units) const;
  // Checks that every component's file exists and may be used by `who` for this applicant (an
  // upload of theirs, or a document of the applicant's own store for a reused component), and
  // fills in its size and type from the stored record.
  Status ResolveFiles(const Principal& who, const std::string& applicant_id,
                      std::vector<DossierComponent>& components) const;
  std::vector<OutboxMessage> Notify(const Dossier& d, std::string subject, std::string body) const;

  Store& store_;
  const Clock& clock_;
  const DeadlineCalendar& calendar_;
  CatalogSource catalog_;
  UnitSource units_;
  std::string province_code_;
};

}  // namespace motcua
