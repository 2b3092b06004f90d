// Working days, office hours and time limits of Vietnamese state agencies (domain.md §4).
//
// A day is a working day when it is Monday..Friday and not a day off, or when it is an officially
// announced make-up working day. Days off are computed for any year 1900..2100 with no data:
//   - public holidays of the Labour Code 2019, art. 112: 1 January (Tết Dương lịch); Tết
//     Nguyên đán, 5 days; Giỗ Tổ Hùng Vương (lunar 10/3); 30 April; 1 May; 2 September plus one
//     adjacent day;
//   - DEFAULT placements where the Government decides each year: the 5 Tết days are the last day
//     of the lunar year (29 or 30 of month 12) and lunar 1/1..4/1; the day adjacent to 2
//     September is 1 September. Official announcements that place them otherwise are overrides;
//   - compensatory days (nghỉ bù): each holiday on a Saturday or Sunday gives one day off on the
//     first following Monday..Friday that is neither a holiday nor already a compensatory day,
//     taken in date order (30/4 Sat + 1/5 Sun -> Mon 2/5 and Tue 3/5). Two holidays on the same
//     date count once;
//   - overrides (the Government's yearly announcements, data/calendar-overrides.csv) win over
//     the computed kind of their date: working=true turns a computed day off (weekend, holiday,
//     compensatory day) into a make-up working day (an ordinary working day stays one);
//     working=false makes any day an official day off. Overrides do not move compensatory days:
//     an announcement that changes them lists each affected date.
//
// All civil times are Vietnam time (UTC+7, no daylight saving). Dates outside 1900..2100 have
// only weekends as days off.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/error.h"

namespace motcua {

// Office hours of a working day, as offsets from local midnight. The defaults are the usual
// hours of a one-stop-shop counter: 07:30–11:30 and 13:30–17:00 (7.5 working hours), with the
// 15:00 cut-off after which a dossier counts as received on the next working day.
struct WorkingHours {
  std::chrono::minutes morning_start{7 * 60 + 30};
  std::chrono::minutes morning_end{11 * 60 + 30};
  std::chrono::minutes afternoon_start{13 * 60 + 30};
  std::chrono::minutes afternoon_end{17 * 60};
  std::chrono::minutes cutoff{15 * 60};

  // Ok iff 00:00 <= morning_start < morning_end <= afternoon_start < afternoon_end <= 24:00 and
  // morning_start < cutoff <= afternoon_end; otherwise kInvalidField naming the first bad field.
  Status Validate() const;
  // The working time of one working day (morning plus afternoon period).
  std::chrono::minutes DailyDuration() const;
};

// What a civil date is for the agencies.
enum class DayKind {
  kWorkday,         // Monday..Friday, no holiday
  kWeekend,         // Saturday or Sunday
  kPublicHoliday,   // a Labour Code holiday at its computed date (also when it is a weekend)
  kCompensatory,    // nghỉ bù for a holiday that fell on a weekend
  kOfficialDayOff,  // a day off by override (announced swap, moved Tết day)
  kMakeUpWorkday,   // a day worked by override (làm bù), usually a Saturday
};

// Stable snake_case name of a kind: "workday", "weekend", "public_holiday", "compensatory",
// "official_day_off", "make_up_workday".
std::string_view DayKindName(DayKind kind);

// One civil date with its kind and why (empty reasons for an ordinary working day).
struct CalendarDay {
  std::chrono::year_month_day date;
  DayKind kind = DayKind::kWorkday;
  std::string reason_vi;
  std::string reason_en;
};

// One officially announced exception: `working` = the date is worked (make-up day) or not
// (official day off), with the reason, which names the announcement when known.
struct CalendarOverride {
  std::chrono::year_month_day date;
  bool working = false;
  std::string reason_vi;
  std::string reason_en;
};

// Parses calendar-overrides.csv: header `date,working,reason_vi,reason_en`, then one row per
// date: YYYY-MM-DD within 1900..2100, working 0 or 1, non-empty UTF-8 reasons; each date at most
// once. Fails with kInvalidField and field "line N" (N = the record's line, header = 1), or
// kBadRequest for broken CSV quoting. Rows are returned in file order.
Result<std::vector<CalendarOverride>> ParseCalendarOverridesCsv(std::string_view text);

// The unit of a procedure's time limit.
enum class TimeUnit { kWorkingDay, kHour, kCalendarDay, kMonth };

// "working_day", "hour", "calendar_day", "month" -> the unit; anything else -> nullopt.
std::optional<TimeUnit> ParseTimeUnit(std::string_view text);
// The inverse of ParseTimeUnit.
std::string_view TimeUnitName(TimeUnit unit);

// The working calendar: days off and make-up days for 1900..2100 plus office hours, and time
// limits computed on them. Immutable after construction; every method is const and safe to
// call from many threads. The constructor precomputes the day table of 1900..2100 (~73,000
// days, about 7 ms optimised); lookups and time-limit computations are O(1) or O(log days).
class WorkingCalendar {
 public:
  static constexpr int kFirstYear = 1900;
  static constexpr int kLastYear = 2100;
  // Largest accepted amounts per unit (AddTimeLimit).
  static constexpr int64_t kMaxWorkingDays = 3650;
  static constexpr int64_t kMaxHours = 3650 * 8;
  static constexpr int64_t kMaxCalendarDays = 3660;
  static constexpr int64_t kMaxMonths = 120;

  // `hours` must pass Validate() (if not, the default WorkingHours are used; Create reports
  // the error instead). Overrides outside 1900..2100 are ignored; for a date given twice the
  // last one wins.
  WorkingCalendar(WorkingHours hours, std::vector<CalendarOverride> overrides);
  // As the constructor, but fails with kInvalidField on invalid hours.
  static Result<WorkingCalendar> Create(WorkingHours hours,
                                        std::vector<CalendarOverride> overrides);

  // The office hours in use.
  const WorkingHours& Hours() const { return hours_; }

  // True iff agencies work on `d` (kWorkday or kMakeUpWorkday); false for an invalid date.
  bool IsWorkday(std::chrono::year_month_day d) const;
  // The kind of `d` and its reasons (an invalid date is reported as kWeekend, no reason).
  CalendarDay Day(std::chrono::year_month_day d) const;
  // Every day of `year` that is a public holiday (even on a weekend), a compensatory day, an
  // official day off or a make-up working day, with reasons, in date order; empty outside
  // 1900..2100.
  std::vector<CalendarDay> DaysOffAndMakeUps(int year) const;

  // The instant from which a time limit counts for a dossier received at `received`:
  //   - on a working day inside office hours and before the cut-off: `received` itself;
  //   - on a working day before the morning start: that day's morning start;
  //   - inside the lunch break, when the afternoon starts before the cut-off: the afternoon
  //     start of the same day;
  //   - at or after the cut-off (15:00), after hours, or on a day off: the morning start
  //     (07:30) of the next working day.
  // Instants outside 1900..2100 are returned unchanged.
  Instant EffectiveStart(Instant received) const;

  // `t` itself when it is inside the office hours of a working day, else the start of the next
  // office period (the afternoon after the lunch break, or the next working day's morning).
  // Instants outside 1900..2100 are returned unchanged.
  Instant NextOfficeInstant(Instant t) const;
  // The instant at which `amount` (>= 0) of office time has passed after `t`, which is first
  // moved into office time (NextOfficeInstant). A result that falls exactly at the end of a
  // period stays there (11:30, 17:00). Outside 1900..2100: `t` + amount.
  Instant AddOfficeTime(Instant t, std::chrono::microseconds amount) const;

  // The due instant (appointment) of a time limit of `amount` `unit`s for a dossier received at
  // `received`, counted from S = EffectiveStart(received):
  //   - working_day: N × DailyDuration() (7.5 h by default) of working time added to S; a
  //     result exactly at the start of a working period is moved back to the end of the
  //     previous period, so a due time is never 07:30 or 13:30: S = Tue 07:30 + 1 -> Tue 17:00,
  //     Mon 09:00 + 1 -> Tue 09:00, Mon 09:00 + 3 -> Thu 09:00 (no holidays);
  //   - hour: N working hours added to S the same way;
  //   - calendar_day: the end of office hours (17:00) of S's date + N days, or of the next
  //     working day if that date is not one;
  //   - month: the same day number N months after S's date (clamped to the month's last day,
  //     so 31 Jan + 1 month = 28/29 Feb), 17:00, moved to the next working day's 17:00 if needed;
  //   - amount 0 in any unit: 17:00 of S's date (the same working day).
  // Fails with kInvalidField: field "amount" for a negative amount, one over the unit's
  // kMax... limit or a due date after 2100; field "received" for a receipt outside 1900..2100.
  Result<Instant> AddTimeLimit(Instant received, int64_t amount, TimeUnit unit) const;

  // The working time in [from, to) not covered by any of the `paused` intervals [a, b) (time
  // waiting for the applicant's supplement does not count). Pauses may overlap one another or
  // extend outside [from, to); a pause with b <= a is ignored. 0 if to <= from. Time outside
  // 1900..2100 does not count.
  std::chrono::microseconds WorkingTimeBetween(
      Instant from, Instant to, const std::vector<std::pair<Instant, Instant>>& paused) const;

 private:
  struct Special {
    int32_t index;  // day index from 1900-01-01
    DayKind kind;
    std::string reason_vi;
    std::string reason_en;
  };

  DayKind KindAt(int64_t index) const;
  bool WorkdayAt(int64_t index) const;
  int64_t NextWorkdayFrom(int64_t index) const;  // `index` itself if a working day
  std::chrono::microseconds WorkedBefore(Instant t) const;
  std::chrono::microseconds WithinDay(std::chrono::microseconds time_of_day) const;
  std::optional<Instant> Locate(std::chrono::microseconds total) const;
  Instant At(int64_t index, std::chrono::microseconds time_of_day) const;

  WorkingHours hours_;
  std::chrono::microseconds morning_start_, morning_end_, afternoon_start_, afternoon_end_, cutoff_,
      morning_length_, daily_;
  std::vector<uint8_t> kind_;      // DayKind per day index
  std::vector<int32_t> workdays_;  // workdays_[i] = working days among indices [0, i)
  std::vector<Special> special_;   // days with reasons other than weekends, by index
};

}  // namespace motcua
