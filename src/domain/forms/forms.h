// The printed forms of the one-stop shop (Circular 01/2018/TT-VPCP, forms 01-06; domain.md §3)
// as pure content: from a dossier, its audit trail and the names of the units, each form's
// layout, rendered to PDF (and form 06 also to XLSX) by src/render. No I/O besides the XLSX
// writer's temporary file; no clock (every instant printed comes from the input).
//
// Every form carries the national motto, the unit's name, the dossier code and a QR code:
// forms 01-05 encode the public status page <public_base_url>/tra-cuu/<code>; form 06 (the
// register of a unit over a month) encodes the register's own address,
// <public_base_url>/api/v1/units/<unit>/register?month=YYYY-MM, which officers open to get the
// current electronic register. Forms 01-05 print on A5 portrait, form 06 on A4 landscape.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "domain/catalog/procedure.h"
#include "domain/dossier/audit.h"
#include "domain/dossier/dossier.h"
#include "domain/units/unit.h"
#include "render/pdf_document.h"

namespace motcua {

// The most dossiers one register lists; a longer month fails with kConflict.
constexpr size_t kMaxRegisterRows = 20000;

// Form 06's content: the dossiers one unit received in [from, to).
struct RegisterInput {
  std::string unit_code;
  Instant from{};
  Instant to{};
  std::vector<Dossier> dossiers;  // any order; listed by receipt time, then code
};

struct FormInput {
  Dossier dossier;                       // forms 01-05 (form 06 through a dossier: its unit)
  std::vector<AuditEntry> audit;         // the dossier's trail, in seq order
  const Procedure* procedure = nullptr;  // its procedure (time limit, component names); may be
                                         // null when the catalog no longer offers it
  const UnitDirectory* units = nullptr;  // for unit names; required
  std::string public_base_url;           // e.g. "https://dichvucong.phutho.gov.vn", no final '/'
  Instant now{};                         // "as of" for the status of unfinished dossiers
  // The §5 status of a dossier at an instant (DossierService::DeadlineOf); required for forms
  // 05 and 06.
  std::function<DeadlineStatus(const Dossier&, Instant)> deadline_of;
  RegisterInput register_book;  // form 06
  render::FontPair fonts;       // required; borrowed
};

// Whether form `number` (1..6) exists for the dossier yet: 01, 05 and 06 once it was received,
// 02 once a supplement was requested, 03 once it was refused, 04 once an apology was issued.
// Fails with kConflict and a bilingual message saying why not; kInvalidField for a number
// outside 1..6.
Status FormApplies(int number, const Dossier& d, const std::vector<AuditEntry>& audit);

// Renders form `number` (1..6) as PDF bytes. Forms 01-05 describe in.dossier (after
// FormApplies); form 06 is in.register_book. Form 02 shows the latest supplement request (its
// note, one missing item per line), 03 the refusal, 04 the latest apology (its reason and the
// appointment it set, which is the dossier's current one), 05 one row per audit entry. Fails
// like FormApplies, with kInvalidField if in.fonts or in.units is missing, and kInternal if the
// PDF cannot be made. Deterministic: the same input gives the same bytes. Thread-safe.
Result<std::string> RenderForm(int number, const FormInput& in);

// Form 06 (in.register_book) as an XLSX workbook, one row per dossier; `tmp_dir` as for
// render::WriteXlsx. Fails with kConflict for more than kMaxRegisterRows dossiers.
Result<std::string> RenderRegisterXlsx(const FormInput& in, const std::filesystem::path& tmp_dir);

// The address the QR code of form 06 encodes (see the file comment).
std::string RegisterUrl(const std::string& public_base_url, const std::string& unit_code,
                        Instant month_start);
// The public status address of a dossier: <public_base_url>/tra-cuu/<code>.
std::string PublicStatusUrl(const std::string& public_base_url, const std::string& code);

// The calendar month (Vietnam time) holding `t`: [first day 00:00, first day of the next month
// 00:00), as instants.
std::pair<Instant, Instant> VietnamMonthOf(Instant t);
// The month `year`-`month` (Vietnam time); fails with kInvalidField (field "month") outside
// 2000-01..2100-12.
Result<std::pair<Instant, Instant>> VietnamMonth(int year, int month);

}  // namespace motcua
