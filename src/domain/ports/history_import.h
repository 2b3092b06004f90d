// Port: writing a generated history (the demo's) in bulk.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "domain/dossier/audit.h"
#include "domain/dossier/dossier.h"
#include "domain/ports/applicant_documents.h"
#include "domain/ports/outbox.h"

namespace motcua {

// A complaint filed in a generated history.
struct HistoryComplaint {
  Instant at{};
  std::string text;
};

// One dossier of a generated history, as far as its lifecycle went: what HistoryImport writes
// in one go. Made by the dossier service over an in-memory store (domain/demo/history_store.h),
// so it is what live intake and actions would have written.
struct HistoryDossier {
  Dossier dossier;                    // its final state; the code is assigned
  std::vector<AuditEntry> audit;      // in order; seq and hashes are assigned by the import
  std::vector<OutboxMessage> outbox;  // written as given (a history's are already sent)
  std::vector<HistoryComplaint> complaints;
  std::vector<ApplicantDocument> files;  // every file the dossier named (dossier_files rows)
};

// Thread-safe.
class HistoryImport {
 public:
  virtual ~HistoryImport() = default;
  // Writes a batch of generated dossiers in one transaction: the dossiers, their files, their
  // audit entries appended to the chain in batch order (seq and hashes assigned here), their
  // outbox messages and complaints, and each (code prefix, day) sequence advanced to the
  // highest used, so that live intake continues the numbering. All or nothing; kConflict if a
  // code exists, kInvalidField for a malformed code.
  virtual Status ImportHistory(const std::vector<HistoryDossier>& batch) = 0;
  // The same without waiting: prepares the rows (and the audit hashes, chained on from the
  // previous batch) on the calling thread, queues the write and returns; `done` runs on a store
  // thread once the batch is durable, or failed. Batches are written in the order of the calls,
  // so a caller can prepare the next batch while the previous one is being written.
  virtual void ImportHistoryAsync(std::vector<HistoryDossier> batch,
                                  std::function<void(Status)> done) = 0;
};

}  // namespace motcua
