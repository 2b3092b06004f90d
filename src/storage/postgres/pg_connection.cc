#include "storage/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/log.h"

namespace motcua::storage {
namespace {

constexpr Oid kBoolOid = 16, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23;

class PgConnection final : public SqlConnection {
 public:
  PgConnection(PGconn* conn, std::string url) : conn_(conn), url_(std::move(url)) {}
  ~PgConnection() override {
    if (sync_conn_ != nullptr) PQfinish(sync_conn_);
    PQfinish(conn_);
  }

  Result<SqlRows> Query(std::string_view sql, std::span<const SqlValue> params) override {
    if (pipelined_) {
      MOTCUA_RETURN_IF_ERROR(Send(sql, params));
      return Drain();
    }
    if (!Connected(sql)) return Fail(ErrorCode::kUnavailable);
    std::string key(sql);
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      std::string name = "s" + std::to_string(next_name_++);
      PGresult* res = PQprepare(conn_, name.c_str(), key.c_str(), 0, nullptr);
      bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
      auto failure = ok ? Status{} : Failure(res, sql);
      PQclear(res);
      if (!ok) return tl::unexpected(failure.error());
      it = cache_.emplace(std::move(key), std::move(name)).first;
    }
    return Execute(it->second.c_str(), sql, params);
  }

  Result<SqlRows> QueryPlanned(std::string_view sql, std::span<const SqlValue> params) override {
    if (pipelined_) {
      MOTCUA_RETURN_IF_ERROR(SendUnnamed(sql, params));
      return Drain();
    }
    if (!Connected(sql)) return Fail(ErrorCode::kUnavailable);
    return Execute(nullptr, sql, params);
  }

  // Pipeline mode: each statement goes out at once (prepared, in the same pipeline, the first
  // time), and Drain reads every outcome after one sync: one round trip for all of them.
  Status Send(std::string_view sql, std::span<const SqlValue> params) override {
    if (params.empty()) return SendUnnamed(sql, params);  // BEGIN, COMMIT, SET LOCAL ...
    if (auto st = EnterPipeline(sql); !st) return st;
    std::string key(sql);
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      std::string name = "s" + std::to_string(next_name_++);
      if (PQsendPrepare(conn_, name.c_str(), key.c_str(), 0, nullptr) != 1) return Broken(sql);
      sent_.push_back(Sent{key, true});
      it = cache_.emplace(std::move(key), std::move(name)).first;
    }
    Params p(params);
    if (PQsendQueryPrepared(conn_, it->second.c_str(), p.count(), p.values(), p.lengths(), nullptr,
                            0) != 1) {
      return Broken(sql);
    }
    sent_.push_back(Sent{std::string(sql), false});
    return {};
  }

  Status Flush() override {
    if (!pipelined_) return {};
    auto rows = Drain();
    MOTCUA_RETURN_IF_ERROR(rows);
    return {};
  }

  // A script cannot be pipelined: it waits for what was sent, then runs (even after a failure of
  // theirs, so that a ROLLBACK still rolls back) and reports their failure first.
  Status Exec(std::string_view script) override {
    Status sent = Flush();
    if (!Connected(script)) return Fail(ErrorCode::kUnavailable);
    std::string s(script);
    PGresult* res = PQexec(conn_, s.c_str());
    Settle();
    ExecStatusType status = PQresultStatus(res);
    Status st;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) st = Failure(res, script);
    PQclear(res);
    return sent ? st : sent;
  }

  Backend backend() const override { return Backend::kPostgres; }

  // The group commit's COMMIT does not wait for the server's WAL flush (synchronous_commit off
  // for this transaction only): SyncCommitted waits for it instead, on a connection of its own.
  bool DefersSync() const override { return true; }
  Status CommitDeferringSync() override {
    if (!pipelined_) return Exec("SET LOCAL synchronous_commit TO OFF; COMMIT");
    if (auto st = SendUnnamed("SET LOCAL synchronous_commit TO OFF", {}); !st) return st;
    if (auto st = SendUnnamed("COMMIT", {}); !st) return st;
    return Flush();
  }
  // Commits a transaction that writes WAL of its own (a transactional logical message, which
  // any role may emit at any wal_level, and which also gives it a transaction id) with
  // synchronous_commit on: the server answers once its WAL is flushed up to that commit record,
  // which comes after the commit record of every transaction committed on any connection before
  // this call. (A transaction with an id but no WAL of its own, such as one that only calls
  // pg_current_xact_id(), commits asynchronously whatever synchronous_commit says, and the last
  // partial WAL page then waits for the WAL writer's timer: tests/unit/sql_connection_test.cc.)
  Status SyncCommitted() override {
    std::lock_guard lock(sync_mu_);
    if (sync_conn_ == nullptr || PQstatus(sync_conn_) != CONNECTION_OK) {
      if (sync_conn_ != nullptr) PQfinish(sync_conn_);
      sync_conn_ = PQconnectdb(url_.c_str());
      if (PQstatus(sync_conn_) != CONNECTION_OK) {
        LogError(std::string("postgres sync connection failed: ") + PQerrorMessage(sync_conn_));
        return Fail(ErrorCode::kUnavailable);
      }
    }
    PGresult* res = PQexec(sync_conn_,
                           "BEGIN; SET LOCAL synchronous_commit TO on; "
                           "SELECT pg_logical_emit_message(true, 'motcua.sync', ''); COMMIT");
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) LogError(std::string("postgres log sync failed: ") + PQerrorMessage(sync_conn_));
    PQclear(res);
    if (!ok) {
      // A failure inside the BEGIN leaves the session's transaction aborted: end it, or every
      // later sync on this connection would fail too.
      PQclear(PQexec(sync_conn_, "ROLLBACK"));
      return NotDurable();
    }
    return {};
  }

 private:
  // Parameters in libpq's text format (integers printed), valid while this lives.
  class Params {
   public:
    explicit Params(std::span<const SqlValue> params)
        : values_(params.size()), lengths_(params.size()) {
      ints_.reserve(params.size());
      for (size_t i = 0; i < params.size(); ++i) {
        if (const auto* s = std::get_if<std::string>(&params[i])) {
          values_[i] = s->c_str();
          lengths_[i] = static_cast<int>(s->size());
        } else if (const auto* n = std::get_if<int64_t>(&params[i])) {
          ints_.push_back(std::to_string(*n));
          values_[i] = ints_.back().c_str();
          lengths_[i] = static_cast<int>(ints_.back().size());
        } else {
          values_[i] = nullptr;
        }
      }
    }
    int count() const { return static_cast<int>(values_.size()); }
    const char* const* values() const { return values_.data(); }
    const int* lengths() const { return lengths_.data(); }

   private:
    std::vector<std::string> ints_;  // reserved up front: the pointers into it stay valid
    std::vector<const char*> values_;
    std::vector<int> lengths_;
  };

  // A statement sent in pipeline mode and not yet answered: its text (for the error log, and
  // to forget a failed preparation).
  struct Sent {
    std::string sql;
    bool prepare;
  };

  // Whether `sql` may run: a lost connection is re-established (its prepared statements are
  // gone), but not inside a transaction, which went with it: until the caller's ROLLBACK, every
  // statement fails, so that nothing of the transaction can run, or commit, on a new connection.
  bool Connected(std::string_view sql) {
    if (sql == "ROLLBACK") in_tx_ = false;
    if (lost_ || PQstatus(conn_) != CONNECTION_OK) {
      if (in_tx_) return false;
      PQreset(conn_);
      cache_.clear();
      lost_ = false;
      if (PQstatus(conn_) != CONNECTION_OK) return false;
    }
    if (sql.substr(0, 5) == "BEGIN") in_tx_ = true;
    return true;
  }
  // After a statement completed: out of any transaction once the server says so.
  void Settle() {
    if (!lost_ && PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE)
      in_tx_ = false;
  }

  Status EnterPipeline(std::string_view sql) {
    if (pipelined_) {
      if (sql.substr(0, 5) == "BEGIN") in_tx_ = true;
      return {};
    }
    if (!Connected(sql)) return Fail(ErrorCode::kUnavailable);
    if (PQenterPipelineMode(conn_) != 1) return Broken("(enter pipeline mode)");
    pipelined_ = true;
    return {};
  }

  // Sends `sql` planned for these parameters, not prepared (control statements, QueryPlanned).
  Status SendUnnamed(std::string_view sql, std::span<const SqlValue> params) {
    if (auto st = EnterPipeline(sql); !st) return st;
    std::string text(sql);
    Params p(params);
    if (PQsendQueryParams(conn_, text.c_str(), p.count(), nullptr, p.values(), p.lengths(), nullptr,
                          0) != 1) {
      return Broken(sql);
    }
    sent_.push_back(Sent{std::move(text), false});
    return {};
  }

  // Ends the pipeline: a sync, then the outcome of everything sent, in order. Returns the first
  // failure, else the rows of the last statement.
  Result<SqlRows> Drain() {
    Status first;
    SqlRows last;
    bool synced = PQpipelineSync(conn_) == 1;
    size_t at = 0;  // the statement whose results come next; a null result ends each
    bool broken = !synced;
    for (size_t nulls = 0; synced;) {
      PGresult* res = PQgetResult(conn_);
      if (res == nullptr) {
        ++at;
        // After each statement's results; more in a row than statements means a lost server.
        if (++nulls > sent_.size() + 1 || PQstatus(conn_) != CONNECTION_OK) {
          broken = true;
          break;
        }
        continue;
      }
      nulls = 0;
      ExecStatusType status = PQresultStatus(res);
      if (status == PGRES_PIPELINE_SYNC) {
        PQclear(res);
        break;
      }
      const Sent* sent = at < sent_.size() ? &sent_[at] : nullptr;
      if (status == PGRES_FATAL_ERROR || status == PGRES_PIPELINE_ABORTED) {
        if (sent != nullptr && sent->prepare) cache_.erase(sent->sql);
        if (status == PGRES_FATAL_ERROR && first) {
          first = Failure(res, sent != nullptr ? std::string_view(sent->sql) : "(pipeline)");
        }
      } else if (sent != nullptr && !sent->prepare && at + 1 == sent_.size()) {
        last = ReadRows(res);
      }
      PQclear(res);
    }
    sent_.clear();
    pipelined_ = false;
    if (broken || PQexitPipelineMode(conn_) != 1) {
      // The connection is in no state to go on: replaced at the next chance (Connected).
      LogError(std::string("postgres pipeline failed: ") + PQerrorMessage(conn_));
      lost_ = true;
      return Fail(ErrorCode::kUnavailable);
    }
    Settle();
    MOTCUA_RETURN_IF_ERROR(first);
    return last;
  }

  Status Broken(std::string_view sql) {
    LogError("postgres could not send (" + std::string(PQerrorMessage(conn_)) +
             "): " + std::string(sql.substr(0, 200)));
    if (pipelined_) (void)Drain();
    return Fail(ErrorCode::kUnavailable);
  }

  // Runs the prepared statement `name`, or `sql` itself (planned now) when `name` is null.
  Result<SqlRows> Execute(const char* name, std::string_view sql,
                          std::span<const SqlValue> params) {
    Params p(params);
    std::string text = name ? std::string() : std::string(sql);
    PGresult* res =
        name ? PQexecPrepared(conn_, name, p.count(), p.values(), p.lengths(), nullptr, 0)
             : PQexecParams(conn_, text.c_str(), p.count(), nullptr, p.values(), p.lengths(),
                            nullptr, 0);
    Settle();
    ExecStatusType status = PQresultStatus(res);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      auto failure = Failure(res, sql);
      PQclear(res);
      return tl::unexpected(failure.error());
    }
    SqlRows rows = ReadRows(res);
    PQclear(res);
    return rows;
  }

  static SqlRows ReadRows(const PGresult* res) {
    SqlRows rows;
    int nrows = PQntuples(res), ncols = PQnfields(res);
    rows.reserve(static_cast<size_t>(nrows));
    for (int r = 0; r < nrows; ++r) {
      SqlRow row;
      row.cols.reserve(static_cast<size_t>(ncols));
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(res, r, c)) {
          row.cols.emplace_back(std::monostate{});
          continue;
        }
        const char* v = PQgetvalue(res, r, c);
        Oid type = PQftype(res, c);
        if (type == kInt8Oid || type == kInt4Oid || type == kInt2Oid) {
          row.cols.emplace_back(int64_t{std::strtoll(v, nullptr, 10)});
        } else if (type == kBoolOid) {
          row.cols.emplace_back(int64_t{v[0] == 't' ? 1 : 0});
        } else {
          row.cols.emplace_back(std::string(v, static_cast<size_t>(PQgetlength(res, r, c))));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Status Failure(PGresult* res, std::string_view sql) {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string sqlstate = state ? state : "";
    std::string context = "postgres (" + sqlstate + "): " + PQerrorMessage(conn_);
    if (sqlstate == "23505") return motcua::Failure(ErrorCode::kConflict, context);
    if (sqlstate == "23503") return motcua::Failure(ErrorCode::kInvalidField, context);
    if (PQstatus(conn_) != CONNECTION_OK || sqlstate.rfind("08", 0) == 0) {
      return motcua::Failure(ErrorCode::kUnavailable, context);
    }
    LogError("postgres failed (" + sqlstate + "): " + PQerrorMessage(conn_) +
             " in: " + std::string(sql.substr(0, 200)));
    return Fail(ErrorCode::kInternal);
  }

  PGconn* conn_;
  std::string url_;  // for the sync connection
  std::unordered_map<std::string, std::string> cache_;
  // Names of prepared statements, never reused (a failed preparation leaves the cache).
  uint64_t next_name_ = 0;
  bool pipelined_ = false;  // in pipeline mode, with sent_ not yet answered
  std::vector<Sent> sent_;
  bool in_tx_ = false;  // from a BEGIN until the server is idle again or a ROLLBACK
  bool lost_ = false;   // a pipeline went wrong: the connection must be replaced
  std::mutex sync_mu_;
  PGconn* sync_conn_ = nullptr;  // SyncCommitted's own, opened on first use
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenPostgres(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = conn ? PQerrorMessage(conn) : "out of memory";
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    PQfinish(conn);
    return Failure(ErrorCode::kUnavailable, "Cannot connect to PostgreSQL: " + msg);
  }
  PGresult* res = PQexec(conn, "SET client_min_messages=warning; SET TIME ZONE 'UTC'");
  PQclear(res);
  return std::unique_ptr<SqlConnection>(std::make_unique<PgConnection>(conn, url));
}

}  // namespace motcua::storage
