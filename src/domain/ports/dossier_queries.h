// Port: reading pages of dossiers (officers' queues, a citizen's list, a unit's register).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "domain/dossier/dossier.h"

namespace motcua {

// A page of dossiers: filters, sorted by appointment (none last) then code, keyset paged by
// (due, code) after `after_due`/`after_code`.
struct DossierQuery {
  std::vector<std::string> units;   // current_unit in these (empty = any; callers scope it)
  std::string applicant_id_number;  // only those of this applicant ID number ("" = any)
  std::optional<DossierState> state;
  std::string procedure_id;
  std::optional<Channel> channel;
  std::optional<Instant> due_before;  // appointment before this instant (overdue, due within)
  bool unfinished_only = false;       // not yet finished (no result, refusal, stop or withdrawal)
  std::string code;                   // exact code
  std::string name_folded;            // applicant name contains (folded)
  std::string receiving_unit;         // lodged at this unit ("" = any; form 06) ...
  std::optional<Instant> received_from;    // ... and received at or after this instant ...
  std::optional<Instant> received_before;  // ... and before this one
  size_t limit = 50;
  std::optional<int64_t> after_due;  // keyset cursor
  std::string after_code;
};

// Thread-safe; reads see every acknowledged write.
class DossierQueries {
 public:
  virtual ~DossierQueries() = default;
  // The dossiers matching `q`, by appointment (no appointment last), then code; at most q.limit.
  virtual Result<std::vector<Dossier>> ListDossiers(const DossierQuery& q) = 0;
  // The same rows as ListDossiers, as queue lines (what officers' queues page through).
  virtual Result<std::vector<DossierLine>> ListDossierLines(const DossierQuery& q) = 0;
};

}  // namespace motcua
