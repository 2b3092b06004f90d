// The port through which the domain persists and loads its state. src/storage implements it
// for SQLite and PostgreSQL with identical behaviour; the contract tests in tests/unit/
// store_test.cc run against both. All methods are thread-safe. Writes are durable when they
// return success.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
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
  int64_t attempts = 0;
  Instant next_attempt_at{};
  std::string last_error;
  Instant created_at{};
};

// What a dossier change appends besides the dossier itself: its audit entry (seq and hashes
// are assigned by the store) and the messages it triggers.
struct DossierWrite {
  AuditEntry event;
  std::vector<OutboxMessage> outbox;
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

// A page of an officer's queue: filters, sorted by appointment (none last) then code, keyset
// paged by (due, code) after `after_due`/`after_code`.
struct DossierQuery {
  std::vector<std::string> units;   // current_unit in these (empty = any; callers scope it)
  int64_t applicant_user_id = 0;    // only this applicant's dossiers (0 = any) ...
  std::string applicant_id_number;  // ... or those filed under this ID number (citizens' own)
  std::optional<DossierState> state;
  std::string procedure_id;
  std::optional<Channel> channel;
  std::optional<Instant> due_before;  // appointment before this instant (overdue, due within)
  bool unfinished_only = false;       // not yet finished (no result, refusal, stop or withdrawal)
  std::string code;                   // exact code
  std::string name_folded;            // applicant name contains (folded)
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
  virtual Result<std::vector<Dossier>> ListDossiers(const DossierQuery& q) = 0;
  // Audit entries of one dossier ("" = the whole chain), in seq order, and the chain's head.
  virtual Result<std::vector<AuditEntry>> LoadAudit(const std::string& dossier_code) = 0;
  virtual Result<std::pair<int64_t, std::string>> AuditHead() = 0;
  // Outbox messages of a dossier, oldest first.
  virtual Result<std::vector<OutboxMessage>> LoadOutbox(const std::string& dossier_code) = 0;

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
