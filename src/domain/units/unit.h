// Units: provinces, communes/wards/special zones and the province's agencies, as one hierarchy.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/error.h"

namespace motcua {

// What a unit is. Administrative units form the state hierarchy (province > commune); agencies
// hang under their province (or their parent agency); agency templates ("a commune's People's
// Committee") name a kind of body that exists once per commune and are referenced by procedures.
enum class UnitCategory { kAdministrative, kAgency, kAgencyTemplate };

std::string_view CategoryName(UnitCategory c);

struct Unit {
  std::string code;         // "25", "08746", "SNV"
  std::string name;         // Vietnamese name
  std::string name_en;      // may be empty
  std::string kind;         // province | xa | phuong | dac_khu | department | service_center | ...
  std::string parent_code;  // empty for a province
  UnitCategory category = UnitCategory::kAdministrative;
};

// An immutable, indexed snapshot of all units. Thread-safe for concurrent reads.
class UnitDirectory {
 public:
  // Indexes `units`. Units whose parent is unknown are kept but have no ancestors.
  explicit UnitDirectory(std::vector<Unit> units);

  // The unit with `code`, or nullptr.
  const Unit* Find(std::string_view code) const;
  // Direct children of `code` in load order (all categories).
  std::vector<const Unit*> Children(std::string_view code) const;
  // Parent, grandparent, ... of `code`, nearest first; empty if unknown or a root.
  std::vector<const Unit*> Ancestors(std::string_view code) const;
  // True iff `code` is `ancestor` or lies below it.
  bool IsWithin(std::string_view code, std::string_view ancestor) const;
  // The province (root) a unit belongs to, or "" if unknown.
  std::string_view ProvinceOf(std::string_view code) const;
  const std::vector<Unit>& All() const { return units_; }

 private:
  std::vector<Unit> units_;
  std::unordered_map<std::string_view, size_t> by_code_;
  std::unordered_map<std::string_view, std::vector<size_t>> children_;
};

// Parses units-vn-2025.csv (code,name,type,parent_code). Fails with kInvalidField naming the line.
Result<std::vector<Unit>> ParseUnitsCsv(std::string_view text);
// Parses agencies-phu-tho.csv (code,name,name_en,kind[,parent_code]); agencies without a parent
// hang under `province_code`; kind commune_generic becomes an agency template.
Result<std::vector<Unit>> ParseAgenciesCsv(std::string_view text, std::string_view province_code);

// Splits CSV text (RFC 4180: quoted fields, doubled quotes, \n or \r\n) into rows of fields.
// Fails with kBadRequest on an unterminated quote. Exposed for tests and the fuzzer.
Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view text);

// Where a service gets the UnitDirectory in force (a snapshot that is swapped when the stored data
// changes; see domain/reference/reference_data.h).
using UnitSource = std::function<std::shared_ptr<const UnitDirectory>()>;

}  // namespace motcua
