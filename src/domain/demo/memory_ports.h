// In-memory implementations of small ports, for the demo history (its officers and sample
// files) and for tests: maps under a mutex, with the same contracts as the SQL ones.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/ports/account_store.h"
#include "domain/ports/file_index.h"

namespace motcua {

// Accounts in memory. Thread-safe.
class MemoryAccounts final : public AccountStore {
 public:
  // Starts with `users` (their ids as given).
  explicit MemoryAccounts(std::vector<UserRecord> users = {});
  Result<int64_t> CreateUser(const UserRecord& user) override;
  Result<std::optional<UserRecord>> FindUser(const std::string& username) override;
  Result<std::vector<UserRecord>> ListUsersOfUnit(const std::string& unit_code) override;
  Status SetLoginState(int64_t user_id, int64_t failed_logins, Instant locked_until) override;

 private:
  std::mutex mu_;
  std::map<std::string, UserRecord> users_;  // by username
  int64_t next_id_ = 1;
};

// A file index in memory. Thread-safe.
class MemoryFiles final : public FileIndex {
 public:
  // `shared`: every recorded file counts as uploaded by anyone (the demo's generated people
  // all "upload" the same sample documents); otherwise by its recorded uploaders only.
  explicit MemoryFiles(bool shared = false) : shared_(shared) {}
  // Records at once and calls `done` on the caller's thread.
  void RecordFileAsync(FileRecord f, int64_t uploader_user_id,
                       std::function<void(Status)> done) override;
  Result<std::optional<FileRecord>> FindFile(const std::string& sha256,
                                             int64_t uploader_user_id) override;
  Result<std::unordered_set<std::string>> AllFileShas() override;

 private:
  bool shared_;
  std::mutex mu_;
  std::unordered_map<std::string, FileRecord> files_;
  std::unordered_map<std::string, std::vector<int64_t>> owners_;
};

}  // namespace motcua
