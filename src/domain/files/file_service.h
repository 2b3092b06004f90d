// Files as callers see them: uploading one (its type sniffed and checked, stored once, recorded
// as the caller's), downloading one's own uploads and the files of a dossier one may see, and a
// citizen's own store of documents.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "domain/auth/quotas.h"
#include "domain/auth/role.h"
#include "domain/dossier/dossier_service.h"
#include "domain/ports/applicant_documents.h"
#include "domain/ports/blobs.h"
#include "domain/ports/file_index.h"

namespace motcua {

// An upload once recorded.
struct UploadedFile {
  FileRecord record;
  bool deduplicated = false;  // the caller had already uploaded these very bytes
};

// A file to hand out.
struct Download {
  FileRecord record;
  std::string bytes;
};

class FileService {
 public:
  // One upload in progress: the body's pieces go to Append, then Finish once. Not thread-safe.
  class Upload {
   public:
    // Writes the next piece (kPayloadTooLarge past the limit).
    Status Append(std::string_view piece);
    // Checks the declared type against the bytes' (kUnsupportedMedia), checks the content and
    // stores the blob, and records it as the caller's upload, waiting until that is durable.
    // Blocking I/O: call it off the I/O threads. Call once.
    Result<UploadedFile> Finish();

   private:
    friend class FileService;
    Upload(FileService& service, const Principal& who, std::optional<MediaType> declared,
           std::unique_ptr<BlobUpload> blob);
    FileService* service_;
    int64_t user_id_;
    std::optional<MediaType> declared_;
    std::unique_ptr<BlobUpload> blob_;
    std::string head_;  // the first bytes, for the type they announce
  };

  // Borrows everything, which must outlive the service. Thread-safe.
  // `quotas` (nullable) bounds each account's and client's uploads.
  FileService(Blobs& blobs, FileIndex& files, ApplicantDocuments& documents,
              DossierService& dossiers, const Clock& clock, uint64_t max_upload_bytes,
              CallerQuotas* quotas = nullptr);

  // Starts an upload by `who` from `client` of a file declared as `content_type`
  // (application/pdf, image/jpeg, image/png or application/octet-stream, parameters ignored;
  // kUnsupportedMedia otherwise). Admins and auditors do not upload (kForbidden); past the
  // account's or the client's upload quota, kTooManyRequests.
  Result<Upload> BeginUpload(const Principal& who, std::string_view content_type,
                             std::string_view client = {});
  // One of `who`'s own uploads (kNotFound otherwise, whether or not the file exists).
  Result<Download> OwnFile(const Principal& who, const std::string& sha256);
  // A file the dossier names (a component or its result), for whoever may see the dossier
  // (kNotFound otherwise).
  Result<Download> DossierFile(const Principal& who, const std::string& code,
                               const std::string& sha256);
  // A citizen's own store of documents, most recent first (kForbidden for officers).
  Result<std::vector<ApplicantDocument>> MyDocuments(const Principal& who, size_t limit);

 private:
  Result<Download> Read(const FileRecord& record);

  Blobs& blobs_;
  FileIndex& files_;
  ApplicantDocuments& documents_;
  DossierService& dossiers_;
  const Clock& clock_;
  uint64_t max_upload_bytes_;
  CallerQuotas* quotas_;
};

}  // namespace motcua
