// Port: a citizen's own store of documents (the files their dossiers named, which later
// dossiers may reuse), and which files a dossier names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"

namespace motcua {

// One document of a citizen's own store: a file attached to one of their dossiers, which later
// dossiers may reuse instead of uploading it again.
struct ApplicantDocument {
  std::string sha256;
  std::string kind;          // "component" | "result"
  std::string component_id;  // the procedure's component id ("" for a result)
  std::string dossier_code;
  std::string media_type;
  int64_t size = 0;
  Instant attached_at{};
};

// Derived from the dossiers the DossierStore writes (a file enters the store when a dossier
// names it). Implemented over SQL and, for the demo history, in memory. Thread-safe.
class ApplicantDocuments {
 public:
  virtual ~ApplicantDocuments() = default;
  // Files attached to dossiers of the applicant with this ID number, one per file, most recently
  // attached first, at most `limit`.
  virtual Result<std::vector<ApplicantDocument>> ListApplicantDocuments(
      const std::string& id_number, size_t limit) = 0;
  // The applicant's document with this SHA-256 (its latest attachment), if it is in their store.
  virtual Result<std::optional<ApplicantDocument>> FindApplicantDocument(
      const std::string& id_number, const std::string& sha256) = 0;
  // True iff the dossier names the file, as a component or as its result.
  virtual Result<bool> DossierHasFile(const std::string& code, const std::string& sha256) = 0;
};

}  // namespace motcua
