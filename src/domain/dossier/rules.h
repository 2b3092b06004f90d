// The rules of the workflow actions: one pure function per action (its row in workflow.h names
// it), from (dossier, request, now, looked-up facts) to the dossier as the action leaves it or
// the error to answer. The dossier service loads the facts, checks the table (state, role,
// unit, version), calls the rule and persists the effect; tests call the rules directly.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "domain/catalog/procedure.h"
#include "domain/dossier/dossier.h"
#include "domain/dossier/workflow.h"
#include "domain/ports/account_store.h"
#include "domain/ports/file_index.h"
#include "domain/units/unit.h"

namespace motcua {

// The working calendar as the dossier rules need it (implemented by CalendarDeadlines over
// the current WorkingCalendar snapshot; tests use a fixed one).
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

// What an actor asks for.
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

// What the service looked up for a rule (only what the action's row says it needs; the rest
// stays empty). Borrowed pointers live as long as the call.
struct ActionFacts {
  const Procedure* procedure = nullptr;        // kNeedsProcedure; nullptr: no longer offered
  std::optional<UserRecord> to_user;           // kNeedsTargetUser; nullopt: no such account
  std::optional<FileRecord> result_file;       // kNeedsResultFile; nullopt: not an upload of theirs
  std::vector<DossierComponent> supplied;      // kNeedsSuppliedFiles: request.components resolved
  const DeadlineCalendar* calendar = nullptr;  // always
  const UnitDirectory* units = nullptr;        // always
  std::string province_code;                   // always
};

// The dossier as the action leaves it (state set), and what the change appends.
struct ActionEffect {
  Dossier dossier;
  std::string notify_subject;  // a message to the applicant ("" = none)
  std::string audit_note;      // the audit entry's note
  std::string complaint;       // a complaint to record ("" = none)
};

// The rules, one per action (see each row of Actions() in workflow.cc).
Result<ActionEffect> ReceiveRule(const RuleInput& in);
Result<ActionEffect> RequestSupplementRule(const RuleInput& in);
Result<ActionEffect> SupplementRule(const RuleInput& in);
Result<ActionEffect> RefuseRule(const RuleInput& in);
Result<ActionEffect> AssignRule(const RuleInput& in);
Result<ActionEffect> ForwardRule(const RuleInput& in);
Result<ActionEffect> ApproveRule(const RuleInput& in);
Result<ActionEffect> IssueResultRule(const RuleInput& in);
Result<ActionEffect> ApologiseRule(const RuleInput& in);
Result<ActionEffect> ReturnResultRule(const RuleInput& in);
Result<ActionEffect> StopRule(const RuleInput& in);
Result<ActionEffect> WithdrawRule(const RuleInput& in);
Result<ActionEffect> RateRule(const RuleInput& in);
Result<ActionEffect> ComplainRule(const RuleInput& in);

}  // namespace motcua
