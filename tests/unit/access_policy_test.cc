#include "domain/auth/role.h"

#include <gtest/gtest.h>

namespace motcua {
namespace {

UnitDirectory Dir() {
  return UnitDirectory({
      {"25", "Tỉnh Phú Thọ", "", "province", "", UnitCategory::kAdministrative},
      {"01", "Thành phố Hà Nội", "", "province", "", UnitCategory::kAdministrative},
      {"08746", "Phường Xuân Hòa", "", "phuong", "25", UnitCategory::kAdministrative},
      {"07900", "Phường Việt Trì", "", "phuong", "25", UnitCategory::kAdministrative},
      {"00004", "Phường Ba Đình", "", "phuong", "01", UnitCategory::kAdministrative},
      {"TTPVHCC", "Trung tâm", "", "service_center", "25", UnitCategory::kAgency},
      {"TTPVHCC_CN1", "Chi nhánh 1", "", "service_center_branch", "TTPVHCC", UnitCategory::kAgency},
  });
}

Principal P(Role r, std::string unit) { return Principal{1, "u", r, std::move(unit), ""}; }

TEST(AccessPolicy, ReachByRole) {
  UnitDirectory dir = Dir();
  AccessPolicy policy(dir);
  // Officers: their own unit only.
  for (Role r : {Role::kReception, Role::kSpecialist}) {
    EXPECT_TRUE(policy.CanRead(P(r, "08746"), "08746"));
    EXPECT_FALSE(policy.CanRead(P(r, "08746"), "07900"));
    EXPECT_FALSE(policy.CanRead(P(r, "08746"), "25"));
    EXPECT_TRUE(policy.CanWrite(P(r, "08746"), "08746"));
  }
  // Leaders: their unit and below.
  EXPECT_TRUE(policy.CanRead(P(Role::kLeader, "TTPVHCC"), "TTPVHCC_CN1"));
  EXPECT_FALSE(policy.CanRead(P(Role::kLeader, "TTPVHCC_CN1"), "TTPVHCC"));
  EXPECT_FALSE(policy.CanRead(P(Role::kLeader, "08746"), "07900"));
  // Admin and auditor: the province, not another one; auditors never write.
  EXPECT_TRUE(policy.CanRead(P(Role::kAdmin, "25"), "07900"));
  EXPECT_TRUE(policy.CanRead(P(Role::kAuditor, "25"), "TTPVHCC_CN1"));
  EXPECT_FALSE(policy.CanRead(P(Role::kAdmin, "25"), "00004"));
  EXPECT_FALSE(policy.CanWrite(P(Role::kAuditor, "25"), "07900"));
  EXPECT_TRUE(policy.CanManageUsers(P(Role::kAdmin, "25"), "08746"));
  EXPECT_FALSE(policy.CanManageUsers(P(Role::kLeader, "25"), "08746"));
  EXPECT_FALSE(policy.CanManageUsers(P(Role::kAdmin, "25"), "00004"));
  // Citizens: no unit.
  EXPECT_FALSE(policy.CanRead(P(Role::kCitizen, ""), "08746"));
  // Unknown unit: nobody.
  EXPECT_FALSE(policy.CanRead(P(Role::kAdmin, "25"), "99999"));
}

TEST(Usernames, ByRole) {
  EXPECT_TRUE(ValidUsername(Role::kCitizen, "025095000123"));
  EXPECT_FALSE(ValidUsername(Role::kCitizen, "02509500012"));
  EXPECT_FALSE(ValidUsername(Role::kCitizen, "02509500012a"));
  EXPECT_TRUE(ValidUsername(Role::kReception, "reception.xuanhoa"));
  EXPECT_FALSE(ValidUsername(Role::kReception, "Reception"));
  EXPECT_FALSE(ValidUsername(Role::kReception, "a'; DROP TABLE users;--"));
  EXPECT_EQ(ParseRole("leader"), Role::kLeader);
  EXPECT_FALSE(ParseRole("root"));
}

}  // namespace
}  // namespace motcua
