#include "storage/blob_store.h"

#include <filesystem>

namespace motcua::storage {

BlobStore::BlobStore(std::string root, FileSystem& fs, Random& random)
    : root_(std::move(root)), fs_(fs), random_(random) {}

Status BlobStore::Open() {
  if (auto st = fs_.MakeDirs(root_ + "/blobs"); !st) return st;
  return fs_.MakeDirs(root_ + "/tmp");
}

std::string BlobStore::PathOf(const std::string& sha256) const {
  return root_ + "/blobs/" + sha256.substr(0, 2) + "/" + sha256.substr(2, 2) + "/" + sha256;
}

bool BlobStore::Has(const std::string& sha256) {
  return IsSha256Hex(sha256) && fs_.Exists(PathOf(sha256));
}

Result<BlobStore::Writer> BlobStore::Begin(uint64_t max_bytes) {
  uint8_t id[12];
  random_.Fill(id, sizeof id);
  std::string temp = root_ + "/tmp/" + Hex(id, sizeof id) + ".part";
  auto fd = fs_.CreateExclusive(temp);
  MOTCUA_RETURN_IF_ERROR(fd);
  return Writer(*this, std::move(temp), *fd, max_bytes);
}

BlobStore::Writer::Writer(BlobStore& store, std::string temp, int fd, uint64_t max_bytes)
    : store_(&store),
      temp_(std::move(temp)),
      fd_(fd),
      max_bytes_(max_bytes),
      hash_(std::make_unique<Sha256Stream>()) {}

BlobStore::Writer::Writer(Writer&& o) noexcept
    : store_(o.store_),
      temp_(std::move(o.temp_)),
      fd_(o.fd_),
      max_bytes_(o.max_bytes_),
      size_(o.size_),
      hash_(std::move(o.hash_)),
      pending_(std::move(o.pending_)),
      head_(std::move(o.head_)) {
  o.fd_ = -1;
  o.temp_.clear();
}

BlobStore::Writer::~Writer() { Abandon(); }

void BlobStore::Writer::Abandon() {
  if (fd_ >= 0) store_->fs_.Close(fd_);
  fd_ = -1;
  if (!temp_.empty()) (void)store_->fs_.Remove(temp_);
  temp_.clear();
}

Status BlobStore::Writer::Append(std::string_view data) {
  if (fd_ < 0) return Failure(ErrorCode::kInternal, "upload already finished");
  if (size_ + data.size() > max_bytes_) {
    Abandon();
    return Failure(ErrorCode::kPayloadTooLarge,
                   "blob over " + std::to_string(max_bytes_) + " bytes", "file");
  }
  size_ += data.size();
  if (head_.size() < kHeadBytes) head_.append(data.substr(0, kHeadBytes - head_.size()));
  if (pending_.size() + data.size() < kWriteBytes) {
    pending_.append(data);
    return {};
  }
  if (!pending_.empty()) {  // fill the buffer up and write it
    size_t take = kWriteBytes - pending_.size();
    pending_.append(data.substr(0, take));
    data.remove_prefix(take);
    if (auto st = Flush(); !st) return st;
  }
  if (data.size() < kWriteBytes) {
    pending_.append(data);
    return {};
  }
  hash_->Update(data);  // a large piece goes as it is
  if (auto st = store_->fs_.WriteAll(fd_, data); !st) {
    Abandon();
    return st;
  }
  return {};
}

Status BlobStore::Writer::Flush() {
  if (pending_.empty()) return {};
  hash_->Update(pending_);
  if (auto st = store_->fs_.WriteAll(fd_, pending_); !st) {
    Abandon();
    return st;
  }
  pending_.clear();
  return {};
}

Result<StoredBlob> BlobStore::Writer::Commit(const FileContentLimits& limits) {
  if (fd_ < 0) return Failure(ErrorCode::kInternal, "upload already finished");
  MOTCUA_RETURN_IF_ERROR(Flush());
  FileSystem& fs = store_->fs_;
  StoredBlob blob;
  blob.size = size_;
  blob.sha256 = hash_->FinishHex();
  std::string final_path = store_->PathOf(blob.sha256);
  if (auto type = SniffMediaType(head_); type && fs.Exists(final_path)) {
    // Already stored, so these very bytes passed the content check when they were first stored:
    // keep the old file, mark it recently used so a sweep spares it, and skip the check.
    Abandon();
    blob.media_type = *type;
    blob.deduplicated = true;
    MOTCUA_RETURN_IF_ERROR(fs.Touch(final_path));
    return blob;
  }
  {
    auto map = fs.Map(fd_, size_);
    if (!map) {
      Abandon();
      return tl::unexpected(map.error());
    }
    auto type = CheckFileContent(map->bytes(), limits);
    if (!type) {
      Abandon();
      return tl::unexpected(type.error());
    }
    blob.media_type = *type;
  }
  if (fs.Exists(final_path)) {
    // Stored meanwhile by another upload of the same bytes.
    Abandon();
    blob.deduplicated = true;
    MOTCUA_RETURN_IF_ERROR(fs.Touch(final_path));
    return blob;
  }
  if (auto st = fs.Sync(fd_); !st) {
    Abandon();
    return tl::unexpected(st.error());
  }
  fs.Close(fd_);
  fd_ = -1;
  std::string dir = std::filesystem::path(final_path).parent_path().string();
  if (auto st = fs.MakeDirs(dir); !st) {
    Abandon();
    return tl::unexpected(st.error());
  }
  if (auto st = fs.Rename(temp_, final_path); !st) {
    Abandon();
    return tl::unexpected(st.error());
  }
  temp_.clear();
  MOTCUA_RETURN_IF_ERROR(fs.SyncDir(dir));
  return blob;
}

Result<StoredBlob> BlobStore::Put(std::string_view bytes, const FileContentLimits& limits) {
  auto w = Begin(bytes.size());
  MOTCUA_RETURN_IF_ERROR(w);
  MOTCUA_RETURN_IF_ERROR(w->Append(bytes));
  return w->Commit(limits);
}

Result<std::string> BlobStore::Read(const std::string& sha256, size_t max) {
  if (!IsSha256Hex(sha256)) return Fail(ErrorCode::kNotFound);
  return fs_.ReadFile(PathOf(sha256), max);
}

Result<SweepReport> BlobStore::Sweep(const std::unordered_set<std::string>& referenced,
                                     std::chrono::seconds grace) {
  SweepReport report;
  Status failed;
  auto visit = [&](const std::string& path, std::chrono::seconds age, bool temp) {
    if (age < grace) {
      if (!temp) ++report.blobs_kept;
      return true;
    }
    std::string name = std::filesystem::path(path).filename().string();
    if (!temp && referenced.count(name) != 0) {
      ++report.blobs_kept;
      return true;
    }
    if (auto st = fs_.Remove(path); !st) {
      failed = st;
      return false;
    }
    ++(temp ? report.temp_removed : report.blobs_removed);
    return true;
  };
  if (auto st = fs_.Walk(root_ + "/tmp", [&](const std::string& p,
                                             std::chrono::seconds a) { return visit(p, a, true); });
      !st) {
    return tl::unexpected(st.error());
  }
  MOTCUA_RETURN_IF_ERROR(failed);
  if (auto st = fs_.Walk(
          root_ + "/blobs",
          [&](const std::string& p, std::chrono::seconds a) { return visit(p, a, false); });
      !st) {
    return tl::unexpected(st.error());
  }
  MOTCUA_RETURN_IF_ERROR(failed);
  return report;
}

Result<std::vector<std::string>> BlobStore::Verify(const std::unordered_set<std::string>& expected,
                                                   size_t max_file_bytes) {
  std::vector<std::string> problems;
  std::unordered_set<std::string> seen;
  Status failed;
  auto st = fs_.Walk(root_ + "/blobs", [&](const std::string& path, std::chrono::seconds) {
    std::string name = std::filesystem::path(path).filename().string();
    seen.insert(name);
    auto bytes = fs_.ReadFile(path, max_file_bytes);
    if (!bytes) {
      problems.push_back(name + ": unreadable: " + ErrorText(bytes.error()));
    } else if (!IsSha256Hex(name) || Sha256Hex(*bytes) != name) {
      problems.push_back(name + ": content does not match its name");
    } else if (path != PathOf(name)) {
      problems.push_back(name + ": misplaced at " + path);
    }
    return true;
  });
  MOTCUA_RETURN_IF_ERROR(st);
  for (const std::string& sha : expected) {
    if (seen.count(sha) == 0) problems.push_back(sha + ": named by the database but missing");
  }
  std::sort(problems.begin(), problems.end());
  return problems;
}

}  // namespace motcua::storage
