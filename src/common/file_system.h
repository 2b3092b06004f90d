// The file system as the blob store sees it: a handful of POSIX calls behind an interface, so that
// tests can make the Nth write, sync or rename fail (leveldb's Env idea) and check that nothing
// half-done survives.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"

namespace motcua {

// A read-only memory map of a whole file; unmapped on destruction. Movable.
class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(const char* data, size_t size) : data_(data), size_(size) {}
  ~MappedFile();
  MappedFile(MappedFile&& o) noexcept : data_(o.data_), size_(o.size_) { o.data_ = nullptr; }
  MappedFile& operator=(MappedFile&& o) noexcept;
  std::string_view bytes() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

// Thread-safe. Failures are kUnavailable with the OS error in the English message.
class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Creates `path` exclusively for reading and writing (mode 0640); returns the descriptor.
  virtual Result<int> CreateExclusive(const std::string& path) = 0;
  // Writes all of `data` at the descriptor's position.
  virtual Status WriteAll(int fd, std::string_view data) = 0;
  // Makes the file's data durable (fdatasync).
  virtual Status Sync(int fd) = 0;
  virtual void Close(int fd) = 0;
  // Maps the whole file open as `fd` (its size is `size`) read-only.
  virtual Result<MappedFile> Map(int fd, size_t size) = 0;
  // Atomically replaces `to` with `from` (rename(2)).
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Makes a directory's entries durable (fsync of the directory).
  virtual Status SyncDir(const std::string& dir) = 0;
  // Removes a file; a missing file is not an error.
  virtual Status Remove(const std::string& path) = 0;
  // Creates a directory and its parents (0750).
  virtual Status MakeDirs(const std::string& dir) = 0;
  virtual bool Exists(const std::string& path) = 0;
  // Sets a file's modification time to now (the blob store's "recently used" mark).
  virtual Status Touch(const std::string& path) = 0;
  // Reads up to `max` bytes of a whole file.
  virtual Result<std::string> ReadFile(const std::string& path, size_t max) = 0;
  // Calls `fn(path, age)` for every regular file under `dir`, recursively; `age` is the time
  // since its last modification. Stops early when `fn` returns false.
  virtual Status Walk(const std::string& dir,
                      const std::function<bool(const std::string&, std::chrono::seconds)>& fn) = 0;
};

// The real thing.
std::unique_ptr<FileSystem> MakePosixFileSystem();

}  // namespace motcua
