#include "domain/auth/role.h"

#include <array>

namespace motcua {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 6> kRoles = {{
    {Role::kCitizen, "citizen"},
    {Role::kReception, "reception"},
    {Role::kSpecialist, "specialist"},
    {Role::kLeader, "leader"},
    {Role::kAdmin, "admin"},
    {Role::kAuditor, "auditor"},
}};

}  // namespace

std::string_view RoleName(Role role) {
  for (const auto& [r, name] : kRoles) {
    if (r == role) return name;
  }
  return "citizen";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const auto& [r, n] : kRoles) {
    if (n == name) return r;
  }
  return std::nullopt;
}

bool IsOfficer(Role role) { return role != Role::kCitizen; }

bool AccessPolicy::Reaches(const Principal& who, std::string_view unit_code) const {
  if (who.unit_code.empty() || units_.Find(unit_code) == nullptr) return false;
  switch (who.role) {
    case Role::kCitizen:
      return false;
    case Role::kReception:
    case Role::kSpecialist:
      return unit_code == who.unit_code;
    case Role::kLeader:
      return units_.IsWithin(unit_code, who.unit_code);
    case Role::kAdmin:
    case Role::kAuditor: {
      std::string_view province = units_.ProvinceOf(who.unit_code);
      return !province.empty() && units_.IsWithin(unit_code, province);
    }
  }
  return false;
}

bool AccessPolicy::CanRead(const Principal& who, std::string_view unit_code) const {
  return Reaches(who, unit_code);
}

bool AccessPolicy::CanWrite(const Principal& who, std::string_view unit_code) const {
  return who.role != Role::kAuditor && Reaches(who, unit_code);
}

bool AccessPolicy::CanManageUsers(const Principal& who, std::string_view unit_code) const {
  return who.role == Role::kAdmin && Reaches(who, unit_code);
}

bool ValidUsername(Role role, std::string_view u) {
  if (role == Role::kCitizen) {
    if (u.size() != 12) return false;
    for (char c : u) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  }
  if (u.size() < 3 || u.size() > 64) return false;
  for (char c : u) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

}  // namespace motcua
