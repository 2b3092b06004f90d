// Issuing the forms of domain/forms/forms.h for callers: who may have which form, and gathering
// what a form shows (the dossier, its audit trail, its procedure, the units' names, a unit's
// register for a month) from the Store and the in-memory snapshots.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "common/clock.h"
#include "domain/auth/role.h"
#include "domain/catalog/catalog.h"
#include "domain/dossier/dossier_service.h"
#include "domain/forms/forms.h"
#include "domain/ports/audit_log.h"
#include "domain/ports/dossier_queries.h"

namespace motcua {

enum class FormFormat { kPdf, kXlsx };

struct FormConfig {
  std::string public_base_url;    // printed and encoded in the QR codes; no final '/'
  render::FontPair fonts;         // borrowed; both null = forms unavailable (kInternal)
  std::filesystem::path tmp_dir;  // where XLSX files are assembled (see render::WriteXlsx)
};

class FormService {
 public:
  // Borrows the ports, clock, dossiers and the fonts, which must outlive the service.
  // Thread-safe.
  FormService(DossierQueries& queries, AuditLog& audit, const Clock& clock,
              DossierService& dossiers, CatalogSource catalog, UnitSource units, FormConfig config);

  // Form `number` (1..6) of dossier `code`: PDF, or XLSX for form 06. Anyone who may see the
  // dossier (DossierService::Get; kNotFound otherwise) may have forms 01-05; form 06 lists the
  // receiving unit's other dossiers of the month of receipt (Vietnam time), so it also needs
  // read access to that unit (kForbidden otherwise: citizens, officers of other units on the
  // path). kConflict when the form does not exist yet for the dossier (FormApplies);
  // kInvalidField (field "format") for XLSX of forms 01-05.
  Result<std::string> DossierForm(const Principal& who, const std::string& code, int number,
                                  FormFormat format);
  // Form 06 of `unit_code` for the month `year`-`month`: for officers who may read the unit
  // (AccessPolicy::CanRead). kNotFound for an unknown unit, kForbidden without access,
  // kInvalidField (field "month") for a month outside 2000-01..2100-12.
  Result<std::string> UnitRegister(const Principal& who, const std::string& unit_code, int year,
                                   int month, FormFormat format);

 private:
  Status Ready() const;
  // Fills in.register_book with `unit_code`'s dossiers received in [from, to).
  Status LoadRegister(FormInput& in, const std::string& unit_code, Instant from, Instant to);
  FormInput BaseInput(const UnitDirectory& units) const;
  Result<std::string> Render(int number, const FormInput& in, FormFormat format) const;

  DossierQueries& queries_;
  AuditLog& audit_;
  const Clock& clock_;
  DossierService& dossiers_;
  CatalogSource catalog_;
  UnitSource units_;
  FormConfig config_;
};

}  // namespace motcua
