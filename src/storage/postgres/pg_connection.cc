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
    if (PQstatus(conn_) != CONNECTION_OK) {
      PQreset(conn_);
      cache_.clear();
      if (PQstatus(conn_) != CONNECTION_OK) return Fail(ErrorCode::kUnavailable);
    }
    std::string key(sql);
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      std::string name = "s" + std::to_string(cache_.size());
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
    if (PQstatus(conn_) != CONNECTION_OK) {
      PQreset(conn_);
      cache_.clear();
      if (PQstatus(conn_) != CONNECTION_OK) return Fail(ErrorCode::kUnavailable);
    }
    return Execute(nullptr, sql, params);
  }

  Status Exec(std::string_view script) override {
    std::string s(script);
    PGresult* res = PQexec(conn_, s.c_str());
    ExecStatusType status = PQresultStatus(res);
    Status st;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) st = Failure(res, script);
    PQclear(res);
    return st;
  }

  Backend backend() const override { return Backend::kPostgres; }

  // The group commit's COMMIT does not wait for the server's WAL flush (synchronous_commit off
  // for this transaction only): SyncCommitted waits for it instead, on a connection of its own.
  bool DefersSync() const override { return true; }
  Status CommitDeferringSync() override {
    return Exec("SET LOCAL synchronous_commit TO OFF; COMMIT");
  }
  // Commits a transaction that has a transaction id (so a commit record) with the default
  // synchronous_commit: the server answers once its WAL is flushed up to that record, which comes
  // after the commit record of every transaction committed on any connection before this call.
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
                           "BEGIN; SELECT pg_current_xact_id(); "
                           "SET LOCAL synchronous_commit TO on; COMMIT");
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) LogError(std::string("postgres log sync failed: ") + PQerrorMessage(sync_conn_));
    PQclear(res);
    if (!ok)
      return Fail(ErrorCode::kUnavailable, "The database could not make the change durable.",
                  "Cơ sở dữ liệu không ghi bền vững được thay đổi.");
    return {};
  }

 private:
  // Runs the prepared statement `name`, or `sql` itself (planned now) when `name` is null.
  Result<SqlRows> Execute(const char* name, std::string_view sql,
                          std::span<const SqlValue> params) {
    std::vector<std::string> ints;
    ints.reserve(params.size());
    std::vector<const char*> values(params.size());
    std::vector<int> lengths(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      if (const auto* s = std::get_if<std::string>(&params[i])) {
        values[i] = s->c_str();
        lengths[i] = static_cast<int>(s->size());
      } else if (const auto* n = std::get_if<int64_t>(&params[i])) {
        ints.push_back(std::to_string(*n));
        values[i] = ints.back().c_str();
        lengths[i] = static_cast<int>(ints.back().size());
      } else {
        values[i] = nullptr;
      }
    }
    std::string text = name ? std::string() : std::string(sql);
    PGresult* res = name ? PQexecPrepared(conn_, name, static_cast<int>(params.size()),
                                          values.data(), lengths.data(), nullptr, 0)
                         : PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()),
                                        nullptr, values.data(), lengths.data(), nullptr, 0);
    ExecStatusType status = PQresultStatus(res);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      auto failure = Failure(res, sql);
      PQclear(res);
      return tl::unexpected(failure.error());
    }
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
    PQclear(res);
    return rows;
  }

  Status Failure(PGresult* res, std::string_view sql) {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string sqlstate = state ? state : "";
    if (sqlstate == "23505") return Fail(ErrorCode::kConflict);
    if (sqlstate == "23503") return Fail(ErrorCode::kInvalidField);
    if (PQstatus(conn_) != CONNECTION_OK || sqlstate.rfind("08", 0) == 0) {
      return Fail(ErrorCode::kUnavailable);
    }
    LogError("postgres failed (" + sqlstate + "): " + PQerrorMessage(conn_) +
             " in: " + std::string(sql.substr(0, 200)));
    return Fail(ErrorCode::kInternal);
  }

  PGconn* conn_;
  std::string url_;  // for the sync connection
  std::unordered_map<std::string, std::string> cache_;
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
    return Fail(ErrorCode::kUnavailable, "Cannot connect to PostgreSQL: " + msg,
                "Không kết nối được PostgreSQL: " + msg);
  }
  PGresult* res = PQexec(conn, "SET client_min_messages=warning; SET TIME ZONE 'UTC'");
  PQclear(res);
  return std::unique_ptr<SqlConnection>(std::make_unique<PgConnection>(conn, url));
}

}  // namespace motcua::storage
