#include "domain/demo/memory_ports.h"

#include <algorithm>

namespace motcua {

MemoryAccounts::MemoryAccounts(std::vector<UserRecord> users) {
  for (UserRecord& u : users) {
    next_id_ = std::max(next_id_, u.id + 1);
    std::string name = u.username;
    users_.emplace(std::move(name), std::move(u));
  }
}

Result<int64_t> MemoryAccounts::CreateUser(const UserRecord& user) {
  std::lock_guard lock(mu_);
  if (users_.contains(user.username)) {
    return Failure(ErrorCode::kConflict, "The username is taken.", "username");
  }
  UserRecord u = user;
  u.id = next_id_++;
  users_.emplace(u.username, u);
  return u.id;
}

Result<std::optional<UserRecord>> MemoryAccounts::FindUser(const std::string& username) {
  std::lock_guard lock(mu_);
  auto it = users_.find(username);
  if (it == users_.end()) return std::optional<UserRecord>();
  return std::optional<UserRecord>(it->second);
}

Result<std::vector<UserRecord>> MemoryAccounts::ListUsersOfUnit(const std::string& unit_code) {
  std::lock_guard lock(mu_);
  std::vector<UserRecord> out;
  for (const auto& [name, u] : users_) {
    if (u.unit_code == unit_code) out.push_back(u);
  }
  return out;
}

Status MemoryAccounts::SetDisabled(int64_t user_id, bool disabled) {
  std::lock_guard lock(mu_);
  for (auto& [name, u] : users_) {
    if (u.id == user_id) {
      u.disabled = disabled;
      return {};
    }
  }
  return Failure(ErrorCode::kNotFound, {}, "username");
}

void MemoryFiles::RecordFileAsync(FileRecord f, int64_t uploader_user_id,
                                  std::function<void(Status)> done) {
  {
    std::lock_guard lock(mu_);
    std::vector<int64_t>& owners = owners_[f.sha256];
    if (std::find(owners.begin(), owners.end(), uploader_user_id) == owners.end()) {
      owners.push_back(uploader_user_id);
    }
    std::string sha = f.sha256;
    files_.emplace(std::move(sha), std::move(f));
  }
  done({});
}

Result<std::optional<FileRecord>> MemoryFiles::FindFile(const std::string& sha256,
                                                        int64_t uploader_user_id) {
  std::lock_guard lock(mu_);
  auto it = files_.find(sha256);
  if (it == files_.end()) return std::optional<FileRecord>();
  if (!shared_ && uploader_user_id != 0) {
    const std::vector<int64_t>& owners = owners_[sha256];
    if (std::find(owners.begin(), owners.end(), uploader_user_id) == owners.end()) {
      return std::optional<FileRecord>();
    }
  }
  return std::optional<FileRecord>(it->second);
}

Result<std::unordered_set<std::string>> MemoryFiles::AllFileShas() {
  std::lock_guard lock(mu_);
  std::unordered_set<std::string> out;
  for (const auto& [sha, f] : files_) out.insert(sha);
  return out;
}

Result<std::optional<FileRecord>> MemoryNationalRegistry::FetchDocument(
    const std::string& id_number, const std::string& doc_type) {
  auto it = by_doc_type_.find(doc_type);
  if (id_number.size() != 12 || it == by_doc_type_.end() || it->second.empty()) {
    return std::optional<FileRecord>();
  }
  size_t h = std::hash<std::string>{}(id_number);
  return std::optional<FileRecord>(it->second[h % it->second.size()]);
}

}  // namespace motcua
