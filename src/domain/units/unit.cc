#include "domain/units/unit.h"

#include "common/text.h"

namespace motcua {

std::string_view CategoryName(UnitCategory c) {
  switch (c) {
    case UnitCategory::kAdministrative:
      return "administrative";
    case UnitCategory::kAgency:
      return "agency";
    case UnitCategory::kAgencyTemplate:
      return "agency_template";
  }
  return "administrative";
}

UnitDirectory::UnitDirectory(std::vector<Unit> units) : units_(std::move(units)) {
  by_code_.reserve(units_.size());
  for (size_t i = 0; i < units_.size(); ++i) by_code_.emplace(units_[i].code, i);
  for (size_t i = 0; i < units_.size(); ++i) {
    if (!units_[i].parent_code.empty()) children_[units_[i].parent_code].push_back(i);
  }
}

const Unit* UnitDirectory::Find(std::string_view code) const {
  auto it = by_code_.find(code);
  return it == by_code_.end() ? nullptr : &units_[it->second];
}

std::vector<const Unit*> UnitDirectory::Children(std::string_view code) const {
  std::vector<const Unit*> out;
  auto it = children_.find(code);
  if (it == children_.end()) return out;
  out.reserve(it->second.size());
  for (size_t i : it->second) out.push_back(&units_[i]);
  return out;
}

std::vector<const Unit*> UnitDirectory::Ancestors(std::string_view code) const {
  std::vector<const Unit*> out;
  const Unit* u = Find(code);
  // The depth bound guards against a cycle in imported data.
  for (int depth = 0; u != nullptr && !u->parent_code.empty() && depth < 16; ++depth) {
    u = Find(u->parent_code);
    if (u != nullptr) out.push_back(u);
  }
  return out;
}

bool UnitDirectory::IsWithin(std::string_view code, std::string_view ancestor) const {
  if (Find(code) == nullptr) return false;
  if (code == ancestor) return true;
  for (const Unit* a : Ancestors(code)) {
    if (a->code == ancestor) return true;
  }
  return false;
}

std::string_view UnitDirectory::ProvinceOf(std::string_view code) const {
  const Unit* u = Find(code);
  if (u == nullptr) return {};
  auto ancestors = Ancestors(code);
  return ancestors.empty() ? std::string_view(u->code) : std::string_view(ancestors.back()->code);
}

Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, field_started = false;
  auto end_field = [&] {
    row.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_row = [&] {
    end_field();
    if (!(row.size() == 1 && row[0].empty())) rows.push_back(std::move(row));
    row.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field.push_back(c);
      }
    } else if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n') {
      end_row();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      // CRLF: the \n ends the row
    } else {
      field.push_back(c);
      field_started = true;
    }
  }
  if (quoted) {
    return Fail(ErrorCode::kBadRequest, "CSV: unterminated quoted field.",
                "CSV: trường trong ngoặc kép không được đóng.");
  }
  if (field_started || !row.empty() || !field.empty()) end_row();
  return rows;
}

namespace {

Result<std::vector<std::vector<std::string>>> ParseWithHeader(
    std::string_view text, const std::vector<std::string_view>& required) {
  auto rows = ParseCsv(text);
  if (!rows) return rows;
  if (rows->empty()) return Fail(ErrorCode::kInvalidField, "CSV: empty file.", "CSV: tệp rỗng.");
  const auto& header = rows->front();
  for (size_t i = 0; i < required.size(); ++i) {
    std::string_view h = i < header.size() ? std::string_view(header[i]) : "";
    if (i == 0 && h.starts_with("\xEF\xBB\xBF")) h.remove_prefix(3);  // BOM
    if (h != required[i]) {
      return Fail(
          ErrorCode::kInvalidField,
          "CSV: column " + std::to_string(i + 1) + " must be '" + std::string(required[i]) + "'.",
          "CSV: cột " + std::to_string(i + 1) + " phải là '" + std::string(required[i]) + "'.",
          "line 1");
    }
  }
  return rows;
}

Error LineError(size_t line, std::string what_en, std::string what_vi) {
  std::string where = "line " + std::to_string(line);
  return Error{ErrorCode::kInvalidField, "CSV " + where + ": " + what_en,
               "CSV dòng " + std::to_string(line) + ": " + what_vi, where};
}

bool ValidCode(std::string_view code) {
  if (code.empty() || code.size() > 32) return false;
  for (char c : code) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<std::vector<Unit>> ParseUnitsCsv(std::string_view text) {
  auto rows = ParseWithHeader(text, {"code", "name", "type", "parent_code"});
  MOTCUA_RETURN_IF_ERROR(rows);
  std::vector<Unit> units;
  for (size_t i = 1; i < rows->size(); ++i) {
    auto& r = (*rows)[i];
    if (r.size() != 4)
      return tl::unexpected(LineError(i + 1, "expected 4 fields.", "cần 4 trường."));
    if (!ValidCode(r[0])) return tl::unexpected(LineError(i + 1, "bad code.", "mã không hợp lệ."));
    if (r[1].empty() || !IsValidUtf8(r[1])) {
      return tl::unexpected(LineError(i + 1, "bad name.", "tên không hợp lệ."));
    }
    if (r[2] != "province" && r[2] != "xa" && r[2] != "phuong" && r[2] != "dac_khu") {
      return tl::unexpected(LineError(i + 1, "unknown type '" + r[2] + "'.", "loại không hợp lệ."));
    }
    if ((r[2] == "province") != r[3].empty()) {
      return tl::unexpected(LineError(i + 1, "a province has no parent, other units need one.",
                                      "tỉnh không có đơn vị cha, đơn vị khác phải có."));
    }
    units.push_back(Unit{r[0], r[1], "", r[2], r[3], UnitCategory::kAdministrative});
  }
  return units;
}

Result<std::vector<Unit>> ParseAgenciesCsv(std::string_view text, std::string_view province_code) {
  auto rows = ParseWithHeader(text, {"code", "name", "name_en", "kind"});
  MOTCUA_RETURN_IF_ERROR(rows);
  std::vector<Unit> units;
  for (size_t i = 1; i < rows->size(); ++i) {
    auto& r = (*rows)[i];
    if (r.size() != 4 && r.size() != 5) {
      return tl::unexpected(LineError(i + 1, "expected 4 or 5 fields.", "cần 4 hoặc 5 trường."));
    }
    if (!ValidCode(r[0])) return tl::unexpected(LineError(i + 1, "bad code.", "mã không hợp lệ."));
    if (r[1].empty() || !IsValidUtf8(r[1]) || !IsValidUtf8(r[2])) {
      return tl::unexpected(LineError(i + 1, "bad name.", "tên không hợp lệ."));
    }
    Unit u{r[0], r[1], r[2], r[3], std::string(province_code), UnitCategory::kAgency};
    if (r.size() == 5 && !r[4].empty()) u.parent_code = r[4];
    if (u.kind == "commune_generic") u.category = UnitCategory::kAgencyTemplate;
    units.push_back(std::move(u));
  }
  return units;
}

}  // namespace motcua
