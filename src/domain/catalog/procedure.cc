#include "domain/catalog/procedure.h"

#include <map>

#include "common/json.h"

namespace motcua {
namespace {

bool OneOf(std::string_view v, std::initializer_list<std::string_view> allowed) {
  for (auto a : allowed) {
    if (v == a) return true;
  }
  return false;
}

bool IsNationalCode(std::string_view s) {
  // D.DDDDDD
  if (s.size() != 8 || s[1] != '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i != 1 && (s[i] < '0' || s[i] > '9')) return false;
  }
  return true;
}

bool IsProcedureId(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return true;
}

constexpr JsonObjectReader::StringRule kOptionalText{false, 4000, true};
constexpr JsonObjectReader::StringRule kRequiredName{true, 1000, false};

// Reads an array field of strings; records a failure on a wrong type.
std::vector<std::string> StringArray(JsonObjectReader& r, const boost::json::value* v,
                                     std::string_view key) {
  std::vector<std::string> out;
  if (v == nullptr) return out;
  const auto* arr = v->if_array();
  if (arr == nullptr) {
    r.Reject(ErrorCode::kInvalidField, key, "'" + r.FieldPath(key) + "' must be an array.",
             "'" + r.FieldPath(key) + "' phải là mảng.");
    return out;
  }
  for (const auto& e : *arr) {
    if (!e.is_string() || e.get_string().size() > 1000) {
      r.Reject(ErrorCode::kInvalidField, key,
               "'" + r.FieldPath(key) + "' must hold strings of at most 1000 bytes.",
               "'" + r.FieldPath(key) + "' phải gồm các chuỗi tối đa 1000 byte.");
      return out;
    }
    out.emplace_back(e.get_string());
  }
  return out;
}

// Validates one record; on failure returns the error (with the record's path in `field`).
Result<Procedure> ParseOne(const boost::json::value& v, const std::string& path,
                           const CatalogReferences& refs) {
  JsonObjectReader r(v, path);
  Procedure p;
  p.id = r.String("id", {true, 32, false}).value_or("");
  std::string where = p.id.empty() ? path : path + "(" + p.id + ")";
  if (r.ok() && !IsProcedureId(p.id)) {
    r.Reject(ErrorCode::kInvalidField, "id", "Procedure id must be A-Z, 0-9, '-' or '_'.",
             "Mã thủ tục chỉ gồm A-Z, 0-9, '-' hoặc '_'.");
  }
  JsonObjectReader rr(v, where);  // same object, path now names the id
  if (!r.ok()) return tl::unexpected(r.Finish().error());
  rr.Allow("id");
  auto nc = rr.String("national_code", {false, 16, false});
  if (nc && !IsNationalCode(*nc)) {
    rr.Reject(ErrorCode::kInvalidField, "national_code", "national_code must look like 1.001193.",
              "national_code phải có dạng 1.001193.");
  }
  p.national_code = nc.value_or("");
  p.name = rr.String("name", kRequiredName).value_or("");
  p.name_en = rr.String("name_en", kOptionalText).value_or("");
  p.field = rr.String("field", kRequiredName).value_or("");
  rr.String("field_en", kOptionalText);
  p.level = rr.String("level", {true, 16, false}).value_or("");
  if (rr.ok() && !OneOf(p.level, {"commune", "province"})) {
    rr.Reject(ErrorCode::kInvalidField, "level", "level must be commune or province.",
              "level phải là commune hoặc province.");
  }
  p.agency_kind = rr.String("agency_kind", {true, 32, false}).value_or("");
  if (rr.ok() && refs.check_references && !refs.agencies.contains(p.agency_kind)) {
    rr.Reject(ErrorCode::kInvalidField, "agency_kind", "Unknown agency '" + p.agency_kind + "'.",
              "Cơ quan không tồn tại: '" + p.agency_kind + "'.");
  }
  p.time_limit = rr.Int("processing_working_days", true, 0, 3650).value_or(0);
  p.time_unit = rr.String("time_unit", {true, 16, false}).value_or("");
  if (rr.ok() && !OneOf(p.time_unit, {"working_day", "calendar_day", "hour", "month"})) {
    rr.Reject(ErrorCode::kInvalidField, "time_unit",
              "time_unit must be working_day, calendar_day, hour or month.",
              "time_unit phải là working_day, calendar_day, hour hoặc month.");
  }
  rr.String("processing_note", kOptionalText);
  rr.Int("fee_vnd", false, 0, 100'000'000'000);
  rr.String("fee_note", kOptionalText);
  p.online_level = rr.String("online_level", {true, 16, false}).value_or("");
  if (rr.ok() && !OneOf(p.online_level, {"full", "partial", "none"})) {
    rr.Reject(ErrorCode::kInvalidField, "online_level",
              "online_level must be full, partial or none.",
              "online_level phải là full, partial hoặc none.");
  }
  p.eligible_full_online = rr.Bool("eligible_full_online", true).value_or(false);
  if (rr.ok() && p.online_level == "full" && !p.eligible_full_online) {
    rr.Reject(ErrorCode::kInvalidField, "eligible_full_online",
              "A full-process online procedure must be eligible for full online.",
              "Thủ tục trực tuyến toàn trình phải đủ điều kiện trực tuyến toàn trình.");
  }
  p.applicants = rr.String("applicants", {true, 16, false}).value_or("");
  if (rr.ok() && !OneOf(p.applicants, {"citizen", "business", "both"})) {
    rr.Reject(ErrorCode::kInvalidField, "applicants",
              "applicants must be citizen, business or both.",
              "applicants phải là citizen, business hoặc both.");
  }
  // Components.
  if (const auto* comps = rr.Raw("components", true); comps && rr.ok()) {
    const auto* arr = comps->if_array();
    if (arr == nullptr || arr->empty() || arr->size() > 200) {
      rr.Reject(ErrorCode::kInvalidField, "components", "components must be a non-empty array.",
                "components phải là mảng không rỗng.");
    } else {
      bool any_required = false;
      for (size_t i = 0; i < arr->size() && rr.ok(); ++i) {
        JsonObjectReader c((*arr)[i], rr.FieldPath("components") + "[" + std::to_string(i) + "]");
        ProcedureComponent pc;
        pc.id = c.String("id", {true, 64, false}).value_or("");
        pc.name = c.String("name", kRequiredName).value_or("");
        auto oc = c.String("original_or_copy", {true, 16, false});
        if (oc && !OneOf(*oc, {"original", "copy", "certified_copy", "either"})) {
          c.Reject(ErrorCode::kInvalidField, "original_or_copy",
                   "original_or_copy must be original, copy, certified_copy or either.",
                   "original_or_copy phải là original, copy, certified_copy hoặc either.");
        }
        c.Int("count", true, 0, 100);
        pc.required = c.Bool("required", true).value_or(false);
        pc.doc_type = c.String("doc_type", {true, 64, false}).value_or("");
        if (c.ok() && refs.check_references && !refs.doc_types.contains(pc.doc_type)) {
          c.Reject(ErrorCode::kInvalidField, "doc_type",
                   "Unknown document type '" + pc.doc_type + "'.",
                   "Loại giấy tờ không tồn tại: '" + pc.doc_type + "'.");
        }
        pc.reusable = c.Bool("reusable", true).value_or(false);
        c.String("note", kOptionalText);
        MOTCUA_RETURN_IF_ERROR(c.Finish());
        any_required = any_required || pc.required;
        p.components.push_back(std::move(pc));
      }
      if (rr.ok() && !any_required) {
        rr.Reject(ErrorCode::kInvalidField, "components",
                  "At least one component must be required.",
                  "Phải có ít nhất một thành phần hồ sơ bắt buộc.");
      }
    }
  }
  // Results.
  if (const auto* results = rr.Raw("results", false); results && rr.ok()) {
    const auto* arr = results->if_array();
    if (arr == nullptr) {
      rr.Reject(ErrorCode::kInvalidField, "results", "results must be an array.",
                "results phải là mảng.");
    } else {
      for (size_t i = 0; i < arr->size() && rr.ok(); ++i) {
        JsonObjectReader c((*arr)[i], rr.FieldPath("results") + "[" + std::to_string(i) + "]");
        c.String("name", kRequiredName);
        auto dt = c.String("doc_type", {true, 64, false});
        if (dt && refs.check_references && !refs.doc_types.contains(*dt)) {
          c.Reject(ErrorCode::kInvalidField, "doc_type", "Unknown document type '" + *dt + "'.",
                   "Loại giấy tờ không tồn tại: '" + *dt + "'.");
        }
        MOTCUA_RETURN_IF_ERROR(c.Finish());
      }
    }
  }
  rr.String("conditions", kOptionalText);
  // Steps.
  if (const auto* steps = rr.Raw("steps", true); steps && rr.ok()) {
    const auto* arr = steps->if_array();
    if (arr == nullptr || arr->size() < 2 || arr->size() > 50) {
      rr.Reject(ErrorCode::kInvalidField, "steps", "steps must be an array of 2 to 50 steps.",
                "steps phải là mảng từ 2 đến 50 bước.");
    } else {
      int64_t sum = 0;
      for (size_t i = 0; i < arr->size() && rr.ok(); ++i) {
        JsonObjectReader s((*arr)[i], rr.FieldPath("steps") + "[" + std::to_string(i) + "]");
        ProcedureStep st;
        st.role = s.String("role", {true, 16, false}).value_or("");
        if (s.ok() && !OneOf(st.role, {"reception", "specialist", "leader", "return"})) {
          s.Reject(ErrorCode::kInvalidField, "role",
                   "role must be reception, specialist, leader or return.",
                   "role phải là reception, specialist, leader hoặc return.");
        }
        st.unit = s.String("unit", {true, 32, false}).value_or("");
        if (s.ok() && st.unit != "same" && refs.check_references &&
            !refs.agencies.contains(st.unit)) {
          s.Reject(ErrorCode::kInvalidField, "unit", "Unknown agency '" + st.unit + "'.",
                   "Cơ quan không tồn tại: '" + st.unit + "'.");
        }
        st.days = s.Int("working_days", true, 0, 3650).value_or(0);
        MOTCUA_RETURN_IF_ERROR(s.Finish());
        sum += st.days;
        p.steps.push_back(std::move(st));
      }
      if (rr.ok() && (p.steps.front().role != "reception" || p.steps.back().role != "return")) {
        rr.Reject(ErrorCode::kInvalidField, "steps",
                  "Steps must start with reception and end with return.",
                  "Các bước phải bắt đầu bằng tiếp nhận và kết thúc bằng trả kết quả.");
      }
      if (rr.ok() && sum != p.time_limit) {
        rr.Reject(ErrorCode::kInvalidField, "steps",
                  "Step times sum to " + std::to_string(sum) + ", not the time limit " +
                      std::to_string(p.time_limit) + ".",
                  "Tổng thời gian các bước là " + std::to_string(sum) +
                      ", khác thời hạn giải quyết " + std::to_string(p.time_limit) + ".");
      }
    }
  }
  StringArray(rr, rr.Raw("legal_basis", false), "legal_basis");
  p.keywords = StringArray(rr, rr.Raw("keywords", false), "keywords");
  StringArray(rr, rr.Raw("unverified", false), "unverified");
  MOTCUA_RETURN_IF_ERROR(rr.Finish());
  p.raw = v.get_object();
  return p;
}

}  // namespace

tl::expected<std::vector<Procedure>, std::vector<Error>> ParseCatalog(
    const boost::json::value& doc, const CatalogReferences& refs) {
  const boost::json::array* arr = doc.if_array();
  std::string prefix = "";
  if (const auto* obj = doc.if_object()) {
    if (const auto* p = obj->if_contains("procedures")) arr = p->if_array();
    prefix = "procedures";
  }
  if (arr == nullptr) {
    return tl::unexpected(std::vector<Error>{
        Error{ErrorCode::kInvalidField, "The catalog must have a 'procedures' array.",
              "Danh mục phải có mảng 'procedures'.", "procedures"}});
  }
  std::vector<Procedure> out;
  std::vector<Error> errors;
  std::map<std::string, size_t, std::less<>> ids, national_codes;
  for (size_t i = 0; i < arr->size(); ++i) {
    std::string path = prefix + "[" + std::to_string(i) + "]";
    auto p = ParseOne((*arr)[i], path, refs);
    if (!p) {
      errors.push_back(p.error());
      continue;
    }
    if (auto [it, fresh] = ids.emplace(p->id, i); !fresh) {
      errors.push_back(Error{ErrorCode::kConflict,
                             "Duplicate procedure id '" + p->id + "' (also at index " +
                                 std::to_string(it->second) + ").",
                             "Trùng mã thủ tục '" + p->id + "'.", path + "(" + p->id + ").id"});
      continue;
    }
    if (!p->national_code.empty()) {
      if (auto [it, fresh] = national_codes.emplace(p->national_code, i); !fresh) {
        errors.push_back(Error{ErrorCode::kConflict,
                               "Duplicate national code '" + p->national_code + "'.",
                               "Trùng mã thủ tục quốc gia '" + p->national_code + "'.",
                               path + "(" + p->id + ").national_code"});
        continue;
      }
    }
    out.push_back(std::move(*p));
  }
  if (!errors.empty()) return tl::unexpected(std::move(errors));
  return out;
}

Result<std::set<std::string, std::less<>>> ParseDocumentTypeIds(const boost::json::value& doc) {
  std::set<std::string, std::less<>> ids;
  const boost::json::array* arr = nullptr;
  if (const auto* obj = doc.if_object()) {
    if (const auto* p = obj->if_contains("document_types")) arr = p->if_array();
  }
  if (arr == nullptr) {
    return Fail(ErrorCode::kInvalidField, "Expected {\"document_types\": [...]}.",
                "Cần {\"document_types\": [...]}.", "document_types");
  }
  for (const auto& e : *arr) {
    const auto* o = e.if_object();
    const auto* id = o ? o->if_contains("id") : nullptr;
    if (id == nullptr || !id->is_string()) {
      return Fail(ErrorCode::kInvalidField, "Every document type needs a string id.",
                  "Mỗi loại giấy tờ cần có id dạng chuỗi.", "document_types");
    }
    ids.emplace(id->get_string());
  }
  return ids;
}

}  // namespace motcua
