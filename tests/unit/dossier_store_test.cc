// The dossier part of the Store contract, on SQLite and PostgreSQL.
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "backend_fixture.h"
#include "cli/provisioning.h"

namespace motcua {
namespace {

using DossierStoreTest = testing::BackendTest;

Instant At(const char* iso) { return *ParseIso8601(iso); }

NewDossier Sample(const std::string& name, Instant at, std::string key = "") {
  NewDossier nd;
  Dossier& d = nd.dossier;
  d.procedure_id = "HT-001";
  d.procedure_name = "Thủ tục đăng ký khai sinh";
  d.channel = Channel::kOnline;
  d.receiving_unit = d.current_unit = "08746";
  d.path_units = {"08746"};
  d.state = DossierState::kSubmitted;
  d.applicant = {"025095000123", name, "0912345678", "an@example.vn", ""};
  d.components = {{"to_khai", ComponentSource::kReused, "", "", 0}};
  d.submitted_at = at;
  nd.code_prefix = "087.46.00.H25";
  nd.idempotency_key = std::move(key);
  nd.request_sha256 = "r1";
  nd.write.event = {0, "", at, 7, "citizen", "", "submit", "", "submitted", "", "", ""};
  nd.write.outbox = {
      {0, "", "email", "an@example.vn", "Hồ sơ đã được nộp", "b", "pending", 0, at, "", at}};
  return nd;
}

TEST_P(DossierStoreTest, CodesAreDailyPerUnitAndUniqueUnderConcurrency) {
  ASSERT_TRUE(InitDatabase(*store_, "25", At("2026-01-01T00:00:00Z")));
  constexpr int kWriters = 8, kEach = 25;
  std::vector<std::string> codes[kWriters];
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = store_->dossiers().CreateDossier(
            Sample("Nguyễn Văn An", At("2026-04-24T10:00:00+07:00")));
        if (r) codes[t].push_back(r->dossier.code);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  for (auto& c : codes) all.insert(c.begin(), c.end());
  EXPECT_EQ(all.size(), size_t{kWriters * kEach});
  EXPECT_TRUE(all.contains("087.46.00.H25-260424-0001"));
  EXPECT_TRUE(all.contains("087.46.00.H25-260424-0200"));
  // The next day starts again at 0001.
  auto next_day = store_->dossiers().CreateDossier(Sample("B", At("2026-04-25T08:00:00+07:00")));
  ASSERT_TRUE(next_day);
  EXPECT_EQ(next_day->dossier.code, "087.46.00.H25-260425-0001");
  // Every creation appended one audit entry and the chain verifies.
  auto chain = store_->audit().LoadAudit("");
  auto head = store_->audit().AuditHead();
  ASSERT_TRUE(chain && head);
  EXPECT_EQ(testing::DossierEntries(*chain), size_t{kWriters * kEach + 1});
  EXPECT_TRUE(VerifyAuditChain(*chain, head->first, head->second).ok);
}

// Intake never stops because a counter ran out: past 9,999 a day the number widens.
TEST_P(DossierStoreTest, PastNineThousandNineHundredNinetyNineTheNumberWidens) {
  ASSERT_TRUE(InitDatabase(*store_, "25", At("2026-01-01T00:00:00Z")));
  ASSERT_TRUE(store_->database().Exclusive([](storage::SqlConnection& c) {
    return c.Exec(
        "INSERT INTO dossier_sequences (prefix, day, last) VALUES ('087.46.00.H25', "
        "'2026-04-24', 9998)");
  }));
  std::vector<std::string> codes;
  for (int i = 0; i < 3; ++i) {
    auto made = store_->dossiers().CreateDossier(Sample("A", At("2026-04-24T10:00:00+07:00")));
    ASSERT_TRUE(made) << ErrorText(made.error());
    codes.push_back(made->dossier.code);
  }
  EXPECT_EQ(codes,
            (std::vector<std::string>{"087.46.00.H25-260424-9999", "087.46.00.H25-260424-10000",
                                      "087.46.00.H25-260424-10001"}));
  for (const std::string& code : codes) {
    auto found = store_->dossiers().FindDossier(code);
    ASSERT_TRUE(found && *found) << code;
  }
}

TEST_P(DossierStoreTest, IdempotencyKeyReturnsTheSameDossier) {
  ASSERT_TRUE(InitDatabase(*store_, "25", At("2026-01-01T00:00:00Z")));
  auto a =
      store_->dossiers().CreateDossier(Sample("A", At("2026-04-24T10:00:00+07:00"), "user:7:k1"));
  auto b =
      store_->dossiers().CreateDossier(Sample("A", At("2026-04-24T10:05:00+07:00"), "user:7:k1"));
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(a->replayed);
  EXPECT_TRUE(b->replayed);
  EXPECT_EQ(a->dossier.code, b->dossier.code);
  NewDossier other = Sample("A", At("2026-04-24T10:06:00+07:00"), "user:7:k1");
  other.request_sha256 = "r2";
  EXPECT_EQ(store_->dossiers().CreateDossier(other).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->queries().ListDossiers({})->size(), 1u);
  EXPECT_EQ(store_->outbox().LoadOutbox(a->dossier.code)->size(), 1u);
}

// Creations queued together share one group commit (one key look-up, one sequence upsert, one
// INSERT): a key repeated within it is a replay of its first use, a key reused for another body
// is refused alone, and the rest still get consecutive codes and chained audit entries.
TEST_P(DossierStoreTest, CreationsQueuedTogetherAnswerRepeatedKeysAndNumberInOrder) {
  ASSERT_TRUE(InitDatabase(*store_, "25", At("2026-01-01T00:00:00Z")));
  constexpr int kPlain = 40, kRepeats = 6;
  struct Outcome {
    std::mutex mu;
    std::condition_variable cv;
    int pending = 0;
    std::vector<Result<CreatedDossier>> plain, repeats;
    std::optional<Result<CreatedDossier>> other;
  } out;
  auto submit = [&](NewDossier nd, std::function<void(Result<CreatedDossier>)> record) {
    {
      std::lock_guard lock(out.mu);
      ++out.pending;
    }
    store_->dossiers().CreateDossierAsync(std::move(nd), [&out, record](Result<CreatedDossier> r) {
      std::lock_guard lock(out.mu);
      record(std::move(r));
      --out.pending;
      out.cv.notify_all();
    });
  };
  Instant at = At("2026-04-24T10:00:00+07:00");
  for (int i = 0; i < kPlain; ++i) {
    if (i == 5) {
      for (int k = 0; k < kRepeats; ++k) {
        submit(Sample("Lặp", at, "user:7:same"),
               [&](Result<CreatedDossier> r) { out.repeats.push_back(std::move(r)); });
      }
      NewDossier other = Sample("Khác", at, "user:7:same");
      other.request_sha256 = "r2";
      submit(std::move(other), [&](Result<CreatedDossier> r) { out.other = std::move(r); });
    }
    submit(
        Sample("Nguyễn Văn " + std::to_string(i), at, i % 2 ? "user:7:k" + std::to_string(i) : ""),
        [&](Result<CreatedDossier> r) { out.plain.push_back(std::move(r)); });
  }
  {
    std::unique_lock lock(out.mu);
    out.cv.wait(lock, [&] { return out.pending == 0; });
  }
  std::set<std::string> codes;
  for (const auto& r : out.plain) {
    ASSERT_TRUE(r) << ErrorText(r.error());
    EXPECT_FALSE(r->replayed);
    codes.insert(r->dossier.code);
  }
  ASSERT_EQ(out.repeats.size(), size_t{kRepeats});
  int originals = 0;
  for (const auto& r : out.repeats) {
    ASSERT_TRUE(r) << ErrorText(r.error());
    EXPECT_EQ(r->dossier.code, out.repeats[0]->dossier.code);
    EXPECT_EQ(r->dossier.applicant.full_name, "Lặp");
    originals += r->replayed ? 0 : 1;
  }
  EXPECT_EQ(originals, 1);
  codes.insert(out.repeats[0]->dossier.code);
  ASSERT_TRUE(out.other.has_value());
  ASSERT_FALSE(*out.other);
  EXPECT_EQ(out.other->error().code, ErrorCode::kConflict);
  // One number per new dossier, 0001 up, none skipped or given twice.
  ASSERT_EQ(codes.size(), size_t{kPlain + 1});
  EXPECT_TRUE(codes.contains("087.46.00.H25-260424-0001"));
  EXPECT_TRUE(codes.contains("087.46.00.H25-260424-0041"));
  EXPECT_EQ(store_->queries().ListDossiers({})->size(), size_t{kPlain + 1});
  auto chain = store_->audit().LoadAudit("");
  auto head = store_->audit().AuditHead();
  ASSERT_TRUE(chain && head);
  EXPECT_EQ(testing::DossierEntries(*chain), size_t{kPlain + 1});
  EXPECT_TRUE(VerifyAuditChain(*chain, head->first, head->second).ok);
  // A later retry of the repeated key still answers with the same dossier.
  auto again = store_->dossiers().CreateDossier(Sample("Lặp", at, "user:7:same"));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->dossier.code, out.repeats[0]->dossier.code);
}

TEST_P(DossierStoreTest, UpdateNeedsTheCurrentVersion) {
  ASSERT_TRUE(InitDatabase(*store_, "25", At("2026-01-01T00:00:00Z")));
  auto created =
      store_->dossiers().CreateDossier(Sample("Trần Thị Bình", At("2026-04-24T10:00:00+07:00")));
  ASSERT_TRUE(created);
  Dossier d = created->dossier;
  d.state = DossierState::kReceived;
  d.received_at = At("2026-04-24T11:00:00+07:00");
  d.due_at = At("2026-04-27T17:00:00+07:00");
  DossierWrite w;
  w.event = {0,         d.code,      *d.received_at, 3,  "reception", "08746",
             "receive", "submitted", "received",     "", "",          ""};
  auto first = store_->dossiers().UpdateDossier(d, 1, w);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->version, 2);
  auto stale = store_->dossiers().UpdateDossier(d, 1, w);  // a second officer acting on version 1
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  auto found = store_->dossiers().FindDossier(d.code);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->state, DossierState::kReceived);
  EXPECT_EQ((*found)->version, 2);
  EXPECT_EQ((*found)->due_at, d.due_at);
  EXPECT_EQ((*found)->applicant.full_name, "Trần Thị Bình");
  EXPECT_EQ(store_->audit().LoadAudit(d.code)->size(), 2u);  // the stale one appended nothing
}

TEST_P(DossierStoreTest, AuditVerifyDetectsEditsInsertsAndDeletes) {
  ASSERT_TRUE(InitDatabase(*store_, "25", At("2026-01-01T00:00:00Z")));
  const int64_t base = store_->audit().AuditHead()->first;  // the calendar's bundled entries
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_->dossiers().CreateDossier(Sample("C", At("2026-04-24T10:00:00+07:00"))));
  }
  auto verify = [&] {
    return VerifyAuditChain(*store_->audit().LoadAudit(""), store_->audit().AuditHead()->first,
                            store_->audit().AuditHead()->second);
  };
  ASSERT_TRUE(verify().ok);
  auto exec = [&](const std::string& sql) {
    ASSERT_TRUE(
        store_->database().Exclusive([&](storage::SqlConnection& c) { return c.Exec(sql); }));
  };
  auto seq = [&](int64_t k) { return std::to_string(base + k); };
  // Every column of entry 3, edited and put back: each edit is found, at entry 3.
  const std::pair<const char*, const char*> edits[] = {
      {"note = note || 'x'", "note = substr(note, 1, length(note) - 1)"},
      {"dossier_code = dossier_code || 'x'",
       "dossier_code = substr(dossier_code, 1, length(dossier_code) - 1)"},
      {"at = at + 1", "at = at - 1"},
      {"actor_user_id = actor_user_id + 1", "actor_user_id = actor_user_id - 1"},
      {"actor_role = actor_role || 'x'",
       "actor_role = substr(actor_role, 1, length(actor_role) - 1)"},
      {"actor_unit = actor_unit || 'x'",
       "actor_unit = substr(actor_unit, 1, length(actor_unit) - 1)"},
      {"action = action || 'x'", "action = substr(action, 1, length(action) - 1)"},
      {"state_before = state_before || 'x'",
       "state_before = substr(state_before, 1, length(state_before) - 1)"},
      {"state_after = state_after || 'x'",
       "state_after = substr(state_after, 1, length(state_after) - 1)"},
      {"prev_hash = prev_hash || 'x'", "prev_hash = substr(prev_hash, 1, length(prev_hash) - 1)"},
      {"hash = hash || 'x'", "hash = substr(hash, 1, length(hash) - 1)"},
  };
  for (const auto& [edit, undo] : edits) {
    exec(std::string("UPDATE audit_events SET ") + edit + " WHERE seq = " + seq(3));
    AuditVerification v = verify();
    EXPECT_FALSE(v.ok) << edit;
    EXPECT_EQ(v.first_bad_seq, base + 3) << edit << ": " << v.problem;
    exec(std::string("UPDATE audit_events SET ") + undo + " WHERE seq = " + seq(3));
    ASSERT_TRUE(verify().ok) << undo;
  }
  exec("UPDATE audit_head SET hash = hash || 'x'");
  EXPECT_FALSE(verify().ok);  // the head no longer names the last entry
  exec("UPDATE audit_head SET hash = substr(hash, 1, length(hash) - 1)");
  ASSERT_TRUE(verify().ok);
  exec("DELETE FROM audit_events WHERE seq = " + seq(5));
  EXPECT_FALSE(verify().ok);  // the head still says base + 5
  exec("INSERT INTO audit_events SELECT " + seq(5) +
       ", dossier_code, at, actor_user_id, actor_role, actor_unit, action, state_before, "
       "state_after, 'forged', prev_hash, hash FROM audit_events WHERE seq = " +
       seq(4));
  EXPECT_FALSE(verify().ok);
  exec("DELETE FROM audit_events WHERE seq = " + seq(5));
  exec("DELETE FROM audit_events WHERE seq = " + seq(2));  // one from the middle
  EXPECT_FALSE(verify().ok);
  EXPECT_EQ(verify().first_bad_seq, base + 3);  // the first entry found out of place
  EXPECT_NE(verify().problem.find("entry " + seq(2) + " is missing"), std::string::npos)
      << verify().problem;
}

// The references PostgreSQL's schema leaves to the domain (migration 8) are checked offline.
TEST_P(DossierStoreTest, CheckReferencesReportsEachKindOfDanglingRow) {
  ASSERT_TRUE(InitDatabase(*store_, "25", At("2026-01-01T00:00:00Z")));
  std::string code;
  for (int i = 0; i < 3; ++i) {
    auto made = store_->dossiers().CreateDossier(Sample("C", At("2026-04-24T10:00:00+07:00")));
    ASSERT_TRUE(made);
    code = made->dossier.code;
  }
  auto clean = store_->audit().CheckReferences();
  ASSERT_TRUE(clean) << ErrorText(clean.error());
  EXPECT_TRUE(clean->empty()) << clean->front();

  // Rows no code path writes, put there behind the constraints' back (SQLite keeps them).
  auto exec = [&](const std::string& sql) {
    ASSERT_TRUE(
        store_->database().Exclusive([&](storage::SqlConnection& c) { return c.Exec(sql); }));
  };
  bool sqlite = GetParam() == storage::Backend::kSqlite;
  if (sqlite) exec("PRAGMA foreign_keys=OFF");
  exec("UPDATE dossiers SET current_unit = 'no-such-unit' WHERE code = '" + code + "'");
  exec("INSERT INTO idempotency_keys VALUES ('k-dangling', 'x', 'NO-SUCH-DOSSIER', 0)");
  exec(
      "INSERT INTO dossier_files VALUES ('NO-SUCH-DOSSIER', 'no-such-sha', 'component', 'c1', "
      "'025095000123', 0), ('NO-SUCH-DOSSIER-2', 'no-such-sha', 'component', 'c1', "
      "'025095000123', 0)");
  if (sqlite) exec("PRAGMA foreign_keys=ON");
  auto found = store_->audit().CheckReferences();
  ASSERT_TRUE(found) << ErrorText(found.error());
  EXPECT_EQ(*found, (std::vector<std::string>{
                        "1 dossiers row(s) name a current unit that does not exist",
                        "1 idempotency_keys row(s) name a dossier that does not exist",
                        "2 dossier_files row(s) name a dossier that does not exist",
                        "2 dossier_files row(s) name a file that does not exist",
                    }));
}

TEST_P(DossierStoreTest, QueueIsSortedByAppointmentAndKeysetPaged) {
  ASSERT_TRUE(InitDatabase(*store_, "25", At("2026-01-01T00:00:00Z")));
  std::vector<std::string> codes;
  for (int i = 0; i < 7; ++i) {
    auto c = store_->dossiers().CreateDossier(
        Sample(i % 2 ? "Lê Văn Cường" : "Phạm Thị Dung", At("2026-04-24T10:00:00+07:00")));
    ASSERT_TRUE(c);
    Dossier d = c->dossier;
    d.state = DossierState::kReceived;
    d.due_at = At("2026-05-01T17:00:00+07:00") - std::chrono::hours(24 * i);
    DossierWrite w;
    w.event = {0,         d.code,      d.submitted_at, 1,  "reception", "08746",
               "receive", "submitted", "received",     "", "",          ""};
    ASSERT_TRUE(store_->dossiers().UpdateDossier(d, 1, w));
  }
  DossierQuery q;
  q.units = {"08746"};
  q.limit = 3;
  std::vector<std::string> seen;
  for (int page = 0; page < 4; ++page) {
    auto rows = store_->queries().ListDossiers(q);
    ASSERT_TRUE(rows);
    for (const auto& d : *rows) seen.push_back(d.code);
    if (rows->size() < 3) break;
    q.after_due = rows->back().due_at->time_since_epoch().count();
    q.after_code = rows->back().code;
  }
  ASSERT_EQ(seen.size(), 7u);
  EXPECT_EQ(seen.front(), "087.46.00.H25-260424-0007");  // earliest appointment first
  EXPECT_EQ(seen.back(), "087.46.00.H25-260424-0001");
  DossierQuery by_name;
  by_name.units = {"08746"};
  by_name.name_folded = "le van cuong";
  EXPECT_EQ(store_->queries().ListDossiers(by_name)->size(), 3u);
  // A search by name is sorted by appointment and keyset paged like the queue it searches.
  by_name.name_folded = "van c";  // a part of the name
  by_name.limit = 2;
  std::vector<std::string> named;
  std::vector<size_t> page_sizes;
  for (int page = 0; page < 3; ++page) {
    auto rows = store_->queries().ListDossierLines(by_name);
    ASSERT_TRUE(rows);
    page_sizes.push_back(rows->size());
    for (const auto& l : *rows) named.push_back(l.code);
    if (rows->size() < 2) break;
    by_name.after_due = rows->back().due_at->time_since_epoch().count();
    by_name.after_code = rows->back().code;
  }
  EXPECT_EQ(page_sizes, (std::vector<size_t>{2, 1}));
  EXPECT_EQ(named,
            (std::vector<std::string>{"087.46.00.H25-260424-0006", "087.46.00.H25-260424-0004",
                                      "087.46.00.H25-260424-0002"}));
  by_name = {};
  by_name.units = {"08746"};
  by_name.name_folded = "le van cuong";
  DossierQuery other_unit;
  other_unit.units = {"07900"};
  EXPECT_TRUE(store_->queries().ListDossiers(other_unit)->empty());
  DossierQuery overdue;
  overdue.units = {"08746"};
  overdue.due_before = At("2026-04-28T00:00:00+07:00");
  EXPECT_EQ(store_->queries().ListDossiers(overdue)->size(), 3u);  // due 04-25, 04-26, 04-27
  // The same rows as queue lines, field for field.
  DossierQuery all;
  all.units = {"08746"};
  auto full = store_->queries().ListDossiers(all);
  auto lines = store_->queries().ListDossierLines(all);
  ASSERT_TRUE(full && lines);
  ASSERT_EQ(lines->size(), full->size());
  for (size_t i = 0; i < lines->size(); ++i) {
    const Dossier& d = (*full)[i];
    const DossierLine& l = (*lines)[i];
    EXPECT_EQ(l.code, d.code);
    EXPECT_EQ(l.procedure_id, d.procedure_id);
    EXPECT_EQ(l.procedure_version, d.procedure_version);
    EXPECT_EQ(l.procedure_name, d.procedure_name);
    EXPECT_FALSE(l.procedure_name.empty());
    EXPECT_EQ(l.channel, d.channel);
    EXPECT_EQ(l.receiving_unit, d.receiving_unit);
    EXPECT_EQ(l.current_unit, d.current_unit);
    EXPECT_EQ(l.state, d.state);
    EXPECT_EQ(l.version, d.version);
    EXPECT_EQ(l.applicant_name, d.applicant.full_name);
    EXPECT_EQ(l.submitted_at, d.submitted_at);
    EXPECT_EQ(l.received_at, d.received_at);
    EXPECT_EQ(l.due_at, d.due_at);
    EXPECT_EQ(l.finished_at, d.finished_at);
    EXPECT_EQ(l.supplements.size(), d.supplements.size());
  }
  EXPECT_EQ(store_->queries().ListDossierLines(by_name)->size(), 3u);
}

MOTCUA_ON_BOTH_BACKENDS(DossierStoreTest);

}  // namespace
}  // namespace motcua
