#include "storage/write_batch.h"

#include <algorithm>
#include <map>

#include "storage/dossier_rows.h"
#include "storage/sql_util.h"

namespace motcua::storage {
namespace {

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
    MOTCUA_RETURN_IF_ERROR(rows);
    for (SqlRow& r : *rows) out.push_back(std::move(r));
    at += n;
  }
  return {};
}

Error KeyReusedForOtherRequest() {
  return Error{ErrorCode::kConflict,
               {},
               {},
               "Idempotency-Key",
               "idempotency key already names another request"};
}

}  // namespace

WriteBatch::WriteBatch(Database& db) {
  db.SetBatchHooks(
      {[this](SqlConnection& c) { return Flush(c); }, [this] { Reset(); }, [this] { Reset(); }});
}

void WriteBatch::Reset() {
  creates_.clear();
  audit_.clear();
  files_.clear();
  new_files_.clear();
  outbox_.clear();
  complaints_.clear();
  keys_.clear();
  cursor_ = AuditCursor{};
}

void WriteBatch::DeferCreate(const NewDossier& nd, std::vector<SqlValue>& params,
                             Result<CreatedDossier>& result) {
  result = Fail(ErrorCode::kInternal);
  creates_.push_back(PendingCreate{&nd, &params, &result});
}

void WriteBatch::DeferAudit(AuditEntry e) { audit_.push_back(std::move(e)); }

void WriteBatch::DeferWrite(const std::string& code, const DossierWrite& w) {
  AuditEntry e = w.event;
  e.dossier_code = code;
  audit_.push_back(std::move(e));
  if (!w.complaint.empty()) {
    complaints_.insert(complaints_.end(),
                       {code, w.complaint, std::string("open"), Micros(w.event.at)});
  }
  for (const OutboxMessage& m : w.outbox) {
    outbox_.insert(outbox_.end(),
                   {code, m.channel, m.recipient, m.subject, m.body, std::string("pending"),
                    int64_t{0}, Micros(m.next_attempt_at), std::string(), Micros(m.created_at)});
  }
}

// Files named before stay named: a supplement may replace a component, but what was filed
// remains part of the record.
void WriteBatch::DeferAttachFiles(const Dossier& d, bool created) {
  std::vector<SqlValue>& rows = created ? new_files_ : files_;
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

Status WriteBatch::LoadCursor(SqlConnection& c) {
  if (cursor_.loaded) return {};
  auto head = c.Query(c.backend() == Backend::kPostgres
                          ? "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE"
                          : "SELECT seq, hash FROM audit_head WHERE id = 1",
                      {});
  MOTCUA_RETURN_IF_ERROR(head);
  cursor_.seq = head->at(0).Int(0);
  cursor_.hash = head->at(0).Str(1);
  cursor_.loaded = true;
  return {};
}

// Writes what the batch's jobs deferred, chaining the audit entries from the head, and saves
// the head. On failure the cursor is as before (the batch is then re-run job by job).
Status WriteBatch::Flush(SqlConnection& c) {
  AuditCursor before = cursor_;
  auto fail = [&](const Error& e) -> Status {
    cursor_ = std::move(before);
    return tl::unexpected(e);
  };
  if (auto st = FlushCreates(c); !st) return fail(st.error());
  constexpr std::string_view kFilesInsert =
      "INSERT INTO dossier_files (dossier_code, sha256, kind, component_id, applicant_id_number, "
      "created_at)";
  // New dossiers' rows with a plain INSERT: PostgreSQL's ON CONFLICT probes each index first.
  for (auto [rows, tail] :
       {std::pair{&files_, " ON CONFLICT DO NOTHING"}, std::pair{&new_files_, ""}}) {
    if (auto st = InsertRows(c, kFilesInsert, 6, tail, *rows); !st) return fail(st.error());
  }
  if (auto st = InsertRows(c,
                           "INSERT INTO outbox (dossier_code, channel, recipient, subject, body, "
                           "status, attempts, next_attempt_at, last_error, created_at)",
                           10, "", outbox_);
      !st) {
    return fail(st.error());
  }
  if (auto st = InsertRows(c, "INSERT INTO complaints (dossier_code, text, status, created_at)", 4,
                           "", complaints_);
      !st) {
    return fail(st.error());
  }
  if (auto st = InsertRows(
          c, "INSERT INTO idempotency_keys (key, request_sha256, dossier_code, created_at)", 4, "",
          keys_);
      !st) {
    return fail(st.error());
  }
  if (!audit_.empty()) {
    if (auto st = LoadCursor(c); !st) return fail(st.error());
    std::vector<SqlValue> rows;
    rows.reserve(audit_.size() * kAuditColumns);
    for (AuditEntry& e : audit_) {
      e.seq = cursor_.seq + 1;
      e.prev_hash = cursor_.hash;
      e.hash = AuditHash(e, e.prev_hash);
      cursor_.seq = e.seq;
      cursor_.hash = e.hash;
      rows.insert(rows.end(),
                  {e.seq, e.dossier_code, Micros(e.at), e.actor_user_id, e.actor_role, e.actor_unit,
                   e.action, e.state_before, e.state_after, e.note, e.prev_hash, e.hash});
    }
    cursor_.dirty = true;
    if (auto st = InsertRows(c, kAuditInsert, kAuditColumns, "", rows); !st) {
      return fail(st.error());
    }
  }
  if (cursor_.dirty) {
    auto r = c.Send("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
                    {cursor_.seq, cursor_.hash});
    if (!r) return fail(r.error());
    cursor_.dirty = false;
  }
  creates_.clear();
  audit_.clear();
  files_.clear();
  new_files_.clear();
  outbox_.clear();
  complaints_.clear();
  keys_.clear();
  return {};
}

// Makes the batch's queued dossiers: answers retried Idempotency-Keys (seen before or earlier
// in the batch) with the earlier dossier and keys reused for another request with kConflict,
// takes each unit's next codes with one upsert of dossier_sequences, inserts the rows, and
// defers their files, audit entries, messages and keys. A failing statement fails the flush
// (the batch is then re-run job by job); a per-dossier refusal is only that dossier's result.
Status WriteBatch::FlushCreates(SqlConnection& c) {
  if (creates_.empty()) return {};
  std::vector<PendingCreate> creates = std::move(creates_);
  creates_.clear();

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
        *creates[i].result = tl::unexpected(KeyReusedForOtherRequest());
        continue;
      }
      auto rows =
          c.Query("SELECT " + std::string(kDossierColumns) + " FROM dossiers WHERE code = $1",
                  {it->second.second});
      MOTCUA_RETURN_IF_ERROR(rows);
      if (rows->empty()) return Fail(ErrorCode::kInternal);
      *creates[i].result = CreatedDossier{ReadDossier(rows->at(0)), true};
      continue;
    }
    if (auto it = first_of_key.find(nd.idempotency_key); it != first_of_key.end()) {
      if (creates[it->second].request->request_sha256 != nd.request_sha256) {
        *creates[i].result = tl::unexpected(KeyReusedForOtherRequest());
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
    DeferAttachFiles(d, true);
    DeferWrite(d.code, nd.write);
    if (!nd.idempotency_key.empty()) {
      // A key reused across two batches racing on two nodes fails this batch's flush; the
      // batch re-run job by job then answers it as a replay.
      keys_.insert(keys_.end(),
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
    MOTCUA_RETURN_IF_ERROR(out);
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

}  // namespace motcua::storage
