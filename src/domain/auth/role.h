// Roles, principals and the access policy: who may see or change what, by role and unit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/units/unit.h"

namespace motcua {

enum class Role { kCitizen, kReception, kSpecialist, kLeader, kAdmin, kAuditor };

// "citizen", "reception", ... ; ParseRole returns nullopt for anything else.
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);
// True for the roles that belong to a unit (reception, specialist, leader, admin, auditor).
bool IsOfficer(Role role);

// The authenticated caller of a request.
struct Principal {
  int64_t user_id = 0;
  std::string username;
  Role role = Role::kCitizen;
  std::string unit_code;  // empty for citizens
  std::string full_name;
};

// Decides by role and unit. Borrows the directory, which must outlive the policy.
// Reach: reception and specialist officers reach their own unit; a leader reaches the unit and
// everything below it; admin and auditor reach their whole province; citizens reach no unit.
class AccessPolicy {
 public:
  explicit AccessPolicy(const UnitDirectory& units) : units_(units) {}
  // May `who` read data scoped to `unit_code`?
  bool CanRead(const Principal& who, std::string_view unit_code) const;
  // May `who` change data scoped to `unit_code`? (Auditors never may.)
  bool CanWrite(const Principal& who, std::string_view unit_code) const;
  // May `who` create or manage accounts in `unit_code`? Only admins, within their province.
  bool CanManageUsers(const Principal& who, std::string_view unit_code) const;

 private:
  bool Reaches(const Principal& who, std::string_view unit_code) const;
  const UnitDirectory& units_;
};

// Username rules: a citizen's username is the 12-digit citizen ID number; an officer's is 3-64
// characters of a-z, 0-9, '.', '_' or '-'.
bool ValidUsername(Role role, std::string_view username);

}  // namespace motcua
