#include "domain/forms/form_service.h"

namespace motcua {

FormService::FormService(DossierQueries& queries, AuditLog& audit, const Clock& clock,
                         DossierService& dossiers, CatalogSource catalog, UnitSource units,
                         FormConfig config)
    : queries_(queries),
      audit_(audit),
      clock_(clock),
      dossiers_(dossiers),
      catalog_(std::move(catalog)),
      units_(std::move(units)),
      config_(std::move(config)) {}

Status FormService::Ready() const {
  if (config_.fonts.regular == nullptr || config_.fonts.bold == nullptr) {
    return Fail(ErrorCode::kInternal, "The forms' fonts are not available.",
                "Không có phông chữ cho biểu mẫu.");
  }
  return {};
}

FormInput FormService::BaseInput(const UnitDirectory& units) const {
  FormInput in;
  in.units = &units;
  in.public_base_url = config_.public_base_url;
  in.now = clock_.Now();
  in.fonts = config_.fonts;
  in.deadline_of = [this](const Dossier& d, Instant at) { return dossiers_.DeadlineOf(d, at); };
  return in;
}

Status FormService::LoadRegister(FormInput& in, const std::string& unit_code, Instant from,
                                 Instant to) {
  DossierQuery q;
  q.receiving_unit = unit_code;
  q.received_from = from;
  q.received_before = to;
  q.limit = kMaxRegisterRows + 1;
  auto rows = queries_.ListDossiers(q);
  MOTCUA_RETURN_IF_ERROR(rows);
  in.register_book = RegisterInput{unit_code, from, to, std::move(*rows)};
  return {};
}

Result<std::string> FormService::Render(int number, const FormInput& in, FormFormat format) const {
  if (format == FormFormat::kXlsx) {
    if (number != 6) {
      return Fail(ErrorCode::kInvalidField, "format=xlsx is only for form 06.",
                  "Định dạng xlsx chỉ dùng cho Mẫu 06.", "format");
    }
    return RenderRegisterXlsx(in, config_.tmp_dir);
  }
  return RenderForm(number, in);
}

Result<std::string> FormService::DossierForm(const Principal& who, const std::string& code,
                                             int number, FormFormat format) {
  MOTCUA_RETURN_IF_ERROR(Ready());
  if (number < 1 || number > 6) {
    return Fail(ErrorCode::kInvalidField, "form: 01 to 06.", "form: từ 01 đến 06.", "form");
  }
  auto units = units_();
  auto catalog = catalog_();
  auto d = dossiers_.Get(who, code);
  MOTCUA_RETURN_IF_ERROR(d);
  auto audit = audit_.LoadAudit(d->code);
  MOTCUA_RETURN_IF_ERROR(audit);
  MOTCUA_RETURN_IF_ERROR(FormApplies(number, *d, *audit));
  FormInput in = BaseInput(*units);
  if (number == 6) {
    if (who.role == Role::kCitizen || !AccessPolicy(*units).CanRead(who, d->receiving_unit)) {
      return Fail(ErrorCode::kForbidden,
                  "Form 06 is the receiving unit's register: only its officers may have it.",
                  "Mẫu 06 là sổ theo dõi của đơn vị tiếp nhận: chỉ cán bộ của đơn vị được xem.",
                  "form");
    }
    auto [from, to] = VietnamMonthOf(*d->received_at);
    MOTCUA_RETURN_IF_ERROR(LoadRegister(in, d->receiving_unit, from, to));
  }
  const CatalogEntry* entry = catalog ? catalog->Find(d->procedure_id) : nullptr;
  in.procedure = entry != nullptr ? &entry->procedure : nullptr;
  in.dossier = std::move(*d);
  in.audit = std::move(*audit);
  return Render(number, in, format);
}

Result<std::string> FormService::UnitRegister(const Principal& who, const std::string& unit_code,
                                              int year, int month, FormFormat format) {
  MOTCUA_RETURN_IF_ERROR(Ready());
  auto units = units_();
  if (units->Find(unit_code) == nullptr) {
    return Fail(ErrorCode::kNotFound, "No unit with that code.", "Không có đơn vị với mã này.",
                "code");
  }
  if (who.role == Role::kCitizen || !AccessPolicy(*units).CanRead(who, unit_code)) {
    return Fail(ErrorCode::kForbidden, "You cannot see that unit's register.",
                "Bạn không được xem sổ theo dõi của đơn vị này.", "code");
  }
  auto period = VietnamMonth(year, month);
  MOTCUA_RETURN_IF_ERROR(period);
  FormInput in = BaseInput(*units);
  MOTCUA_RETURN_IF_ERROR(LoadRegister(in, unit_code, period->first, period->second));
  return Render(6, in, format);
}

}  // namespace motcua
