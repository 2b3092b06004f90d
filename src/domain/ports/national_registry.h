// Port: the national databases a dossier may take a citizen's documents from instead of an
// upload (the national population database, CSDL quốc gia về dân cư, through VNeID and the
// data-sharing platform). The client only says "from the national database"; the server fetches
// the document and names its copy, so nobody can attach a file by asserting its hash.
#pragma once

#include <optional>
#include <string>

#include "common/error.h"
#include "domain/ports/file_index.h"

namespace motcua {

class NationalRegistry {
 public:
  virtual ~NationalRegistry() = default;
  // The document of `doc_type` (the procedure component's, e.g. "id_card") about the citizen
  // with the 12-digit `id_number`, stored as a file a dossier may name (FileIndex, no uploader);
  // nullopt if the registry holds none. kUnavailable if it cannot be reached. May block (a
  // network call, a file write): call it off the I/O threads. Thread-safe.
  virtual Result<std::optional<FileRecord>> FetchDocument(const std::string& id_number,
                                                          const std::string& doc_type) = 0;
};

}  // namespace motcua
