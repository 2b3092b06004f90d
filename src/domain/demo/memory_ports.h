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
#include "domain/ports/national_registry.h"

namespace motcua {

// Accounts in memory. Thread-safe.
class MemoryAccounts final : public AccountStore {
 public:
  // Starts with `users` (their ids as given).
  explicit MemoryAccounts(std::vector<UserRecord> users = {});
  Result<int64_t> CreateUser(const UserRecord& user) override;
  Result<std::optional<UserRecord>> FindUser(const std::string& username) override;
  Result<std::vector<UserRecord>> ListUsersOfUnit(const std::string& unit_code) override;
  Status SetDisabled(int64_t user_id, bool disabled) override;

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

// A national registry in memory: for any well-formed ID number, one of the given files of the
// asked document type (chosen by the ID, so the same person always gets the same one); nullopt
// for a type it has no file of. Thread-safe.
class MemoryNationalRegistry final : public NationalRegistry {
 public:
  explicit MemoryNationalRegistry(std::map<std::string, std::vector<FileRecord>> by_doc_type)
      : by_doc_type_(std::move(by_doc_type)) {}
  Result<std::optional<FileRecord>> FetchDocument(const std::string& id_number,
                                                  const std::string& doc_type) override;

 private:
  const std::map<std::string, std::vector<FileRecord>> by_doc_type_;
};

}  // namespace motcua
