// Reading a dossier's history: its audit trail and its messages for those who may see it, and
// the public status lookup (no login: the code plus the last four digits of the applicant's ID
// number; no personal data in the answer; rate-limited).
#pragma once

#include <string>
#include <vector>

#include "common/clock.h"
#include "domain/auth/rate_limiter.h"
#include "domain/dossier/dossier_service.h"
#include "domain/ports/audit_log.h"
#include "domain/ports/dossier_store.h"
#include "domain/ports/outbox.h"

namespace motcua {

// What the public may know of a dossier.
struct PublicStatus {
  Dossier dossier;  // for the code, procedure name, state and dates only: never shown whole
  std::vector<AuditEntry> steps;
  DeadlineStatus deadline = DeadlineStatus::kInTime;
};

class DossierLookup {
 public:
  // Borrows everything, which must outlive the service. Thread-safe.
  // `public_limiter` bounds lookups per client address, `wrong_guesses` wrong last-4 guesses
  // per dossier code.
  DossierLookup(DossierService& dossiers, DossierStore& store, AuditLog& audit, Outbox& outbox,
                RateLimiter& public_limiter, RateLimiter& wrong_guesses, const Clock& clock,
                const DeadlineCalendar& calendar);

  // The dossier's audit trail if `who` may see the dossier (kNotFound otherwise).
  Result<std::vector<AuditEntry>> Timeline(const Principal& who, const std::string& code);
  // The messages to the applicant about the dossier (kNotFound if `who` may not see it).
  Result<std::vector<OutboxMessage>> Messages(const Principal& who, const std::string& code);
  // The public status of `code` for a client at `client_address` who knows the last four
  // digits of the applicant's ID number. kTooManyRequests past the per-address rate, or once
  // the dossier's code had too many wrong guesses (the 4 digits are a small space: the code's
  // lookup then waits, for everyone);
  // kInvalidField "id_last4" unless 4 digits; kNotFound for a wrong code or digits (the two
  // cannot be told apart).
  Result<PublicStatus> Public(const std::string& client_address, const std::string& code,
                              const std::string& id_last4);

 private:
  DossierService& dossiers_;
  DossierStore& store_;
  AuditLog& audit_;
  Outbox& outbox_;
  RateLimiter& public_limiter_;
  RateLimiter& wrong_guesses_;
  const Clock& clock_;
  const DeadlineCalendar& calendar_;
};

}  // namespace motcua
