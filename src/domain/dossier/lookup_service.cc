#include "domain/dossier/lookup_service.h"

namespace motcua {

DossierLookup::DossierLookup(DossierService& dossiers, DossierStore& store, AuditLog& audit,
                             Outbox& outbox, RateLimiter& public_limiter,
                             RateLimiter& wrong_guesses, const Clock& clock,
                             const DeadlineCalendar& calendar)
    : dossiers_(dossiers),
      store_(store),
      audit_(audit),
      outbox_(outbox),
      public_limiter_(public_limiter),
      wrong_guesses_(wrong_guesses),
      clock_(clock),
      calendar_(calendar) {}

Result<std::vector<AuditEntry>> DossierLookup::Timeline(const Principal& who,
                                                        const std::string& code) {
  auto d = dossiers_.Get(who, code);
  MOTCUA_RETURN_IF_ERROR(d);
  return audit_.LoadAudit(d->code);
}

Result<std::vector<OutboxMessage>> DossierLookup::Messages(const Principal& who,
                                                           const std::string& code) {
  auto d = dossiers_.Get(who, code);
  MOTCUA_RETURN_IF_ERROR(d);
  return outbox_.LoadOutbox(d->code);
}

Result<PublicStatus> DossierLookup::Public(const std::string& client_address,
                                           const std::string& code, const std::string& id_last4) {
  if (!public_limiter_.Allow(client_address)) return Fail(ErrorCode::kTooManyRequests);
  if (id_last4.size() != 4 || id_last4.find_first_not_of("0123456789") != std::string::npos) {
    return Fail(ErrorCode::kInvalidField,
                "id_last4: the last 4 digits of the applicant's ID number.",
                "id_last4: 4 số cuối số định danh của người nộp.", "id_last4");
  }
  auto not_found = [] {
    return Fail(ErrorCode::kNotFound, "No dossier with that code and ID number.",
                "Không có hồ sơ với mã và số định danh này.", "code");
  };
  if (!LooksLikeDossierCode(code)) return not_found();
  auto too_many_guesses = [] {
    return Fail(ErrorCode::kTooManyRequests,
                "Too many wrong guesses for this dossier's code; its status can be looked up "
                "again later (or log in).",
                "Đã nhập sai quá nhiều lần cho mã hồ sơ này; vui lòng tra cứu lại sau (hoặc đăng "
                "nhập).",
                "code");
  };
  if (!wrong_guesses_.WouldAllow(code)) return too_many_guesses();
  auto d = store_.FindDossier(code);
  MOTCUA_RETURN_IF_ERROR(d);
  if (!*d || !(*d)->applicant.id_number.ends_with(id_last4)) {
    if (!wrong_guesses_.Allow(code)) return too_many_guesses();
    return not_found();
  }
  auto steps = audit_.LoadAudit(code);
  MOTCUA_RETURN_IF_ERROR(steps);
  DeadlineStatus deadline = DeadlineOf(**d, clock_.Now(), calendar_);
  return PublicStatus{std::move(**d), std::move(*steps), deadline};
}

}  // namespace motcua
