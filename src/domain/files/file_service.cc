#include "domain/files/file_service.h"

#include <future>

#include "common/crypto.h"
#include "common/log.h"

namespace motcua {
namespace {

Error NoFile() {
  return Error{ErrorCode::kNotFound, "No such file.", "Không có tệp này.", "sha256"};
}

}  // namespace

FileService::FileService(Blobs& blobs, FileIndex& files, ApplicantDocuments& documents,
                         DossierService& dossiers, const Clock& clock, uint64_t max_upload_bytes,
                         CallerQuotas* quotas)
    : blobs_(blobs),
      files_(files),
      documents_(documents),
      dossiers_(dossiers),
      clock_(clock),
      max_upload_bytes_(max_upload_bytes),
      quotas_(quotas) {}

FileService::Upload::Upload(FileService& service, const Principal& who,
                            std::optional<MediaType> declared, std::unique_ptr<BlobUpload> blob)
    : service_(&service), user_id_(who.user_id), declared_(declared), blob_(std::move(blob)) {}

Result<FileService::Upload> FileService::BeginUpload(const Principal& who,
                                                     std::string_view content_type,
                                                     std::string_view client) {
  if (who.role == Role::kAuditor || who.role == Role::kAdmin) {
    return Fail(ErrorCode::kForbidden, "Your role does not upload files.",
                "Vai trò của bạn không tải tệp lên.");
  }
  if (size_t semi = content_type.find(';'); semi != std::string_view::npos) {
    content_type = content_type.substr(0, semi);
  }
  std::optional<MediaType> declared = ParseMediaType(content_type);
  if (!declared && content_type != "application/octet-stream") {
    return Fail(ErrorCode::kUnsupportedMedia,
                "Send the file's bytes as application/pdf, image/jpeg or image/png.",
                "Gửi nội dung tệp với kiểu application/pdf, image/jpeg hoặc image/png.",
                "Content-Type");
  }
  if (quotas_ != nullptr) {
    MOTCUA_RETURN_IF_ERROR(quotas_->TakeUpload(who, client));
  }
  auto blob = blobs_.Begin(max_upload_bytes_);
  MOTCUA_RETURN_IF_ERROR(blob);
  return Upload(*this, who, declared, std::move(*blob));
}

Status FileService::Upload::Append(std::string_view piece) {
  if (head_.size() < 1024) head_.append(piece.substr(0, 1024 - head_.size()));
  auto st = blob_->Append(piece);
  if (!st && st.error().code == ErrorCode::kPayloadTooLarge) {
    std::string mib = std::to_string(service_->max_upload_bytes_ >> 20);
    return Fail(ErrorCode::kPayloadTooLarge, "The file is larger than " + mib + " MiB.",
                "Tệp lớn hơn " + mib + " MiB.", "file");
  }
  return st;
}

Result<UploadedFile> FileService::Upload::Finish() {
  auto sniffed = SniffMediaType(head_);
  if (declared_ && sniffed && *sniffed != *declared_) {
    return Fail(ErrorCode::kUnsupportedMedia,
                "The file was sent as " + std::string(MediaTypeName(*declared_)) +
                    " but its bytes are " + std::string(MediaTypeName(*sniffed)) + ".",
                "Tệp được gửi với kiểu " + std::string(MediaTypeName(*declared_)) +
                    " nhưng nội dung là " + std::string(MediaTypeName(*sniffed)) + ".",
                "Content-Type");
  }
  auto stored = blob_->Commit();
  MOTCUA_RETURN_IF_ERROR(stored);
  FileRecord record{stored->sha256, static_cast<int64_t>(stored->size),
                    std::string(MediaTypeName(stored->media_type)), service_->clock_.Now()};
  // "deduplicated" tells the caller only what they know already: that they uploaded these
  // bytes before. Whether anyone else did is nobody's business (blob_->Commit knows).
  auto earlier = service_->files_.FindFile(record.sha256, user_id_);
  MOTCUA_RETURN_IF_ERROR(earlier);
  bool again = earlier->has_value();
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  service_->files_.RecordFileAsync(record, user_id_,
                                   [promise](Status st) { promise->set_value(std::move(st)); });
  if (Status st = future.get(); !st) return tl::unexpected(st.error());
  return UploadedFile{std::move(record), again};
}

Result<Download> FileService::Read(const FileRecord& record) {
  auto bytes = blobs_.Read(record.sha256, static_cast<size_t>(record.size) + 1);
  if (!bytes) {
    // A recorded file whose blob is missing is an internal error, never a silent empty answer.
    LogError("file " + record.sha256 + " is recorded but unreadable: " + ErrorText(bytes.error()));
    return Fail(ErrorCode::kInternal);
  }
  return Download{record, std::move(*bytes)};
}

Result<Download> FileService::OwnFile(const Principal& who, const std::string& sha256) {
  if (!IsSha256Hex(sha256)) return tl::unexpected(NoFile());
  auto file = files_.FindFile(sha256, who.user_id);
  MOTCUA_RETURN_IF_ERROR(file);
  if (!*file) return tl::unexpected(NoFile());
  return Read(**file);
}

Result<Download> FileService::DossierFile(const Principal& who, const std::string& code,
                                          const std::string& sha256) {
  auto d = dossiers_.Get(who, code);
  MOTCUA_RETURN_IF_ERROR(d);
  if (!IsSha256Hex(sha256)) return tl::unexpected(NoFile());
  auto named = documents_.DossierHasFile(d->code, sha256);
  MOTCUA_RETURN_IF_ERROR(named);
  if (!*named) return tl::unexpected(NoFile());
  auto file = files_.FindFile(sha256, 0);
  MOTCUA_RETURN_IF_ERROR(file);
  if (!*file) return tl::unexpected(NoFile());
  return Read(**file);
}

Result<std::vector<ApplicantDocument>> FileService::MyDocuments(const Principal& who,
                                                                size_t limit) {
  if (who.role != Role::kCitizen) {
    return Fail(ErrorCode::kForbidden, "Only citizens have a store of documents.",
                "Chỉ công dân có kho dữ liệu giấy tờ.");
  }
  return documents_.ListApplicantDocuments(who.username, limit);
}

}  // namespace motcua
