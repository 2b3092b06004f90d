// Port: login sessions (bearer tokens and cookies), stored by the hash of their token.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "common/clock.h"
#include "common/error.h"
#include "domain/ports/account_store.h"

namespace motcua {

struct SessionRecord {
  std::string token_hash;  // SHA-256 hex of the bearer token; the token itself is never stored
  int64_t user_id = 0;
  std::string csrf_hash;
  Instant created_at{};
  Instant expires_at{};
};

// Thread-safe; writes are durable when they return success.
class SessionStore {
 public:
  virtual ~SessionStore() = default;
  virtual Status CreateSession(const SessionRecord& session) = 0;
  // The session with this token hash and its user, if any (expired ones included: the caller
  // decides).
  virtual Result<std::optional<std::pair<SessionRecord, UserRecord>>> FindSession(
      const std::string& token_hash) = 0;
  // Deletes the session (idempotent).
  virtual Status DeleteSession(const std::string& token_hash) = 0;
  // Deletes every session of the user (idempotent); returns how many.
  virtual Result<int64_t> DeleteSessionsOfUser(int64_t user_id) = 0;
  // Deletes sessions that expired before `now`; returns how many.
  virtual Result<int64_t> DeleteExpiredSessions(Instant now) = 0;
};

}  // namespace motcua
