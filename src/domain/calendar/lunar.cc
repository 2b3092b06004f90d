#include "domain/calendar/lunar.h"
#include "common/vn_time.h"

#include <cmath>
#include <cstdint>
#include <numbers>

namespace motcua {
namespace {

using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr double kTimeZoneHours = static_cast<double>(kVietnamUtcOffset.count());
constexpr double kSynodicMonth = 29.530588853;
// Julian day of the mean new moon that the new-moon series counts from (1900-01-01 13:52 UT).
constexpr double kNewMoonEpoch = 2415021.076998695;
// Julian day number of 1970-01-01 (the sys_days epoch).
constexpr int64_t kJdnUnixEpoch = 2440588;
constexpr double kDegree = std::numbers::pi / 180.0;

int64_t Jdn(year_month_day d) {
  return static_cast<int64_t>(sys_days(d).time_since_epoch().count()) + kJdnUnixEpoch;
}

year_month_day FromJdn(int64_t jdn) {
  return year_month_day(sys_days(std::chrono::days(jdn - kJdnUnixEpoch)));
}

// Julian day (UT, fractional) of the k-th new moon counted from the 1900 epoch: mean lunation
// plus the main periodic terms (sun and moon anomalies, the moon's argument of latitude) and a
// ΔT correction.
double NewMoon(int64_t k) {
  const double kk = static_cast<double>(k);
  const double t = kk / 1236.85;  // Julian centuries from 1900
  const double t2 = t * t;
  const double t3 = t2 * t;
  double jd = 2415020.75933 + 29.53058868 * kk + 0.0001178 * t2 - 0.000000155 * t3;
  jd += 0.00033 * std::sin((166.56 + 132.87 * t - 0.009173 * t2) * kDegree);
  const double sun_anomaly = (359.2242 + 29.10535608 * kk - 0.0000333 * t2 - 0.00000347 * t3);
  const double moon_anomaly = (306.0253 + 385.81691806 * kk + 0.0107306 * t2 + 0.00001236 * t3);
  const double latitude_arg = (21.2964 + 390.67050646 * kk - 0.0016528 * t2 - 0.00000239 * t3);
  const double m = sun_anomaly * kDegree;
  const double mp = moon_anomaly * kDegree;
  const double f = latitude_arg * kDegree;
  double c = (0.1734 - 0.000393 * t) * std::sin(m) + 0.0021 * std::sin(2 * m);
  c += -0.4068 * std::sin(mp) + 0.0161 * std::sin(2 * mp) - 0.0004 * std::sin(3 * mp);
  c += 0.0104 * std::sin(2 * f) - 0.0051 * std::sin(m + mp) - 0.0074 * std::sin(m - mp);
  c += 0.0004 * std::sin(2 * f + m) - 0.0004 * std::sin(2 * f - m) - 0.0006 * std::sin(2 * f + mp);
  c += 0.0010 * std::sin(2 * f - mp) + 0.0005 * std::sin(2 * mp + m);
  double delta_t;
  if (t < -11) {
    delta_t = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3;
  } else {
    delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2;
  }
  return jd + c - delta_t;
}

// The civil day (Julian day number, UTC+7) on which the k-th new moon falls.
int64_t NewMoonDay(int64_t k) {
  return static_cast<int64_t>(std::floor(NewMoon(k) + 0.5 + kTimeZoneHours / 24.0));
}

// The sun's apparent ecliptic longitude, in radians [0, 2π), at Julian day `jd` (UT).
double SunLongitude(double jd) {
  const double t = (jd - 2451545.0) / 36525.0;  // Julian centuries from J2000
  const double t2 = t * t;
  const double mean_anomaly = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2;
  const double mean_longitude = 280.46645 + 36000.76983 * t + 0.0003032 * t2;
  const double m = mean_anomaly * kDegree;
  const double center = (1.914600 - 0.004817 * t - 0.000014 * t2) * std::sin(m) +
                        (0.019993 - 0.000101 * t) * std::sin(2 * m) + 0.000290 * std::sin(3 * m);
  double l = (mean_longitude + center) * kDegree;
  l -= 2 * std::numbers::pi * std::floor(l / (2 * std::numbers::pi));
  return l;
}

// Which 30° sector (0..11, a major solar term each) the sun is in at local midnight starting the
// civil day `jdn`.
int SunSector(int64_t jdn) {
  const double at = static_cast<double>(jdn) - 0.5 - kTimeZoneHours / 24.0;
  return static_cast<int>(std::floor(SunLongitude(at) / std::numbers::pi * 6.0));
}

// Index of the new moon whose day is `month_start` (a value NewMoonDay returned).
int64_t LunationIndex(int64_t month_start) {
  return static_cast<int64_t>(
      std::floor((static_cast<double>(month_start) - kNewMoonEpoch) / kSynodicMonth + 0.5));
}

// The first day of the 11th lunar month of Gregorian year `year`: the month holding the winter
// solstice.
int64_t Month11Start(int year) {
  const int64_t dec31 =
      Jdn(year_month_day{std::chrono::year(year), std::chrono::December, std::chrono::day(31)});
  const auto k =
      static_cast<int64_t>(std::floor(static_cast<double>(dec31 - 2415021) / kSynodicMonth));
  int64_t start = NewMoonDay(k);
  if (SunSector(start) >= 9) start = NewMoonDay(k - 1);
  return start;
}

// A "suì": the months from the 11th month of Gregorian year `base` to the next one.
struct Sui {
  int base = 0;         // lunar months 11 and 12 at offsets 0 and 1 belong to lunar year base
  int64_t start = 0;    // first day (month 11)
  int64_t next = 0;     // first day of the next suì's month 11
  int64_t first_k = 0;  // lunation index of `start`
  int leap_offset = 0;  // offset (1..12) of the leap month in a 13-month suì; 0 if none
};

Sui MakeSui(int base) {
  Sui s;
  s.base = base;
  s.start = Month11Start(base);
  s.next = Month11Start(base + 1);
  s.first_k = LunationIndex(s.start);
  if (s.next - s.start > 365) {
    // The leap month is the first one without a major solar term: the sun's sector at its start
    // equals the sector at the next month's start.
    int previous = SunSector(NewMoonDay(s.first_k + 1));
    s.leap_offset = 12;
    for (int i = 2; i <= 13; ++i) {
      const int current = SunSector(NewMoonDay(s.first_k + i));
      if (current == previous) {
        s.leap_offset = i - 1;
        break;
      }
      previous = current;
    }
  }
  return s;
}

// Month number (1..12) of the ordinary month at ordinary position `pos` (0 = month 11).
int MonthAt(int pos) { return (pos + 10) % 12 + 1; }

// Ordinary position (0 = month 11, 1 = month 12, 2 = month 1, ..., 11 = month 10).
int PositionOf(int month) { return (month + 1) % 12; }

struct MonthSpan {
  int64_t start = 0;
  int length = 0;
};

std::optional<MonthSpan> FindMonth(int year, int month, bool leap) {
  if (year < 1000 || year > 3000 || month < 1 || month > 12) return std::nullopt;
  const int pos = PositionOf(month);
  const Sui sui = MakeSui(pos < 2 ? year : year - 1);
  int offset = pos;
  if (leap) {
    if (sui.leap_offset == 0 || sui.leap_offset - 1 != pos) return std::nullopt;
    offset = sui.leap_offset;
  } else if (sui.leap_offset != 0 && pos >= sui.leap_offset) {
    offset = pos + 1;
  }
  const int64_t start = NewMoonDay(sui.first_k + offset);
  const int64_t next = NewMoonDay(sui.first_k + offset + 1);
  return MonthSpan{start, static_cast<int>(next - start)};
}

}  // namespace

LunarDate SolarToLunar(year_month_day d) {
  const int64_t jdn = Jdn(d);
  // The mean lunation gives the month to within one; settle it on the true new-moon days.
  auto k =
      static_cast<int64_t>(std::floor((static_cast<double>(jdn) - kNewMoonEpoch) / kSynodicMonth));
  int64_t month_start = NewMoonDay(k);
  while (month_start > jdn) month_start = NewMoonDay(--k);
  for (int64_t next = NewMoonDay(k + 1); next <= jdn; next = NewMoonDay(k + 1)) {
    month_start = next;
    ++k;
  }
  const int y = static_cast<int>(d.year());
  const int64_t this_month11 = Month11Start(y);
  const Sui sui = MakeSui(jdn >= this_month11 ? y : y - 1);
  const int offset = static_cast<int>(
      std::floor(static_cast<double>(month_start - sui.start) / kSynodicMonth + 0.5));
  LunarDate out;
  out.day = static_cast<int>(jdn - month_start + 1);
  int pos = offset;
  if (sui.leap_offset != 0 && offset >= sui.leap_offset) {
    pos = offset - 1;
    out.leap = offset == sui.leap_offset;
  }
  out.month = MonthAt(pos);
  out.year = pos < 2 ? sui.base : sui.base + 1;
  return out;
}

std::optional<year_month_day> LunarToSolar(LunarDate l) {
  if (l.day < 1 || l.day > 30) return std::nullopt;
  const auto span = FindMonth(l.year, l.month, l.leap);
  if (!span || l.day > span->length) return std::nullopt;
  return FromJdn(span->start + l.day - 1);
}

int LunarLeapMonth(int year) {
  if (year < 1000 || year > 3000) return 0;
  // Months 1..10 of `year` lie in the suì based on year-1; months 11 and 12 in the one based on
  // `year`.
  const Sui before = MakeSui(year - 1);
  if (before.leap_offset != 0 && before.leap_offset - 1 >= 2) {
    return MonthAt(before.leap_offset - 1);
  }
  const Sui after = MakeSui(year);
  if (after.leap_offset != 0 && after.leap_offset - 1 < 2) return MonthAt(after.leap_offset - 1);
  return 0;
}

int LunarMonthLength(int year, int month, bool leap) {
  const auto span = FindMonth(year, month, leap);
  return span ? span->length : 0;
}

}  // namespace motcua
