// The working calendar as a service: appointment dates before filing, the year's days off and
// make-up days, and the official overrides admins maintain. An override moves legal deadlines,
// so each change is written with its audit entry (who, when, the date, before and after) in one
// transaction, and the calendar in force is reloaded at once.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/clock.h"
#include "domain/auth/role.h"
#include "domain/calendar/working_calendar.h"
#include "domain/ports/audit_log.h"
#include "domain/ports/calendar_store.h"
#include "domain/reference/reference_data.h"

namespace motcua {

// An appointment computed before filing.
struct DeadlineAnswer {
  Instant from{};
  Instant counting_from{};  // where the time limit starts counting (the 15:00 rule, days off)
  Instant due{};
};

class CalendarService {
 public:
  // Borrows everything, which must outlive the service. Thread-safe. `province_code` is the
  // deployment's: only its admins change the calendar, only they and its auditors read the
  // changes.
  CalendarService(CalendarStore& store, AuditLog& audit, ReferenceData& reference,
                  const Clock& clock, std::string province_code);

  // The appointment for a receipt at `from` with a time limit of `amount` `unit`s
  // (working_day | hour | calendar_day | month). kInvalidField naming "unit", "amount" or
  // "from".
  Result<DeadlineAnswer> Deadline(Instant from, int64_t amount, std::string_view unit) const;
  // The year's holidays, compensatory and official days off and make-up days (1900-2100;
  // kInvalidField "year" otherwise).
  Result<std::vector<CalendarDay>> Days(int year) const;
  // Sets the override of `date` (the province's admins only: kForbidden), audited; the calendar in
  // force changes at once. kInvalidField "date" for a date outside 1900-2100.
  Result<CalendarOverrideRow> SetOverride(const Principal& who, std::chrono::year_month_day date,
                                          bool working, std::string reason_vi,
                                          std::string reason_en);
  // Removes the override of `date`, audited (kNotFound if there is none; admins only).
  Status DeleteOverride(const Principal& who, std::chrono::year_month_day date);
  // Every change of the overrides, oldest first, from the audit trail (the province's admins
  // and auditors: kForbidden otherwise).
  Result<std::vector<AuditEntry>> Changes(const Principal& who);

 private:
  // The stored override of `day` as the audit entry's "before"/"after" text.
  Result<std::string> Describe(const std::string& day);

  CalendarStore& store_;
  AuditLog& audit_;
  ReferenceData& reference_;
  const Clock& clock_;
  std::string province_;
};

// "YYYY-MM-DD".
std::string DateText(std::chrono::year_month_day d);
// The audit subject of a date's override: "calendar:YYYY-MM-DD".
std::string CalendarAuditSubject(const std::string& day);

}  // namespace motcua
