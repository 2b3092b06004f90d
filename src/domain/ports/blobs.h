// Port: the bytes of files, stored once per content and named by their SHA-256 (the blob store,
// storage/blob_store.h, on a local or shared file system).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"
#include "domain/files/file_check.h"

namespace motcua {

// A blob once stored.
struct StoredFile {
  std::string sha256;
  uint64_t size = 0;
  MediaType media_type = MediaType::kPdf;
  bool already_stored = false;  // the same bytes were stored before (by anyone)
};

// One upload in progress. Not thread-safe (one request feeds it). Destroying it before Commit
// leaves nothing behind.
class BlobUpload {
 public:
  virtual ~BlobUpload() = default;
  // Hashes and writes the next piece. kPayloadTooLarge past the upload's limit; kUnavailable
  // on a file system error. After a failure the upload is finished.
  virtual Status Append(std::string_view piece) = 0;
  // Checks the content (domain/files/file_check.h), makes it durable and stores it under its
  // SHA-256. Blocking file I/O: call it off the I/O threads. Call once; on failure nothing is
  // left behind.
  virtual Result<StoredFile> Commit() = 0;
};

// Thread-safe.
class Blobs {
 public:
  virtual ~Blobs() = default;
  // Starts an upload of at most `max_bytes`.
  virtual Result<std::unique_ptr<BlobUpload>> Begin(uint64_t max_bytes) = 0;
  // The bytes of a stored blob (at most `max` of them); kNotFound if it is not stored.
  virtual Result<std::string> Read(const std::string& sha256, size_t max) = 0;
};

}  // namespace motcua
