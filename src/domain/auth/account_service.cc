#include "domain/auth/account_service.h"

namespace motcua {

AccountService::AccountService(AccountStore& accounts, AuthService& auth, UnitSource units,
                               std::string province_code)
    : accounts_(accounts),
      auth_(auth),
      units_(std::move(units)),
      province_code_(std::move(province_code)) {}

Result<UserRecord> AccountService::Managed(const Principal& who, const std::string& username) {
  if (who.role != Role::kAdmin) return Fail(ErrorCode::kForbidden);
  auto found = accounts_.FindUser(username);
  MOTCUA_RETURN_IF_ERROR(found);
  auto dir = units_();
  auto no_such = [] {
    return Fail(ErrorCode::kNotFound, "No such account.", "Không có tài khoản này.", "username");
  };
  if (!*found) return no_such();
  const UserRecord& u = **found;
  bool may = u.unit_code.empty() ? dir->ProvinceOf(who.unit_code) == province_code_
                                 : AccessPolicy(*dir).CanManageUsers(who, u.unit_code);
  // An account out of reach answers as an unknown one: its existence is not for this admin.
  if (!may) return no_such();
  return u;
}

Result<UserRecord> AccountService::SetDisabled(const Principal& who, const std::string& username,
                                               bool disabled) {
  auto user = Managed(who, username);
  if (!user) return user;
  if (user->id == who.user_id) {
    return Fail(ErrorCode::kConflict, "You cannot turn your own account off.",
                "Bạn không thể tự khóa tài khoản của mình.", "username");
  }
  MOTCUA_RETURN_IF_ERROR(accounts_.SetDisabled(user->id, disabled));
  if (disabled) {
    MOTCUA_RETURN_IF_ERROR(auth_.EndSessionsOf(user->id));
  }
  user->disabled = disabled;
  return user;
}

Result<int64_t> AccountService::EndSessions(const Principal& who, const std::string& username) {
  auto user = Managed(who, username);
  MOTCUA_RETURN_IF_ERROR(user);
  return auth_.EndSessionsOf(user->id);
}

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
  MOTCUA_RETURN_IF_ERROR(ValidateNewUser(u, auth_.config()));
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
