// HistoryImport over SQL: a generated history's rows prepared off the writer thread, then
// written with fixed-size multi-row statements in one group commit per batch.
#include <future>
#include <map>

#include "storage/dossier_rows.h"
#include "storage/sql_ports.h"
#include "storage/sql_util.h"

namespace motcua::storage {
namespace {

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
      return Failure(ErrorCode::kInvalidField,
                     "A history dossier has no valid code: '" + code + "'.", "code");
    }
    auto parts = ParseDossierCode(code);
    auto key = std::make_pair(std::string(parts->prefix),
                              FormatIso8601Vn(h.dossier.submitted_at).substr(0, 10));
    int64_t seq = parts->seq;
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
Status ImportHistoryTx(SqlConnection& c, WriteBatch& batch, HistoryRows& rows) {
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
  if (auto st = batch.LoadCursor(c); !st) return st;
  AuditCursor& cursor = batch.cursor();
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

}  // namespace

Status SqlHistory::ImportHistory(const std::vector<HistoryDossier>& batch) {
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  Queue(batch, [promise](Status st) { promise->set_value(std::move(st)); });
  return future.get();
}

void SqlHistory::ImportHistoryAsync(std::vector<HistoryDossier> batch,
                                    std::function<void(Status)> done) {
  Queue(batch, std::move(done));
}

void SqlHistory::Queue(const std::vector<HistoryDossier>& batch, std::function<void(Status)> done) {
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
  std::lock_guard lock(mu_);
  if (!head_) {
    auto head = audit_.AuditHead();
    if (!head) {
      done(tl::unexpected(head.error()));
      return;
    }
    head_ = *head;
  }
  ChainAudit(*rows, head_->first, head_->second);
  head_ = std::make_pair(rows->last_seq, rows->last_hash);
  // Queued under the lock, so that batches are written in the order they were chained.
  db_.WriteAsync([this, rows](SqlConnection& c) { return ImportHistoryTx(c, batch_, *rows); },
                 [this, rows, done = std::move(done)](Status st) {
                   if (!st || rows->rechained) {
                     // The head was not where this batch expected it (a failure, or other
                     // writes in between): the next batch starts from the stored head.
                     std::lock_guard lock(mu_);
                     head_.reset();
                   }
                   done(std::move(st));
                 });
}

}  // namespace motcua::storage
