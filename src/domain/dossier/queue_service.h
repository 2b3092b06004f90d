// Officers' queues and a citizen's list of their own dossiers: a DossierQuery scoped to what the
// caller may see, read through the DossierQueries port.
#pragma once

#include <string>
#include <vector>

#include "domain/auth/role.h"
#include "domain/dossier/dossier_service.h"
#include "domain/ports/dossier_queries.h"

namespace motcua {

class QueueService {
 public:
  // Borrows `queries`, which must outlive the service. Thread-safe.
  QueueService(DossierQueries& queries, UnitSource units, std::string province_code)
      : queries_(queries), units_(std::move(units)), province_code_(std::move(province_code)) {}

  // A page scoped to `who` (reception and specialists: their unit; leaders: their unit and
  // below; admins and auditors: the province; citizens: their own dossiers), as queue lines;
  // `q.units` is narrowed to what `who` may see. kForbidden for a unit out of reach.
  Result<std::vector<DossierLine>> Queue(const Principal& who, DossierQuery q);

 private:
  DossierQueries& queries_;
  UnitSource units_;
  std::string province_code_;
};

}  // namespace motcua
