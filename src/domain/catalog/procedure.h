// The procedure catalog: parsing and validating an imported catalog (procedures.json) into typed
// records that keep their full JSON for display.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "common/error.h"

namespace motcua {

struct ProcedureComponent {
  std::string id;
  std::string name;
  std::string doc_type;
  bool required = false;
  bool reusable = false;
};

struct ProcedureStep {
  std::string role;  // reception | specialist | leader | return
  std::string unit;  // "same" (the implementing agency) or an agency code
  int64_t days = 0;  // in the procedure's time unit
};

// One procedure as imported. `raw` is the whole validated record, as given.
struct Procedure {
  std::string id;
  std::string national_code;  // empty when unknown
  std::string name;
  std::string name_en;
  std::string field;
  std::string level;         // commune | province
  std::string agency_kind;   // the deciding agency's code
  int64_t time_limit = 0;    // in time_unit; 0 = same day
  std::string time_unit;     // working_day | calendar_day | hour | month
  std::string online_level;  // full | partial | none
  bool eligible_full_online = false;
  std::string applicants;  // citizen | business | both
  std::vector<ProcedureComponent> components;
  std::vector<ProcedureStep> steps;
  std::vector<std::string> keywords;
  boost::json::object raw;
};

// What validation checks references against.
struct CatalogReferences {
  std::set<std::string, std::less<>> doc_types;  // ids from document_types.json
  std::set<std::string, std::less<>> agencies;   // agency and agency-template unit codes
  // False when re-reading records that were validated at import (stored catalog versions).
  bool check_references = true;
};

// Parses a catalog document ({"procedures":[...]} or a bare array) and validates every record:
// required fields and types, unique ids and national codes, known document types and agencies,
// steps from reception to return summing to the time limit. On failure returns every problem
// found, each naming the procedure id and the field (e.g. "procedures[3](HT-001).steps").
tl::expected<std::vector<Procedure>, std::vector<Error>> ParseCatalog(
    const boost::json::value& doc, const CatalogReferences& refs);

// Parses document_types.json into the set of known ids.
Result<std::set<std::string, std::less<>>> ParseDocumentTypeIds(const boost::json::value& doc);

}  // namespace motcua
