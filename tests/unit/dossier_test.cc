// Pure dossier rules: codes, intake validation, the workflow table and the §5 deadline status.
#include "domain/dossier/dossier.h"

#include <gtest/gtest.h>

#include "domain/dossier/audit.h"
#include "domain/dossier/workflow.h"

namespace motcua {
namespace {

Instant At(const char* iso) { return *ParseIso8601(iso); }

TEST(DossierCode, FormatAndShape) {
  auto code = FormatDossierCode("000.00.15.H40", At("2025-07-18T09:00:00+07:00"), 7);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, "000.00.15.H40-250718-0007");  // the example of domain.md §2
  // The date is Vietnam's: 23:30 UTC on 17 July is already 18 July in Hà Nội.
  EXPECT_EQ(*FormatDossierCode("X", At("2025-07-17T23:30:00Z"), 1), "X-250718-0001");
  // Past 9999 a day the number widens instead of running out; it parses back.
  EXPECT_EQ(*FormatDossierCode("X", At("2025-07-17T23:30:00Z"), 9999), "X-250718-9999");
  EXPECT_EQ(*FormatDossierCode("X", At("2025-07-17T23:30:00Z"), 10000), "X-250718-10000");
  EXPECT_EQ(ParseDossierCode("087.46.00.H25-250718-123456")->seq, 123456);
  EXPECT_EQ(ParseDossierCode("087.46.00.H25-250718-123456")->prefix, "087.46.00.H25");
  EXPECT_EQ(ParseDossierCode("087.46.00.H25-250718-0042")->day, "250718");
  EXPECT_FALSE(FormatDossierCode("X", At("2025-07-17T23:30:00Z"), kMaxDailySequence + 1));
  EXPECT_FALSE(FormatDossierCode("X", At("2025-07-17T23:30:00Z"), 0));
  EXPECT_TRUE(LooksLikeDossierCode("000.00.15.H40-250718-0007"));
  EXPECT_TRUE(LooksLikeDossierCode("087.46.00.H25-260424-0001"));
  EXPECT_TRUE(LooksLikeDossierCode("000.00.00.TTPVHCC_CN1-260424-0001"));
  for (const char* bad :
       {"", "250718-0007", "000.00.15.H40-250718-007", "000.00.15.H40_250718-0007",
        "000/00.15.H40-250718-0007", "x' OR 1=1 --25071-0007", "000.00.15.H40-2507a8-0007",
        "000.00.15.H40-250718-00007", "000.00.15.H40-250718-12345678", "000.00.15.H40-250718-0000",
        "-250718-0007"}) {
    EXPECT_FALSE(LooksLikeDossierCode(bad)) << bad;
  }
}

TEST(Workflow, TableIsConsistent) {
  // Every action is allowed somewhere; in terminal states only the applicant's rating and
  // complaint remain, and they do not move the dossier.
  for (DossierState s : {DossierState::kStopped, DossierState::kWithdrawn}) {
    EXPECT_TRUE(AllowedActions(s).empty()) << StateName(s);
    EXPECT_TRUE(IsTerminal(s));
  }
  EXPECT_EQ(AllowedActions(DossierState::kReturned),
            (std::vector<DossierAction>{DossierAction::kRate, DossierAction::kComplain}));
  EXPECT_EQ(AllowedActions(DossierState::kRefused),
            std::vector<DossierAction>{DossierAction::kComplain});
  for (const Transition& t : Transitions()) {
    if (IsTerminal(t.from)) {
      EXPECT_EQ(t.to, t.from);
      EXPECT_TRUE(t.applicant && t.roles.empty());
    }
  }
  EXPECT_TRUE(IsTerminal(DossierState::kReturned) && IsTerminal(DossierState::kRefused));
  EXPECT_NE(FindTransition(DossierState::kSubmitted, DossierAction::kReceive), nullptr);
  EXPECT_EQ(FindTransition(DossierState::kSubmitted, DossierAction::kApprove), nullptr);
  EXPECT_EQ(FindTransition(DossierState::kDone, DossierAction::kApologise), nullptr);
  for (const Transition& t : Transitions()) {
    EXPECT_EQ(ParseState(StateName(t.from)), t.from);
    EXPECT_EQ(ParseAction(ActionName(t.action)), t.action);
    EXPECT_TRUE(!t.roles.empty() || t.applicant);
  }
}

// §5 cases with a fixed appointment: 2026-04-27 17:00.
TEST(DeadlineStatus, DomainRules) {
  auto never = [](Instant, Instant, const auto&) { return std::chrono::microseconds(0); };
  DeadlineFacts f;
  f.received_at = At("2026-04-24T10:00:00+07:00");
  f.due_at = At("2026-04-27T17:00:00+07:00");
  EXPECT_EQ(EvaluateDeadline(f, At("2026-04-27T16:00:00+07:00"), never), DeadlineStatus::kInTime);
  EXPECT_EQ(EvaluateDeadline(f, At("2026-04-27T17:00:01+07:00"), never), DeadlineStatus::kOverdue);
  f.finished_at = At("2026-04-24T16:00:00+07:00");
  EXPECT_EQ(EvaluateDeadline(f, At("2026-05-01T00:00:00+07:00"), never), DeadlineStatus::kEarly);
  f.finished_at = At("2026-04-27T11:00:00+07:00");
  EXPECT_EQ(EvaluateDeadline(f, At("2026-05-01T00:00:00+07:00"), never), DeadlineStatus::kOnTime);
  f.finished_at = At("2026-04-28T09:00:00+07:00");
  EXPECT_EQ(EvaluateDeadline(f, At("2026-05-01T00:00:00+07:00"), never), DeadlineStatus::kLate);
  // One supplement of 2 days: the end moves back 2 days, so a late-looking finish is on time.
  f.supplements = {{At("2026-04-25T09:00:00+07:00"), At("2026-04-27T09:00:00+07:00")}};
  f.finished_at = At("2026-04-29T11:00:00+07:00");
  EXPECT_EQ(EvaluateDeadline(f, At("2026-05-01T00:00:00+07:00"), never), DeadlineStatus::kOnTime);
  // Two supplement requests: late, whatever the times.
  f.supplements.push_back({At("2026-04-28T09:00:00+07:00"), At("2026-04-28T10:00:00+07:00")});
  f.finished_at = At("2026-04-24T11:00:00+07:00");
  EXPECT_EQ(EvaluateDeadline(f, At("2026-05-01T00:00:00+07:00"), never), DeadlineStatus::kLate);
  // One unanswered request before the appointment: its time is the end, still in time.
  DeadlineFacts w;
  w.received_at = f.received_at;
  w.due_at = f.due_at;
  w.supplements = {{At("2026-04-26T09:00:00+07:00"), std::nullopt}};
  EXPECT_EQ(EvaluateDeadline(w, At("2026-06-01T00:00:00+07:00"), never), DeadlineStatus::kInTime);
}

TEST(DeadlineStatus, WithoutAppointmentUsesTheLegalLimit) {
  DeadlineFacts f;
  f.received_at = At("2026-04-24T10:00:00+07:00");
  f.legal_limit = std::chrono::hours(15);  // 2 working days of 7.5 h
  f.finished_at = At("2026-04-28T10:00:00+07:00");
  auto hours = [](std::chrono::hours h) {
    return [h](Instant, Instant, const auto&) { return std::chrono::microseconds(h); };
  };
  EXPECT_EQ(EvaluateDeadline(f, f.finished_at.value(), hours(std::chrono::hours(15))),
            DeadlineStatus::kOnTime);
  EXPECT_EQ(EvaluateDeadline(f, f.finished_at.value(), hours(std::chrono::hours(16))),
            DeadlineStatus::kLate);
}

// Known answers for AuditHash, computed outside motcua (Python's hashlib) from the canonical
// serialisation: each field as "<byte length>:<bytes>", in this order: prev_hash, seq,
// dossier_code, at (microseconds since the epoch, decimal), actor_user_id, actor_role,
// actor_unit, action, state_before, state_after, note; then SHA-256, lower-case hex. E.g. the
// first entry below is the SHA-256 of
//   0:1:125:087.46.00.H25-260424-000116:17769996000000001:09:applicant0:6:submit0:9:submitted0:
// A change to the serialisation (or to what it covers) breaks every chain already stored.
TEST(Audit, KnownAnswerVectors) {
  // 2026-04-24T10:00:00+07:00
  AuditEntry first{1,
                   "087.46.00.H25-260424-0001",
                   Instant(std::chrono::microseconds(1776999600000000)),
                   0,
                   "applicant",
                   "",
                   "submit",
                   "",
                   "submitted",
                   "",
                   "",
                   ""};
  const std::string h1 = "5b195320abe805fdb80d9cba6b1392249527f1f21fb102743a51244efa62abb6";
  EXPECT_EQ(AuditHash(first, ""), h1);
  // UTF-8 text is counted in bytes; a ':' and digits inside a field cannot shift the next one.
  AuditEntry second{2,
                    "087.46.00.H25-260424-0001",
                    Instant(std::chrono::microseconds(1777003200123456)),  // 11:00:00.123456 +07
                    3,
                    "reception",
                    "08746",
                    "request_supplement",
                    "submitted",
                    "supplement_requested",
                    "Thiếu bản sao giấy chứng sinh; bổ sung trước 15:00",
                    h1,
                    ""};
  const std::string h2 = "204b047f833e5606cb0c00292fcbf0f6a45fe60d0c168a68366a0f44ee2cc91f";
  EXPECT_EQ(AuditHash(second, h1), h2);
  // What is chained is the prev_hash argument (the verifier passes the previous entry's hash
  // and checks the entry's own copy separately).
  AuditEntry copy = second;
  copy.prev_hash = "not the previous hash";
  EXPECT_EQ(AuditHash(copy, h1), h2);
  EXPECT_NE(AuditHash(second, ""), h2);
}

TEST(Audit, ChainDetectsTampering) {
  std::vector<AuditEntry> chain;
  std::string prev;
  for (int i = 1; i <= 3; ++i) {
    AuditEntry e{i,
                 "X-260424-000" + std::to_string(i),
                 At("2026-04-24T10:00:00Z"),
                 1,
                 "reception",
                 "08746",
                 "receive",
                 "submitted",
                 "received",
                 "",
                 prev,
                 ""};
    e.hash = AuditHash(e, prev);
    prev = e.hash;
    chain.push_back(e);
  }
  EXPECT_TRUE(VerifyAuditChain(chain, 3, prev).ok);
  auto edited = chain;
  edited[1].note = "x";
  EXPECT_EQ(VerifyAuditChain(edited, 3, prev).first_bad_seq, 2);
  auto deleted = chain;
  deleted.erase(deleted.begin() + 1);
  EXPECT_FALSE(VerifyAuditChain(deleted, 3, prev).ok);
  auto truncated = chain;
  truncated.pop_back();
  EXPECT_FALSE(VerifyAuditChain(truncated, 3, prev).ok);
}

}  // namespace
}  // namespace motcua
