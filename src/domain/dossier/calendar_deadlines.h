// The dossier service's DeadlineCalendar over the current WorkingCalendar snapshot.
#pragma once

#include <functional>
#include <memory>

#include "domain/calendar/working_calendar.h"
#include "domain/dossier/rules.h"

namespace motcua {

class CalendarDeadlines final : public DeadlineCalendar {
 public:
  using Source = std::function<std::shared_ptr<const WorkingCalendar>()>;
  // `source` returns the calendar in force (it may change when an admin edits overrides).
  explicit CalendarDeadlines(Source source) : source_(std::move(source)) {}

  Result<Instant> Due(Instant received, int64_t amount, std::string_view time_unit) const override {
    auto unit = ParseTimeUnit(time_unit);
    if (!unit) {
      return Fail(ErrorCode::kInvalidField,
                  "unit must be working_day, hour, calendar_day or month.",
                  "unit phải là working_day, hour, calendar_day hoặc month.", "unit");
    }
    return source_()->AddTimeLimit(received, amount, *unit);
  }

  std::chrono::microseconds WorkingTime(
      Instant from, Instant to,
      const std::vector<std::pair<Instant, Instant>>& paused) const override {
    return source_()->WorkingTimeBetween(from, to, paused);
  }

 private:
  Source source_;
};

}  // namespace motcua
