// The SqlConnection contract on both drivers, on a connection of the test's own: statements
// sent without waiting (pipelined on PostgreSQL) fail together and leave the connection usable,
// a connection lost inside a transaction is never silently replaced, and a deferred commit is on
// disk once SyncCommitted returns.
#include "backend_fixture.h"
#include "storage/sqlite/sqlite_connection.h"

namespace motcua {
namespace {

class SqlConnectionTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    conn_ = Connect();
    ASSERT_TRUE(conn_->Exec("CREATE TABLE t (k TEXT PRIMARY KEY, v BIGINT NOT NULL)"));
  }
  std::unique_ptr<storage::SqlConnection> Connect() {
    auto conn = GetParam() == storage::Backend::kSqlite
                    ? storage::OpenSqlite(url_.substr(std::string("sqlite:").size()), false)
                    : storage::OpenPostgres(url_);
    EXPECT_TRUE(conn) << ErrorText(conn.error());
    return conn ? std::move(*conn) : nullptr;
  }
  int64_t Count() {
    auto rows = conn_->Query("SELECT count(*) FROM t", {});
    EXPECT_TRUE(rows) << ErrorText(rows.error());
    return rows ? rows->at(0).Int(0) : -1;
  }
  std::unique_ptr<storage::SqlConnection> conn_;
};

constexpr const char* kInsert = "INSERT INTO t (k, v) VALUES ($1, $2)";

TEST_P(SqlConnectionTest, SentStatementsAreWaitedForByTheNextQuery) {
  ASSERT_TRUE(conn_->Send("BEGIN", {}));
  ASSERT_TRUE(conn_->Send(kInsert, {std::string("a"), int64_t{1}}));
  ASSERT_TRUE(conn_->Send(kInsert, {std::string("b"), int64_t{2}}));
  auto rows = conn_->Query("SELECT k FROM t ORDER BY k", {});  // in the same round trip
  ASSERT_TRUE(rows) << ErrorText(rows.error());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(rows->at(1).Str(0), "b");
  ASSERT_TRUE(conn_->Send(kInsert, {std::string("c"), int64_t{3}}));
  ASSERT_TRUE(conn_->CommitDeferringSync());
  ASSERT_TRUE(conn_->SyncCommitted());
  EXPECT_EQ(Count(), 3);
}

TEST_P(SqlConnectionTest, AFailureAmongSentStatementsFailsTheFlushAndRollsBack) {
  ASSERT_TRUE(conn_->Send("BEGIN", {}));
  ASSERT_TRUE(conn_->Send(kInsert, {std::string("a"), int64_t{1}}));
  auto dup = conn_->Send(kInsert, {std::string("a"), int64_t{2}});
  auto after = conn_->Send(kInsert, {std::string("b"), int64_t{3}});
  Status flushed = dup && after ? conn_->Flush() : (dup ? after : dup);
  ASSERT_FALSE(flushed);
  EXPECT_EQ(flushed.error().code, ErrorCode::kConflict);  // the first failure, not what followed
  ASSERT_TRUE(conn_->Exec("ROLLBACK"));
  EXPECT_EQ(Count(), 0);

  // The same failure reported by the commit (PostgreSQL), or at once (SQLite).
  ASSERT_TRUE(conn_->Send("BEGIN", {}));
  ASSERT_TRUE(conn_->Send(kInsert, {std::string("z"), int64_t{1}}));
  Status dup_again = conn_->Send(kInsert, {std::string("z"), int64_t{1}});
  Status committed = dup_again ? conn_->CommitDeferringSync() : dup_again;
  ASSERT_FALSE(committed);
  EXPECT_EQ(committed.error().code, ErrorCode::kConflict);
  ASSERT_TRUE(conn_->Exec("ROLLBACK"));
  EXPECT_EQ(Count(), 0);
}

TEST_P(SqlConnectionTest, AStatementThatFailedToPrepareCanBeSentAgain) {
  const char* sql = "INSERT INTO later (x) VALUES ($1)";
  ASSERT_TRUE(conn_->Send("BEGIN", {}));
  auto sent = conn_->Send(sql, {int64_t{1}});
  Status st = sent ? conn_->Flush() : sent;
  ASSERT_FALSE(st);
  ASSERT_TRUE(conn_->Exec("ROLLBACK"));
  ASSERT_TRUE(conn_->Exec("CREATE TABLE later (x BIGINT)"));
  ASSERT_TRUE(conn_->Send(sql, {int64_t{1}}));  // prepared afresh, not the failed one
  ASSERT_TRUE(conn_->Flush());
  auto rows = conn_->Query("SELECT count(*) FROM later", {});
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->at(0).Int(0), 1);
}

// PostgreSQL only: the server ends the session in the middle of a transaction.
TEST_P(SqlConnectionTest, ALostConnectionIsNotReplacedInsideATransaction) {
  if (GetParam() != storage::Backend::kPostgres) GTEST_SKIP() << "a server-side session";
  auto other = Connect();
  auto kill = [&] {
    auto pid = conn_->Query("SELECT pg_backend_pid()", {});
    ASSERT_TRUE(pid);
    ASSERT_TRUE(other->Query("SELECT pg_terminate_backend($1::int, 10000)", {pid->at(0).Int(0)}));
  };
  ASSERT_TRUE(conn_->Send("BEGIN", {}));
  ASSERT_TRUE(conn_->Send(kInsert, {std::string("a"), int64_t{1}}));
  ASSERT_TRUE(conn_->Flush());
  kill();
  // Nothing of the transaction may run (or commit) on a new connection: each statement fails,
  // until the caller rolls back.
  for (int i = 0; i < 2; ++i) {
    auto q = conn_->Query(kInsert, {std::string("b"), int64_t{2}});
    ASSERT_FALSE(q);
    EXPECT_EQ(q.error().code, ErrorCode::kUnavailable);
  }
  Status sent = conn_->Send(kInsert, {std::string("c"), int64_t{3}});
  Status committed = sent ? conn_->CommitDeferringSync() : sent;
  ASSERT_FALSE(committed);
  EXPECT_EQ(committed.error().code, ErrorCode::kUnavailable);
  ASSERT_TRUE(conn_->Exec("ROLLBACK"));  // on a new connection
  EXPECT_EQ(Count(), 0);

  // Outside a transaction the connection is replaced: at most the statement that found it lost
  // fails.
  kill();
  (void)conn_->Query("SELECT 1", {});
  ASSERT_TRUE(conn_->Send("BEGIN", {}));
  ASSERT_TRUE(conn_->Send(kInsert, {std::string("d"), int64_t{4}}));
  ASSERT_TRUE(conn_->CommitDeferringSync());
  ASSERT_TRUE(conn_->SyncCommitted());
  EXPECT_EQ(Count(), 1);
}

// A deferred commit is durable once SyncCommitted returns: the server's WAL is flushed past it.
// (A sync transaction that writes no WAL of its own commits asynchronously and leaves the last
// partial WAL page unflushed, which this catches: the WAL writer flushes it only on its timer.)
TEST_P(SqlConnectionTest, SyncCommittedFlushesTheServersLogPastADeferredCommit) {
  if (GetParam() != storage::Backend::kPostgres) GTEST_SKIP() << "SQLite syncs its own file";
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(conn_->Send("BEGIN", {}));
    ASSERT_TRUE(conn_->Send(kInsert, {"k" + std::to_string(i), int64_t{i}}));
    ASSERT_TRUE(conn_->CommitDeferringSync());
    auto written = conn_->Query("SELECT pg_current_wal_insert_lsn()::text", {});
    ASSERT_TRUE(written) << ErrorText(written.error());
    ASSERT_TRUE(conn_->SyncCommitted());
    auto flushed = conn_->Query(
        "SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn, pg_current_wal_flush_lsn()::text",
        std::vector<storage::SqlValue>{written->at(0).Str(0)});
    ASSERT_TRUE(flushed) << ErrorText(flushed.error());
    EXPECT_EQ(flushed->at(0).Int(0), 1) << "round " << i << ": flushed to " << flushed->at(0).Str(1)
                                        << ", the commit ends before " << written->at(0).Str(0);
  }
  EXPECT_EQ(Count(), 20);
}

MOTCUA_ON_BOTH_BACKENDS(SqlConnectionTest);

}  // namespace
}  // namespace motcua
