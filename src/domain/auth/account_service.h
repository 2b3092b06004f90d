// Accounts as officers manage them: listing a unit's accounts and creating accounts, each with
// its authorisation by role and unit (AccessPolicy).
#pragma once

#include <vector>

#include "domain/auth/auth_service.h"
#include "domain/auth/role.h"
#include "domain/ports/account_store.h"

namespace motcua {

class AccountService {
 public:
  // Borrows everything, which must outlive the service. Thread-safe. `province_code` is the
  // deployment's (its admins manage the citizens' accounts).
  AccountService(AccountStore& accounts, AuthService& auth, UnitSource units,
                 std::string province_code);

  // The accounts of `unit_code`: kNotFound for an unknown unit, kForbidden unless `who` may
  // read it (officers of the unit; leaders above it; admins and auditors of its province).
  Result<std::vector<UserRecord>> ListOfUnit(const Principal& who, const std::string& unit_code);
  // Creates an account on behalf of `who`: only admins, within their province (kForbidden);
  // kInvalidField naming the field (username form, password length, unknown unit, ...);
  // kConflict if the username is taken. Hashes the password (Argon2id): call it off the I/O
  // threads.
  Result<UserRecord> Create(const Principal& who, const NewUser& user);
  // Turns `username`'s account off (it cannot log in and every session of it ends at once) or
  // on again. Admins only: of the account's unit's province, or of the deployment's province
  // for a citizen (kForbidden); kNotFound for an unknown username; kConflict for one's own
  // account. Returns the account as it is now.
  Result<UserRecord> SetDisabled(const Principal& who, const std::string& username, bool disabled);
  // Ends every session of `username`'s account (the same rights as SetDisabled; one's own
  // included). Returns how many ended.
  Result<int64_t> EndSessions(const Principal& who, const std::string& username);

 private:
  AccountStore& accounts_;
  AuthService& auth_;
  UnitSource units_;
  std::string province_code_;

  // The account `who` may manage, or the error to answer.
  Result<UserRecord> Managed(const Principal& who, const std::string& username);
};

}  // namespace motcua
