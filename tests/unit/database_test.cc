// Database's group commit when the writer connection defers its log sync: a job is acknowledged
// only after a SyncCommitted that began after its batch committed, a failed sync fails the
// batch's jobs, and a rolled-back batch needs no sync. Uses a scripted connection, so the order
// of COMMIT, sync and acknowledgement is observed exactly.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/database.h"

namespace motcua::storage {
namespace {

// What the fake connection saw, in order, shared with the test.
struct Script {
  std::mutex mu;
  std::vector<std::string> events;  // "COMMIT", "ROLLBACK", "sync", "sync-start"
  std::atomic<int> commits{0};
  std::atomic<bool> fail_sync{false};
  // A sync waits until the test lets it go (so that an acknowledgement before it would show).
  std::promise<void> release_sync;
  std::shared_future<void> sync_released = release_sync.get_future().share();
  void Add(std::string e) {
    std::lock_guard lock(mu);
    events.push_back(std::move(e));
  }
  std::vector<std::string> Events() {
    std::lock_guard lock(mu);
    return events;
  }
};

class DeferringConnection final : public SqlConnection {
 public:
  explicit DeferringConnection(Script& s) : s_(s) {}
  Result<SqlRows> Query(std::string_view, std::span<const SqlValue>) override { return SqlRows{}; }
  Status Exec(std::string_view script) override {
    if (script == "COMMIT" || script == "ROLLBACK") s_.Add(std::string(script));
    return {};
  }
  Backend backend() const override { return Backend::kSqlite; }
  bool DefersSync() const override { return true; }
  Status CommitDeferringSync() override {
    s_.Add("COMMIT");
    s_.commits.fetch_add(1);
    return {};
  }
  Status SyncCommitted() override {
    s_.Add("sync-start");
    s_.sync_released.wait();
    s_.Add("sync");
    if (s_.fail_sync.load()) return Fail(ErrorCode::kUnavailable);
    return {};
  }

 private:
  Script& s_;
};

std::unique_ptr<Database> OpenFake(Script& s) {
  auto db = Database::Open(
      Backend::kSqlite,
      [&s]() -> Result<std::unique_ptr<SqlConnection>> {
        return std::unique_ptr<SqlConnection>(std::make_unique<DeferringConnection>(s));
      },
      1, "BEGIN");
  EXPECT_TRUE(db.has_value());
  return db ? std::move(*db) : nullptr;
}

TEST(DatabaseDeferredSync, AcknowledgesOnlyAfterTheSync) {
  Script s;
  auto db = OpenFake(s);
  ASSERT_NE(db, nullptr);
  std::promise<Status> acked;
  db->WriteAsync([](SqlConnection&) -> Status { return {}; },
                 [&acked](Status st) { acked.set_value(std::move(st)); });
  auto future = acked.get_future();
  // Committed, the sync is under way and held: no acknowledgement yet.
  for (int i = 0; i < 500 && s.commits.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ(s.commits.load(), 1);
  EXPECT_EQ(future.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  s.release_sync.set_value();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(future.get().has_value());
  std::vector<std::string> events = s.Events();
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events[0], "COMMIT");
  EXPECT_EQ(events[1], "sync-start");
  EXPECT_EQ(events[2], "sync");
  EXPECT_GE(db->Stats().log_syncs, 1u);
}

TEST(DatabaseDeferredSync, FailedSyncFailsTheJobs) {
  Script s;
  s.fail_sync = true;
  s.release_sync.set_value();
  auto db = OpenFake(s);
  ASSERT_NE(db, nullptr);
  Status st = db->Write([](SqlConnection&) -> Status { return {}; });
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(db->Stats().write_failures, 1u);
}

TEST(DatabaseDeferredSync, RolledBackBatchIsAnsweredWithoutSync) {
  Script s;
  auto db = OpenFake(s);  // the sync stays held: an answer must not need it
  ASSERT_NE(db, nullptr);
  Status st = db->Write([](SqlConnection&) -> Status { return Fail(ErrorCode::kConflict); });
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);
  for (const std::string& e : s.Events()) EXPECT_NE(e, "sync-start");
  s.release_sync.set_value();
}

TEST(DatabaseDeferredSync, ShutdownAnswersWhatWasCommitted) {
  Script s;
  auto db = OpenFake(s);
  ASSERT_NE(db, nullptr);
  std::atomic<int> answered{0};
  for (int i = 0; i < 20; ++i) {
    db->WriteAsync([](SqlConnection&) -> Status { return {}; },
                   [&answered](Status st) {
                     EXPECT_TRUE(st.has_value());
                     answered.fetch_add(1);
                   });
  }
  s.release_sync.set_value();
  db.reset();  // joins the writer, then the sync thread, which answers every committed job
  EXPECT_EQ(answered.load(), 20);
}

}  // namespace
}  // namespace motcua::storage
