// The demo history's applicants and sample documents (used by the history generator only).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.h"
#include "domain/demo/history_generator.h"
#include "domain/dossier/dossier.h"
#include "render/pdf_document.h"

namespace motcua::history {

// Applicant number `k` of the unit with index `unit_index`: a Vietnamese name, a 12-digit ID
// number of province 025 unique per (unit, k) and never `avoid` (the demo citizen's), and a
// phone and e-mail address at `rates`. Deterministic.
Applicant MakeApplicant(size_t unit_index, int64_t k, const HistoryRates& rates,
                        std::string_view avoid);

// A one-page A5 PDF with `title` and `text`, made by the forms' PDF writer.
Result<std::string> SamplePdf(const render::FontPair& fonts, const std::string& title,
                              const std::string& text);

}  // namespace motcua::history
