#include "domain/auth/auth_service.h"

#include "common/text.h"

namespace motcua {

AuthService::AuthService(AccountStore& accounts, SessionStore& sessions, const Clock& clock,
                         Random& random, AuthConfig config)
    : accounts_(accounts),
      sessions_(sessions),
      clock_(clock),
      random_(random),
      config_(config),
      throttle_(clock, config.throttle) {
  dummy_hash_ = HashPassword("not a password: timing equaliser", config_.password_cost);
}

std::string AuthService::NewToken() {
  uint8_t bytes[32];  // 256 bits
  random_.Fill(bytes, sizeof bytes);
  return Base64Url(bytes, sizeof bytes);
}

Result<LoginResult> AuthService::Login(std::string_view username, std::string_view password,
                                       std::string_view client, std::chrono::seconds* retry_after) {
  if (username.empty() || username.size() > 64 ||
      password.size() > config_.max_password_chars * 4) {
    return Fail(ErrorCode::kBadCredentials);
  }
  if (auto wait = throttle_.Wait(username, client)) {
    if (retry_after != nullptr) *retry_after = *wait;
    return Fail(ErrorCode::kTooManyRequests,
                "Too many failed logins for this username from your address; try again in " +
                    std::to_string(wait->count()) + " s.",
                "Đăng nhập sai nhiều lần với tên này từ địa chỉ của bạn; vui lòng thử lại sau " +
                    std::to_string(wait->count()) + " giây.",
                "username");
  }
  auto found = accounts_.FindUser(std::string(username));
  MOTCUA_RETURN_IF_ERROR(found);
  // The same work whatever the answer: one hash, no write (failures are counted in memory).
  bool ok = *found ? VerifyPassword((*found)->password_hash, password)
                   : (VerifyPassword(dummy_hash_, password), false);
  if (!ok || (*found)->disabled) {
    throttle_.Failed(username, client);
    return Fail(ErrorCode::kBadCredentials);
  }
  throttle_.Succeeded(username, client);
  const UserRecord& user = **found;
  Instant now = clock_.Now();
  LoginResult out;
  out.token = NewToken();
  out.csrf_token = NewToken();
  out.expires_at = now + config_.session_ttl;
  out.principal = Principal{user.id, user.username, user.role, user.unit_code, user.full_name};
  SessionRecord session{Sha256Hex(out.token), user.id, Sha256Hex(out.csrf_token), now,
                        out.expires_at};
  MOTCUA_RETURN_IF_ERROR(sessions_.CreateSession(session));
  return out;
}

Result<int64_t> AuthService::EndSessionsOf(int64_t user_id) {
  {
    std::lock_guard lock(cache_mu_);
    std::erase_if(cache_,
                  [&](const auto& kv) { return kv.second.info.principal.user_id == user_id; });
  }
  return sessions_.DeleteSessionsOfUser(user_id);
}

Result<SessionInfo> AuthService::Authenticate(std::string_view token) {
  if (token.empty() || token.size() > 128) return Fail(ErrorCode::kUnauthenticated);
  std::string hash = Sha256Hex(token);
  Instant now = clock_.Now();
  auto expired = [] {
    return Fail(ErrorCode::kUnauthenticated, "The session has expired; log in again.",
                "Phiên làm việc đã hết hạn; vui lòng đăng nhập lại.");
  };
  if (config_.session_cache_ttl.count() > 0) {
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(hash);
    if (it != cache_.end()) {
      if (now >= it->second.found_at && now - it->second.found_at < config_.session_cache_ttl) {
        if (it->second.info.expires_at <= now) return expired();
        return it->second.info;
      }
      cache_.erase(it);
    }
  }
  auto found = sessions_.FindSession(hash);
  MOTCUA_RETURN_IF_ERROR(found);
  if (!*found) return Fail(ErrorCode::kUnauthenticated);
  auto& [session, user] = **found;
  if (session.expires_at <= now || user.disabled) return expired();
  SessionInfo info{Principal{user.id, user.username, user.role, user.unit_code, user.full_name},
                   session.csrf_hash, session.expires_at};
  if (config_.session_cache_ttl.count() > 0) {
    std::lock_guard lock(cache_mu_);
    if (cache_.size() >= config_.session_cache_entries) cache_.clear();
    cache_[hash] = CachedSession{info, now};
  }
  return info;
}

Status AuthService::Logout(std::string_view token) {
  if (token.empty() || token.size() > 128) return {};
  std::string hash = Sha256Hex(token);
  {
    std::lock_guard lock(cache_mu_);
    cache_.erase(hash);
  }
  return sessions_.DeleteSession(hash);
}

Status ValidateNewUser(const NewUser& u, const AuthConfig& config) {
  if (!ValidUsername(u.role, u.username)) {
    if (u.role == Role::kCitizen) {
      return Fail(ErrorCode::kInvalidField,
                  "A citizen's username is the 12-digit citizen ID number.",
                  "Tên đăng nhập của công dân là số định danh cá nhân 12 chữ số.", "username");
    }
    return Fail(ErrorCode::kInvalidField,
                "An officer's username has 3-64 characters: a-z, 0-9, '.', '_' or '-'.",
                "Tên đăng nhập của cán bộ dài 3-64 ký tự: a-z, 0-9, '.', '_' hoặc '-'.",
                "username");
  }
  size_t len = Utf8Length(u.password);
  if (!IsValidUtf8(u.password) || len < config.min_password_chars ||
      len > config.max_password_chars) {
    return Fail(ErrorCode::kInvalidField,
                "The password must have " + std::to_string(config.min_password_chars) + " to " +
                    std::to_string(config.max_password_chars) + " characters.",
                "Mật khẩu phải có từ " + std::to_string(config.min_password_chars) + " đến " +
                    std::to_string(config.max_password_chars) + " ký tự.",
                "password");
  }
  if (IsOfficer(u.role) == u.unit_code.empty()) {
    return Fail(
        ErrorCode::kInvalidField,
        IsOfficer(u.role) ? "An officer must belong to a unit." : "A citizen account has no unit.",
        IsOfficer(u.role) ? "Cán bộ phải thuộc một đơn vị."
                          : "Tài khoản công dân không thuộc đơn vị nào.",
        "unit");
  }
  return {};
}

Result<UserRecord> AuthService::CreateUser(const NewUser& u) {
  MOTCUA_RETURN_IF_ERROR(ValidateNewUser(u, config_));
  UserRecord rec;
  rec.username = u.username;
  rec.password_hash = HashPassword(u.password, config_.password_cost);
  if (rec.password_hash.empty()) return Fail(ErrorCode::kUnavailable);
  rec.role = u.role;
  rec.unit_code = u.unit_code;
  rec.full_name = u.full_name;
  rec.created_at = clock_.Now();
  auto id = accounts_.CreateUser(rec);
  if (!id) {
    if (id.error().code == ErrorCode::kConflict) {
      return Fail(ErrorCode::kConflict, "The username is taken.", "Tên đăng nhập đã tồn tại.",
                  "username");
    }
    if (id.error().code == ErrorCode::kInvalidField) {
      return Fail(ErrorCode::kInvalidField, "Unknown unit.", "Đơn vị không tồn tại.", "unit");
    }
    return tl::unexpected(id.error());
  }
  rec.id = *id;
  return rec;
}

}  // namespace motcua
