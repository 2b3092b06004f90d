#include "domain/dossier/workflow.h"

#include <array>

namespace motcua {
namespace {

struct StateRow {
  DossierState state;
  std::string_view name;
  std::string_view vi;
};
constexpr std::array kStates = {
    StateRow{DossierState::kSubmitted, "submitted", "Chờ tiếp nhận"},
    StateRow{DossierState::kReceived, "received", "Đã tiếp nhận"},
    StateRow{DossierState::kInProcess, "in_process", "Đang xử lý"},
    StateRow{DossierState::kSupplementRequested, "supplement_requested", "Chờ bổ sung"},
    StateRow{DossierState::kApproved, "approved", "Đã phê duyệt"},
    StateRow{DossierState::kDone, "done", "Đã xử lý xong, chờ trả kết quả"},
    StateRow{DossierState::kReturned, "returned", "Đã trả kết quả"},
    StateRow{DossierState::kRefused, "refused", "Từ chối tiếp nhận"},
    StateRow{DossierState::kStopped, "stopped", "Dừng xử lý"},
    StateRow{DossierState::kWithdrawn, "withdrawn", "Đã rút hồ sơ"},
};

struct ActionRow {
  DossierAction action;
  std::string_view name;
};
constexpr std::array kActions = {
    ActionRow{DossierAction::kReceive, "receive"},
    ActionRow{DossierAction::kRequestSupplement, "request_supplement"},
    ActionRow{DossierAction::kSupplement, "supplement"},
    ActionRow{DossierAction::kRefuse, "refuse"},
    ActionRow{DossierAction::kAssign, "assign"},
    ActionRow{DossierAction::kForward, "forward"},
    ActionRow{DossierAction::kApprove, "approve"},
    ActionRow{DossierAction::kIssueResult, "issue_result"},
    ActionRow{DossierAction::kApologise, "apologise"},
    ActionRow{DossierAction::kReturnResult, "return_result"},
    ActionRow{DossierAction::kStop, "stop"},
    ActionRow{DossierAction::kWithdraw, "withdraw"},
    ActionRow{DossierAction::kRate, "rate"},
    ActionRow{DossierAction::kComplain, "complain"},
};

using S = DossierState;
using A = DossierAction;
constexpr Role kRec = Role::kReception, kSpec = Role::kSpecialist, kLead = Role::kLeader;

}  // namespace

std::string_view StateName(DossierState s) {
  for (const auto& r : kStates) {
    if (r.state == s) return r.name;
  }
  return "submitted";
}

std::string_view StateNameVi(DossierState s) {
  for (const auto& r : kStates) {
    if (r.state == s) return r.vi;
  }
  return "";
}

std::optional<DossierState> ParseState(std::string_view name) {
  for (const auto& r : kStates) {
    if (r.name == name) return r.state;
  }
  return std::nullopt;
}

std::string_view ActionName(DossierAction a) {
  for (const auto& r : kActions) {
    if (r.action == a) return r.name;
  }
  return "receive";
}

std::optional<DossierAction> ParseAction(std::string_view name) {
  for (const auto& r : kActions) {
    if (r.name == name) return r.action;
  }
  return std::nullopt;
}

bool IsTerminal(DossierState s) {
  return s == S::kReturned || s == S::kRefused || s == S::kStopped || s == S::kWithdrawn;
}

const std::vector<Transition>& Transitions() {
  // Who acts: reception officers receive, ask for supplements, refuse, return; specialists
  // process; leaders assign, approve, apologise and stop. Leaders may also do what their
  // officers do. The applicant supplements and withdraws.
  static const std::vector<Transition> kTable = {
      {S::kSubmitted, A::kReceive, S::kReceived, {kRec, kLead}},
      {S::kSubmitted, A::kRequestSupplement, S::kSupplementRequested, {kRec, kLead}},
      {S::kSubmitted, A::kRefuse, S::kRefused, {kRec, kLead}},
      {S::kSubmitted, A::kWithdraw, S::kWithdrawn, {}, true},

      {S::kReceived, A::kAssign, S::kInProcess, {kRec, kSpec, kLead}},
      {S::kReceived, A::kForward, S::kInProcess, {kRec, kSpec, kLead}},
      {S::kReceived, A::kRequestSupplement, S::kSupplementRequested, {kRec, kSpec, kLead}},
      {S::kReceived, A::kApologise, S::kReceived, {kLead}},
      {S::kReceived, A::kStop, S::kStopped, {kLead}},
      {S::kReceived, A::kWithdraw, S::kWithdrawn, {}, true},

      {S::kInProcess, A::kAssign, S::kInProcess, {kSpec, kLead}},
      {S::kInProcess, A::kForward, S::kInProcess, {kSpec, kLead}},
      {S::kInProcess, A::kRequestSupplement, S::kSupplementRequested, {kSpec, kLead}},
      {S::kInProcess, A::kApprove, S::kApproved, {kLead}},
      {S::kInProcess, A::kApologise, S::kInProcess, {kLead}},
      {S::kInProcess, A::kStop, S::kStopped, {kLead}},
      {S::kInProcess, A::kWithdraw, S::kWithdrawn, {}, true},

      {S::kSupplementRequested, A::kSupplement, S::kReceived, {kRec}, true},
      {S::kSupplementRequested, A::kRefuse, S::kRefused, {kRec, kLead}},
      {S::kSupplementRequested, A::kStop, S::kStopped, {kLead}},
      {S::kSupplementRequested, A::kWithdraw, S::kWithdrawn, {}, true},

      {S::kApproved, A::kIssueResult, S::kDone, {kSpec, kLead}},
      {S::kApproved, A::kApologise, S::kApproved, {kLead}},

      {S::kDone, A::kReturnResult, S::kReturned, {kRec, kLead}},

      {S::kReturned, A::kRate, S::kReturned, {}, true},
      {S::kReturned, A::kComplain, S::kReturned, {}, true},
      {S::kRefused, A::kComplain, S::kRefused, {}, true},
  };
  return kTable;
}

const Transition* FindTransition(DossierState from, DossierAction action) {
  for (const Transition& t : Transitions()) {
    if (t.from == from && t.action == action) return &t;
  }
  return nullptr;
}

std::vector<DossierAction> AllowedActions(DossierState state) {
  std::vector<DossierAction> out;
  for (const Transition& t : Transitions()) {
    if (t.from == state) out.push_back(t.action);
  }
  return out;
}

}  // namespace motcua
