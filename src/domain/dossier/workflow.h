// The dossier lifecycle (domain.md §3) as data: one row per workflow action, naming its labels,
// the facts its rule needs, its rule (a pure function, in rules.cc) and the states it moves
// the dossier between and who may take it there. Everything else is derived from this one
// table: the allowed actions a client is shown, the 409 answer for a wrong action, the forms'
// Vietnamese labels, the OpenAPI list of actions. Adding an action is one row and one rule.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "domain/auth/role.h"

namespace motcua {

enum class DossierState {
  kSubmitted,            // online/postal, waiting for reception (chờ tiếp nhận)
  kReceived,             // form 01 issued, appointment fixed (đã tiếp nhận)
  kInProcess,            // assigned or forwarded (đang xử lý)
  kSupplementRequested,  // form 02, waiting for the applicant; the clock is paused (chờ bổ sung)
  kApproved,             // approved by the leader, result being issued (đã phê duyệt)
  kDone,                 // result issued, awaiting return (đã xử lý xong)
  kReturned,             // result returned (đã trả kết quả)
  kRefused,              // form 03 (từ chối)
  kStopped,              // processing stopped (dừng xử lý)
  kWithdrawn,            // withdrawn by the applicant (rút hồ sơ)
};

enum class DossierAction {
  kReceive,            // form 01; fixes the appointment
  kRequestSupplement,  // form 02; pauses the clock
  kSupplement,         // the applicant supplies the missing items; resumes the clock
  kRefuse,             // form 03; reason required
  kAssign,             // to a specialist of the current unit
  kForward,            // to another unit (inter-agency step)
  kApprove,            // leader's approval
  kIssueResult,        // an electronic result file
  kApologise,          // form 04; before the deadline; new date and reason
  kReturnResult,       // handed over at the counter, by post or electronically
  kStop,               // processing stopped
  kWithdraw,           // by the applicant
  kRate,               // after the return: the applicant's rating (once)
  kComplain,           // after the return or a refusal: the applicant's complaint
};

// Stable snake_case names ("submitted", "request_supplement", ...) and their inverses.
std::string_view StateName(DossierState s);
std::string_view StateNameVi(DossierState s);
std::optional<DossierState> ParseState(std::string_view name);
std::string_view ActionName(DossierAction a);
std::optional<DossierAction> ParseAction(std::string_view name);

// True for refused, returned, stopped and withdrawn: processing is over (the applicant may still
// rate or complain, which does not change the state).
bool IsTerminal(DossierState s);

struct Dossier;
struct ActionRequest;
struct ActionFacts;
struct ActionEffect;

// A rule's input: the dossier as stored, the request, the instant, the facts the service
// looked up for it, and the state the table's edge moves it to.
struct RuleInput {
  const Dossier& dossier;
  const ActionRequest& request;
  Instant now;
  const ActionFacts& facts;
  DossierState to;
};

// A rule: checks what only this action requires (a note, a date, a file, ...) and returns the
// dossier as the action leaves it, or the error to answer (kMissingField, kInvalidField,
// kConflict, naming the field). Pure: no I/O, no clock. (rules.h declares the types.)
using ActionRule = Result<ActionEffect> (*)(const RuleInput& input);

// The facts a rule may need, loaded by the service before calling it (bit flags).
enum ActionNeeds : unsigned {
  kNeedsNothing = 0,
  kNeedsProcedure = 1,      // the dossier's procedure in the current catalog
  kNeedsTargetUser = 2,     // the account named by request.to_user
  kNeedsResultFile = 4,     // the officer's upload named by request.result_sha256
  kNeedsSuppliedFiles = 8,  // request.components with their files resolved for the caller
};

// One move of the lifecycle: from a state to another (or the same), by officers of these
// roles (reach and unit are checked by the service: AccessPolicy::CanWrite on the dossier's
// current unit) and/or by the dossier's applicant.
struct ActionEdge {
  DossierState from;
  DossierState to;  // kSupplement's target is the state before the request (its rule says so)
  std::vector<Role> roles;
  bool applicant = false;
};

// One row of the table.
struct ActionSpec {
  DossierAction action;
  std::string_view name;      // = ActionName(action)
  std::string_view label_vi;  // on forms and timelines: "Tiếp nhận"
  std::string_view label_en;  // "Receive"
  unsigned needs;             // ActionNeeds
  ActionRule rule;
  std::vector<ActionEdge> edges;
};

// The table, in a fixed order (the order of allowed actions shown to clients).
const std::vector<ActionSpec>& Actions();
// The row of `a`. Never fails.
const ActionSpec& SpecOf(DossierAction a);

// One (state, action) pair of the table, flattened.
struct Transition {
  DossierState from;
  DossierAction action;
  DossierState to;
  std::vector<Role> roles;
  bool applicant = false;
};
// Every edge of every action, in table order.
const std::vector<Transition>& Transitions();
// The row for (state, action), or nullptr if the action is not allowed in that state.
const Transition* FindTransition(DossierState from, DossierAction action);
// Actions allowed in `state` (for any actor), in table order.
std::vector<DossierAction> AllowedActions(DossierState state);

// The Vietnamese label of an audit entry's action name: the table's actions, "submit" (filing)
// and the calendar's override entries; the name itself for anything else.
std::string ActionLabelVi(std::string_view action_name);

}  // namespace motcua
