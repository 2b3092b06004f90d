// The Store over SQL, written once for both backends (same statements, $N placeholders).
#include <algorithm>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "common/crypto.h"
#include "storage/dossier_rows.h"
#include "storage/migrations.h"
#include "storage/open_store.h"
#include "storage/postgres/pg_connection.h"
#include "storage/sqlite/sqlite_connection.h"

namespace motcua::storage {
namespace {

int64_t Micros(Instant t) { return t.time_since_epoch().count(); }
Instant FromMicros(int64_t us) { return Instant(std::chrono::microseconds(us)); }

UnitCategory ParseCategory(std::string_view s) {
  if (s == "agency") return UnitCategory::kAgency;
  if (s == "agency_template") return UnitCategory::kAgencyTemplate;
  return UnitCategory::kAdministrative;
}

constexpr std::string_view kUserColumns =
    "u.id, u.username, u.password_hash, u.role, COALESCE(u.unit_code, ''), u.full_name, "
    "u.failed_logins, u.locked_until, u.disabled, u.created_at";

UserRecord ReadUser(const SqlRow& r, size_t base) {
  UserRecord u;
  u.id = r.Int(base);
  u.username = r.Str(base + 1);
  u.password_hash = r.Str(base + 2);
  u.role = ParseRole(r.Str(base + 3)).value_or(Role::kCitizen);
  u.unit_code = r.Str(base + 4);
  u.full_name = r.Str(base + 5);
  u.failed_logins = r.Int(base + 6);
  u.locked_until = FromMicros(r.Int(base + 7));
  u.disabled = r.Int(base + 8) != 0;
  u.created_at = FromMicros(r.Int(base + 9));
  return u;
}

ProcedureRecord ReadProcedure(const SqlRow& r) {
  return ProcedureRecord{r.Str(0),     r.Int(1), r.Str(2), r.Str(3), FromMicros(r.Int(4)),
                         r.Int(5) != 0};
}

// Runs `fn` and moves its value out, so callers can write `return Value(db.Read, ...)`.
template <typename T, typename Fn>
Result<T> Collect(Database& db, bool write, Fn fn) {
  T out{};
  auto job = [&](SqlConnection& c) -> Status {
    auto r = fn(c);
    if (!r) return tl::unexpected(r.error());
    out = std::move(*r);
    return {};
  };
  Status st = write ? db.Write(job) : db.Read(job);
  if (!st) return tl::unexpected(st.error());
  return out;
}

Status Discard(const Result<SqlRows>& r) {
  if (!r) return tl::unexpected(r.error());
  return {};
}

// The head of the audit chain as the writer thread sees it during one group commit: read once
// per batch (locked FOR UPDATE on PostgreSQL, so nodes sharing a database chain in turn), moved
// by each appended entry, written back once before COMMIT (Database::BatchHooks). Writer
// thread only.
struct AuditCursor {
  bool loaded = false;
  bool dirty = false;
  int64_t seq = 0;
  std::string hash;
};

// A dossier to create at the flush: CreateDossierTx only queues it, so that the creations of a
// batch share one idempotency look-up, one sequence upsert and one multi-row INSERT (one round
// trip each on PostgreSQL instead of three per dossier). `result` is filled by the flush.
struct PendingCreate {
  const NewDossier* request;
  std::vector<SqlValue>* params;  // DossierParams of the new row; $1 (the code) filled in
  Result<CreatedDossier>* result;
};

// Rows the write jobs of one batch append and nothing in the batch reads back (audit entries,
// messages, file references, complaints, idempotency keys). They are written all at once by
// FlushPending, in a few multi-row statements, just before COMMIT (or after each job when the
// batch is re-run job by job; see Database). Writer thread only.
struct PendingRows {
  std::vector<PendingCreate> creates;  // written first: the rows below may name their codes
  std::vector<AuditEntry> audit;       // chained when flushed
  std::vector<SqlValue> files;         // dossier_files, 6 values per row
  std::vector<SqlValue> new_files;     // the same, of dossiers this batch creates: no conflicts
  std::vector<SqlValue> outbox;        // 10 values per row
  std::vector<SqlValue> complaints;
  std::vector<SqlValue> keys;  // idempotency_keys
  void Clear() {
    creates.clear();
    audit.clear();
    files.clear();
    new_files.clear();
    outbox.clear();
    complaints.clear();
    keys.clear();
  }
};

// Defers the audit entry, messages and complaint of a dossier change.
void AppendWrite(PendingRows& pending, const std::string& code, const DossierWrite& w) {
  AuditEntry e = w.event;
  e.dossier_code = code;
  pending.audit.push_back(std::move(e));
  if (!w.complaint.empty()) {
    pending.complaints.insert(pending.complaints.end(),
                              {code, w.complaint, std::string("open"), Micros(w.event.at)});
  }
  for (const OutboxMessage& m : w.outbox) {
    pending.outbox.insert(
        pending.outbox.end(),
        {code, m.channel, m.recipient, m.subject, m.body, std::string("pending"), int64_t{0},
         Micros(m.next_attempt_at), std::string(), Micros(m.created_at)});
  }
}

// Writes the cursor back to audit_head.
Status SaveAuditCursor(SqlConnection& c, AuditCursor& cursor) {
  if (!cursor.dirty) return {};
  auto r =
      c.Send("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1", {cursor.seq, cursor.hash});
  if (!r) return r;
  cursor.dirty = false;
  return {};
}

Status InsertRows(SqlConnection& c, std::string_view head, size_t columns, std::string_view tail,
                  const std::vector<SqlValue>& values, SqlRows* returned = nullptr);
Status FlushCreates(SqlConnection& c, PendingRows& pending);

// Writes what the batch's jobs deferred, chaining the audit entries from the head (read once per
// batch, FOR UPDATE on PostgreSQL), and saves the head. On failure the cursor is as before.
Status FlushPending(SqlConnection& c, AuditCursor& cursor, PendingRows& pending) {
  AuditCursor before = cursor;
  auto fail = [&](const Error& e) -> Status {
    cursor = std::move(before);
    return tl::unexpected(e);
  };
  if (auto st = FlushCreates(c, pending); !st) return fail(st.error());
  constexpr std::string_view kFilesInsert =
      "INSERT INTO dossier_files (dossier_code, sha256, kind, component_id, applicant_id_number, "
      "created_at)";
  // New dossiers' rows with a plain INSERT: PostgreSQL's ON CONFLICT probes each index first.
  for (auto [rows, tail] :
       {std::pair{&pending.files, " ON CONFLICT DO NOTHING"}, std::pair{&pending.new_files, ""}}) {
    if (auto st = InsertRows(c, kFilesInsert, 6, tail, *rows); !st) return fail(st.error());
  }
  if (auto st = InsertRows(c,
                           "INSERT INTO outbox (dossier_code, channel, recipient, subject, body, "
                           "status, attempts, next_attempt_at, last_error, created_at)",
                           10, "", pending.outbox);
      !st) {
    return fail(st.error());
  }
  if (auto st = InsertRows(c, "INSERT INTO complaints (dossier_code, text, status, created_at)", 4,
                           "", pending.complaints);
      !st) {
    return fail(st.error());
  }
  if (auto st = InsertRows(
          c, "INSERT INTO idempotency_keys (key, request_sha256, dossier_code, created_at)", 4, "",
          pending.keys);
      !st) {
    return fail(st.error());
  }
  if (!pending.audit.empty()) {
    if (!cursor.loaded) {
      auto head = c.Query(c.backend() == Backend::kPostgres
                              ? "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE"
                              : "SELECT seq, hash FROM audit_head WHERE id = 1",
                          {});
      if (!head) return fail(head.error());
      cursor.seq = head->at(0).Int(0);
      cursor.hash = head->at(0).Str(1);
      cursor.loaded = true;
    }
    std::vector<SqlValue> rows;
    rows.reserve(pending.audit.size() * 12);
    for (AuditEntry& e : pending.audit) {
      e.seq = cursor.seq + 1;
      e.prev_hash = cursor.hash;
      e.hash = AuditHash(e, e.prev_hash);
      cursor.seq = e.seq;
      cursor.hash = e.hash;
      rows.insert(rows.end(),
                  {e.seq, e.dossier_code, Micros(e.at), e.actor_user_id, e.actor_role, e.actor_unit,
                   e.action, e.state_before, e.state_after, e.note, e.prev_hash, e.hash});
    }
    cursor.dirty = true;
    if (auto st = InsertRows(c,
                             "INSERT INTO audit_events (seq, dossier_code, at, actor_user_id, "
                             "actor_role, actor_unit, action, state_before, state_after, note, "
                             "prev_hash, hash)",
                             12, "", rows);
        !st) {
      return fail(st.error());
    }
  }
  if (auto st = SaveAuditCursor(c, cursor); !st) return fail(st.error());
  pending.Clear();
  return {};
}

constexpr std::string_view kApplicantDocumentSelect =
    "SELECT d.sha256, d.kind, d.component_id, d.dossier_code, f.media_type, f.size, d.created_at "
    "FROM dossier_files d JOIN files f ON f.sha256 = d.sha256";

ApplicantDocument ReadApplicantDocument(const SqlRow& r) {
  return {r.Str(0), r.Str(1), r.Str(2), r.Str(3), r.Str(4), r.Int(5), FromMicros(r.Int(6))};
}

// Names the dossier's files in dossier_files (the applicant's store; who may download what),
// deferred to the batch's flush. Files named before stay named: a supplement may replace a
// component, but what was filed remains part of the record. A dossier `created` in this batch
// has no rows yet: its own repeats are dropped here instead of by ON CONFLICT.
void AttachFiles(PendingRows& pending, const Dossier& d, bool created) {
  std::vector<SqlValue>& rows = created ? pending.new_files : pending.files;
  size_t first = rows.size();
  auto attach = [&](const std::string& sha, const char* kind, const std::string& component,
                    Instant at) {
    for (size_t r = first; r < rows.size(); r += 6) {
      if (std::get<std::string>(rows[r + 1]) == sha && std::get<std::string>(rows[r + 2]) == kind &&
          std::get<std::string>(rows[r + 3]) == component) {
        return;
      }
    }
    rows.insert(rows.end(),
                {d.code, sha, std::string(kind), component, d.applicant.id_number, Micros(at)});
  };
  for (const DossierComponent& comp : d.components) {
    if (!comp.file_sha256.empty()) {
      attach(comp.file_sha256, "component", comp.component_id, d.submitted_at);
    }
  }
  if (!d.result_sha256.empty()) {
    attach(d.result_sha256, "result", "", d.finished_at.value_or(d.submitted_at));
  }
}

constexpr std::string_view kOutboxColumns =
    "id, dossier_code, channel, recipient, subject, body, status, attempts, next_attempt_at, "
    "last_error, created_at, sent_at, provider_ref";

OutboxMessage ReadOutbox(const SqlRow& r) {
  return {r.Int(0),
          r.Str(1),
          r.Str(2),
          r.Str(3),
          r.Str(4),
          r.Str(5),
          r.Str(6),
          r.Int(7),
          FromMicros(r.Int(8)),
          r.Str(9),
          FromMicros(r.Int(10)),
          FromMicros(r.Int(11)),
          r.Str(12)};
}

// The SELECT of `columns` for a dossier query on `backend`, its parameters appended to `params`.
// A search by name selects the page's codes first, from the queue index alone when the other
// filters allow it (the index carries the folded name: migration 9), and then their rows. The
// name is found with the backend's substring function, cheaper per row than LIKE '%...%'.
std::string DossierQuerySql(Backend backend, const DossierQuery& q, std::string_view columns,
                            std::vector<SqlValue>& params) {
  const bool codes_first = !q.name_folded.empty();
  std::string sql =
      "SELECT " + std::string(codes_first ? "code" : columns) + " FROM dossiers WHERE 1 = 1";
  auto add = [&](std::string cond, SqlValue v) {
    params.push_back(std::move(v));
    size_t pos;
    while ((pos = cond.find('?')) != std::string::npos) {
      cond.replace(pos, 1, "$" + std::to_string(params.size()));
    }
    sql += " AND " + cond;
  };
  if (!q.units.empty()) {
    std::string list;
    for (const auto& u : q.units) {
      params.push_back(u);
      list += (list.empty() ? "$" : ", $") + std::to_string(params.size());
    }
    sql += " AND current_unit IN (" + list + ")";
  }
  if (!q.applicant_id_number.empty()) add("applicant_id_number = ?", q.applicant_id_number);
  if (q.unfinished_only) sql += " AND finished_at IS NULL";
  if (q.state) add("state = ?", std::string(StateName(*q.state)));
  if (!q.procedure_id.empty()) add("procedure_id = ?", q.procedure_id);
  if (q.channel) add("channel = ?", int64_t{static_cast<int>(*q.channel)});
  if (q.due_before) add("due_sort < ?", Micros(*q.due_before));
  if (!q.code.empty()) add("code = ?", q.code);
  if (!q.name_folded.empty()) {
    add(backend == Backend::kPostgres ? "strpos(applicant_name_folded, ?) > 0"
                                      : "instr(applicant_name_folded, ?) > 0",
        q.name_folded);
  }
  if (!q.receiving_unit.empty()) add("receiving_unit = ?", q.receiving_unit);
  if (q.received_from) add("received_at >= ?", Micros(*q.received_from));
  if (q.received_before) add("received_at < ?", Micros(*q.received_before));
  if (q.after_due) {
    params.push_back(*q.after_due);
    params.push_back(q.after_code);
    size_t n = params.size();
    sql += " AND (due_sort > $" + std::to_string(n - 1) + " OR (due_sort = $" +
           std::to_string(n - 1) + " AND code > $" + std::to_string(n) + "))";
  }
  params.push_back(static_cast<int64_t>(q.limit));
  sql += " ORDER BY due_sort, code LIMIT $" + std::to_string(params.size());
  if (codes_first) {
    sql = "SELECT " + std::string(columns) + " FROM dossiers WHERE code IN (" + sql +
          ") ORDER BY due_sort, code";
  }
  return sql;
}

std::string SelectDossier() { return "SELECT " + std::string(kDossierColumns) + " FROM dossiers"; }

AuditEntry ReadAudit(const SqlRow& r) {
  AuditEntry e;
  e.seq = r.Int(0);
  e.dossier_code = r.Str(1);
  e.at = FromMicros(r.Int(2));
  e.actor_user_id = r.Int(3);
  e.actor_role = r.Str(4);
  e.actor_unit = r.Str(5);
  e.action = r.Str(6);
  e.state_before = r.Str(7);
  e.state_after = r.Str(8);
  e.note = r.Str(9);
  e.prev_hash = r.Str(10);
  e.hash = r.Str(11);
  return e;
}

// Queues the creation of a dossier in the caller's write transaction (see Store::CreateDossier
// and PendingCreate); FlushCreates makes it and fills `*result`.
void CreateDossierTx(PendingRows& pending, const NewDossier& nd, std::vector<SqlValue>& params,
                     Result<CreatedDossier>& result) {
  result = Fail(ErrorCode::kInternal);
  pending.creates.push_back(PendingCreate{&nd, &params, &result});
}

// Runs `select_head` + "($1, ..., $n)" over `keys`, up to 256 keys a statement, each planned
// for its keys (SqlConnection::QueryPlanned: the tables it serves start empty), and appends the
// rows to `out`.
Status SelectIn(SqlConnection& c, std::string_view select_head, const std::vector<SqlValue>& keys,
                SqlRows& out) {
  for (size_t at = 0; at < keys.size();) {
    size_t n = std::min<size_t>(256, keys.size() - at);
    std::string sql(select_head);
    sql += "(";
    for (size_t k = 1; k <= n; ++k) sql += (k == 1 ? "$" : ", $") + std::to_string(k);
    sql += ")";
    auto rows = c.QueryPlanned(sql, std::span<const SqlValue>(keys.data() + at, n));
    if (!rows) return tl::unexpected(rows.error());
    for (SqlRow& r : *rows) out.push_back(std::move(r));
    at += n;
  }
  return {};
}

// Makes the batch's queued dossiers: answers retried Idempotency-Keys (seen before or earlier
// in the batch) with the earlier dossier and keys reused for another request with kConflict,
// takes each unit's next codes with one upsert of dossier_sequences, inserts the rows, and
// defers their files, audit entries, messages and keys. A failing statement fails the flush
// (the batch is then re-run job by job); a per-dossier refusal is only that dossier's result.
Status FlushCreates(SqlConnection& c, PendingRows& pending) {
  if (pending.creates.empty()) return {};
  std::vector<PendingCreate> creates = std::move(pending.creates);
  pending.creates.clear();

  std::vector<SqlValue> keys;
  for (const PendingCreate& pc : creates) {
    if (!pc.request->idempotency_key.empty()) keys.emplace_back(pc.request->idempotency_key);
  }
  std::map<std::string, std::pair<std::string, std::string>, std::less<>> seen;  // sha, code
  if (!keys.empty()) {
    SqlRows rows;
    if (auto st = SelectIn(
            c, "SELECT key, request_sha256, dossier_code FROM idempotency_keys WHERE key IN ", keys,
            rows);
        !st) {
      return st;
    }
    for (const SqlRow& r : rows) seen[r.Str(0)] = {r.Str(1), r.Str(2)};
  }
  auto reused_for_other = [] {
    return Fail(ErrorCode::kConflict, "This Idempotency-Key was used for a different request.",
                "Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác.", "Idempotency-Key");
  };

  std::vector<size_t> fresh;                        // creates that make a new dossier
  std::vector<std::pair<size_t, size_t>> repeats;   // (create, the earlier one of the batch)
  std::map<std::string_view, size_t> first_of_key;  // keys of fresh creates
  for (size_t i = 0; i < creates.size(); ++i) {
    const NewDossier& nd = *creates[i].request;
    if (nd.idempotency_key.empty()) {
      fresh.push_back(i);
      continue;
    }
    if (auto it = seen.find(nd.idempotency_key); it != seen.end()) {
      if (it->second.first != nd.request_sha256) {
        *creates[i].result = reused_for_other();
        continue;
      }
      auto rows = c.Query(SelectDossier() + " WHERE code = $1", {it->second.second});
      if (!rows) return tl::unexpected(rows.error());
      if (rows->empty()) return Fail(ErrorCode::kInternal);
      *creates[i].result = CreatedDossier{ReadDossier(rows->at(0)), true};
      continue;
    }
    if (auto it = first_of_key.find(nd.idempotency_key); it != first_of_key.end()) {
      if (creates[it->second].request->request_sha256 != nd.request_sha256) {
        *creates[i].result = reused_for_other();
      } else {
        repeats.emplace_back(i, it->second);
      }
      continue;
    }
    first_of_key.emplace(nd.idempotency_key, i);
    fresh.push_back(i);
  }
  if (fresh.empty()) return {};

  // Each (unit prefix, day) takes as many numbers as it has new dossiers, in one statement whose
  // rows are in key order (so that nodes sharing a PostgreSQL database lock them in one order).
  std::vector<std::string> days(creates.size());
  std::map<std::pair<std::string, std::string>, int64_t> wanted;
  for (size_t i : fresh) {
    days[i] = FormatIso8601Vn(creates[i].request->dossier.submitted_at).substr(0, 10);
    ++wanted[{creates[i].request->code_prefix, days[i]}];
  }
  std::vector<SqlValue> seq_rows;
  for (const auto& [key, n] : wanted) seq_rows.insert(seq_rows.end(), {key.first, key.second, n});
  SqlRows lasts;
  if (auto st = InsertRows(c, "INSERT INTO dossier_sequences (prefix, day, last)", 3,
                           " ON CONFLICT (prefix, day) DO UPDATE SET last = dossier_sequences.last "
                           "+ excluded.last RETURNING prefix, day, last",
                           seq_rows, &lasts);
      !st) {
    return st;
  }
  std::map<std::pair<std::string, std::string>, int64_t> next;  // the first number to give
  for (const SqlRow& r : lasts) {
    std::pair<std::string, std::string> key{r.Str(0), r.Str(1)};
    next[key] = r.Int(2) - wanted[key] + 1;
  }

  std::vector<SqlValue> rows;
  std::vector<size_t> made;
  for (size_t i : fresh) {
    PendingCreate& pc = creates[i];
    const NewDossier& nd = *pc.request;
    auto it = next.find({nd.code_prefix, days[i]});
    if (it == next.end()) return Fail(ErrorCode::kInternal);
    auto code = FormatDossierCode(nd.code_prefix, nd.dossier.submitted_at, it->second++);
    if (!code) {
      *pc.result = tl::unexpected(code.error());
      continue;
    }
    (*pc.params)[0] = *code;
    rows.insert(rows.end(), pc.params->begin(), pc.params->end());
    Dossier d = nd.dossier;
    d.code = *code;
    d.version = 1;
    *pc.result = CreatedDossier{std::move(d), false};
    made.push_back(i);
  }
  if (auto st = InsertRows(c, "INSERT INTO dossiers (" + std::string(kDossierColumns) + ")",
                           kDossierColumnCount, "", rows);
      !st) {
    return st;
  }
  for (size_t i : made) {
    const NewDossier& nd = *creates[i].request;
    const Dossier& d = (*creates[i].result)->dossier;
    AttachFiles(pending, d, true);
    AppendWrite(pending, d.code, nd.write);
    if (!nd.idempotency_key.empty()) {
      // A key reused across two batches racing on two nodes fails this batch's flush; the
      // batch re-run job by job then answers it as a replay.
      pending.keys.insert(pending.keys.end(),
                          {nd.idempotency_key, nd.request_sha256, d.code, Micros(d.submitted_at)});
    }
  }
  for (auto [i, earlier] : repeats) {
    const Result<CreatedDossier>& first = *creates[earlier].result;
    *creates[i].result = first ? Result<CreatedDossier>(CreatedDossier{first->dossier, true})
                               : Result<CreatedDossier>(tl::unexpected(first.error()));
  }
  return {};
}

// The row of a new dossier (version 1, code still empty), serialised by the caller's thread.
std::vector<SqlValue> RowParams(const NewDossier& nd) {
  Dossier d = nd.dossier;
  d.version = 1;
  return DossierParams(d);
}

// Inserts `values` (rows of `columns` values, flat) with few statements of few distinct texts
// (each prepared once per connection): statements of kRowsPerStatement rows (fewer when the
// parameters would pass SQLite's 32766 or PostgreSQL's 65535), then of 2^k rows down to
// kExactBelow, then the rest (a typical group commit) in one statement of its exact size: one
// round trip per table and batch, and at most about 70 texts per table. `head` is "INSERT INTO
// t (a, b, ...)", `tail` what follows the VALUES list; rows RETURNING gives go to `returned`.
Status InsertRows(SqlConnection& c, std::string_view head, size_t columns, std::string_view tail,
                  const std::vector<SqlValue>& values, SqlRows* returned) {
  constexpr size_t kRowsPerStatement = 256;
  constexpr size_t kExactBelow = 64;
  size_t per_statement = kRowsPerStatement;
  while (per_statement > 1 && per_statement * columns > 32000) per_statement /= 2;
  std::map<size_t, std::string> texts;
  auto send = [&](size_t first, size_t rows) -> Status {
    std::string& sql = texts[rows];
    if (sql.empty()) {
      sql = std::string(head) + " VALUES ";
      size_t p = 0;
      for (size_t r = 0; r < rows; ++r) {
        sql += r == 0 ? "(" : ", (";
        for (size_t k = 0; k < columns; ++k) sql += (k == 0 ? "$" : ", $") + std::to_string(++p);
        sql += ")";
      }
      sql += tail;
    }
    std::span<const SqlValue> params(values.data() + first * columns, rows * columns);
    if (returned == nullptr) return c.Send(sql, params);  // pipelined on PostgreSQL
    auto out = c.Query(sql, params);
    if (!out) return tl::unexpected(out.error());
    for (SqlRow& r : *out) returned->push_back(std::move(r));
    return Status{};
  };
  size_t rows = values.size() / columns, at = 0;
  for (size_t n = per_statement; n >= kExactBelow; n /= 2) {
    while (rows - at >= n) {
      if (auto st = send(at, n); !st) return st;
      at += n;
    }
  }
  while (at < rows) {
    size_t n = std::min(per_statement, rows - at);
    if (auto st = send(at, n); !st) return st;
    at += n;
  }
  return {};
}

constexpr std::string_view kAuditInsert =
    "INSERT INTO audit_events (seq, dossier_code, at, actor_user_id, actor_role, actor_unit, "
    "action, state_before, state_after, note, prev_hash, hash)";
constexpr size_t kAuditColumns = 12;

// A batch of a generated history as statement parameters, made off the writer thread. The
// audit entries are chained from `chained_seq`/`chained_hash` (the head when they were made);
// if the head has moved by the time the batch is written, they are chained again.
struct HistoryRows {
  std::vector<SqlValue> dossiers, files, audit, outbox, complaints, sequences;
  size_t audit_entries = 0;
  int64_t chained_seq = 0;
  std::string chained_hash;
  int64_t last_seq = 0;
  std::string last_hash;
  bool rechained = false;  // the head had moved: chained again on the writer thread
};

// Fills the seq, prev_hash and hash of each audit row of `rows`, chaining from (seq, prev).
void ChainAudit(HistoryRows& rows, int64_t seq, std::string prev) {
  rows.chained_seq = seq;
  rows.chained_hash = prev;
  AuditEntry e;
  for (size_t i = 0; i < rows.audit_entries; ++i) {
    SqlValue* r = rows.audit.data() + i * kAuditColumns;
    auto str = [&](size_t k) -> const std::string& { return std::get<std::string>(r[k]); };
    e.seq = ++seq;
    e.dossier_code = str(1);
    e.at = FromMicros(std::get<int64_t>(r[2]));
    e.actor_user_id = std::get<int64_t>(r[3]);
    e.actor_role = str(4);
    e.actor_unit = str(5);
    e.action = str(6);
    e.state_before = str(7);
    e.state_after = str(8);
    e.note = str(9);
    std::string hash = AuditHash(e, prev);
    r[0] = e.seq;
    r[10] = std::move(prev);
    r[11] = hash;
    prev = std::move(hash);
  }
  rows.last_seq = seq;
  rows.last_hash = std::move(prev);
}

// Turns a batch into rows (see Store::ImportHistory); fails on a malformed code.
Result<HistoryRows> MakeHistoryRows(const std::vector<HistoryDossier>& batch) {
  HistoryRows rows;
  std::map<std::pair<std::string, std::string>, int64_t> sequences;
  for (const HistoryDossier& h : batch) {
    const std::string& code = h.dossier.code;
    if (!LooksLikeDossierCode(code)) {
      return Fail(ErrorCode::kInvalidField, "A history dossier has no valid code: '" + code + "'.",
                  "Hồ sơ lịch sử không có mã hợp lệ: '" + code + "'.", "code");
    }
    auto key = std::make_pair(code.substr(0, code.size() - 12),
                              FormatIso8601Vn(h.dossier.submitted_at).substr(0, 10));
    int64_t seq = std::stoll(code.substr(code.size() - 4));
    auto [it, fresh] = sequences.emplace(std::move(key), seq);
    if (!fresh) it->second = std::max(it->second, seq);
    for (SqlValue& v : DossierParams(h.dossier)) rows.dossiers.push_back(std::move(v));
    for (const ApplicantDocument& f : h.files) {
      rows.files.insert(rows.files.end(), {code, f.sha256, f.kind, f.component_id,
                                           h.dossier.applicant.id_number, Micros(f.attached_at)});
    }
    for (const AuditEntry& e : h.audit) {
      rows.audit.insert(rows.audit.end(), {int64_t{0}, code, Micros(e.at), e.actor_user_id,
                                           e.actor_role, e.actor_unit, e.action, e.state_before,
                                           e.state_after, e.note, std::string(), std::string()});
      ++rows.audit_entries;
    }
    for (const OutboxMessage& m : h.outbox) {
      rows.outbox.insert(rows.outbox.end(),
                         {code, m.channel, m.recipient, m.subject, m.body, m.status, m.attempts,
                          Micros(m.next_attempt_at), m.last_error, Micros(m.created_at),
                          Micros(m.sent_at), m.provider_ref});
    }
    for (const HistoryComplaint& k : h.complaints) {
      rows.complaints.insert(rows.complaints.end(),
                             {code, k.text, std::string("open"), Micros(k.at)});
    }
  }
  for (const auto& [key, last] : sequences) {
    rows.sequences.insert(rows.sequences.end(), {key.first, key.second, last});
  }
  return rows;
}

// Writes a generated history inside the caller's transaction (see Store::ImportHistory).
Status ImportHistoryTx(SqlConnection& c, AuditCursor& cursor, HistoryRows& rows) {
  if (auto st = InsertRows(c, "INSERT INTO dossiers (" + std::string(kDossierColumns) + ")",
                           kDossierColumnCount, "", rows.dossiers);
      !st) {
    return st;
  }
  if (auto st = InsertRows(c,
                           "INSERT INTO dossier_files (dossier_code, sha256, kind, component_id, "
                           "applicant_id_number, created_at)",
                           6, " ON CONFLICT DO NOTHING", rows.files);
      !st) {
    return st;
  }
  if (!cursor.loaded) {
    auto head = c.Query(c.backend() == Backend::kPostgres
                            ? "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE"
                            : "SELECT seq, hash FROM audit_head WHERE id = 1",
                        {});
    if (!head) return tl::unexpected(head.error());
    cursor.seq = head->at(0).Int(0);
    cursor.hash = head->at(0).Str(1);
    cursor.loaded = true;
  }
  if (cursor.seq != rows.chained_seq || cursor.hash != rows.chained_hash) {
    ChainAudit(rows, cursor.seq, cursor.hash);  // someone appended meanwhile
    rows.rechained = true;
  }
  if (auto st = InsertRows(c, kAuditInsert, kAuditColumns, "", rows.audit); !st) return st;
  if (rows.audit_entries > 0) {
    // Written back once, before the batch commits (SaveAuditCursor).
    cursor.seq = rows.last_seq;
    cursor.hash = rows.last_hash;
    cursor.dirty = true;
  }
  if (auto st = InsertRows(c,
                           "INSERT INTO outbox (dossier_code, channel, recipient, subject, body, "
                           "status, attempts, next_attempt_at, last_error, created_at, sent_at, "
                           "provider_ref)",
                           12, "", rows.outbox);
      !st) {
    return st;
  }
  if (auto st = InsertRows(c, "INSERT INTO complaints (dossier_code, text, status, created_at)", 4,
                           "", rows.complaints);
      !st) {
    return st;
  }
  return InsertRows(c, "INSERT INTO dossier_sequences (prefix, day, last)", 3,
                    " ON CONFLICT (prefix, day) DO UPDATE SET last = CASE WHEN excluded.last > "
                    "dossier_sequences.last THEN excluded.last ELSE dossier_sequences.last END",
                    rows.sequences);
}

class SqlStoreImpl final : public SqlStore {
 public:
  explicit SqlStoreImpl(std::unique_ptr<Database> db) : db_(std::move(db)) {
    auto reset = [this] {
      pending_.Clear();
      cursor_ = AuditCursor{};
    };
    db_->SetBatchHooks(
        {[this](SqlConnection& c) { return FlushPending(c, cursor_, pending_); }, reset, reset});
  }

  Database& database() override { return *db_; }

  Status Ping() override {
    return db_->Read([](SqlConnection& c) { return Discard(c.Query("SELECT 1", {})); });
  }

  Result<int> SchemaVersion() override {
    int version = 0;
    Status st = db_->Exclusive([&](SqlConnection& c) -> Status {
      auto exists =
          c.Query(c.backend() == Backend::kSqlite
                      ? "SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'"
                      : "SELECT count(*) FROM pg_tables WHERE tablename = 'schema_version' "
                        "AND schemaname = current_schema()",
                  {});
      if (!exists) return tl::unexpected(exists.error());
      if (exists->at(0).Int(0) == 0) return {};
      auto rows = c.Query("SELECT COALESCE(MAX(version), 0) FROM schema_version", {});
      if (!rows) return tl::unexpected(rows.error());
      version = static_cast<int>(rows->at(0).Int(0));
      return {};
    });
    if (!st) return tl::unexpected(st.error());
    return version;
  }

  Status Migrate() override {
    auto current = SchemaVersion();
    if (!current) return tl::unexpected(current.error());
    if (*current > LatestSchemaVersion()) return NewerSchema(*current);
    for (const Migration& m : Migrations()) {
      if (m.version <= *current) continue;
      Status st = db_->Exclusive([&](SqlConnection& c) -> Status {
        std::string script =
            "BEGIN; CREATE TABLE IF NOT EXISTS schema_version (version INTEGER "
            "NOT NULL, applied_at BIGINT NOT NULL); ";
        script += c.backend() == Backend::kSqlite ? m.sqlite : m.postgres;
        auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
        script += "; INSERT INTO schema_version VALUES (" + std::to_string(m.version) + ", " +
                  std::to_string(now) + "); COMMIT;";
        Status r = c.Exec(script);
        if (!r) (void)c.Exec("ROLLBACK");
        return r;
      });
      if (!st) return st;
    }
    return {};
  }

  Status CheckSchema() override {
    auto v = SchemaVersion();
    if (!v) return tl::unexpected(v.error());
    if (*v > LatestSchemaVersion()) return NewerSchema(*v);
    if (*v < LatestSchemaVersion()) {
      return Fail(ErrorCode::kUnavailable,
                  "The database schema is version " + std::to_string(*v) + "; this binary needs " +
                      std::to_string(LatestSchemaVersion()) + ". Run `motcua init` to migrate.",
                  "Lược đồ cơ sở dữ liệu ở phiên bản " + std::to_string(*v) + "; cần phiên bản " +
                      std::to_string(LatestSchemaVersion()) + ". Hãy chạy `motcua init`.");
    }
    return {};
  }

  Status UpsertUnits(const std::vector<Unit>& units) override {
    return db_->Write([&](SqlConnection& c) -> Status {
      auto pos = c.Query("SELECT COALESCE(MAX(position), 0) FROM units", {});
      if (!pos) return tl::unexpected(pos.error());
      int64_t next = pos->at(0).Int(0);
      for (const Unit& u : units) {
        SqlValue parent = u.parent_code.empty() ? SqlValue{} : SqlValue{u.parent_code};
        auto r = c.Query(
            "INSERT INTO units (code, name, name_en, kind, category, parent_code, position) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO UPDATE SET "
            "name = excluded.name, name_en = excluded.name_en, kind = excluded.kind, "
            "category = excluded.category, parent_code = excluded.parent_code",
            {u.code, u.name, u.name_en, u.kind, std::string(CategoryName(u.category)), parent,
             ++next});
        if (!r) {
          if (r.error().code == ErrorCode::kInvalidField) {
            return Fail(ErrorCode::kInvalidField,
                        "Unit " + u.code + " has an unknown parent " + u.parent_code + ".",
                        "Đơn vị " + u.code + " có đơn vị cha không tồn tại " + u.parent_code + ".",
                        "parent_code");
          }
          return tl::unexpected(r.error());
        }
      }
      return {};
    });
  }

  Result<std::vector<Unit>> LoadUnits() override {
    return Collect<std::vector<Unit>>(
        *db_, false, [](SqlConnection& c) -> Result<std::vector<Unit>> {
          auto rows = c.Query(
              "SELECT code, name, name_en, kind, category, COALESCE(parent_code, '') FROM units "
              "ORDER BY position",
              {});
          if (!rows) return tl::unexpected(rows.error());
          std::vector<Unit> out;
          out.reserve(rows->size());
          for (const auto& r : *rows) {
            out.push_back(
                Unit{r.Str(0), r.Str(1), r.Str(2), r.Str(3), r.Str(5), ParseCategory(r.Str(4))});
          }
          return out;
        });
  }

  Result<ImportSummary> ImportProcedures(const std::vector<ProcedureRecord>& records,
                                         Instant now) override {
    return Collect<ImportSummary>(*db_, true, [&](SqlConnection& c) -> Result<ImportSummary> {
      ImportSummary s;
      for (const ProcedureRecord& p : records) {
        std::string sha = Sha256Hex(p.content);
        auto cur = c.Query(
            "SELECT version, content_sha256 FROM procedures WHERE id = $1 AND is_current = 1",
            {p.id});
        if (!cur) return tl::unexpected(cur.error());
        int64_t version = 1;
        if (!cur->empty()) {
          if (cur->at(0).Str(1) == sha) {
            ++s.unchanged;
            continue;
          }
          version = cur->at(0).Int(0) + 1;
          auto r = c.Query("UPDATE procedures SET is_current = 0 WHERE id = $1 AND is_current = 1",
                           {p.id});
          if (!r) return tl::unexpected(r.error());
          ++s.changed;
        } else {
          ++s.added;
        }
        auto r = c.Query(
            "INSERT INTO procedures (id, version, content, content_sha256, imported_at, "
            "is_current) VALUES ($1, $2, $3, $4, $5, 1)",
            {p.id, version, p.content, sha, Micros(now)});
        if (!r) return tl::unexpected(r.error());
      }
      return s;
    });
  }

  Result<std::vector<ProcedureRecord>> LoadCurrentProcedures() override {
    return Collect<std::vector<ProcedureRecord>>(
        *db_, false, [](SqlConnection& c) -> Result<std::vector<ProcedureRecord>> {
          auto rows = c.Query(
              "SELECT id, version, content, content_sha256, imported_at, is_current FROM "
              "procedures WHERE is_current = 1 ORDER BY id",
              {});
          if (!rows) return tl::unexpected(rows.error());
          std::vector<ProcedureRecord> out;
          for (const auto& r : *rows) out.push_back(ReadProcedure(r));
          return out;
        });
  }

  Result<std::vector<ProcedureRecord>> LoadProcedureVersions(const std::string& id) override {
    return Collect<std::vector<ProcedureRecord>>(
        *db_, false, [&](SqlConnection& c) -> Result<std::vector<ProcedureRecord>> {
          auto rows = c.Query(
              "SELECT id, version, content, content_sha256, imported_at, is_current FROM "
              "procedures WHERE id = $1 ORDER BY version",
              {id});
          if (!rows) return tl::unexpected(rows.error());
          std::vector<ProcedureRecord> out;
          for (const auto& r : *rows) out.push_back(ReadProcedure(r));
          return out;
        });
  }

  Result<int64_t> CreateUser(const UserRecord& u) override {
    return Collect<int64_t>(*db_, true, [&](SqlConnection& c) -> Result<int64_t> {
      SqlValue unit = u.unit_code.empty() ? SqlValue{} : SqlValue{u.unit_code};
      auto rows = c.Query(
          "INSERT INTO users (username, password_hash, role, unit_code, full_name, "
          "failed_logins, locked_until, disabled, created_at) VALUES ($1, $2, $3, $4, $5, 0, 0, "
          "$6, $7) RETURNING id",
          {u.username, u.password_hash, std::string(RoleName(u.role)), unit, u.full_name,
           int64_t{u.disabled ? 1 : 0}, Micros(u.created_at)});
      if (!rows) return tl::unexpected(rows.error());
      return rows->at(0).Int(0);
    });
  }

  Result<std::optional<UserRecord>> FindUser(const std::string& username) override {
    return Collect<std::optional<UserRecord>>(
        *db_, false, [&](SqlConnection& c) -> Result<std::optional<UserRecord>> {
          auto rows =
              c.Query("SELECT " + std::string(kUserColumns) + " FROM users u WHERE u.username = $1",
                      {username});
          if (!rows) return tl::unexpected(rows.error());
          if (rows->empty()) return std::optional<UserRecord>();
          return std::optional<UserRecord>(ReadUser(rows->at(0), 0));
        });
  }

  Result<std::vector<UserRecord>> ListUsersOfUnit(const std::string& unit_code) override {
    return Collect<std::vector<UserRecord>>(
        *db_, false, [&](SqlConnection& c) -> Result<std::vector<UserRecord>> {
          auto rows = c.Query("SELECT " + std::string(kUserColumns) +
                                  " FROM users u WHERE u.unit_code = $1 ORDER BY u.username",
                              {unit_code});
          if (!rows) return tl::unexpected(rows.error());
          std::vector<UserRecord> out;
          for (const auto& r : *rows) out.push_back(ReadUser(r, 0));
          return out;
        });
  }

  Status SetLoginState(int64_t user_id, int64_t failed, Instant locked_until) override {
    return db_->Write([&](SqlConnection& c) {
      return Discard(c.Query("UPDATE users SET failed_logins = $1, locked_until = $2 WHERE id = $3",
                             {failed, Micros(locked_until), user_id}));
    });
  }

  Status CreateSession(const SessionRecord& s) override {
    return db_->Write([&](SqlConnection& c) {
      return Discard(c.Query(
          "INSERT INTO sessions (token_hash, user_id, csrf_hash, created_at, expires_at) VALUES "
          "($1, $2, $3, $4, $5)",
          {s.token_hash, s.user_id, s.csrf_hash, Micros(s.created_at), Micros(s.expires_at)}));
    });
  }

  Result<std::optional<std::pair<SessionRecord, UserRecord>>> FindSession(
      const std::string& token_hash) override {
    using Found = std::optional<std::pair<SessionRecord, UserRecord>>;
    return Collect<Found>(*db_, false, [&](SqlConnection& c) -> Result<Found> {
      auto rows =
          c.Query("SELECT s.token_hash, s.user_id, s.csrf_hash, s.created_at, s.expires_at, " +
                      std::string(kUserColumns) +
                      " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
                  {token_hash});
      if (!rows) return tl::unexpected(rows.error());
      if (rows->empty()) return Found();
      const SqlRow& r = rows->at(0);
      SessionRecord s{r.Str(0), r.Int(1), r.Str(2), FromMicros(r.Int(3)), FromMicros(r.Int(4))};
      return Found(std::make_pair(std::move(s), ReadUser(r, 5)));
    });
  }

  Status DeleteSession(const std::string& token_hash) override {
    return db_->Write([&](SqlConnection& c) {
      return Discard(c.Query("DELETE FROM sessions WHERE token_hash = $1", {token_hash}));
    });
  }

  Result<int64_t> DeleteExpiredSessions(Instant now) override {
    return Collect<int64_t>(*db_, true, [&](SqlConnection& c) -> Result<int64_t> {
      auto rows =
          c.Query("DELETE FROM sessions WHERE expires_at < $1 RETURNING token_hash", {Micros(now)});
      if (!rows) return tl::unexpected(rows.error());
      return static_cast<int64_t>(rows->size());
    });
  }

  Result<CreatedDossier> CreateDossier(const NewDossier& nd) override {
    Result<CreatedDossier> out = Fail(ErrorCode::kInternal);
    std::vector<SqlValue> params = RowParams(nd);
    Status st = db_->Write([&](SqlConnection&) -> Status {
      CreateDossierTx(pending_, nd, params, out);
      return {};
    });
    if (!st) return tl::unexpected(st.error());
    return out;
  }

  void CreateDossierAsync(NewDossier nd,
                          std::function<void(Result<CreatedDossier>)> done) override {
    struct State {
      NewDossier request;
      std::vector<SqlValue> params;
      Result<CreatedDossier> result = Fail(ErrorCode::kInternal);
    };
    auto state = std::make_shared<State>();
    state->params = RowParams(nd);  // the row's serialisation happens here, not on the writer
    state->request = std::move(nd);
    db_->WriteAsync(
        [this, state](SqlConnection&) -> Status {
          CreateDossierTx(pending_, state->request, state->params, state->result);
          return {};
        },
        [state, done = std::move(done)](Status st) {
          if (!st) {
            done(tl::unexpected(st.error()));
          } else {
            done(std::move(state->result));
          }
        });
  }

  Result<std::optional<Dossier>> FindDossier(const std::string& code) override {
    return Collect<std::optional<Dossier>>(
        *db_, false, [&](SqlConnection& c) -> Result<std::optional<Dossier>> {
          auto rows = c.Query(SelectDossier() + " WHERE code = $1", {code});
          if (!rows) return tl::unexpected(rows.error());
          if (rows->empty()) return std::optional<Dossier>();
          return std::optional<Dossier>(ReadDossier(rows->at(0)));
        });
  }

  Result<Dossier> UpdateDossier(const Dossier& d, int64_t expected_version,
                                const DossierWrite& write) override {
    Dossier next = d;
    next.version = expected_version + 1;
    std::vector<SqlValue> params = DossierParams(next);
    params.push_back(expected_version);
    Result<Dossier> out = Fail(ErrorCode::kInternal);
    Status st = db_->Write([&](SqlConnection& c) -> Status {
      out = UpdateDossierTx(c, next, params, write);
      if (!out) return tl::unexpected(out.error());
      return {};
    });
    if (!st) return tl::unexpected(st.error());
    return out;
  }

  Result<Dossier> UpdateDossierTx(SqlConnection& c, const Dossier& next,
                                  const std::vector<SqlValue>& params, const DossierWrite& write) {
    // Every column but the code (the key) is rewritten; $1 is the code, $21 the old version.
    auto rows = c.Query(
        "UPDATE dossiers SET procedure_id = $2, procedure_version = $3, channel = $4, "
        "receiving_unit = $5, current_unit = $6, assignee_user_id = $7, state = $8, "
        "version = $9, applicant_id_number = $10, applicant_name_folded = $11, "
        "applicant_user_id = $12, submitted_at = $13, received_at = $14, due_at = $15, "
        "due_sort = $16, finished_at = $17, returned_at = $18, data = $19, rating = $20 "
        "WHERE code = $1 AND version = $21 RETURNING code",
        std::span<const SqlValue>(params));
    if (!rows) return tl::unexpected(rows.error());
    if (rows->empty()) {
      return Fail(ErrorCode::kConflict,
                  "The dossier was changed by someone else; reload it and try again.",
                  "Hồ sơ vừa được người khác cập nhật; vui lòng tải lại và thử lại.", "version");
    }
    AttachFiles(pending_, next, false);
    AppendWrite(pending_, next.code, write);
    return next;
  }

  Result<std::vector<Dossier>> ListDossiers(const DossierQuery& q) override {
    return Collect<std::vector<Dossier>>(
        *db_, false, [&](SqlConnection& c) -> Result<std::vector<Dossier>> {
          std::vector<SqlValue> params;
          std::string sql =
              DossierQuerySql(c.backend(), q, kDossierColumns, params);  // fills params first
          auto rows = c.Query(sql, std::span<const SqlValue>(params));
          if (!rows) return tl::unexpected(rows.error());
          std::vector<Dossier> out;
          out.reserve(rows->size());
          for (const auto& r : *rows) out.push_back(ReadDossier(r));
          return out;
        });
  }

  Result<std::vector<DossierLine>> ListDossierLines(const DossierQuery& q) override {
    return Collect<std::vector<DossierLine>>(
        *db_, false, [&](SqlConnection& c) -> Result<std::vector<DossierLine>> {
          std::vector<SqlValue> params;
          std::string sql =
              DossierQuerySql(c.backend(), q, kDossierLineColumns, params);  // fills params first
          auto rows = c.Query(sql, std::span<const SqlValue>(params));
          if (!rows) return tl::unexpected(rows.error());
          std::vector<DossierLine> out;
          out.reserve(rows->size());
          for (const auto& r : *rows) out.push_back(ReadDossierLine(r));
          return out;
        });
  }

  Status ImportHistory(const std::vector<HistoryDossier>& batch) override {
    auto promise = std::make_shared<std::promise<Status>>();
    auto future = promise->get_future();
    QueueHistory(batch, [promise](Status st) { promise->set_value(std::move(st)); });
    return future.get();
  }

  void ImportHistoryAsync(std::vector<HistoryDossier> batch,
                          std::function<void(Status)> done) override {
    QueueHistory(batch, std::move(done));
  }

  Result<std::vector<AuditEntry>> LoadAudit(const std::string& dossier_code) override {
    return Collect<std::vector<AuditEntry>>(
        *db_, false, [&](SqlConnection& c) -> Result<std::vector<AuditEntry>> {
          std::string cols =
              "SELECT seq, dossier_code, at, actor_user_id, actor_role, actor_unit, action, "
              "state_before, state_after, note, prev_hash, hash FROM audit_events";
          auto rows = dossier_code.empty()
                          ? c.Query(cols + " ORDER BY seq", {})
                          : c.Query(cols + " WHERE dossier_code = $1 ORDER BY seq", {dossier_code});
          if (!rows) return tl::unexpected(rows.error());
          std::vector<AuditEntry> out;
          out.reserve(rows->size());
          for (const auto& r : *rows) out.push_back(ReadAudit(r));
          return out;
        });
  }

  Result<std::pair<int64_t, std::string>> AuditHead() override {
    using Head = std::pair<int64_t, std::string>;
    return Collect<Head>(*db_, false, [](SqlConnection& c) -> Result<Head> {
      auto rows = c.Query("SELECT seq, hash FROM audit_head WHERE id = 1", {});
      if (!rows) return tl::unexpected(rows.error());
      return Head(rows->at(0).Int(0), rows->at(0).Str(1));
    });
  }

  Result<std::vector<OutboxMessage>> LoadOutbox(const std::string& dossier_code) override {
    return Collect<std::vector<OutboxMessage>>(
        *db_, false, [&](SqlConnection& c) -> Result<std::vector<OutboxMessage>> {
          auto rows = c.Query("SELECT " + std::string(kOutboxColumns) +
                                  " FROM outbox WHERE dossier_code = $1 ORDER BY id",
                              {dossier_code});
          if (!rows) return tl::unexpected(rows.error());
          std::vector<OutboxMessage> out;
          out.reserve(rows->size());
          for (const auto& r : *rows) out.push_back(ReadOutbox(r));
          return out;
        });
  }

  Result<std::vector<OutboxMessage>> ClaimDueOutbox(
      Instant now, std::chrono::seconds lease, size_t max,
      const std::vector<std::string>& channels) override {
    using Messages = std::vector<OutboxMessage>;
    if (max == 0 || channels.empty()) return Messages();
    std::vector<SqlValue> params = {Micros(now)};
    std::string in;
    for (const std::string& ch : channels) {
      params.push_back(ch);
      in += (in.empty() ? "$" : ", $") + std::to_string(params.size());
    }
    std::string due = "status = 'pending' AND next_attempt_at <= $1 AND channel IN (" + in + ")";
    // A cheap look on a reader first, so an idle sender never queues behind the writer.
    auto any = Collect<bool>(*db_, false, [&](SqlConnection& c) -> Result<bool> {
      auto rows = c.Query("SELECT id FROM outbox WHERE " + due + " LIMIT 1",
                          std::span<const SqlValue>(params));
      if (!rows) return tl::unexpected(rows.error());
      return !rows->empty();
    });
    if (!any) return tl::unexpected(any.error());
    if (!*any) return Messages();
    params.push_back(static_cast<int64_t>(max));
    std::string limit = "$" + std::to_string(params.size());
    params.push_back(Micros(now + lease));
    std::string until = "$" + std::to_string(params.size());
    // The batch is picked once (a MATERIALIZED CTE: as a plain IN subquery PostgreSQL may scan
    // it again while updating and pass LIMIT). SKIP LOCKED makes a concurrent PostgreSQL claimer
    // pick other rows instead of waiting for these; the outer WHERE repeats the condition, which
    // READ COMMITTED re-evaluates on the newest row version should it still meet one. SQLite has
    // one writer at a time and no row locks.
    std::string sql = "WITH batch AS MATERIALIZED (SELECT id FROM outbox WHERE " + due +
                      " ORDER BY next_attempt_at, id LIMIT " + limit +
                      (db_->backend() == Backend::kPostgres ? " FOR UPDATE SKIP LOCKED" : "") +
                      ") UPDATE outbox SET attempts = attempts + 1, next_attempt_at = " + until +
                      " WHERE id IN (SELECT id FROM batch) AND " + due + " RETURNING " +
                      std::string(kOutboxColumns);
    auto claimed = Collect<Messages>(*db_, true, [&](SqlConnection& c) -> Result<Messages> {
      auto rows = c.Query(sql, std::span<const SqlValue>(params));
      if (!rows) return tl::unexpected(rows.error());
      Messages out;
      out.reserve(rows->size());
      for (const auto& r : *rows) out.push_back(ReadOutbox(r));
      return out;
    });
    if (!claimed) return claimed;
    // RETURNING has no order: hand the batch out in creation order.
    std::sort(claimed->begin(), claimed->end(),
              [](const OutboxMessage& a, const OutboxMessage& b) { return a.id < b.id; });
    return claimed;
  }

  Status RecordDelivery(const OutboxDelivery& d) override {
    // The claim is (attempts, next_attempt_at) as ClaimDueOutbox left them: a later claim or an
    // earlier record of this one changed at least one of them.
    constexpr std::string_view kClaim =
        " WHERE id = $1 AND attempts = $2 AND next_attempt_at = $3 AND status = 'pending' "
        "RETURNING id";
    std::vector<SqlValue> params = {d.id, d.attempt, Micros(d.lease_until)};
    std::string sql;
    if (d.status == "sent") {
      sql = "UPDATE outbox SET status = 'sent', sent_at = $4, provider_ref = $5";
      params.insert(params.end(), {Micros(d.at), d.provider_ref});
      if (!d.last_error.empty()) {
        sql += ", last_error = $6";
        params.push_back(d.last_error);
      }
    } else if (d.status == "pending" && !d.attempted) {
      sql = "UPDATE outbox SET attempts = attempts - 1, next_attempt_at = $4";
      params.push_back(Micros(d.next_attempt_at));
    } else if (d.status == "pending" || d.status == "failed") {
      sql = "UPDATE outbox SET status = $4, next_attempt_at = $5, last_error = $6";
      params.insert(
          params.end(),
          {d.status, Micros(d.status == "pending" ? d.next_attempt_at : d.at), d.last_error});
    } else {
      return Fail(ErrorCode::kInvalidField, "status must be sent, failed or pending.",
                  "status phải là sent, failed hoặc pending.", "status");
    }
    sql += kClaim;
    return db_->Write([&](SqlConnection& c) -> Status {
      auto rows = c.Query(sql, std::span<const SqlValue>(params));
      if (!rows) return tl::unexpected(rows.error());
      if (rows->empty()) {
        return Fail(ErrorCode::kConflict, "The message is no longer held by this claim.",
                    "Tin nhắn không còn thuộc lần nhận gửi này.", "attempt");
      }
      return {};
    });
  }

  void RecordFileAsync(FileRecord f, int64_t uploader, std::function<void(Status)> done) override {
    db_->WriteAsync(
        [f = std::move(f), uploader](SqlConnection& c) -> Status {
          auto r = c.Query(
              "INSERT INTO files (sha256, size, media_type, created_at) VALUES ($1, $2, $3, $4) "
              "ON CONFLICT (sha256) DO NOTHING",
              {f.sha256, f.size, f.media_type, Micros(f.created_at)});
          if (!r) return tl::unexpected(r.error());
          return Discard(
              c.Query("INSERT INTO file_owners (sha256, user_id, created_at) VALUES ($1, $2, $3) "
                      "ON CONFLICT (sha256, user_id) DO NOTHING",
                      {f.sha256, uploader, Micros(f.created_at)}));
        },
        std::move(done));
  }

  Result<std::optional<FileRecord>> FindFile(const std::string& sha256, int64_t uploader) override {
    using Found = std::optional<FileRecord>;
    std::string key = std::to_string(uploader) + ":" + sha256;
    {
      std::lock_guard lock(file_cache_mu_);
      if (auto it = file_cache_.find(key); it != file_cache_.end()) return Found(it->second);
    }
    auto found = Collect<Found>(*db_, false, [&](SqlConnection& c) -> Result<Found> {
      auto rows =
          uploader == 0
              ? c.Query("SELECT sha256, size, media_type, created_at FROM files WHERE sha256 = $1",
                        {sha256})
              : c.Query(
                    "SELECT f.sha256, f.size, f.media_type, f.created_at FROM files f JOIN "
                    "file_owners o ON o.sha256 = f.sha256 WHERE f.sha256 = $1 AND o.user_id = $2",
                    {sha256, uploader});
      if (!rows) return tl::unexpected(rows.error());
      if (rows->empty()) return Found();
      const SqlRow& r = rows->at(0);
      return Found(FileRecord{r.Str(0), r.Int(1), r.Str(2), FromMicros(r.Int(3))});
    });
    if (found && *found) {
      std::lock_guard lock(file_cache_mu_);
      if (file_cache_.size() >= kFileCacheEntries) file_cache_.clear();
      file_cache_.emplace(std::move(key), **found);
    }
    return found;
  }

  Result<std::vector<ApplicantDocument>> ListApplicantDocuments(const std::string& id_number,
                                                                size_t limit) override {
    return Collect<std::vector<ApplicantDocument>>(
        *db_, false, [&](SqlConnection& c) -> Result<std::vector<ApplicantDocument>> {
          auto rows = c.Query(std::string(kApplicantDocumentSelect) +
                                  " WHERE d.applicant_id_number = $1 ORDER BY d.created_at DESC, "
                                  "d.sha256 LIMIT $2",
                              {id_number, static_cast<int64_t>(limit * 4 + 4)});
          if (!rows) return tl::unexpected(rows.error());
          std::vector<ApplicantDocument> out;
          std::unordered_set<std::string> seen;
          for (const auto& r : *rows) {
            if (out.size() >= limit) break;
            if (!seen.insert(r.Str(0)).second) continue;
            out.push_back(ReadApplicantDocument(r));
          }
          return out;
        });
  }

  Result<std::optional<ApplicantDocument>> FindApplicantDocument(
      const std::string& id_number, const std::string& sha256) override {
    using Found = std::optional<ApplicantDocument>;
    return Collect<Found>(*db_, false, [&](SqlConnection& c) -> Result<Found> {
      auto rows = c.Query(std::string(kApplicantDocumentSelect) +
                              " WHERE d.applicant_id_number = $1 AND d.sha256 = $2 ORDER BY "
                              "d.created_at DESC LIMIT 1",
                          {id_number, sha256});
      if (!rows) return tl::unexpected(rows.error());
      if (rows->empty()) return Found();
      return Found(ReadApplicantDocument(rows->at(0)));
    });
  }

  Result<bool> DossierHasFile(const std::string& code, const std::string& sha256) override {
    return Collect<bool>(*db_, false, [&](SqlConnection& c) -> Result<bool> {
      auto rows =
          c.Query("SELECT 1 FROM dossier_files WHERE dossier_code = $1 AND sha256 = $2 LIMIT 1",
                  {code, sha256});
      if (!rows) return tl::unexpected(rows.error());
      return !rows->empty();
    });
  }

  Result<std::unordered_set<std::string>> AllFileShas() override {
    using Shas = std::unordered_set<std::string>;
    return Collect<Shas>(*db_, false, [](SqlConnection& c) -> Result<Shas> {
      auto rows = c.Query("SELECT sha256 FROM files", {});
      if (!rows) return tl::unexpected(rows.error());
      Shas out;
      out.reserve(rows->size());
      for (const auto& r : *rows) out.insert(r.Str(0));
      return out;
    });
  }

  Result<std::vector<std::string>> CheckReferences() override {
    using Lines = std::vector<std::string>;
    return Collect<Lines>(*db_, false, [](SqlConnection& c) -> Result<Lines> {
      // Each: the rows of a table whose reference finds nothing, and what they should name.
      struct Check {
        const char* rows;
        const char* names;
        const char* sql;
      };
      static constexpr Check kChecks[] = {
          {"dossiers", "a receiving unit",
           "SELECT count(*) FROM dossiers d WHERE NOT EXISTS (SELECT 1 FROM units u WHERE "
           "u.code = d.receiving_unit)"},
          {"dossiers", "a current unit",
           "SELECT count(*) FROM dossiers d WHERE NOT EXISTS (SELECT 1 FROM units u WHERE "
           "u.code = d.current_unit)"},
          {"idempotency_keys", "a dossier",
           "SELECT count(*) FROM idempotency_keys k WHERE NOT EXISTS (SELECT 1 FROM dossiers d "
           "WHERE d.code = k.dossier_code)"},
          {"dossier_files", "a dossier",
           "SELECT count(*) FROM dossier_files f WHERE NOT EXISTS (SELECT 1 FROM dossiers d "
           "WHERE d.code = f.dossier_code)"},
          {"dossier_files", "a file",
           "SELECT count(*) FROM dossier_files df WHERE NOT EXISTS (SELECT 1 FROM files f "
           "WHERE f.sha256 = df.sha256)"},
      };
      Lines out;
      for (const Check& k : kChecks) {
        auto rows = c.Query(k.sql, {});
        if (!rows) return tl::unexpected(rows.error());
        int64_t n = rows->empty() ? 0 : rows->at(0).Int(0);
        if (n > 0) {
          out.push_back(std::to_string(n) + " " + k.rows + " row(s) name " + k.names +
                        " that does not exist");
        }
      }
      return out;
    });
  }

  Result<std::vector<ComplaintRow>> LoadComplaints(const std::string& dossier_code) override {
    return Collect<std::vector<ComplaintRow>>(
        *db_, false, [&](SqlConnection& c) -> Result<std::vector<ComplaintRow>> {
          auto rows = c.Query(
              "SELECT id, text, status, created_at FROM complaints WHERE dossier_code = $1 "
              "ORDER BY id",
              {dossier_code});
          if (!rows) return tl::unexpected(rows.error());
          std::vector<ComplaintRow> out;
          for (const auto& r : *rows) {
            out.push_back({r.Int(0), r.Str(1), r.Str(2), FromMicros(r.Int(3))});
          }
          return out;
        });
  }

  Result<std::vector<CalendarOverrideRow>> LoadCalendarOverrides() override {
    return Collect<std::vector<CalendarOverrideRow>>(
        *db_, false, [](SqlConnection& c) -> Result<std::vector<CalendarOverrideRow>> {
          auto rows = c.Query(
              "SELECT day, working, reason_vi, reason_en FROM calendar_overrides ORDER BY day", {});
          if (!rows) return tl::unexpected(rows.error());
          std::vector<CalendarOverrideRow> out;
          for (const auto& r : *rows) out.push_back({r.Str(0), r.Int(1) != 0, r.Str(2), r.Str(3)});
          return out;
        });
  }

  Status UpsertCalendarOverrides(const std::vector<CalendarOverrideRow>& rows) override {
    return db_->Write([&](SqlConnection& c) -> Status {
      for (const auto& r : rows) {
        auto q = c.Query(
            "INSERT INTO calendar_overrides (day, working, reason_vi, reason_en) VALUES ($1, $2, "
            "$3, $4) ON CONFLICT (day) DO UPDATE SET working = excluded.working, reason_vi = "
            "excluded.reason_vi, reason_en = excluded.reason_en",
            {r.day, int64_t{r.working ? 1 : 0}, r.reason_vi, r.reason_en});
        if (!q) return tl::unexpected(q.error());
      }
      return {};
    });
  }

  Status DeleteCalendarOverride(const std::string& day) override {
    return db_->Write([&](SqlConnection& c) -> Status {
      auto q = c.Query("DELETE FROM calendar_overrides WHERE day = $1 RETURNING day", {day});
      if (!q) return tl::unexpected(q.error());
      if (q->empty()) {
        return Fail(ErrorCode::kNotFound, "No override for that day.",
                    "Không có điều chỉnh cho ngày này.", "date");
      }
      return {};
    });
  }

  Result<std::pair<std::string, std::string>> DataStamps() override {
    using Stamps = std::pair<std::string, std::string>;
    return Collect<Stamps>(*db_, false, [](SqlConnection& c) -> Result<Stamps> {
      auto u = c.Query("SELECT count(*), COALESCE(MAX(position), 0) FROM units", {});
      if (!u) return tl::unexpected(u.error());
      auto p = c.Query(
          "SELECT count(*), COALESCE(MAX(imported_at), 0), COALESCE(SUM(version), 0) FROM "
          "procedures",
          {});
      if (!p) return tl::unexpected(p.error());
      auto o = c.Query("SELECT count(*), COALESCE(MAX(day), '') FROM calendar_overrides", {});
      if (!o) return tl::unexpected(o.error());
      return Stamps(
          u->at(0).Str(0) + "/" + u->at(0).Str(1) + "/" + o->at(0).Str(0) + "/" + o->at(0).Str(1),
          p->at(0).Str(0) + "/" + p->at(0).Str(1) + "/" + p->at(0).Str(2));
    });
  }

 private:
  static Status NewerSchema(int v) {
    return Fail(ErrorCode::kUnavailable,
                "The database schema is version " + std::to_string(v) +
                    ", newer than this binary knows (" + std::to_string(LatestSchemaVersion()) +
                    "). Upgrade motcua.",
                "Lược đồ cơ sở dữ liệu ở phiên bản " + std::to_string(v) +
                    ", mới hơn phiên bản chương trình hỗ trợ (" +
                    std::to_string(LatestSchemaVersion()) + "). Hãy nâng cấp motcua.");
  }

  // Prepares a history batch on the calling thread (its rows, and its audit hashes chained from
  // the head that the previously queued batch leaves) and queues its write; see ImportHistory.
  void QueueHistory(const std::vector<HistoryDossier>& batch, std::function<void(Status)> done) {
    if (batch.empty()) {
      done({});
      return;
    }
    auto made = MakeHistoryRows(batch);
    if (!made) {
      done(tl::unexpected(made.error()));
      return;
    }
    auto rows = std::make_shared<HistoryRows>(std::move(*made));
    std::lock_guard lock(history_mu_);
    if (!history_head_) {
      auto head = AuditHead();
      if (!head) {
        done(tl::unexpected(head.error()));
        return;
      }
      history_head_ = *head;
    }
    ChainAudit(*rows, history_head_->first, history_head_->second);
    history_head_ = std::make_pair(rows->last_seq, rows->last_hash);
    // Queued under the lock, so that batches are written in the order they were chained.
    db_->WriteAsync([this, rows](SqlConnection& c) { return ImportHistoryTx(c, cursor_, *rows); },
                    [this, rows, done = std::move(done)](Status st) {
                      if (!st || rows->rechained) {
                        // The head was not where this batch expected it (a failure, or other
                        // writes in between): the next batch starts from the stored head.
                        std::lock_guard lock(history_mu_);
                        history_head_.reset();
                      }
                      done(std::move(st));
                    });
  }

  std::unique_ptr<Database> db_;
  AuditCursor cursor_;   // writer thread only
  PendingRows pending_;  // writer thread only
  // FindFile's finds, by "<uploader>:<sha256>". Files and their owners are only ever added
  // (nothing deletes a row of either), so a file once found stays found: every intake's
  // look-up of its scans (one reader round trip each) is served from here after the first.
  // A miss is not kept: the upload may come next.
  static constexpr size_t kFileCacheEntries = 65536;
  std::mutex file_cache_mu_;
  std::unordered_map<std::string, FileRecord> file_cache_;
  std::mutex history_mu_;
  // Where the next history batch's audit chain starts: after the last one queued.
  std::optional<std::pair<int64_t, std::string>> history_head_;
};

}  // namespace

Result<std::unique_ptr<SqlStore>> OpenStore(const std::string& url, StoreOptions options) {
  Result<std::unique_ptr<Database>> db = tl::unexpected(Error{});
  if (url.rfind("sqlite:", 0) == 0) {
    std::string path = url.substr(7);
    if (path.empty()) {
      return Fail(ErrorCode::kInvalidField, "sqlite: URL needs a path, e.g. sqlite:var/motcua.db",
                  "URL sqlite: cần đường dẫn, ví dụ sqlite:var/motcua.db", "db");
    }
    std::error_code ec;
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    bool first = true;
    db = Database::Open(
        Backend::kSqlite,
        [path, first]() mutable {
          bool read_only = !first;
          first = false;
          return OpenSqlite(path, read_only);
        },
        options.readers, "BEGIN IMMEDIATE", options.max_write_batch);
  } else if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    db = Database::Open(
        Backend::kPostgres, [url] { return OpenPostgres(url); }, options.readers, "BEGIN",
        options.max_write_batch);
  } else {
    return Fail(ErrorCode::kInvalidField,
                "Unsupported database URL; use sqlite:PATH or postgresql://user@host:port/db.",
                "URL cơ sở dữ liệu không được hỗ trợ; dùng sqlite:PATH hoặc "
                "postgresql://user@host:port/db.",
                "db");
  }
  if (!db) return tl::unexpected(db.error());
  return std::unique_ptr<SqlStore>(std::make_unique<SqlStoreImpl>(std::move(*db)));
}

}  // namespace motcua::storage
