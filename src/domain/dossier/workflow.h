// The dossier lifecycle (domain.md §3) as one explicit table: which action is allowed in which
// state, and the state it leads to. Pure; used by the dossier service and shown to clients
// (a wrong action gets 409 with the allowed ones).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

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

// One row of the transition table.
struct Transition {
  DossierState from;
  DossierAction action;
  DossierState to;  // kSupplement's target is the state before the request (see Resume)
  // Who may take it: officers by role, or the applicant.
  std::vector<Role> roles;
  bool applicant = false;
};

// The whole table, in a fixed order.
const std::vector<Transition>& Transitions();
// The row for (state, action), or nullptr if the action is not allowed in that state.
const Transition* FindTransition(DossierState from, DossierAction action);
// Actions allowed in `state` (for any actor), in table order.
std::vector<DossierAction> AllowedActions(DossierState state);

}  // namespace motcua
