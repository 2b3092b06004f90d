// Accounts and sessions: password login with lock-out, bearer/cookie sessions, account creation.
#pragma once

#include <mutex>
#include <unordered_map>

#include <chrono>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/error.h"
#include "common/random.h"
#include "domain/auth/login_throttle.h"
#include "domain/auth/role.h"
#include "domain/ports/account_store.h"
#include "domain/ports/session_store.h"

namespace motcua {

struct AuthConfig {
  std::chrono::seconds session_ttl{8 * 3600};
  LoginThrottleConfig throttle;  // waits after failed logins, per (username, client address)
  PasswordCost password_cost;    // Argon2id cost for new hashes
  size_t min_password_chars = 8;
  size_t max_password_chars = 128;
  // A session found in the store is remembered this long on the node that found it, so most
  // requests cost no database read. Logout on this node forgets it at once; on another node
  // sharing the database it may serve for up to this long. 0 turns the cache off.
  std::chrono::seconds session_cache_ttl{5};
  size_t session_cache_entries = 100'000;
};

// What a successful login hands out. `token` and `csrf_token` are shown once and never stored.
struct LoginResult {
  std::string token;
  std::string csrf_token;
  Principal principal;
  Instant expires_at{};
};

// A valid session found from a token.
struct SessionInfo {
  Principal principal;
  std::string csrf_hash;
  Instant expires_at{};
};

struct NewUser {
  std::string username;
  std::string password;
  Role role = Role::kCitizen;
  std::string unit_code;
  std::string full_name;
};

// Thread-safe. Borrows its collaborators, which must outlive it. Login and CreateUser hash with
// Argon2id (tens of milliseconds of CPU): call them from a bounded worker pool, not an event loop.
class AuthService {
 public:
  AuthService(AccountStore& accounts, SessionStore& sessions, const Clock& clock, Random& random,
              AuthConfig config);

  // Checks the password of `username` for a client at `client` (its address). Fails with
  // kBadCredentials (unknown user, wrong password or disabled account: the caller cannot tell
  // which, and each costs one password hash), kTooManyRequests (field "username"; `*retry_after`
  // set) while (username, client) must wait after repeated failures, or a storage error. Never
  // locks the account.
  Result<LoginResult> Login(std::string_view username, std::string_view password,
                            std::string_view client = {},
                            std::chrono::seconds* retry_after = nullptr);
  // The session for a bearer token; kUnauthenticated if unknown or expired. Served from the
  // session cache when it was found within session_cache_ttl.
  Result<SessionInfo> Authenticate(std::string_view token);
  // How long a login of `username` from `client` must still wait (nullopt: it may go ahead):
  // what Login would refuse with kTooManyRequests, checked before any hashing is queued.
  std::optional<std::chrono::seconds> LoginWait(std::string_view username,
                                                std::string_view client) {
    return throttle_.Wait(username, client);
  }
  // Ends the session of `token` (idempotent).
  Status Logout(std::string_view token);
  // Ends every session of the user, on this node at once (its cached sessions are forgotten)
  // and, through the store, on other nodes within session_cache_ttl. Returns how many.
  Result<int64_t> EndSessionsOf(int64_t user_id);
  // Creates an account on behalf of `actor` (authorisation is the caller's job). Fails with
  // kInvalidField (naming the field) or kConflict if the username is taken.
  Result<UserRecord> CreateUser(const NewUser& user);

  const AuthConfig& config() const { return config_; }

 private:
  std::string NewToken();

  AccountStore& accounts_;
  SessionStore& sessions_;
  const Clock& clock_;
  Random& random_;
  AuthConfig config_;
  std::string dummy_hash_;  // verified against for unknown users, so timing does not tell
  LoginThrottle throttle_;

  struct CachedSession {
    SessionInfo info;
    Instant found_at{};
  };
  std::mutex cache_mu_;
  std::unordered_map<std::string, CachedSession> cache_;  // by token hash
};

// Validates the fields of a new account (username form per role, password length, role/unit
// consistency). Pure; used by CreateUser and by the CLI before touching the store.
Status ValidateNewUser(const NewUser& user, const AuthConfig& config);

}  // namespace motcua
