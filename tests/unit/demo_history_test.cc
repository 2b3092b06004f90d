// The demo history (src/domain/demo): generated through the dossier service over the in-memory
// HistoryStore and written with Store::ImportHistory, on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "backend_fixture.h"
#include "cli/application.h"
#include "cli/demo_history.h"
#include "cli/provisioning.h"
#include "domain/demo/history_generator.h"
#include "domain/demo/history_store.h"
#include "storage/postgres/pg_connection.h"
#include "test_data.h"

namespace motcua {
namespace {

Instant At(const char* iso) { return *ParseIso8601(iso); }

const Instant kNow = At("2026-04-24T10:00:00+07:00");

// A second, empty database of the same backend as the fixture's (for determinism checks).
class SecondDatabase {
 public:
  explicit SecondDatabase(storage::Backend backend) {
    static int counter = 0;
    name_ = "motcua_t_" + std::to_string(getpid()) + "_h" + std::to_string(counter++);
    if (backend == storage::Backend::kSqlite) {
      dir_ = std::filesystem::temp_directory_path() / name_;
      std::filesystem::create_directories(dir_);
      url_ = "sqlite:" + (dir_ / "second.db").string();
    } else {
      admin_ = std::getenv("MOTCUA_TEST_PG_URL");
      auto conn = storage::OpenPostgres(admin_);
      if (conn) (void)(*conn)->Exec("CREATE DATABASE " + name_);
      url_ = admin_.substr(0, admin_.rfind('/') + 1) + name_;
    }
    auto store = storage::OpenStore(url_);
    if (store) {
      store_ = std::move(*store);
      (void)store_->Migrate(kNow);
    }
  }
  ~SecondDatabase() {
    store_.reset();
    if (!admin_.empty()) {
      auto conn = storage::OpenPostgres(admin_);
      if (conn) (void)(*conn)->Exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  storage::SqlStore* store() { return store_.get(); }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::string name_, url_, admin_;
  std::filesystem::path dir_;
  std::unique_ptr<storage::SqlStore> store_;
};

// Everything a generation needs around a store: the bundled data, an App for its snapshots
// (catalog, units, calendar) and blob store, and the recorded sample files.
struct Demo {
  Demo(storage::SqlStore& s, const std::filesystem::path& files) : store(s) {
    ok = InitDatabase(store, "25", At("2026-01-01T00:00:00Z")).has_value();
    AppConfig config;
    config.files_dir = files.string();
    config.auth.password_cost = PasswordCost{1, 8 << 10};
    app = std::make_unique<Application>(store, clock, *random, config);
    ok = ok && app->Load().has_value();
    auto samples = StoreSampleDocuments(store, *app, At("2025-12-01T00:00:00Z"));
    ok = ok && samples.has_value();
    if (samples) inputs.samples = std::move(*samples);
    inputs.catalog = app->reference().catalog();
    inputs.units = app->reference().units();
    inputs.calendar = app->reference().calendar();
  }

  Result<HistorySummary> Generate(int64_t dossiers, int months, uint64_t seed) {
    HistoryOptions o;
    o.dossiers = dossiers;
    o.months = months;
    o.seed = seed;
    o.now = kNow;
    o.batch_size = 500;  // several batches, so that chaining across batches is exercised
    ThreadedHistorySink sink(store.history());
    return GenerateHistory({store.accounts(), sink}, inputs, o);
  }

  // code -> state of every stored dossier.
  std::map<std::string, std::string> States() {
    DossierQuery q;
    q.limit = 100000;
    auto all = store.queries().ListDossiers(q);
    std::map<std::string, std::string> out;
    if (!all) return out;
    for (const Dossier& d : *all) out[d.code] = StateName(d.state);
    return out;
  }

  storage::SqlStore& store;
  FakeClock clock{kNow};
  std::unique_ptr<Random> random = MakeSeededRandom(11);
  std::unique_ptr<Application> app;
  CalendarDeadlines deadlines{[this] { return app->reference().calendar(); }};
  HistoryInputs inputs;
  bool ok = false;
};

using DemoHistoryTest = testing::BackendTest;

TEST_P(DemoHistoryTest, GeneratesAHistoryThatReadsBackAndReplaysThroughTheWorkflow) {
  auto files = std::filesystem::temp_directory_path() /
               ("motcua_hist_files_" + std::to_string(getpid()) + "_" +
                std::to_string(GetParam() == storage::Backend::kSqlite ? 0 : 1));
  Demo demo(*store_, files);
  ASSERT_TRUE(demo.ok);
  auto summary = demo.Generate(2000, 2, 7);
  ASSERT_TRUE(summary) << ErrorText(summary.error());
  EXPECT_EQ(summary->dossiers, 2000);

  // Every stored dossier reads back; codes are unique and well formed per unit and day, and
  // each (unit, day) numbers its dossiers 1..n without gaps.
  DossierQuery q;
  q.limit = 100000;
  auto all = store_->queries().ListDossiers(q);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2000u);
  auto units = demo.app->reference().units();
  std::map<std::string, std::set<int64_t>> seqs;  // "<prefix>-<YYMMDD>" -> sequences
  std::map<std::string, const Dossier*> by_code;
  for (const Dossier& d : *all) {
    ASSERT_TRUE(LooksLikeDossierCode(d.code)) << d.code;
    EXPECT_TRUE(by_code.emplace(d.code, &d).second) << "duplicate " << d.code;
    const Unit* unit = units->Find(d.receiving_unit);
    ASSERT_NE(unit, nullptr) << d.receiving_unit;
    std::string prefix = DossierCodePrefix(*unit, "25");
    auto expected = FormatDossierCode(prefix, d.submitted_at, ParseDossierCode(d.code)->seq);
    ASSERT_TRUE(expected);
    EXPECT_EQ(d.code, *expected) << "code does not match the receiving unit and filing day";
    seqs[d.code.substr(0, d.code.rfind('-'))].insert(ParseDossierCode(d.code)->seq);
    EXPECT_LE(d.submitted_at, kNow);
    auto one = store_->dossiers().FindDossier(d.code);
    ASSERT_TRUE(one && *one);
    EXPECT_EQ((*one)->state, d.state);
  }
  for (const auto& [day, s] : seqs) {
    EXPECT_EQ(*s.begin(), 1) << day;
    EXPECT_EQ(*s.rbegin(), static_cast<int64_t>(s.size())) << day << " has gaps";
  }

  // The audit chain verifies, and each dossier's entries replay its state per the workflow.
  auto chain = store_->audit().LoadAudit("");
  auto head = store_->audit().AuditHead();
  ASSERT_TRUE(chain && head);
  AuditVerification v = VerifyAuditChain(*chain, head->first, head->second);
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(static_cast<int64_t>(testing::DossierEntries(*chain)), summary->audit_entries);
  std::map<std::string, std::vector<const AuditEntry*>> trail;
  for (const AuditEntry& e : *chain) {
    if (!e.dossier_code.starts_with("calendar:")) trail[e.dossier_code].push_back(&e);
  }
  ASSERT_EQ(trail.size(), 2000u);
  for (const auto& [code, entries] : trail) {
    ASSERT_TRUE(by_code.contains(code)) << code;
    const Dossier& d = *by_code[code];
    const AuditEntry& first = *entries.front();
    if (d.channel == Channel::kOnline) {
      EXPECT_EQ(first.action, "submit") << code;
      EXPECT_EQ(first.state_after, "submitted") << code;
    } else {
      EXPECT_EQ(first.action, "receive") << code;
      EXPECT_EQ(first.state_after, "received") << code;
    }
    std::string state = first.state_after;
    std::vector<std::string> resume;  // states to go back to after a supplement
    Instant last = first.at;
    for (size_t i = 1; i < entries.size(); ++i) {
      const AuditEntry& e = *entries[i];
      EXPECT_EQ(e.state_before, state) << code << " entry " << i;
      auto from = ParseState(e.state_before);
      auto action = ParseAction(e.action);
      ASSERT_TRUE(from && action) << code << " " << e.action;
      const Transition* t = FindTransition(*from, *action);
      ASSERT_NE(t, nullptr) << code << ": " << e.action << " in " << e.state_before;
      if (*action == DossierAction::kRequestSupplement) resume.push_back(e.state_before);
      if (*action == DossierAction::kSupplement) {
        ASSERT_FALSE(resume.empty()) << code;
        EXPECT_EQ(e.state_after, resume.back()) << code;
        resume.pop_back();
      } else {
        EXPECT_EQ(e.state_after, StateName(t->to)) << code << " " << e.action;
      }
      EXPECT_GE(e.at, last) << code << " entries out of time order";
      EXPECT_LE(e.at, kNow) << code;
      last = e.at;
      state = e.state_after;
    }
    EXPECT_EQ(state, StateName(d.state)) << code;
  }

  // Rates in their bands, and some of every outcome.
  std::map<std::string, int> states, channels;
  int settled = 0, settled_in_time = 0, two_supplements = 0, apologised = 0, forwarded = 0;
  int paid_online = 0, reused = 0, national = 0, rated = 0, demo_citizen = 0, late = 0;
  for (const Dossier& d : *all) {
    ++states[std::string(StateName(d.state))];
    ++channels[std::string(ChannelName(d.channel))];
    DeadlineStatus st = DeadlineOf(d, kNow, demo.deadlines);
    if (d.state == DossierState::kDone || d.state == DossierState::kReturned) {
      ++settled;
      settled_in_time += st == DeadlineStatus::kEarly || st == DeadlineStatus::kOnTime;
      EXPECT_FALSE(d.result_sha256.empty()) << d.code;
    }
    late += st == DeadlineStatus::kLate;
    two_supplements += d.supplements.size() >= 2;
    apologised += d.apologies > 0;
    forwarded += d.path_units.size() > 1;
    paid_online += d.payment && d.payment->method == "online" && d.payment->paid_at.has_value();
    rated += !d.rating.empty();
    demo_citizen += d.applicant.id_number == "025095000123";
    for (const DossierComponent& c : d.components) {
      reused += c.source == ComponentSource::kReused;
      national += c.source == ComponentSource::kNationalDb;
    }
  }
  double online = 100.0 * channels["online"] / 2000;
  EXPECT_NEAR(online, 95.0, 3.0);
  ASSERT_GT(settled, 1000);
  EXPECT_GT(100.0 * settled_in_time / settled, 85.0);
  for (const char* s : {"returned", "refused", "withdrawn", "stopped", "in_process",
                        "supplement_requested", "submitted"}) {
    EXPECT_GT(states[s], 0) << "no dossier is " << s;
  }
  EXPECT_GT(channels["counter"], 0);
  EXPECT_GT(channels["postal"], 0);
  EXPECT_GT(two_supplements, 0);
  EXPECT_GT(apologised, 0);
  EXPECT_GT(late, 0);
  EXPECT_GT(forwarded, 0);
  EXPECT_GT(paid_online, 0);
  EXPECT_GT(reused, 0);
  EXPECT_GT(national, 0);
  EXPECT_GT(rated, 0);
  EXPECT_GE(demo_citizen, 3);
  EXPECT_GT(summary->complaints, 0);
  // The summary counts what was stored.
  EXPECT_EQ(summary->by_state["returned"], states["returned"]);
  EXPECT_EQ(summary->settled, settled);

  // Outbox messages are recorded as sent; complaints and files are there.
  int64_t outbox = 0, complaints = 0;
  for (const Dossier& d : *all) {
    auto msgs = store_->outbox().LoadOutbox(d.code);
    ASSERT_TRUE(msgs);
    for (const OutboxMessage& m : *msgs) {
      EXPECT_EQ(m.status, "sent");
      EXPECT_GT(m.sent_at, m.created_at);
    }
    outbox += static_cast<int64_t>(msgs->size());
    complaints += static_cast<int64_t>(store_->dossiers().LoadComplaints(d.code)->size());
    if (!d.result_sha256.empty()) {
      EXPECT_TRUE(*store_->documents().DossierHasFile(d.code, d.result_sha256)) << d.code;
    }
  }
  EXPECT_EQ(outbox, summary->outbox_messages);
  EXPECT_EQ(complaints, summary->complaints);
  auto shas = store_->files().AllFileShas();
  ASSERT_TRUE(shas);
  for (const auto& [code, d] : by_code) {
    for (const DossierComponent& c : d->components) {
      if (!c.file_sha256.empty()) {
        EXPECT_TRUE(shas->contains(c.file_sha256)) << code;
      }
    }
  }
  // The demo accounts' units are served by existing or new officer accounts.
  auto officers = store_->accounts().ListUsersOfUnit("08746");
  ASSERT_TRUE(officers);
  EXPECT_GE(officers->size(), 3u);

  // Live intake afterwards continues each day's numbering without collision: a new dossier of
  // the busiest (unit, day) gets the next number.
  auto busiest = seqs.begin();
  for (auto it = seqs.begin(); it != seqs.end(); ++it) {
    if (it->second.size() > busiest->second.size()) busiest = it;
  }
  ASSERT_GE(busiest->second.size(), 2u);
  const Dossier* sample = nullptr;
  for (const auto& [code, d] : by_code) {
    if (code.rfind(busiest->first + "-", 0) == 0) sample = d;
  }
  ASSERT_NE(sample, nullptr);
  NewDossier live;
  live.dossier = *sample;
  live.dossier.code.clear();
  live.dossier.components.clear();
  live.dossier.result_sha256.clear();
  live.code_prefix = busiest->first.substr(0, busiest->first.size() - 7);
  live.write.event = {0,        "", sample->submitted_at, 0,  "citizen", "",
                      "submit", "", "submitted",          "", "",        ""};
  auto created = store_->dossiers().CreateDossier(live);
  ASSERT_TRUE(created) << ErrorText(created.error());
  char expect[96];
  std::snprintf(expect, sizeof expect, "%s-%04zu", busiest->first.c_str(),
                busiest->second.size() + 1);
  EXPECT_EQ(created->dossier.code, expect);
  auto chain2 = store_->audit().LoadAudit("");
  auto head2 = store_->audit().AuditHead();
  EXPECT_TRUE(VerifyAuditChain(*chain2, head2->first, head2->second).ok);
  std::filesystem::remove_all(files);
}

TEST_P(DemoHistoryTest, IsDeterministicForASeedAndDiffersForAnother) {
  auto files = std::filesystem::temp_directory_path() /
               ("motcua_hist_det_" + std::to_string(getpid()) + "_" +
                std::to_string(GetParam() == storage::Backend::kSqlite ? 0 : 1));
  Demo first(*store_, files / "a");
  ASSERT_TRUE(first.ok);
  ASSERT_TRUE(first.Generate(1500, 2, 7));
  SecondDatabase same_db(GetParam());
  ASSERT_NE(same_db.store(), nullptr);
  Demo same(*same_db.store(), files / "b");
  ASSERT_TRUE(same.ok);
  ASSERT_TRUE(same.Generate(1500, 2, 7));
  SecondDatabase other_db(GetParam());
  ASSERT_NE(other_db.store(), nullptr);
  Demo other(*other_db.store(), files / "c");
  ASSERT_TRUE(other.ok);
  ASSERT_TRUE(other.Generate(1500, 2, 8));
  auto a = first.States(), b = same.States(), c = other.States();
  ASSERT_EQ(a.size(), 1500u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  // The same audit trails too (account ids aside: the officers' accounts are created
  // concurrently, so their ids may differ between databases).
  auto trail = [](storage::SqlStore& st) {
    std::vector<std::string> out;
    auto entries = st.audit().LoadAudit("");
    if (!entries) return out;
    for (const AuditEntry& e : *entries) {
      out.push_back(e.dossier_code + " " + FormatIso8601Vn(e.at) + " " + e.actor_role + " " +
                    e.actor_unit + " " + e.action + " " + e.state_after + " " + e.note);
    }
    return out;
  };
  auto ta = trail(first.store), tb = trail(same.store);
  ASSERT_GT(ta.size(), 1500u * 3);
  EXPECT_TRUE(ta == tb);
  std::filesystem::remove_all(files);
}

TEST_P(DemoHistoryTest, ImportHistoryIsAllOrNothing) {
  auto files = std::filesystem::temp_directory_path() /
               ("motcua_hist_atomic_" + std::to_string(getpid()) + "_" +
                std::to_string(GetParam() == storage::Backend::kSqlite ? 0 : 1));
  Demo demo(*store_, files);
  ASSERT_TRUE(demo.ok);
  ASSERT_TRUE(demo.Generate(300, 1, 3));
  auto before = demo.States();
  auto head = store_->audit().AuditHead();
  ASSERT_TRUE(head);
  // A batch with a new dossier and one whose code exists fails as a whole.
  auto existing = store_->dossiers().FindDossier(before.begin()->first);
  ASSERT_TRUE(existing && *existing);
  HistoryDossier fresh;
  fresh.dossier = **existing;
  fresh.dossier.code = "087.46.00.H25-200101-0001";
  fresh.audit = {{0, "", kNow, 0, "citizen", "", "submit", "", "submitted", "", "", ""}};
  HistoryDossier dup;
  dup.dossier = **existing;
  dup.audit = fresh.audit;
  Status st = store_->history().ImportHistory({fresh, dup});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);
  EXPECT_FALSE(store_->dossiers().FindDossier("087.46.00.H25-200101-0001")->has_value());
  EXPECT_EQ(store_->audit().AuditHead()->first, head->first);
  EXPECT_EQ(demo.States(), before);
  // A malformed code is refused before anything is written.
  HistoryDossier bad = fresh;
  bad.dossier.code = "not a code";
  EXPECT_EQ(store_->history().ImportHistory({bad}).error().code, ErrorCode::kInvalidField);
  // And a good batch still chains on.
  ASSERT_TRUE(store_->history().ImportHistory({fresh}));
  auto chain = store_->audit().LoadAudit("");
  auto head2 = store_->audit().AuditHead();
  EXPECT_EQ(head2->first, head->first + 1);
  EXPECT_TRUE(VerifyAuditChain(*chain, head2->first, head2->second).ok);
  std::filesystem::remove_all(files);
}

MOTCUA_ON_BOTH_BACKENDS(DemoHistoryTest);

TEST(HistoryStoreTest, KeepsDossiersAndTheApplicantsDocumentsAsTheSqlStoreDoes) {
  FakeClock clock(kNow);
  FileRecord scan{std::string(64, 'a'), 1234, "application/pdf", kNow};
  HistoryStore store(clock, {scan});
  // A history has no idempotency keys.
  NewDossier keyed;
  keyed.idempotency_key = "user:1:k";
  EXPECT_EQ(store.CreateDossier(keyed).error().code, ErrorCode::kInvalidField);
  // Creation assigns daily codes, updates check versions, named files enter the applicant's
  // store.
  NewDossier nd;
  nd.dossier.applicant.id_number = "025095000123";
  nd.dossier.submitted_at = kNow;
  nd.code_prefix = "087.46.00.H25";
  nd.write.event.action = "submit";
  nd.dossier.components.push_back({"to_khai", ComponentSource::kUploaded, scan.sha256, "a.pdf"});
  auto a = store.CreateDossier(nd);
  auto b = store.CreateDossier(nd);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->dossier.code, "087.46.00.H25-260424-0001");
  EXPECT_EQ(b->dossier.code, "087.46.00.H25-260424-0002");
  Dossier d = a->dossier;
  EXPECT_EQ(store.UpdateDossier(d, 2, {}).error().code, ErrorCode::kConflict);
  ASSERT_TRUE(store.UpdateDossier(d, 1, {}));
  auto taken = store.Take(d.code);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->dossier.version, 2);
  EXPECT_EQ(taken->audit.size(), 2u);
  EXPECT_EQ(store.size(), 1u);
  // a taken dossier is still found as who may see it (a later filing reuses its documents)
  auto seen = store.FindDossier(d.code);
  ASSERT_TRUE(seen && *seen);
  EXPECT_EQ((*seen)->applicant.id_number, d.applicant.id_number);
  EXPECT_EQ((*seen)->path_units, d.path_units);
  EXPECT_TRUE((*seen)->components.empty());
  EXPECT_EQ(store.UpdateDossier(**seen, 2, {}).error().code, ErrorCode::kConflict);
  auto doc = store.FindApplicantDocument("025095000123", scan.sha256);
  ASSERT_TRUE(doc && *doc);
  EXPECT_EQ((*doc)->size, 1234);
  EXPECT_EQ((*doc)->media_type, "application/pdf");
  EXPECT_TRUE(*store.DossierHasFile(b->dossier.code, scan.sha256));
  EXPECT_FALSE(*store.DossierHasFile(b->dossier.code, std::string(64, 'b')));
  auto listed = store.ListApplicantDocuments("025095000123", 10);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 1u);  // one per file
  store.ForgetApplicantsAndCounters();
  EXPECT_FALSE(*store.FindDossier(d.code));
}

TEST(HistoryVolumeTest, ADefaultQuarterIsAboutOneHundredThousand) {
  auto units = ParseUnitsCsv(testing::BundledFile("/units-vn-2025.csv"));
  ASSERT_TRUE(units);
  UnitDirectory dir(std::move(*units));
  int64_t quarter = DefaultHistorySize(dir, "25", 3);
  EXPECT_GT(quarter, 90000);
  EXPECT_LT(quarter, 115000);
  EXPECT_NEAR(DefaultHistorySize(dir, "25", 6), 2 * quarter, 1);
  const Unit* xuan_hoa = dir.Find("08746");
  ASSERT_NE(xuan_hoa, nullptr);
  EXPECT_EQ(QuarterVolume(*xuan_hoa), 2800);
}

}  // namespace
}  // namespace motcua
