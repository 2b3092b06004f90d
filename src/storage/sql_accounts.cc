// AccountStore and SessionStore over SQL.
#include "storage/sql_ports.h"
#include "storage/sql_util.h"

namespace motcua::storage {
namespace {

constexpr std::string_view kUserColumns =
    "u.id, u.username, u.password_hash, u.role, COALESCE(u.unit_code, ''), u.full_name, "
    "u.disabled, u.created_at";

UserRecord ReadUser(const SqlRow& r, size_t base) {
  UserRecord u;
  u.id = r.Int(base);
  u.username = r.Str(base + 1);
  u.password_hash = r.Str(base + 2);
  u.role = ParseRole(r.Str(base + 3)).value_or(Role::kCitizen);
  u.unit_code = r.Str(base + 4);
  u.full_name = r.Str(base + 5);
  u.disabled = r.Int(base + 6) != 0;
  u.created_at = FromMicros(r.Int(base + 7));
  return u;
}

}  // namespace

Result<int64_t> SqlAccounts::CreateUser(const UserRecord& u) {
  return Collect<int64_t>(db_, true, [&](SqlConnection& c) -> Result<int64_t> {
    SqlValue unit = u.unit_code.empty() ? SqlValue{} : SqlValue{u.unit_code};
    auto rows = c.Query(
        "INSERT INTO users (username, password_hash, role, unit_code, full_name, "
        "disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        {u.username, u.password_hash, std::string(RoleName(u.role)), unit, u.full_name,
         int64_t{u.disabled ? 1 : 0}, Micros(u.created_at)});
    MOTCUA_RETURN_IF_ERROR(rows);
    return rows->at(0).Int(0);
  });
}

Result<std::optional<UserRecord>> SqlAccounts::FindUser(const std::string& username) {
  using Found = std::optional<UserRecord>;
  return Collect<Found>(db_, false, [&](SqlConnection& c) -> Result<Found> {
    auto rows = c.Query(
        "SELECT " + std::string(kUserColumns) + " FROM users u WHERE u.username = $1", {username});
    MOTCUA_RETURN_IF_ERROR(rows);
    if (rows->empty()) return Found();
    return Found(ReadUser(rows->at(0), 0));
  });
}

Result<std::vector<UserRecord>> SqlAccounts::ListUsersOfUnit(const std::string& unit_code) {
  using Users = std::vector<UserRecord>;
  return Collect<Users>(db_, false, [&](SqlConnection& c) -> Result<Users> {
    auto rows = c.Query("SELECT " + std::string(kUserColumns) +
                            " FROM users u WHERE u.unit_code = $1 ORDER BY u.username",
                        {unit_code});
    MOTCUA_RETURN_IF_ERROR(rows);
    Users out;
    for (const auto& r : *rows) out.push_back(ReadUser(r, 0));
    return out;
  });
}

Status SqlAccounts::SetDisabled(int64_t user_id, bool disabled) {
  return db_.Write([&](SqlConnection& c) -> Status {
    auto rows = c.Query("UPDATE users SET disabled = $1 WHERE id = $2 RETURNING id",
                        {int64_t{disabled ? 1 : 0}, user_id});
    MOTCUA_RETURN_IF_ERROR(rows);
    if (rows->empty()) return Failure(ErrorCode::kNotFound, {}, "username");
    return {};
  });
}

Status SqlSessions::CreateSession(const SessionRecord& s) {
  return db_.Write([&](SqlConnection& c) {
    return Discard(c.Query(
        "INSERT INTO sessions (token_hash, user_id, csrf_hash, created_at, expires_at) VALUES "
        "($1, $2, $3, $4, $5)",
        {s.token_hash, s.user_id, s.csrf_hash, Micros(s.created_at), Micros(s.expires_at)}));
  });
}

Result<std::optional<std::pair<SessionRecord, UserRecord>>> SqlSessions::FindSession(
    const std::string& token_hash) {
  using Found = std::optional<std::pair<SessionRecord, UserRecord>>;
  return Collect<Found>(db_, false, [&](SqlConnection& c) -> Result<Found> {
    auto rows =
        c.Query("SELECT s.token_hash, s.user_id, s.csrf_hash, s.created_at, s.expires_at, " +
                    std::string(kUserColumns) +
                    " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
                {token_hash});
    MOTCUA_RETURN_IF_ERROR(rows);
    if (rows->empty()) return Found();
    const SqlRow& r = rows->at(0);
    SessionRecord s{r.Str(0), r.Int(1), r.Str(2), FromMicros(r.Int(3)), FromMicros(r.Int(4))};
    return Found(std::make_pair(std::move(s), ReadUser(r, 5)));
  });
}

Status SqlSessions::DeleteSession(const std::string& token_hash) {
  return db_.Write([&](SqlConnection& c) {
    return Discard(c.Query("DELETE FROM sessions WHERE token_hash = $1", {token_hash}));
  });
}

Result<int64_t> SqlSessions::DeleteSessionsOfUser(int64_t user_id) {
  return Collect<int64_t>(db_, true, [&](SqlConnection& c) -> Result<int64_t> {
    auto rows = c.Query("DELETE FROM sessions WHERE user_id = $1 RETURNING token_hash", {user_id});
    MOTCUA_RETURN_IF_ERROR(rows);
    return static_cast<int64_t>(rows->size());
  });
}

Result<int64_t> SqlSessions::DeleteExpiredSessions(Instant now) {
  return Collect<int64_t>(db_, true, [&](SqlConnection& c) -> Result<int64_t> {
    auto rows =
        c.Query("DELETE FROM sessions WHERE expires_at < $1 RETURNING token_hash", {Micros(now)});
    MOTCUA_RETURN_IF_ERROR(rows);
    return static_cast<int64_t>(rows->size());
  });
}

}  // namespace motcua::storage
