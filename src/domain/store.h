// The port through which the domain persists and loads its state. src/storage implements it
// for SQLite and PostgreSQL with identical behaviour; the contract tests in tests/unit/
// store_test.cc run against both. All methods are thread-safe. Writes are durable when they
// return success.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "domain/auth/role.h"
#include "domain/dossier/audit.h"
#include "domain/dossier/dossier.h"
#include "domain/units/unit.h"

namespace motcua {

// One stored version of a procedure: the validated JSON record as imported.
struct ProcedureRecord {
  std::string id;
  int64_t version = 0;
  std::string content;  // JSON
  std::string content_sha256;
  Instant imported_at{};
  bool is_current = false;
};

struct ImportSummary {
  size_t added = 0;      // procedures seen for the first time
  size_t changed = 0;    // procedures that got a new version
  size_t unchanged = 0;  // identical to their current version
};

struct UserRecord {
  int64_t id = 0;
  std::string username;
  std::string password_hash;
  Role role = Role::kCitizen;
  std::string unit_code;
  std::string full_name;
  int64_t failed_logins = 0;
  Instant locked_until{};
  bool disabled = false;
  Instant created_at{};
};

struct SessionRecord {
  std::string token_hash;  // SHA-256 hex of the bearer token; the token itself is never stored
  int64_t user_id = 0;
  std::string csrf_hash;
  Instant created_at{};
  Instant expires_at{};
};

// A message to the applicant, written in the same transaction as the change it reports and
// delivered later by the sender (e-mail over SMTP, SMS over an HTTP gateway).
struct OutboxMessage {
  int64_t id = 0;
  std::string dossier_code;
  std::string channel;  // "email" | "sms"
  std::string recipient;
  std::string subject;
  std::string body;
  std::string status = "pending";  // pending | sent | failed
  int64_t attempts = 0;            // delivery attempts started (a claim counts as one)
  Instant next_attempt_at{};
  std::string last_error;  // why the latest failed attempt failed; kept after a later success
  Instant created_at{};
  Instant sent_at{};         // when the provider accepted it (epoch while not sent)
  std::string provider_ref;  // what the provider answered on acceptance (SMTP reply, gateway id)
};

// The outcome of one delivery attempt of a claimed message, for Store::RecordDelivery.
struct OutboxDelivery {
  int64_t id = 0;
  int64_t attempt = 0;             // the message's `attempts` as claimed ...
  Instant lease_until{};           // ... and its next_attempt_at: together they name the claim
  std::string status = "pending";  // sent | failed | pending (retry at next_attempt_at)
  Instant next_attempt_at{};       // only for pending
  std::string last_error;          // why it failed; for sent, "" keeps the stored one
  std::string provider_ref;        // only for sent
  Instant at{};                    // when the attempt ended (becomes sent_at when sent)
  bool attempted = true;           // false (pending only): the claim is given back unused,
                                   // so `attempts` goes back down by one
};

// A stored file's metadata; its bytes are in the blob store, named by the SHA-256.
struct FileRecord {
  std::string sha256;
  int64_t size = 0;
  std::string media_type;  // application/pdf | image/jpeg | image/png
  Instant created_at{};
};

// One document of a citizen's own store: a file attached to one of their dossiers, which later
// dossiers may reuse instead of uploading it again.
struct ApplicantDocument {
  std::string sha256;
  std::string kind;          // "component" | "result"
  std::string component_id;  // the procedure's component id ("" for a result)
  std::string dossier_code;
  std::string media_type;
  int64_t size = 0;
  Instant attached_at{};
};

// What a dossier change appends besides the dossier itself: its audit entry (seq and hashes
// are assigned by the store) and the messages it triggers.
struct DossierWrite {
  AuditEntry event;
  std::vector<OutboxMessage> outbox;
  std::string complaint;  // non-empty: the applicant's complaint to record
};

struct NewDossier {
  Dossier dossier;              // code empty: the store assigns it
  std::string code_prefix;      // the receiving unit's dossier-code prefix
  std::string idempotency_key;  // "" = none; already scoped by the caller
  std::string request_sha256;   // of the request, to detect a key reused for another body
  DossierWrite write;
};

struct CreatedDossier {
  Dossier dossier;
  bool replayed = false;  // the idempotency key was seen: this is the earlier dossier
};

// A complaint filed in a generated history (Store::ImportHistory).
struct HistoryComplaint {
  Instant at{};
  std::string text;
};

// One dossier of a generated history (the demo's), as far as its lifecycle went: what
// Store::ImportHistory writes in one go. Made by the dossier service over an in-memory store
// (src/domain/demo/history_store.h), so it is what live intake and actions would have written.
struct HistoryDossier {
  Dossier dossier;                    // its final state; the code is assigned
  std::vector<AuditEntry> audit;      // in order; seq and hashes are assigned by the import
  std::vector<OutboxMessage> outbox;  // written as given (a history's are already sent)
  std::vector<HistoryComplaint> complaints;
  std::vector<ApplicantDocument> files;  // every file the dossier named (dossier_files rows)
};

// A page of an officer's queue: filters, sorted by appointment (none last) then code, keyset
// paged by (due, code) after `after_due`/`after_code`.
struct DossierQuery {
  std::vector<std::string> units;   // current_unit in these (empty = any; callers scope it)
  std::string applicant_id_number;  // only those of this applicant ID number ("" = any)
  std::optional<DossierState> state;
  std::string procedure_id;
  std::optional<Channel> channel;
  std::optional<Instant> due_before;  // appointment before this instant (overdue, due within)
  bool unfinished_only = false;       // not yet finished (no result, refusal, stop or withdrawal)
  std::string code;                   // exact code
  std::string name_folded;            // applicant name contains (folded)
  std::string receiving_unit;         // lodged at this unit ("" = any; form 06) ...
  std::optional<Instant> received_from;    // ... and received at or after this instant ...
  std::optional<Instant> received_before;  // ... and before this one
  size_t limit = 50;
  std::optional<int64_t> after_due;  // keyset cursor
  std::string after_code;
};

class Store {
 public:
  virtual ~Store() = default;

  // Reachability of the database (for /readyz).
  virtual Status Ping() = 0;

  // Inserts or updates units by code. Parents must exist or come earlier in `units`.
  virtual Status UpsertUnits(const std::vector<Unit>& units) = 0;
  // Every unit, parents before children.
  virtual Result<std::vector<Unit>> LoadUnits() = 0;

  // Stores `records` (id + content) in one transaction: a new id gets version 1; content that
  // differs from the current version becomes version n+1 and current, the old one is kept.
  virtual Result<ImportSummary> ImportProcedures(const std::vector<ProcedureRecord>& records,
                                                 Instant now) = 0;
  // The current version of every procedure.
  virtual Result<std::vector<ProcedureRecord>> LoadCurrentProcedures() = 0;
  // Every version of one procedure, oldest first; empty if unknown.
  virtual Result<std::vector<ProcedureRecord>> LoadProcedureVersions(const std::string& id) = 0;

  // Creates an account; kConflict if the username is taken. Returns the new id.
  virtual Result<int64_t> CreateUser(const UserRecord& user) = 0;
  virtual Result<std::optional<UserRecord>> FindUser(const std::string& username) = 0;
  // Accounts of one unit, by username.
  virtual Result<std::vector<UserRecord>> ListUsersOfUnit(const std::string& unit_code) = 0;
  // Records the outcome of a login attempt: the new failure count and lock-out end.
  virtual Status SetLoginState(int64_t user_id, int64_t failed_logins, Instant locked_until) = 0;

  virtual Status CreateSession(const SessionRecord& session) = 0;
  // The session with this token hash and its user, if any (expired ones included: the caller
  // decides).
  virtual Result<std::optional<std::pair<SessionRecord, UserRecord>>> FindSession(
      const std::string& token_hash) = 0;
  virtual Status DeleteSession(const std::string& token_hash) = 0;
  // Short strings that change whenever the units or the catalog change (so a running server can
  // notice an import done by another process): {units stamp, procedures stamp}.
  virtual Result<std::pair<std::string, std::string>> DataStamps() = 0;

  // Creates a dossier durably: the next code of (code_prefix, Vietnam day of submitted_at) —
  // unique under concurrency —, its audit entry, its outbox messages and its idempotency key,
  // all in one transaction. A known idempotency key returns the earlier dossier (replayed), or
  // kConflict if it came with another request.
  virtual Result<CreatedDossier> CreateDossier(const NewDossier& d) = 0;
  // The same without blocking: `done` runs (on a store thread) once the group commit holding
  // the dossier is durable, or failed. Lets concurrent submissions share one commit.
  virtual void CreateDossierAsync(NewDossier d,
                                  std::function<void(Result<CreatedDossier>)> done) = 0;
  virtual Result<std::optional<Dossier>> FindDossier(const std::string& code) = 0;
  // Replaces the dossier if its stored version is `expected_version` (then version+1), and
  // appends the write's audit entry and messages, in one transaction; kConflict otherwise.
  virtual Result<Dossier> UpdateDossier(const Dossier& d, int64_t expected_version,
                                        const DossierWrite& write) = 0;
  // The dossiers matching `q`, by appointment (no appointment last), then code; at most q.limit.
  virtual Result<std::vector<Dossier>> ListDossiers(const DossierQuery& q) = 0;
  // The same rows as ListDossiers, as queue lines (what officers' queues page through).
  virtual Result<std::vector<DossierLine>> ListDossierLines(const DossierQuery& q) = 0;
  // Writes a batch of generated dossiers in one transaction: the dossiers, their files, their
  // audit entries appended to the chain in batch order (seq and hashes assigned here), their
  // outbox messages and complaints, and each (code prefix, day) sequence advanced to the
  // highest used, so that live intake continues the numbering. All or nothing; kConflict if a
  // code exists, kInvalidField for a malformed code.
  virtual Status ImportHistory(const std::vector<HistoryDossier>& batch) = 0;
  // The same without waiting: prepares the rows (and the audit hashes, chained on from the
  // previous batch) on the calling thread, queues the write and returns; `done` runs on a store
  // thread once the batch is durable, or failed. Batches are written in the order of the calls,
  // so a caller can prepare the next batch while the previous one is being written.
  virtual void ImportHistoryAsync(std::vector<HistoryDossier> batch,
                                  std::function<void(Status)> done) = 0;
  // Audit entries of one dossier ("" = the whole chain), in seq order, and the chain's head.
  virtual Result<std::vector<AuditEntry>> LoadAudit(const std::string& dossier_code) = 0;
  virtual Result<std::pair<int64_t, std::string>> AuditHead() = 0;
  // Outbox messages of a dossier, oldest first.
  virtual Result<std::vector<OutboxMessage>> LoadOutbox(const std::string& dossier_code) = 0;
  // Claims up to `max` pending messages of `channels` whose next_attempt_at <= now, oldest due
  // first: in one statement that re-checks the condition row by row, it bumps their `attempts`
  // and pushes next_attempt_at to now + lease, and returns them as updated. So two senders
  // (threads, or nodes sharing one PostgreSQL) never hold the same message at once; one that
  // dies holding a claim lets it fall due again when the lease ends. Empty when none is due.
  virtual Result<std::vector<OutboxMessage>> ClaimDueOutbox(
      Instant now, std::chrono::seconds lease, size_t max,
      const std::vector<std::string>& channels) = 0;
  // Records the outcome of the claim (d.attempt, d.lease_until) of a message: sent (sent_at =
  // at), failed (for good), or pending again at d.next_attempt_at. Fails with kConflict, changing
  // nothing, unless the message is still pending under that very claim (not when its lease ran
  // out and another sender claimed it, nor when this claim was already recorded).
  virtual Status RecordDelivery(const OutboxDelivery& d) = 0;

  // Records that `uploader_user_id` stored the file: its metadata once (the same bytes again
  // only add an owner). Idempotent. `done` runs on a store thread once it is durable.
  virtual void RecordFileAsync(FileRecord f, int64_t uploader_user_id,
                               std::function<void(Status)> done) = 0;
  // The file's metadata if it is recorded and, when `uploader_user_id` is not 0, that user
  // uploaded it; nullopt otherwise. A find may be served from memory afterwards: files and
  // owners are never removed.
  virtual Result<std::optional<FileRecord>> FindFile(const std::string& sha256,
                                                     int64_t uploader_user_id) = 0;
  // Files attached to dossiers of the applicant with this ID number, one per file, most recently
  // attached first, at most `limit`.
  virtual Result<std::vector<ApplicantDocument>> ListApplicantDocuments(
      const std::string& id_number, size_t limit) = 0;
  // The applicant's document with this SHA-256, if it is in their store.
  virtual Result<std::optional<ApplicantDocument>> FindApplicantDocument(
      const std::string& id_number, const std::string& sha256) = 0;
  // True iff the dossier names the file, as a component or as its result.
  virtual Result<bool> DossierHasFile(const std::string& code, const std::string& sha256) = 0;
  // The SHA-256 of every recorded file (for the blob store's sweep and verify).
  virtual Result<std::unordered_set<std::string>> AllFileShas() = 0;
  // Rows naming a unit, dossier or file that does not exist, one line per kind found ("3
  // dossier_files row(s) name a dossier that does not exist"); empty when every reference
  // holds. These are the references the PostgreSQL schema leaves to the domain (migration 8);
  // `motcua audit verify` runs this on both backends. Reads whole tables: offline checks only.
  virtual Result<std::vector<std::string>> CheckReferences() = 0;
  // Complaints about a dossier, oldest first: {created_at, text, status}.
  struct ComplaintRow {
    int64_t id = 0;
    std::string text;
    std::string status;
    Instant created_at{};
  };
  virtual Result<std::vector<ComplaintRow>> LoadComplaints(const std::string& dossier_code) = 0;

  // Official calendar overrides (days off and make-up working days), by date "YYYY-MM-DD".
  struct CalendarOverrideRow {
    std::string day;
    bool working = false;
    std::string reason_vi;
    std::string reason_en;
  };
  virtual Result<std::vector<CalendarOverrideRow>> LoadCalendarOverrides() = 0;
  virtual Status UpsertCalendarOverrides(const std::vector<CalendarOverrideRow>& rows) = 0;
  // kNotFound if there is none for that day.
  virtual Status DeleteCalendarOverride(const std::string& day) = 0;

  // Deletes sessions that expired before `now`; returns how many.
  virtual Result<int64_t> DeleteExpiredSessions(Instant now) = 0;
};

}  // namespace motcua
