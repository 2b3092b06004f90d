// The group commit's batching of deferred rows: what the write jobs of one batch append and
// nothing in the batch reads back (new dossiers, audit entries, messages, file references,
// complaints, idempotency keys) is queued here and written by one flush just before COMMIT, in
// a few multi-row statements (Database::BatchHooks). The audit entries are chained from the
// head, read once per batch (FOR UPDATE on PostgreSQL, so nodes sharing a database chain in
// turn) and written back once. See docs/architecture.md, "The write path".
//
// Every Defer* method and the cursor are for the writer thread only: call them from inside a
// Database write job.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/ports/dossier_store.h"
#include "storage/database.h"

namespace motcua::storage {

// The head of the audit chain as the writer thread sees it during one group commit.
struct AuditCursor {
  bool loaded = false;
  bool dirty = false;  // moved since it was loaded: written back before COMMIT
  int64_t seq = 0;
  std::string hash;
};

class WriteBatch {
 public:
  // Installs the batch hooks on `db`, which must outlive this object. Call before any write.
  explicit WriteBatch(Database& db);
  WriteBatch(const WriteBatch&) = delete;
  WriteBatch& operator=(const WriteBatch&) = delete;

  // Queues the creation of a dossier (see DossierStore::CreateDossier): the flush answers a
  // retried idempotency key, assigns the code, inserts the row from `params` (its $1, the code,
  // filled in there) and fills `*result`. `nd`, `params` and `result` must live until the
  // batch is over.
  void DeferCreate(const NewDossier& nd, std::vector<SqlValue>& params,
                   Result<CreatedDossier>& result);
  // Names the dossier's files in dossier_files. `created`: the dossier is created in this batch
  // (its repeats are dropped here instead of by ON CONFLICT).
  void DeferAttachFiles(const Dossier& d, bool created);
  // Queues the audit entry (chained at the flush), messages and complaint of a dossier change.
  void DeferWrite(const std::string& code, const DossierWrite& w);
  // Queues one audit entry (its subject in dossier_code), chained at the flush.
  void DeferAudit(AuditEntry e);
  // Loads the cursor from audit_head if this batch has not yet (FOR UPDATE on PostgreSQL).
  Status LoadCursor(SqlConnection& c);
  // The batch's audit cursor (a bulk history import moves it itself).
  AuditCursor& cursor() { return cursor_; }

 private:
  // A dossier to create at the flush (see DeferCreate).
  struct PendingCreate {
    const NewDossier* request;
    std::vector<SqlValue>* params;  // the new row's values; $1 (the code) filled in by the flush
    Result<CreatedDossier>* result;
  };
  Status Flush(SqlConnection& c);
  Status FlushCreates(SqlConnection& c);
  void Reset();

  std::vector<PendingCreate> creates_;  // written first: the rows below may name their codes
  std::vector<AuditEntry> audit_;       // chained when flushed
  std::vector<SqlValue> files_;         // dossier_files, 6 values per row
  std::vector<SqlValue> new_files_;     // the same, of dossiers this batch creates
  std::vector<SqlValue> outbox_;        // 10 values per row
  std::vector<SqlValue> complaints_;    // 4 values per row
  std::vector<SqlValue> keys_;          // idempotency_keys, 4 values per row
  AuditCursor cursor_;
};

// Inserts `values` (rows of `columns` values, flat) with few statements of few distinct texts
// (each prepared once per connection): statements of up to 256 rows (fewer when the parameters
// would pass SQLite's 32766 or PostgreSQL's 65535), then of 2^k rows down to 64, then the rest
// (a typical group commit) in one statement of its exact size: one round trip per table and
// batch, and at most about 70 texts per table. `head` is "INSERT INTO t (a, b, ...)", `tail`
// what follows the VALUES list; rows RETURNING gives go to `returned` (else the statements are
// sent without waiting: SqlConnection::Send).
Status InsertRows(SqlConnection& c, std::string_view head, size_t columns, std::string_view tail,
                  const std::vector<SqlValue>& values, SqlRows* returned = nullptr);

// The audit_events columns, in the order the INSERT of InsertAudit takes them.
inline constexpr std::string_view kAuditInsert =
    "INSERT INTO audit_events (seq, dossier_code, at, actor_user_id, actor_role, actor_unit, "
    "action, state_before, state_after, note, prev_hash, hash)";
inline constexpr size_t kAuditColumns = 12;

// Reads an audit_events row selected as seq, dossier_code, at, ... hash.
AuditEntry ReadAudit(const SqlRow& r);

}  // namespace motcua::storage
