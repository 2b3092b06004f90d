#include "domain/dossier/workflow.h"

#include <array>

#include "domain/dossier/rules.h"

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

std::string_view ActionName(DossierAction a) { return SpecOf(a).name; }

std::optional<DossierAction> ParseAction(std::string_view name) {
  for (const ActionSpec& s : Actions()) {
    if (s.name == name) return s.action;
  }
  return std::nullopt;
}

bool IsTerminal(DossierState s) {
  return s == S::kReturned || s == S::kRefused || s == S::kStopped || s == S::kWithdrawn;
}

const std::vector<ActionSpec>& Actions() {
  // Who acts: reception officers receive, ask for supplements, refuse, return; specialists
  // process; leaders assign, approve, apologise and stop. Leaders may also do what their
  // officers do. The applicant supplements, withdraws, rates and complains. The rows' order is
  // the order of the allowed actions clients are shown.
  static const std::vector<ActionSpec> kTable = {
      {A::kReceive,
       "receive",
       "Tiếp nhận",
       "Receive",
       kNeedsProcedure,
       ReceiveRule,
       {{S::kSubmitted, S::kReceived, {kRec, kLead}}}},
      {A::kAssign,
       "assign",
       "Giao xử lý",
       "Assign",
       kNeedsTargetUser,
       AssignRule,
       {{S::kReceived, S::kInProcess, {kRec, kSpec, kLead}},
        {S::kInProcess, S::kInProcess, {kSpec, kLead}}}},
      {A::kForward,
       "forward",
       "Chuyển xử lý",
       "Forward",
       kNeedsNothing,
       ForwardRule,
       {{S::kReceived, S::kInProcess, {kRec, kSpec, kLead}},
        {S::kInProcess, S::kInProcess, {kSpec, kLead}}}},
      {A::kRequestSupplement,
       "request_supplement",
       "Yêu cầu bổ sung",
       "Request a supplement",
       kNeedsNothing,
       RequestSupplementRule,
       {{S::kSubmitted, S::kSupplementRequested, {kRec, kLead}},
        {S::kReceived, S::kSupplementRequested, {kRec, kSpec, kLead}},
        {S::kInProcess, S::kSupplementRequested, {kSpec, kLead}}}},
      {A::kSupplement,
       "supplement",
       "Bổ sung",
       "Supplement",
       kNeedsProcedure | kNeedsSuppliedFiles,
       SupplementRule,
       {{S::kSupplementRequested, S::kReceived, {kRec}, true}}},
      {A::kRefuse,
       "refuse",
       "Từ chối",
       "Refuse",
       kNeedsNothing,
       RefuseRule,
       {{S::kSubmitted, S::kRefused, {kRec, kLead}},
        {S::kSupplementRequested, S::kRefused, {kRec, kLead}}}},
      {A::kApprove,
       "approve",
       "Phê duyệt",
       "Approve",
       kNeedsNothing,
       ApproveRule,
       {{S::kInProcess, S::kApproved, {kLead}}}},
      {A::kIssueResult,
       "issue_result",
       "Có kết quả",
       "Issue the result",
       kNeedsResultFile,
       IssueResultRule,
       {{S::kApproved, S::kDone, {kSpec, kLead}}}},
      {A::kApologise,
       "apologise",
       "Xin lỗi, hẹn lại",
       "Apologise with a new date",
       kNeedsNothing,
       ApologiseRule,
       {{S::kReceived, S::kReceived, {kLead}},
        {S::kInProcess, S::kInProcess, {kLead}},
        {S::kApproved, S::kApproved, {kLead}}}},
      {A::kStop,
       "stop",
       "Dừng xử lý",
       "Stop processing",
       kNeedsNothing,
       StopRule,
       {{S::kReceived, S::kStopped, {kLead}},
        {S::kInProcess, S::kStopped, {kLead}},
        {S::kSupplementRequested, S::kStopped, {kLead}}}},
      {A::kWithdraw,
       "withdraw",
       "Rút hồ sơ",
       "Withdraw",
       kNeedsNothing,
       WithdrawRule,
       {{S::kSubmitted, S::kWithdrawn, {}, true},
        {S::kReceived, S::kWithdrawn, {}, true},
        {S::kInProcess, S::kWithdrawn, {}, true},
        {S::kSupplementRequested, S::kWithdrawn, {}, true}}},
      {A::kReturnResult,
       "return_result",
       "Trả kết quả",
       "Return the result",
       kNeedsNothing,
       ReturnResultRule,
       {{S::kDone, S::kReturned, {kRec, kLead}}}},
      {A::kRate,
       "rate",
       "Đánh giá",
       "Rate",
       kNeedsNothing,
       RateRule,
       {{S::kReturned, S::kReturned, {}, true}}},
      {A::kComplain,
       "complain",
       "Phản ánh",
       "Complain",
       kNeedsNothing,
       ComplainRule,
       {{S::kReturned, S::kReturned, {}, true}, {S::kRefused, S::kRefused, {}, true}}},
  };
  return kTable;
}

const ActionSpec& SpecOf(DossierAction a) {
  for (const ActionSpec& s : Actions()) {
    if (s.action == a) return s;
  }
  return Actions().front();  // unreachable: every action has a row (tests/unit/dossier_test.cc)
}

const std::vector<Transition>& Transitions() {
  static const std::vector<Transition> kFlat = [] {
    std::vector<Transition> out;
    for (const ActionSpec& s : Actions()) {
      for (const ActionEdge& e : s.edges)
        out.push_back({e.from, s.action, e.to, e.roles, e.applicant});
    }
    return out;
  }();
  return kFlat;
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

std::string ActionLabelVi(std::string_view name) {
  if (name == "submit") return "Nộp hồ sơ";
  if (name == "calendar_override_set") return "Điều chỉnh lịch làm việc";
  if (name == "calendar_override_delete") return "Bỏ điều chỉnh lịch làm việc";
  if (auto a = ParseAction(name)) return std::string(SpecOf(*a).label_vi);
  return std::string(name);
}

}  // namespace motcua
