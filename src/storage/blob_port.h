// The Blobs port over the BlobStore: uploads checked with the configured content limits.
#pragma once

#include "domain/ports/blobs.h"
#include "storage/blob_store.h"

namespace motcua::storage {

class BlobPort final : public Blobs {
 public:
  // Borrows `store`, which must outlive this object. Thread-safe.
  BlobPort(BlobStore& store, FileContentLimits limits) : store_(store), limits_(limits) {}
  Result<std::unique_ptr<BlobUpload>> Begin(uint64_t max_bytes) override;
  Result<std::string> Read(const std::string& sha256, size_t max) override;

 private:
  BlobStore& store_;
  FileContentLimits limits_;
};

}  // namespace motcua::storage
