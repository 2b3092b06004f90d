// A stand-in for the national databases (the population database and the civil status
// database behind VNeID and the national data-sharing platform), which a province's one-stop
// shop reaches over the government network: it cannot be reached from here, so the demo, the
// tests and a deployment without the connection use this simulation. For any well-formed ID
// number it holds the documents those databases keep (identity, residence, birth, marriage and
// civil status extracts) as a one-page extract, made once and stored like an upload (no
// uploader).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "common/clock.h"
#include "domain/ports/file_index.h"
#include "domain/ports/national_registry.h"
#include "render/pdf_document.h"
#include "storage/blob_store.h"

namespace motcua::storage {

class SimulatedNationalRegistry final : public NationalRegistry {
 public:
  // Borrows everything, which must outlive the registry. Thread-safe.
  SimulatedNationalRegistry(BlobStore& blobs, FileContentLimits limits, FileIndex& files,
                            render::FontPair fonts, const Clock& clock);
  Result<std::optional<FileRecord>> FetchDocument(const std::string& id_number,
                                                  const std::string& doc_type) override;

  // The document types the simulated databases hold, with their Vietnamese titles.
  static const std::map<std::string, std::string, std::less<>>& Holdings();

 private:
  BlobStore& blobs_;
  FileContentLimits limits_;
  FileIndex& files_;
  render::FontPair fonts_;
  const Clock& clock_;
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, FileRecord> made_;  // bounded (kMaxMade)
  static constexpr size_t kMaxMade = 100'000;
};

}  // namespace motcua::storage
