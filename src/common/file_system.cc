#include "common/file_system.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace motcua {
namespace {

Error OsError(std::string_view what, const std::string& path) {
  return Error{ErrorCode::kUnavailable,
               std::string(what) + " " + path + ": " + std::strerror(errno),
               "Lỗi hệ thống tệp khi lưu trữ tệp.", ""};
}

class PosixFileSystem final : public FileSystem {
 public:
  Result<int> CreateExclusive(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) return tl::unexpected(OsError("create", path));
    return fd;
  }

  Status WriteAll(int fd, std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return tl::unexpected(OsError("write", "fd " + std::to_string(fd)));
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return {};
  }

  Status Sync(int fd) override {
    if (::fdatasync(fd) != 0) return tl::unexpected(OsError("fdatasync", std::to_string(fd)));
    return {};
  }

  void Close(int fd) override { ::close(fd); }

  Result<MappedFile> Map(int fd, size_t size) override {
    if (size == 0) return MappedFile();
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) return tl::unexpected(OsError("mmap", "fd " + std::to_string(fd)));
    return MappedFile(static_cast<const char*>(p), size);
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return tl::unexpected(OsError("rename", from));
    return {};
  }

  Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return tl::unexpected(OsError("open", dir));
    int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) return tl::unexpected(OsError("fsync", dir));
    return {};
  }

  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return tl::unexpected(OsError("unlink", path));
    }
    return {};
  }

  Status MakeDirs(const std::string& dir) override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return Fail(ErrorCode::kUnavailable, "mkdir " + dir + ": " + ec.message(),
                  "Không tạo được thư mục lưu tệp.");
    }
    return {};
  }

  bool Exists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Status Touch(const std::string& path) override {
    if (::utimensat(AT_FDCWD, path.c_str(), nullptr, 0) != 0) {
      return tl::unexpected(OsError("utimensat", path));
    }
    return {};
  }

  Result<std::string> ReadFile(const std::string& path, size_t max) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return Fail(ErrorCode::kNotFound, "No such file: " + path);
      return tl::unexpected(OsError("open", path));
    }
    std::string out;
    char buf[64 * 1024];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        ::close(fd);
        return tl::unexpected(OsError("read", path));
      }
      if (n == 0) break;
      if (out.size() + static_cast<size_t>(n) > max) {
        ::close(fd);
        return Fail(ErrorCode::kPayloadTooLarge, "File " + path + " is larger than expected.");
      }
      out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
  }

  Status Walk(const std::string& dir,
              const std::function<bool(const std::string&, std::chrono::seconds)>& fn) override {
    std::error_code ec;
    auto now = std::filesystem::file_time_type::clock::now();
    std::filesystem::recursive_directory_iterator it(dir, ec), end;
    if (ec) {
      return Fail(ErrorCode::kUnavailable, "list " + dir + ": " + ec.message(),
                  "Không đọc được thư mục lưu tệp.");
    }
    for (; it != end; it.increment(ec)) {
      if (ec) break;
      if (!it->is_regular_file(ec)) continue;
      auto mtime = it->last_write_time(ec);
      if (ec) continue;
      auto age = std::chrono::duration_cast<std::chrono::seconds>(now - mtime);
      if (!fn(it->path().string(), age)) break;
    }
    return {};
  }
};

}  // namespace

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
    data_ = o.data_;
    size_ = o.size_;
    o.data_ = nullptr;
  }
  return *this;
}

std::unique_ptr<FileSystem> MakePosixFileSystem() { return std::make_unique<PosixFileSystem>(); }

}  // namespace motcua
