// Mapping between Dossier and its row: queryable fields in columns, the rest as JSON in `data`.
#pragma once

#include <string>

#include "domain/dossier/dossier.h"
#include "storage/sql.h"

namespace motcua::storage {

// The columns, in this order, that ReadDossier expects and WriteDossierParams produces.
inline constexpr std::string_view kDossierColumns =
    "code, procedure_id, procedure_version, channel, receiving_unit, current_unit, "
    "assignee_user_id, state, version, applicant_id_number, applicant_name_folded, "
    "applicant_user_id, submitted_at, received_at, due_at, due_sort, finished_at, returned_at, "
    "data, rating";
inline constexpr size_t kDossierColumnCount = 20;

// Parameters $1..$20 for kDossierColumns.
std::vector<SqlValue> DossierParams(const Dossier& d);
// Reads a row selected with kDossierColumns starting at column `base`.
Dossier ReadDossier(const SqlRow& row, size_t base = 0);

// The columns, in this order, that ReadDossierLine expects: a queue line's, and `data` for the
// names and the supplements.
inline constexpr std::string_view kDossierLineColumns =
    "code, procedure_id, procedure_version, channel, receiving_unit, current_unit, "
    "assignee_user_id, state, version, submitted_at, received_at, due_at, finished_at, "
    "returned_at, data";
// Reads a row selected with kDossierLineColumns.
DossierLine ReadDossierLine(const SqlRow& row);

}  // namespace motcua::storage
