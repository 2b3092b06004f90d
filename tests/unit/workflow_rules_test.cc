// The workflow actions' rules (src/domain/dossier/rules.cc), each called directly: no store, no
// service, a fixed calendar. Every row of the action table must have its test here.
#include "domain/dossier/rules.h"

#include <gtest/gtest.h>

#include <set>

#include "domain/dossier/workflow.h"

namespace motcua {
namespace {

Instant At(const char* iso) { return *ParseIso8601(iso); }

// Appointments three days after receipt, working time as wall time: enough for the rules.
class FixedCalendar final : public DeadlineCalendar {
 public:
  Result<Instant> Due(Instant received, int64_t amount, std::string_view unit) const override {
    if (unit != "working_day") return Fail(ErrorCode::kInvalidField, "unit", "unit", "unit");
    return received + std::chrono::hours(24 * amount);
  }
  std::chrono::microseconds WorkingTime(
      Instant from, Instant to, const std::vector<std::pair<Instant, Instant>>&) const override {
    return to - from;
  }
};

// The actions these tests cover; RulesTest.EveryActionOfTheTableIsTestedHere checks it
// against the table.
const std::set<DossierAction> kTested = {
    DossierAction::kReceive,    DossierAction::kRequestSupplement,
    DossierAction::kSupplement, DossierAction::kRefuse,
    DossierAction::kAssign,     DossierAction::kForward,
    DossierAction::kApprove,    DossierAction::kIssueResult,
    DossierAction::kApologise,  DossierAction::kReturnResult,
    DossierAction::kStop,       DossierAction::kWithdraw,
    DossierAction::kRate,       DossierAction::kComplain};

class RulesTest : public ::testing::Test {
 protected:
  RulesTest() {
    procedure_.id = "HT-001";
    procedure_.time_limit = 3;
    procedure_.time_unit = "working_day";
    procedure_.components.push_back({"to_khai", "Tờ khai", "form", true, false});
    facts_.calendar = &calendar_;
    dossier_.code = "087.46.00.H25-260424-0001";
    dossier_.procedure_id = "HT-001";
    dossier_.current_unit = "08746";
    dossier_.receiving_unit = "08746";
    dossier_.path_units = {"08746"};
    dossier_.applicant = {"025095000123", "Nguyễn Văn An", "", "", ""};
    dossier_.components = {{"to_khai", ComponentSource::kUploaded, std::string(64, 'a'), "a.pdf"}};
    dossier_.state = DossierState::kReceived;
    dossier_.received_at = At("2026-04-24T09:00:00+07:00");
    dossier_.due_at = At("2026-04-29T09:00:00+07:00");
  }

  // Runs the rule of `action` on the dossier at `now`, moving it to `to`.
  Result<ActionEffect> Run(DossierAction action, Instant now, DossierState to) {
    request_.action = action;
    return SpecOf(action).rule(RuleInput{dossier_, request_, now, facts_, to});
  }

  FixedCalendar calendar_;
  Procedure procedure_;
  Dossier dossier_;
  ActionRequest request_;
  ActionFacts facts_;
  const Instant now_ = At("2026-04-27T10:00:00+07:00");
};

TEST_F(RulesTest, EveryActionOfTheTableIsTestedHere) {
  for (const ActionSpec& s : Actions()) {
    EXPECT_TRUE(kTested.contains(s.action)) << s.name << " has no rule test";
    EXPECT_NE(s.rule, nullptr) << s.name;
    EXPECT_FALSE(s.label_vi.empty()) << s.name;
    EXPECT_EQ(ParseAction(s.name), s.action);
  }
  EXPECT_EQ(Actions().size(), kTested.size());
}

TEST_F(RulesTest, ReceiveFixesTheAppointmentFromTheProcedure) {
  dossier_.state = DossierState::kSubmitted;
  dossier_.received_at.reset();
  dossier_.due_at.reset();
  auto gone = Run(DossierAction::kReceive, now_, DossierState::kReceived);
  EXPECT_EQ(gone.error().code, ErrorCode::kConflict);  // no longer in the catalog
  facts_.procedure = &procedure_;
  auto e = Run(DossierAction::kReceive, now_, DossierState::kReceived);
  ASSERT_TRUE(e) << ErrorText(e.error());
  EXPECT_EQ(e->dossier.state, DossierState::kReceived);
  EXPECT_EQ(e->dossier.received_at, now_);
  EXPECT_EQ(e->dossier.due_at, now_ + std::chrono::hours(72));
  EXPECT_NE(e->notify_subject.find("hẹn trả kết quả"), std::string::npos);
  procedure_.time_unit = "fortnight";
  EXPECT_EQ(Run(DossierAction::kReceive, now_, DossierState::kReceived).error().field, "unit");
}

TEST_F(RulesTest, RequestSupplementNeedsTheListAndPausesTheClock) {
  auto e = Run(DossierAction::kRequestSupplement, now_, DossierState::kSupplementRequested);
  EXPECT_EQ(e.error().code, ErrorCode::kMissingField);
  EXPECT_EQ(e.error().field, "note");
  request_.note = "Thiếu bản sao giấy chứng sinh";
  e = Run(DossierAction::kRequestSupplement, now_, DossierState::kSupplementRequested);
  ASSERT_TRUE(e);
  ASSERT_EQ(e->dossier.supplements.size(), 1u);
  EXPECT_EQ(e->dossier.supplements[0].requested_at, now_);
  EXPECT_FALSE(e->dossier.supplements[0].supplied_at);
  EXPECT_EQ(e->dossier.supplements[0].resume_state, DossierState::kReceived);
  EXPECT_EQ(e->dossier.state, DossierState::kSupplementRequested);
  EXPECT_NE(e->notify_subject.find("Thiếu bản sao"), std::string::npos);
}

TEST_F(RulesTest, SupplementResumesWhereTheRequestFoundTheDossier) {
  EXPECT_EQ(Run(DossierAction::kSupplement, now_, DossierState::kReceived).error().code,
            ErrorCode::kConflict);  // nothing pending
  dossier_.state = DossierState::kSupplementRequested;
  dossier_.supplements = {{now_ - std::chrono::hours(2), std::nullopt, DossierState::kInProcess}};
  facts_.procedure = &procedure_;
  DossierComponent replaced{"to_khai", ComponentSource::kUploaded, std::string(64, 'b'), "b.pdf"};
  facts_.supplied = {replaced};
  auto e = Run(DossierAction::kSupplement, now_, DossierState::kReceived);
  ASSERT_TRUE(e) << ErrorText(e.error());
  EXPECT_EQ(e->dossier.state, DossierState::kInProcess);  // not the edge's "received"
  EXPECT_EQ(e->dossier.supplements.back().supplied_at, now_);
  ASSERT_EQ(e->dossier.components.size(), 1u);
  EXPECT_EQ(e->dossier.components[0].file_sha256, std::string(64, 'b'));
  // A component the procedure does not know is refused.
  facts_.supplied = {{"khong_co", ComponentSource::kUploaded, std::string(64, 'c'), "c.pdf"}};
  EXPECT_EQ(Run(DossierAction::kSupplement, now_, DossierState::kReceived).error().code,
            ErrorCode::kInvalidField);
}

TEST_F(RulesTest, RefuseNeedsAReasonAndFinishes) {
  dossier_.state = DossierState::kSubmitted;
  EXPECT_EQ(Run(DossierAction::kRefuse, now_, DossierState::kRefused).error().field, "note");
  request_.note = "Không thuộc thẩm quyền";
  auto e = Run(DossierAction::kRefuse, now_, DossierState::kRefused);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->dossier.finished_at, now_);
  EXPECT_EQ(e->dossier.state, DossierState::kRefused);
  EXPECT_NE(e->notify_subject.find("từ chối"), std::string::npos);
}

TEST_F(RulesTest, AssignOnlyToASpecialistOrLeaderOfTheCurrentUnit) {
  EXPECT_EQ(Run(DossierAction::kAssign, now_, DossierState::kInProcess).error().field, "to_user");
  UserRecord u;
  u.id = 42;
  u.role = Role::kSpecialist;
  u.unit_code = "07900";
  facts_.to_user = u;
  EXPECT_EQ(Run(DossierAction::kAssign, now_, DossierState::kInProcess).error().field, "to_user");
  facts_.to_user->unit_code = "08746";
  facts_.to_user->role = Role::kReception;
  EXPECT_EQ(Run(DossierAction::kAssign, now_, DossierState::kInProcess).error().field, "to_user");
  facts_.to_user->role = Role::kSpecialist;
  auto e = Run(DossierAction::kAssign, now_, DossierState::kInProcess);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->dossier.assignee_user_id, 42);
  EXPECT_EQ(e->dossier.state, DossierState::kInProcess);
  EXPECT_TRUE(e->notify_subject.empty());
}

TEST_F(RulesTest, ForwardToAnotherUnitOfTheProvince) {
  UnitDirectory units({{"25", "Tỉnh Phú Thọ", "", "tinh", ""},
                       {"08746", "Phường Xuân Hòa", "", "phuong", "25"},
                       {"07900", "Phường Việt Trì", "", "phuong", "25"},
                       {"01", "Thành phố Hà Nội", "", "thanh_pho", ""},
                       {"00004", "Phường Ba Đình", "", "phuong", "01"}});
  facts_.units = &units;
  facts_.province_code = "25";
  dossier_.assignee_user_id = 7;
  for (const char* bad : {"", "08746", "25", "00004", "99999"}) {
    request_.to_unit = bad;
    EXPECT_EQ(Run(DossierAction::kForward, now_, DossierState::kInProcess).error().field, "to_unit")
        << bad;
  }
  request_.to_unit = "07900";
  auto e = Run(DossierAction::kForward, now_, DossierState::kInProcess);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->dossier.current_unit, "07900");
  EXPECT_EQ(e->dossier.assignee_user_id, 0);
  EXPECT_EQ(e->dossier.path_units, (std::vector<std::string>{"08746", "07900"}));
}

TEST_F(RulesTest, ApproveOnlyMovesTheState) {
  dossier_.state = DossierState::kInProcess;
  auto e = Run(DossierAction::kApprove, now_, DossierState::kApproved);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->dossier.state, DossierState::kApproved);
  Dossier expected = dossier_;
  expected.state = DossierState::kApproved;
  EXPECT_EQ(e->dossier.due_at, expected.due_at);
  EXPECT_FALSE(e->dossier.finished_at);
}

TEST_F(RulesTest, IssueResultNeedsAnUploadOfTheOfficers) {
  dossier_.state = DossierState::kApproved;
  request_.result_sha256 = std::string(64, 'd');
  EXPECT_EQ(Run(DossierAction::kIssueResult, now_, DossierState::kDone).error().field,
            "result_sha256");
  facts_.result_file = FileRecord{request_.result_sha256, 10, "application/pdf", now_};
  auto e = Run(DossierAction::kIssueResult, now_, DossierState::kDone);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->dossier.result_sha256, request_.result_sha256);
  EXPECT_EQ(e->dossier.finished_at, now_);
  EXPECT_FALSE(e->notify_subject.empty());
}

TEST_F(RulesTest, ApologiseBeforeTheAppointmentWithALaterDate) {
  request_.note = "Cần xác minh thêm";
  request_.new_due = *dossier_.due_at + std::chrono::hours(48);
  // After the appointment: too late.
  EXPECT_EQ(Run(DossierAction::kApologise, *dossier_.due_at, DossierState::kReceived).error().code,
            ErrorCode::kConflict);
  // A new date not after the old one, or more than a year after it.
  request_.new_due = *dossier_.due_at;
  EXPECT_EQ(Run(DossierAction::kApologise, now_, DossierState::kReceived).error().field, "new_due");
  request_.new_due = *dossier_.due_at + std::chrono::hours(24 * 367);
  EXPECT_EQ(Run(DossierAction::kApologise, now_, DossierState::kReceived).error().field, "new_due");
  request_.new_due = *dossier_.due_at + std::chrono::hours(48);
  request_.note.clear();
  EXPECT_EQ(Run(DossierAction::kApologise, now_, DossierState::kReceived).error().field, "note");
  request_.note = "Cần xác minh thêm";
  auto e = Run(DossierAction::kApologise, now_, DossierState::kReceived);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->dossier.due_at, request_.new_due);
  EXPECT_EQ(e->dossier.apologies, 1);
  EXPECT_NE(e->notify_subject.find("Xin lỗi"), std::string::npos);
}

TEST_F(RulesTest, ReturnResultRecordsTheReturn) {
  dossier_.state = DossierState::kDone;
  auto e = Run(DossierAction::kReturnResult, now_, DossierState::kReturned);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->dossier.returned_at, now_);
  EXPECT_EQ(e->dossier.state, DossierState::kReturned);
}

TEST_F(RulesTest, StopNeedsAReasonAndFinishes) {
  EXPECT_EQ(Run(DossierAction::kStop, now_, DossierState::kStopped).error().field, "note");
  request_.note = "Người yêu cầu đề nghị dừng";
  auto e = Run(DossierAction::kStop, now_, DossierState::kStopped);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->dossier.finished_at, now_);
}

TEST_F(RulesTest, WithdrawFinishes) {
  auto e = Run(DossierAction::kWithdraw, now_, DossierState::kWithdrawn);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->dossier.finished_at, now_);
  EXPECT_EQ(e->dossier.state, DossierState::kWithdrawn);
}

TEST_F(RulesTest, RateOnceWithAKnownRating) {
  dossier_.state = DossierState::kReturned;
  request_.rating = "great";
  EXPECT_EQ(Run(DossierAction::kRate, now_, DossierState::kReturned).error().field, "rating");
  request_.rating = "dissatisfied";
  request_.note = "Chờ lâu";
  auto e = Run(DossierAction::kRate, now_, DossierState::kReturned);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->dossier.rating, "dissatisfied");
  EXPECT_EQ(e->dossier.rating_comment, "Chờ lâu");
  EXPECT_EQ(e->audit_note, "dissatisfied: Chờ lâu");
  dossier_ = e->dossier;
  EXPECT_EQ(Run(DossierAction::kRate, now_, DossierState::kReturned).error().code,
            ErrorCode::kConflict);
}

TEST_F(RulesTest, ComplainNeedsTheTextAndRecordsIt) {
  dossier_.state = DossierState::kReturned;
  EXPECT_EQ(Run(DossierAction::kComplain, now_, DossierState::kReturned).error().field, "note");
  request_.note = "Đề nghị giải thích";
  auto e = Run(DossierAction::kComplain, now_, DossierState::kReturned);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->dossier.complaints, 1);
  EXPECT_EQ(e->complaint, "Đề nghị giải thích");
  EXPECT_EQ(e->dossier.state, DossierState::kReturned);
}

}  // namespace
}  // namespace motcua
