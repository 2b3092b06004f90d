// The small SQL surface both backends implement. Statements are written once, with $1..$N
// placeholders; the SQLite driver rewrites them to ?1..?N. Every statement with parameters is
// prepared once per connection and cached.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/error.h"

namespace motcua::storage {

// NULL, a 64-bit integer or text (bytes).
using SqlValue = std::variant<std::monostate, int64_t, std::string>;

// One result row. Accessors tolerate type mismatches (text "42" reads as 42, NULL as 0 or "").
struct SqlRow {
  std::vector<SqlValue> cols;
  bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(cols.at(i)); }
  int64_t Int(size_t i) const;
  std::string Str(size_t i) const;
};
using SqlRows = std::vector<SqlRow>;

enum class Backend { kSqlite, kPostgres };

// What a driver's SyncCommitted returns when the log could not be made durable.
inline tl::unexpected<Error> NotDurable() {
  return Failure(ErrorCode::kUnavailable, "The database could not make the change durable.");
}

// One database connection. Not thread-safe: one thread at a time (the pool guarantees it).
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  // Runs one statement with parameters and returns its rows. A unique-key violation fails with
  // kConflict, a lost connection with kUnavailable, anything else with kInternal (logged).
  virtual Result<SqlRows> Query(std::string_view sql, std::span<const SqlValue> params) = 0;
  Result<SqlRows> Query(std::string_view sql, std::initializer_list<SqlValue> params) {
    return Query(sql, std::span<const SqlValue>(params.begin(), params.size()));
  }
  // Like Query, but planned for these parameters each time instead of prepared once: for a
  // look-up whose table starts empty, where PostgreSQL's cached generic plan (made while the
  // table was tiny) would stay a sequential scan. The same as Query on SQLite.
  virtual Result<SqlRows> QueryPlanned(std::string_view sql, std::span<const SqlValue> params) {
    return Query(sql, params);
  }
  // Runs a statement whose rows nobody reads (an INSERT, an UPDATE, BEGIN), possibly later: the
  // PostgreSQL driver sends it in pipeline mode without waiting, and the next Query,
  // QueryPlanned, Exec, Flush or commit waits for it too, in the same round trip, failing with
  // the first failure of anything sent (a transaction is then aborted: roll it back). Other
  // drivers run it now.
  virtual Status Send(std::string_view sql, std::span<const SqlValue> params) {
    auto rows = Query(sql, params);
    MOTCUA_RETURN_IF_ERROR(rows);
    return {};
  }
  Status Send(std::string_view sql, std::initializer_list<SqlValue> params) {
    return Send(sql, std::span<const SqlValue>(params.begin(), params.size()));
  }
  // Waits for every statement sent; the first failure among them.
  virtual Status Flush() { return {}; }
  // Runs a script of statements without parameters (migrations, BEGIN, COMMIT).
  virtual Status Exec(std::string_view script) = 0;
  virtual Backend backend() const = 0;

  // Group commit with the log sync off the committing thread. CommitDeferringSync commits the
  // open transaction; if DefersSync() it may return before the commit is on disk (other
  // connections may already read it), and it becomes durable, with every commit before it, when
  // a later SyncCommitted() returns OK. SyncCommitted is the one method that may be called from
  // another thread while this connection is in use. By default a commit is durable when it
  // returns and SyncCommitted has nothing to do.
  virtual bool DefersSync() const { return false; }
  virtual Status CommitDeferringSync() { return Exec("COMMIT"); }
  virtual Status SyncCommitted() { return {}; }
};

}  // namespace motcua::storage
