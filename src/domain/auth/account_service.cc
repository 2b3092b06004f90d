#include "domain/auth/account_service.h"

namespace motcua {

AccountService::AccountService(AccountStore& accounts, AuthService& auth, UnitSource units)
    : accounts_(accounts), auth_(auth), units_(std::move(units)) {}

Result<std::vector<UserRecord>> AccountService::ListOfUnit(const Principal& who,
                                                           const std::string& unit_code) {
  auto dir = units_();
  if (dir->Find(unit_code) == nullptr) {
    return Fail(ErrorCode::kNotFound, "No unit with that code.", "Không có đơn vị với mã này.",
                "code");
  }
  if (!AccessPolicy(*dir).CanRead(who, unit_code)) return Fail(ErrorCode::kForbidden);
  return accounts_.ListUsersOfUnit(unit_code);
}

Result<UserRecord> AccountService::Create(const Principal& who, const NewUser& u) {
  if (who.role != Role::kAdmin) return Fail(ErrorCode::kForbidden);
  if (auto st = ValidateNewUser(u, auth_.config()); !st) return tl::unexpected(st.error());
  if (!u.unit_code.empty()) {
    auto dir = units_();
    if (dir->Find(u.unit_code) == nullptr) {
      return Fail(ErrorCode::kInvalidField, "Unknown unit.", "Đơn vị không tồn tại.", "unit");
    }
    if (!AccessPolicy(*dir).CanManageUsers(who, u.unit_code)) {
      return Fail(ErrorCode::kForbidden, "You cannot create accounts in that unit.",
                  "Bạn không được tạo tài khoản ở đơn vị này.", "unit");
    }
  }
  return auth_.CreateUser(u);
}

}  // namespace motcua
