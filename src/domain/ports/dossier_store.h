// Port: dossiers as intake creates them and workflow actions change them, each change written
// with its audit entry and its messages in one transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "domain/dossier/audit.h"
#include "domain/dossier/dossier.h"
#include "domain/ports/outbox.h"

namespace motcua {

// What a dossier change appends besides the dossier itself: its audit entry (seq and hashes
// are assigned by the store) and the messages it triggers.
struct DossierWrite {
  AuditEntry event;
  std::vector<OutboxMessage> outbox;
  std::string complaint;  // non-empty: the applicant's complaint to record
};

struct NewDossier {
  Dossier dossier;              // code empty: the store assigns it
  std::string code_prefix;      // the receiving unit's dossier-code prefix
  std::string idempotency_key;  // "" = none; already scoped by the caller
  std::string request_sha256;   // of the request, to detect a key reused for another body
  DossierWrite write;
};

struct CreatedDossier {
  Dossier dossier;
  bool replayed = false;  // the idempotency key was seen: this is the earlier dossier
};

// A complaint about a dossier, as recorded.
struct ComplaintRow {
  int64_t id = 0;
  std::string text;
  std::string status;
  Instant created_at{};
};

// Implemented over SQL (src/storage, both backends; contract tests in tests/unit/
// dossier_store_test.cc) and in memory for the demo history (domain/demo/history_store.h).
// Thread-safe; writes are durable when they return success.
class DossierStore {
 public:
  virtual ~DossierStore() = default;
  // Creates a dossier durably: the next code of (code_prefix, Vietnam day of submitted_at) —
  // unique under concurrency —, its audit entry, its outbox messages and its idempotency key,
  // all in one transaction. A known idempotency key returns the earlier dossier (replayed), or
  // kConflict if it came with another request.
  virtual Result<CreatedDossier> CreateDossier(const NewDossier& d) = 0;
  // The same without blocking: `done` runs (on a store thread) once the group commit holding
  // the dossier is durable, or failed. Lets concurrent submissions share one commit.
  virtual void CreateDossierAsync(NewDossier d,
                                  std::function<void(Result<CreatedDossier>)> done) = 0;
  // The dossier with this code, if any.
  virtual Result<std::optional<Dossier>> FindDossier(const std::string& code) = 0;
  // Replaces the dossier if its stored version is `expected_version` (then version+1), and
  // appends the write's audit entry, messages and complaint, in one transaction; kConflict
  // otherwise. Files the dossier names stay named (dossier_files) even when a supplement
  // replaces a component.
  virtual Result<Dossier> UpdateDossier(const Dossier& d, int64_t expected_version,
                                        const DossierWrite& write) = 0;
  // Complaints about a dossier, oldest first.
  virtual Result<std::vector<ComplaintRow>> LoadComplaints(const std::string& dossier_code) = 0;
};

}  // namespace motcua
