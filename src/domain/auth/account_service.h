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
  // Borrows everything, which must outlive the service. Thread-safe.
  AccountService(AccountStore& accounts, AuthService& auth, UnitSource units);

  // The accounts of `unit_code`: kNotFound for an unknown unit, kForbidden unless `who` may
  // read it (officers of the unit; leaders above it; admins and auditors of its province).
  Result<std::vector<UserRecord>> ListOfUnit(const Principal& who, const std::string& unit_code);
  // Creates an account on behalf of `who`: only admins, within their province (kForbidden);
  // kInvalidField naming the field (username form, password length, unknown unit, ...);
  // kConflict if the username is taken. Hashes the password (Argon2id): call it off the I/O
  // threads.
  Result<UserRecord> Create(const Principal& who, const NewUser& user);

 private:
  AccountStore& accounts_;
  AuthService& auth_;
  UnitSource units_;
};

}  // namespace motcua
