// The Store contract, run on SQLite and PostgreSQL.
#include <future>
#include <thread>

#include "backend_fixture.h"
#include "cli/provisioning.h"
#include "common/crypto.h"
#include "common/json.h"
#include "common/random.h"
#include "domain/auth/auth_service.h"
#include "storage/migrations.h"
#include "test_data.h"

namespace motcua {
namespace {

using StoreTest = testing::BackendTest;

Instant At(const char* iso) { return *ParseIso8601(iso); }

TEST_P(StoreTest, MigrateIsIdempotentAndVersioned) {
  EXPECT_EQ(*store_->SchemaVersion(), storage::LatestSchemaVersion());
  EXPECT_TRUE(store_->Migrate(Instant(std::chrono::hours(24 * 20454))));
  EXPECT_TRUE(store_->CheckSchema());
  EXPECT_TRUE(store_->health().Ping());
}

TEST_P(StoreTest, RefusesNewerSchema) {
  ASSERT_TRUE(store_->database().Exclusive([](storage::SqlConnection& c) {
    return c.Exec("INSERT INTO schema_version VALUES (999, 0)");
  }));
  auto st = store_->CheckSchema();
  ASSERT_FALSE(st);
  EXPECT_NE(ErrorText(st.error()).find("newer"), std::string::npos);
  EXPECT_FALSE(store_->Migrate(Instant(std::chrono::hours(24 * 20454))));
}

TEST_P(StoreTest, InitImportsBundledDataIdempotently) {
  ASSERT_TRUE(InitDatabase(*store_, "25", At("2026-01-01T00:00:00Z")));
  auto units = store_->units().LoadUnits();
  ASSERT_TRUE(units);
  size_t before = units->size();
  EXPECT_EQ(before, 3355u + 26u);
  ASSERT_TRUE(InitDatabase(*store_, "25", At("2026-01-02T00:00:00Z")));
  EXPECT_EQ(store_->units().LoadUnits()->size(), before);
  auto procs = store_->catalog().LoadCurrentProcedures();
  ASSERT_TRUE(procs);
  EXPECT_EQ(procs->size(), 105u);
  for (const auto& p : *procs) EXPECT_EQ(p.version, 1);
  // Parents come before children.
  UnitDirectory dir(std::move(*units));
  EXPECT_EQ(dir.Children("25").size(), 148u + 20u);  // 6 agencies hang under another agency
}

TEST_P(StoreTest, ChangedProcedureKeepsEarlierVersion) {
  ASSERT_TRUE(InitDatabase(*store_, "25", At("2026-01-01T00:00:00Z")));
  auto doc = *ParseJson(testing::BundledFile("/procedures.json"), 64);
  auto& first = doc.as_object()["procedures"].as_array()[0].as_object();
  first["fee_vnd"] = 10000;
  auto summary = ImportProcedures(store_->catalog(), store_->units(), boost::json::serialize(doc),
                                  At("2026-02-01T00:00:00Z"));
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->changed, 1u);
  EXPECT_EQ(summary->unchanged, 104u);
  auto versions = store_->catalog().LoadProcedureVersions("HT-001");
  ASSERT_TRUE(versions);
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_FALSE((*versions)[0].is_current);
  EXPECT_TRUE((*versions)[1].is_current);
  EXPECT_EQ((*versions)[1].version, 2);
  EXPECT_EQ((*versions)[1].imported_at, At("2026-02-01T00:00:00Z"));
  EXPECT_NE((*versions)[0].content, (*versions)[1].content);
}

TEST_P(StoreTest, InvalidCatalogImportsNothing) {
  ASSERT_TRUE(InitDatabase(*store_, "25", At("2026-01-01T00:00:00Z")));
  auto doc = *ParseJson(testing::BundledFile("/procedures.json"), 64);
  auto& arr = doc.as_object()["procedures"].as_array();
  arr[0].as_object()["fee_vnd"] = 5;
  arr[3].as_object()["steps"] = boost::json::array{};
  auto summary = ImportProcedures(store_->catalog(), store_->units(), boost::json::serialize(doc),
                                  At("2026-02-01T00:00:00Z"));
  ASSERT_FALSE(summary);
  EXPECT_EQ(summary.error().size(), 1u);
  EXPECT_EQ(store_->catalog().LoadProcedureVersions("HT-001")->size(), 1u);
}

TEST_P(StoreTest, UsersAndSessions) {
  ASSERT_TRUE(InitDatabase(*store_, "25", At("2026-01-01T00:00:00Z")));
  UserRecord u;
  u.username = "reception.xuanhoa";
  u.password_hash = "h";
  u.role = Role::kReception;
  u.unit_code = "08746";
  u.full_name = "Nguyễn Thị Bình";
  u.created_at = At("2026-01-01T00:00:00Z");
  auto id = store_->accounts().CreateUser(u);
  ASSERT_TRUE(id);
  EXPECT_EQ(store_->accounts().CreateUser(u).error().code, ErrorCode::kConflict);
  UserRecord bad = u;
  bad.username = "x.y";
  bad.unit_code = "99999";
  EXPECT_EQ(store_->accounts().CreateUser(bad).error().code, ErrorCode::kInvalidField);
  auto found = store_->accounts().FindUser("reception.xuanhoa");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->full_name, "Nguyễn Thị Bình");
  EXPECT_EQ((*found)->unit_code, "08746");
  EXPECT_FALSE(*store_->accounts().FindUser("' OR 1=1 --"));
  EXPECT_EQ(store_->accounts().ListUsersOfUnit("08746")->size(), 1u);
  EXPECT_EQ(store_->accounts().ListUsersOfUnit("07900")->size(), 0u);
  ASSERT_TRUE(store_->accounts().SetDisabled(*id, true));
  EXPECT_TRUE((*store_->accounts().FindUser("reception.xuanhoa"))->disabled);
  ASSERT_TRUE(store_->accounts().SetDisabled(*id, false));
  EXPECT_FALSE((*store_->accounts().FindUser("reception.xuanhoa"))->disabled);
  EXPECT_EQ(store_->accounts().SetDisabled(*id + 1000, true).error().code, ErrorCode::kNotFound);
  SessionRecord s{"hash1", *id, "csrf1", At("2026-01-01T00:00:00Z"), At("2026-01-01T08:00:00Z")};
  ASSERT_TRUE(store_->sessions().CreateSession(s));
  auto fs = store_->sessions().FindSession("hash1");
  ASSERT_TRUE(fs && *fs);
  EXPECT_EQ((*fs)->first.expires_at, s.expires_at);
  EXPECT_EQ((*fs)->second.username, "reception.xuanhoa");
  EXPECT_EQ(*store_->sessions().DeleteExpiredSessions(At("2026-01-01T07:00:00Z")), 0);
  EXPECT_EQ(*store_->sessions().DeleteExpiredSessions(At("2026-01-01T09:00:00Z")), 1);
  EXPECT_FALSE(*store_->sessions().FindSession("hash1"));
  // Every session of a user ends at once; others' stay.
  for (const char* h : {"h2", "h3"}) {
    ASSERT_TRUE(store_->sessions().CreateSession(
        {h, *id, "c", At("2026-01-01T00:00:00Z"), At("2026-01-02T00:00:00Z")}));
  }
  EXPECT_EQ(*store_->sessions().DeleteSessionsOfUser(*id), 2);
  EXPECT_EQ(*store_->sessions().DeleteSessionsOfUser(*id), 0);
  EXPECT_FALSE(*store_->sessions().FindSession("h2"));
}

// FindFile is answered from memory once found: a miss must not stick (the upload comes next),
// and a find for one uploader must not answer for another.
TEST_P(StoreTest, FindFileIsPerUploaderAndAMissDoesNotStick) {
  auto record = [&](const FileRecord& f, int64_t uploader) {
    std::promise<Status> done;
    store_->files().RecordFileAsync(f, uploader, [&](Status st) { done.set_value(std::move(st)); });
    return done.get_future().get();
  };
  FileRecord f{std::string(64, 'a'), 1234, "application/pdf", At("2026-01-01T00:00:00Z")};
  auto miss = store_->files().FindFile(f.sha256, 7);
  ASSERT_TRUE(miss);
  EXPECT_FALSE(*miss);
  ASSERT_TRUE(record(f, 7));
  for (int i = 0; i < 2; ++i) {  // the first from the database, the second from memory
    auto found = store_->files().FindFile(f.sha256, 7);
    ASSERT_TRUE(found);
    ASSERT_TRUE(*found);
    EXPECT_EQ((*found)->size, 1234);
    EXPECT_EQ((*found)->media_type, "application/pdf");
    auto other = store_->files().FindFile(f.sha256, 8);
    ASSERT_TRUE(other);
    EXPECT_FALSE(*other) << "user 8 did not upload it";
    auto any = store_->files().FindFile(f.sha256, 0);
    ASSERT_TRUE(any);
    EXPECT_TRUE(*any);
  }
  ASSERT_TRUE(record(f, 8));
  auto now_theirs = store_->files().FindFile(f.sha256, 8);
  ASSERT_TRUE(now_theirs);
  EXPECT_TRUE(*now_theirs);
}

TEST_P(StoreTest, GroupCommitIsolatesFailingJobs) {
  ASSERT_TRUE(InitDatabase(*store_, "25", At("2026-01-01T00:00:00Z")));
  // Many concurrent creates, one in four a duplicate: each gets its own answer, and exactly the
  // non-duplicates are stored.
  constexpr int kThreads = 8, kPerThread = 25;
  std::atomic<int> ok{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        UserRecord u;
        u.username = "user" + std::to_string(i % 4 == 3 ? 0 : t * 100 + i);
        u.password_hash = "h";
        u.role = Role::kSpecialist;
        u.unit_code = "08746";
        auto r = store_->accounts().CreateUser(u);
        if (r)
          ok++;
        else if (r.error().code == ErrorCode::kConflict)
          conflicts++;
      }
    });
  }
  for (auto& th : threads) th.join();
  auto listed = store_->accounts().ListUsersOfUnit("08746");
  ASSERT_TRUE(listed);
  EXPECT_EQ(static_cast<int>(listed->size()), ok.load());
  EXPECT_EQ(ok + conflicts, kThreads * kPerThread);
  EXPECT_GT(conflicts.load(), 0);
  auto stats = store_->database().Stats();
  EXPECT_EQ(stats.write_failures, static_cast<uint64_t>(conflicts.load()));
}

MOTCUA_ON_BOTH_BACKENDS(StoreTest);

// AuthService against a real store, with a fake clock.
class AuthTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(InitDatabase(*store_, "25", At("2026-01-01T00:00:00Z")));
    config_.password_cost = PasswordCost{1, 8 << 20};  // cheap hashes keep the test fast
    auth_ = std::make_unique<AuthService>(store_->accounts(), store_->sessions(), clock_, *random_,
                                          config_);
    ASSERT_TRUE(
        auth_->CreateUser({"leader.xuanhoa", "correct horse", Role::kLeader, "08746", "L"}));
  }
  FakeClock clock_{At("2026-04-24T03:00:00Z")};
  std::unique_ptr<Random> random_ = MakeSeededRandom(42);
  AuthConfig config_;
  std::unique_ptr<AuthService> auth_;
};

TEST_P(AuthTest, LoginAuthenticateLogout) {
  auto login = auth_->Login("leader.xuanhoa", "correct horse");
  ASSERT_TRUE(login);
  EXPECT_EQ(login->token.size(), 43u);  // 256 bits, base64url
  EXPECT_EQ(login->principal.unit_code, "08746");
  EXPECT_EQ(login->expires_at, clock_.Now() + config_.session_ttl);
  auto session = auth_->Authenticate(login->token);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->principal.role, Role::kLeader);
  EXPECT_EQ(session->csrf_hash, Sha256Hex(login->csrf_token));
  ASSERT_TRUE(auth_->Logout(login->token));
  EXPECT_EQ(auth_->Authenticate(login->token).error().code, ErrorCode::kUnauthenticated);
}

TEST_P(AuthTest, TokensAreStoredOnlyAsHashes) {
  auto login = auth_->Login("leader.xuanhoa", "correct horse");
  ASSERT_TRUE(login);
  EXPECT_FALSE(*store_->sessions().FindSession(login->token));
  EXPECT_TRUE(*store_->sessions().FindSession(Sha256Hex(login->token)));
}

TEST_P(AuthTest, SessionsExpire) {
  auto login = auth_->Login("leader.xuanhoa", "correct horse");
  ASSERT_TRUE(login);
  clock_.Advance(config_.session_ttl - std::chrono::seconds(1));
  EXPECT_TRUE(auth_->Authenticate(login->token));
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(auth_->Authenticate(login->token).error().code, ErrorCode::kUnauthenticated);
}

TEST_P(AuthTest, FailuresSlowDownOneClientForOneUsernameAndLockNobody) {
  const int free = config_.throttle.free_failures;
  auto fail_times = [&](const char* user, const char* client, int n) {
    for (int i = 0; i < n; ++i) {
      EXPECT_EQ(auth_->Login(user, "wrong", client).error().code, ErrorCode::kBadCredentials)
          << user << " #" << i;
    }
  };
  // The free failures, then one more: from now on this (username, address) waits 2 s, then
  // 4 s, ... whether the username exists or not.
  fail_times("leader.xuanhoa", "10.0.0.1", free + 1);
  fail_times("no.such.user", "10.0.0.1", free + 1);
  std::chrono::seconds wait{0};
  for (const char* user : {"leader.xuanhoa", "no.such.user"}) {
    auto r = auth_->Login(user, "correct horse", "10.0.0.1", &wait);
    EXPECT_EQ(r.error().code, ErrorCode::kTooManyRequests) << user;
    EXPECT_EQ(wait, config_.throttle.first_wait) << user;
  }
  // The owner from another address is not affected.
  EXPECT_TRUE(auth_->Login("leader.xuanhoa", "correct horse", "10.0.0.2"));
  // After the wait the same address may try again; a failure doubles the wait.
  clock_.Advance(config_.throttle.first_wait);
  fail_times("leader.xuanhoa", "10.0.0.1", 1);
  EXPECT_EQ(*auth_->LoginWait("leader.xuanhoa", "10.0.0.1"), 2 * config_.throttle.first_wait);
  clock_.Advance(2 * config_.throttle.first_wait);
  EXPECT_TRUE(auth_->Login("leader.xuanhoa", "correct horse", "10.0.0.1"));
  EXPECT_FALSE(auth_->LoginWait("leader.xuanhoa", "10.0.0.1"));  // a success starts afresh
  // No failure was written to the account.
}

TEST_P(AuthTest, ADisabledAccountCannotLogInAndItsSessionsEnd) {
  auto login = auth_->Login("leader.xuanhoa", "correct horse");
  ASSERT_TRUE(login);
  ASSERT_TRUE(auth_->Authenticate(login->token));  // now cached on this node
  auto user = *store_->accounts().FindUser("leader.xuanhoa");
  ASSERT_TRUE(store_->accounts().SetDisabled(user->id, true));
  EXPECT_EQ(*auth_->EndSessionsOf(user->id), 1);
  EXPECT_EQ(auth_->Authenticate(login->token).error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(auth_->Login("leader.xuanhoa", "correct horse").error().code,
            ErrorCode::kBadCredentials);
}

TEST_P(AuthTest, UnknownUserAndValidation) {
  EXPECT_EQ(auth_->Login("nobody", "x").error().code, ErrorCode::kBadCredentials);
  EXPECT_EQ(auth_->CreateUser({"123", "password1", Role::kCitizen, "", ""}).error().field,
            "username");
  EXPECT_EQ(auth_->CreateUser({"s.x", "short", Role::kSpecialist, "08746", ""}).error().field,
            "password");
  EXPECT_EQ(auth_->CreateUser({"s.x", "password1", Role::kSpecialist, "", ""}).error().field,
            "unit");
  EXPECT_EQ(auth_->CreateUser({"s.x", "password1", Role::kSpecialist, "99999", ""}).error().field,
            "unit");
  EXPECT_EQ(
      auth_->CreateUser({"leader.xuanhoa", "password1", Role::kLeader, "08746", ""}).error().code,
      ErrorCode::kConflict);
}

MOTCUA_ON_BOTH_BACKENDS(AuthTest);

}  // namespace
}  // namespace motcua
