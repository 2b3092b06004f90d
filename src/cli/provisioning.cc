#include "cli/provisioning.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "api/embedded_files.h"
#include "common/json.h"
#include "domain/calendar/calendar_service.h"
#include "domain/calendar/working_calendar.h"
#include "domain/catalog/procedure.h"

namespace motcua {

const EmbeddedFile* FindEmbeddedData(const char* path) {
  for (const EmbeddedFile* f = kEmbeddedData; f->path != nullptr; ++f) {
    if (std::string_view(f->path) == path) return f;
  }
  return nullptr;
}

namespace {

std::string_view Embedded(const char* path) {
  const EmbeddedFile* f = FindEmbeddedData(path);
  if (f == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(f->data), f->size);
}

}  // namespace

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Fail(ErrorCode::kNotFound, "Cannot read " + path + ".", "Không đọc được " + path + ".");
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status ImportUnits(UnitStore& store, std::string_view text) {
  auto units = ParseUnitsCsv(text);
  MOTCUA_RETURN_IF_ERROR(units);
  return store.UpsertUnits(*units);
}

Status ImportAgencies(UnitStore& store, std::string_view text, std::string_view province_code) {
  auto units = ParseAgenciesCsv(text, province_code);
  MOTCUA_RETURN_IF_ERROR(units);
  return store.UpsertUnits(*units);
}

tl::expected<ImportSummary, std::vector<Error>> ImportProcedures(CatalogStore& catalog,
                                                                 UnitStore& unit_store,
                                                                 std::string_view text,
                                                                 Instant now) {
  auto doc = ParseJson(text, 64);
  if (!doc) return tl::unexpected(std::vector<Error>{doc.error()});
  auto doc_types_doc = ParseJson(Embedded("/document_types.json"), 64);
  if (!doc_types_doc) return tl::unexpected(std::vector<Error>{doc_types_doc.error()});
  auto doc_types = ParseDocumentTypeIds(*doc_types_doc);
  if (!doc_types) return tl::unexpected(std::vector<Error>{doc_types.error()});
  auto units = unit_store.LoadUnits();
  if (!units) return tl::unexpected(std::vector<Error>{units.error()});
  CatalogReferences refs;
  refs.doc_types = std::move(*doc_types);
  for (const Unit& u : *units) {
    if (u.category != UnitCategory::kAdministrative) refs.agencies.insert(u.code);
  }
  auto procedures = ParseCatalog(*doc, refs);
  MOTCUA_RETURN_IF_ERROR(procedures);
  std::vector<ProcedureRecord> records;
  records.reserve(procedures->size());
  for (const Procedure& p : *procedures) {
    ProcedureRecord r;
    r.id = p.id;
    r.content = boost::json::serialize(p.raw);
    records.push_back(std::move(r));
  }
  auto summary = catalog.ImportProcedures(records, now);
  if (!summary) return tl::unexpected(std::vector<Error>{summary.error()});
  return *summary;
}

Status InitDatabase(storage::SqlStore& store, std::string_view province_code, Instant now) {
  if (auto st = store.Migrate(now); !st) return st;
  std::printf("schema: version %d\n", *store.SchemaVersion());
  if (auto st = ImportUnits(store.units(), Embedded("/units-vn-2025.csv")); !st) return st;
  if (auto st = ImportAgencies(store.units(), Embedded("/agencies-phu-tho.csv"), province_code);
      !st) {
    return st;
  }
  std::printf("units: bundled units of Vietnam and agencies of province %.*s imported\n",
              static_cast<int>(province_code.size()), province_code.data());
  // The bundled official calendar overrides, on first init only (admins edit them afterwards).
  auto existing = store.calendar().LoadOverrides();
  MOTCUA_RETURN_IF_ERROR(existing);
  if (existing->empty()) {
    auto overrides = ParseCalendarOverridesCsv(Embedded("/calendar-overrides.csv"));
    MOTCUA_RETURN_IF_ERROR(overrides);
    for (const CalendarOverride& o : *overrides) {
      CalendarOverrideRow row{DateText(o.date), o.working, o.reason_vi, o.reason_en};
      AuditEntry e{0,
                   CalendarAuditSubject(row.day),
                   now,
                   0,
                   "system",
                   "",
                   "calendar_override_set",
                   "none",
                   std::string(row.working ? "working" : "day_off") + ": " + row.reason_vi,
                   "bundled data/calendar-overrides.csv",
                   "",
                   ""};
      if (auto st = store.calendar().SetOverride(row, e); !st) return st;
    }
    std::printf("calendar: %zu official overrides imported\n", overrides->size());
  }
  auto summary =
      ImportProcedures(store.catalog(), store.units(), Embedded("/procedures.json"), now);
  if (!summary) return tl::unexpected(summary.error().front());
  std::printf("procedures: %zu added, %zu changed, %zu unchanged\n", summary->added,
              summary->changed, summary->unchanged);
  return {};
}

std::vector<DemoAccount> DemoAccounts() {
  return {
      {"admin.phutho", Role::kAdmin, "25", "Quản trị hệ thống tỉnh Phú Thọ"},
      {"auditor.phutho", Role::kAuditor, "25", "Thanh tra, giám sát"},
      {"leader.xuanhoa", Role::kLeader, "08746", "Lãnh đạo UBND phường Xuân Hòa"},
      {"specialist.xuanhoa", Role::kSpecialist, "08746", "Chuyên viên phường Xuân Hòa"},
      {"reception.xuanhoa", Role::kReception, "08746", "Cán bộ một cửa phường Xuân Hòa"},
      {"reception.viettri", Role::kReception, "07900", "Cán bộ một cửa phường Việt Trì"},
      {"leader.snv", Role::kLeader, "SNV", "Lãnh đạo Sở Nội vụ"},
      {"025095000123", Role::kCitizen, "", "Nguyễn Văn An"},
  };
}

Status EnsureDemoAccounts(AccountStore& accounts, AuthService& auth) {
  for (const DemoAccount& a : DemoAccounts()) {
    auto found = accounts.FindUser(a.username);
    MOTCUA_RETURN_IF_ERROR(found);
    if (*found) continue;
    auto created = auth.CreateUser(
        NewUser{a.username, std::string(kDemoPassword), a.role, a.unit, a.full_name});
    MOTCUA_RETURN_IF_ERROR(created);
  }
  return {};
}

}  // namespace motcua
