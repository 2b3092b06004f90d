// The port through which the domain persists and loads its state. src/storage implements it
// for SQLite and PostgreSQL with identical behaviour; the contract tests in tests/unit/
// store_test.cc run against both. All methods are thread-safe. Writes are durable when they
// return success.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "domain/auth/role.h"
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

  // Deletes sessions that expired before `now`; returns how many.
  virtual Result<int64_t> DeleteExpiredSessions(Instant now) = 0;
};

}  // namespace motcua
