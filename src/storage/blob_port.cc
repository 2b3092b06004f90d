#include "storage/blob_port.h"

namespace motcua::storage {
namespace {

class Upload final : public BlobUpload {
 public:
  Upload(BlobStore::Writer writer, FileContentLimits limits)
      : writer_(std::move(writer)), limits_(limits) {}
  Status Append(std::string_view piece) override { return writer_.Append(piece); }
  Result<StoredFile> Commit() override {
    auto blob = writer_.Commit(limits_);
    MOTCUA_RETURN_IF_ERROR(blob);
    return StoredFile{blob->sha256, blob->size, blob->media_type, blob->deduplicated};
  }

 private:
  BlobStore::Writer writer_;
  FileContentLimits limits_;
};

}  // namespace

Result<std::unique_ptr<BlobUpload>> BlobPort::Begin(uint64_t max_bytes) {
  auto writer = store_.Begin(max_bytes);
  MOTCUA_RETURN_IF_ERROR(writer);
  return std::unique_ptr<BlobUpload>(std::make_unique<Upload>(std::move(*writer), limits_));
}

Result<std::string> BlobPort::Read(const std::string& sha256, size_t max) {
  return store_.Read(sha256, max);
}

}  // namespace motcua::storage
