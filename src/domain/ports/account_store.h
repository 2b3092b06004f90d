// Port: user accounts (officers and citizens) and their login state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "domain/auth/role.h"

namespace motcua {

struct UserRecord {
  int64_t id = 0;
  std::string username;
  std::string password_hash;  // Argon2id encoded; "!" for an account that cannot log in
  Role role = Role::kCitizen;
  std::string unit_code;  // "" for citizens
  std::string full_name;
  bool disabled = false;  // an administrator turned the account off: no login, no session
  Instant created_at{};
};

// Thread-safe; writes are durable when they return success.
class AccountStore {
 public:
  virtual ~AccountStore() = default;
  // Creates an account; kConflict if the username is taken, kInvalidField if the unit does not
  // exist. Returns the new id.
  virtual Result<int64_t> CreateUser(const UserRecord& user) = 0;
  // The account with this username, if any.
  virtual Result<std::optional<UserRecord>> FindUser(const std::string& username) = 0;
  // Accounts of one unit, by username.
  virtual Result<std::vector<UserRecord>> ListUsersOfUnit(const std::string& unit_code) = 0;
  // Turns the account off (no login; its sessions stop authenticating) or on again. kNotFound
  // for an unknown id.
  virtual Status SetDisabled(int64_t user_id, bool disabled) = 0;
};

}  // namespace motcua
