// The Vietnamese lunisolar calendar (âm lịch), computed astronomically rather than looked up: a
// month starts on the civil day (UTC+7) of a new moon, the 11th month is the one containing the
// winter solstice, and a year of 13 months takes as leap the first month without a major solar
// term (the method published by Hồ Ngọc Đức, time zone 7.0). Pure functions, no state.
//
// Supported range: civil dates 1900-01-01 .. 2100-12-31 and lunar years 1899 .. 2100 (the
// truncated lunar and solar series are accurate enough there). Outside, the functions still
// answer but the answer is an extrapolation.
#pragma once

#include <chrono>
#include <optional>

namespace motcua {

// A date of the Vietnamese lunar calendar: day 1..30 of month 1..12 of lunar year `year` (the
// Gregorian year in which that lunar year's month 1 begins); `leap` marks the intercalary copy
// of `month` (tháng nhuận), which follows the ordinary month of the same number.
struct LunarDate {
  int day = 1;
  int month = 1;
  int year = 2000;
  bool leap = false;

  bool operator==(const LunarDate&) const = default;
};

// The lunar date of civil date `d` (Vietnam). `d` must be a valid date (d.ok()).
LunarDate SolarToLunar(std::chrono::year_month_day d);

// The civil date of lunar date `l`, or nullopt if it does not exist: no such month (a leap
// month the year lacks), a day past the month's 29 or 30 days, or fields out of range
// (day 1..30, month 1..12, year 1000..3000).
std::optional<std::chrono::year_month_day> LunarToSolar(LunarDate l);

// The leap month (1..12) of lunar year `year`, or 0 if that year has 12 months.
int LunarLeapMonth(int year);

// The number of days (29 or 30) of the given lunar month, or 0 if it does not exist.
int LunarMonthLength(int year, int month, bool leap);

}  // namespace motcua
