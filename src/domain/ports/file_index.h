// Port: the index of uploaded files (their bytes live in the blob store, named by SHA-256) and
// who uploaded them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>

#include "common/clock.h"
#include "common/error.h"

namespace motcua {

// A stored file's metadata; its bytes are in the blob store, named by the SHA-256.
struct FileRecord {
  std::string sha256;
  int64_t size = 0;
  std::string media_type;  // application/pdf | image/jpeg | image/png
  Instant created_at{};
};

// Thread-safe; writes are durable when they report success.
class FileIndex {
 public:
  virtual ~FileIndex() = default;
  // Records that `uploader_user_id` stored the file: its metadata once (the same bytes again
  // only add an owner). Idempotent. `done` runs on a store thread once it is durable.
  virtual void RecordFileAsync(FileRecord f, int64_t uploader_user_id,
                               std::function<void(Status)> done) = 0;
  // The file's metadata if it is recorded and, when `uploader_user_id` is not 0, that user
  // uploaded it; nullopt otherwise. A find may be served from memory afterwards: files and
  // owners are never removed.
  virtual Result<std::optional<FileRecord>> FindFile(const std::string& sha256,
                                                     int64_t uploader_user_id) = 0;
  // The SHA-256 of every recorded file (for the blob store's sweep and verify).
  virtual Result<std::unordered_set<std::string>> AllFileShas() = 0;
};

}  // namespace motcua
