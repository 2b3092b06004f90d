#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "domain/calendar/lunar.h"
#include "domain/calendar/working_calendar.h"
#include "test_data.h"

namespace motcua {
namespace {

using namespace std::chrono_literals;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::sys_days;
using std::chrono::year_month_day;

year_month_day Ymd(int y, unsigned m, unsigned d) {
  return year_month_day{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

std::string Iso(year_month_day d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(d.year()), unsigned(d.month()),
                unsigned(d.day()));
  return buf;
}

// A civil time in Vietnam, "YYYY-MM-DDTHH:MM:SS".
Instant Vn(const std::string& local) {
  auto t = ParseIso8601(local + "+07:00");
  EXPECT_TRUE(t) << local;
  return t.value_or(Instant{});
}

std::string Fmt(Instant t) { return FormatIso8601Vn(t); }

std::string Fmt(const Result<Instant>& t) {
  return t ? FormatIso8601Vn(*t) : "error(" + t.error().field + ")";
}

const WorkingCalendar& Computed() {  // no overrides: the Labour Code defaults only
  static const WorkingCalendar calendar(WorkingHours{}, {});
  return calendar;
}

const WorkingCalendar& Bundled() {  // with data/calendar-overrides.csv
  static const WorkingCalendar calendar = [] {
    auto overrides = ParseCalendarOverridesCsv(testing::BundledFile("/calendar-overrides.csv"));
    EXPECT_TRUE(overrides) << (overrides ? "" : ErrorText(overrides.error()));
    return WorkingCalendar(WorkingHours{}, overrides.value_or(std::vector<CalendarOverride>{}));
  }();
  return calendar;
}

// ---------------------------------------------------------------------------------------------
// Lunar calendar

TEST(Lunar, TetVectors) {
  const std::pair<int, year_month_day> tet[] = {
      {1900, Ymd(1900, 1, 31)}, {1985, Ymd(1985, 1, 21)},  // Vietnam one month before China
      {1990, Ymd(1990, 1, 27)}, {2000, Ymd(2000, 2, 5)},  {2007, Ymd(2007, 2, 17)},
      {2020, Ymd(2020, 1, 25)}, {2023, Ymd(2023, 1, 22)}, {2024, Ymd(2024, 2, 10)},
      {2025, Ymd(2025, 1, 29)}, {2026, Ymd(2026, 2, 17)}, {2027, Ymd(2027, 2, 6)},
  };
  for (const auto& [year, date] : tet) {
    auto solar = LunarToSolar(LunarDate{1, 1, year, false});
    ASSERT_TRUE(solar) << year;
    EXPECT_EQ(Iso(*solar), Iso(date)) << year;
    EXPECT_EQ(SolarToLunar(date), (LunarDate{1, 1, year, false})) << year;
  }
}

TEST(Lunar, HungKingsDayVectors) {
  const std::pair<int, year_month_day> hung[] = {
      {2022, Ymd(2022, 4, 10)}, {2023, Ymd(2023, 4, 29)}, {2024, Ymd(2024, 4, 18)},
      {2025, Ymd(2025, 4, 7)},  {2026, Ymd(2026, 4, 26)},
  };
  for (const auto& [year, date] : hung) {
    auto solar = LunarToSolar(LunarDate{10, 3, year, false});
    ASSERT_TRUE(solar) << year;
    EXPECT_EQ(Iso(*solar), Iso(date)) << year;
  }
}

// Tết (lunar 1/1) and the Hùng Kings' day (lunar 10/3) of every year 1900-2100, against
// tests/data/lunar-reference.tsv: dates computed independently of this code (the published
// astronomical method at UTC+7; see data/ATTRIBUTION.md). Both directions of the conversion,
// and the working calendar's holidays on those dates.
TEST(Lunar, TetAndHungKingsDayOfEveryYearMatchTheReference) {
  const std::string path = std::string(MOTCUA_TEST_DATA_DIR) + "/lunar-reference.tsv";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "cannot read " << path;
  auto date = [](const std::string& iso) {
    int y = 0;
    unsigned m = 0, d = 0;
    EXPECT_EQ(std::sscanf(iso.c_str(), "%4d-%2u-%2u", &y, &m, &d), 3) << iso;
    year_month_day ymd = Ymd(y, m, d);
    EXPECT_TRUE(ymd.ok()) << iso;
    return ymd;
  };
  int rows = 0, expected_year = 1900;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    int year = 0;
    std::string tet_iso, hung_iso;
    ASSERT_TRUE(fields >> year >> tet_iso >> hung_iso) << line;
    ASSERT_EQ(year, expected_year++) << line;
    ++rows;
    const year_month_day tet = date(tet_iso), hung = date(hung_iso);
    auto tet_back = LunarToSolar(LunarDate{1, 1, year, false});
    auto hung_back = LunarToSolar(LunarDate{10, 3, year, false});
    ASSERT_TRUE(tet_back && hung_back) << year;
    EXPECT_EQ(Iso(*tet_back), tet_iso) << "Tết " << year;
    EXPECT_EQ(Iso(*hung_back), hung_iso) << "Hùng Kings' day " << year;
    EXPECT_EQ(SolarToLunar(tet), (LunarDate{1, 1, year, false})) << tet_iso;
    EXPECT_EQ(SolarToLunar(hung), (LunarDate{10, 3, year, false})) << hung_iso;
    // the eve of Tết is the last day of the previous lunar year's 12th month
    const LunarDate eve = SolarToLunar(year_month_day(sys_days(tet) - days(1)));
    EXPECT_TRUE(eve.month == 12 && eve.year == year - 1 && (eve.day == 29 || eve.day == 30))
        << "eve of Tết " << year;
    const CalendarDay tet_day = Computed().Day(tet), hung_day = Computed().Day(hung);
    EXPECT_EQ(tet_day.kind, DayKind::kPublicHoliday) << tet_iso;
    EXPECT_NE(tet_day.reason_vi.find("mùng 1 tháng Giêng"), std::string::npos) << tet_iso;
    EXPECT_EQ(hung_day.kind, DayKind::kPublicHoliday) << hung_iso;
    EXPECT_NE(hung_day.reason_vi.find("Giỗ Tổ Hùng Vương"), std::string::npos) << hung_iso;
  }
  EXPECT_EQ(rows, 201);  // 1900..2100, every year once
}

TEST(Lunar, LeapMonths) {
  EXPECT_EQ(LunarLeapMonth(2017), 6);
  EXPECT_EQ(LunarLeapMonth(2020), 4);
  EXPECT_EQ(LunarLeapMonth(2023), 2);
  EXPECT_EQ(LunarLeapMonth(2024), 0);
  EXPECT_EQ(LunarLeapMonth(2025), 6);
  EXPECT_EQ(LunarLeapMonth(2026), 0);
  EXPECT_EQ(LunarLeapMonth(2033), 11);  // the rare leap 11th month
  // 2023: the leap 2nd month follows the ordinary one; 10/3 falls a month later than usual.
  auto m2 = LunarToSolar(LunarDate{1, 2, 2023, false});
  auto m2_leap = LunarToSolar(LunarDate{1, 2, 2023, true});
  auto m3 = LunarToSolar(LunarDate{1, 3, 2023, false});
  ASSERT_TRUE(m2 && m2_leap && m3);
  EXPECT_EQ(Iso(*m2), "2023-02-20");
  EXPECT_EQ(Iso(*m2_leap), "2023-03-22");
  EXPECT_EQ(Iso(*m3), "2023-04-20");
  EXPECT_EQ(SolarToLunar(Ymd(2023, 3, 22)), (LunarDate{1, 2, 2023, true}));
  // 2025: leap 6th month from 25 July; Vu Lan (15/7) on 6 September; Mid-Autumn on 6 October.
  EXPECT_EQ(SolarToLunar(Ymd(2025, 7, 25)), (LunarDate{1, 6, 2025, true}));
  EXPECT_EQ(SolarToLunar(Ymd(2025, 8, 23)), (LunarDate{1, 7, 2025, false}));
  EXPECT_EQ(SolarToLunar(Ymd(2025, 9, 6)), (LunarDate{15, 7, 2025, false}));
  EXPECT_EQ(SolarToLunar(Ymd(2025, 10, 6)), (LunarDate{15, 8, 2025, false}));
  EXPECT_EQ(SolarToLunar(Ymd(2024, 9, 17)), (LunarDate{15, 8, 2024, false}));
  // 2033: the leap 11th month belongs to lunar year 2033.
  auto m11 = LunarToSolar(LunarDate{1, 11, 2033, false});
  auto m11_leap = LunarToSolar(LunarDate{1, 11, 2033, true});
  ASSERT_TRUE(m11 && m11_leap);
  EXPECT_EQ(sys_days(*m11_leap) - sys_days(*m11), days(LunarMonthLength(2033, 11, false)));
}

TEST(Lunar, LastDaysOfTheYearAndMonthLengths) {
  // The lunar year before Tết 2026 ends on 29 Chạp (2026-02-16): month 12 has 29 days.
  EXPECT_EQ(SolarToLunar(Ymd(2026, 2, 16)), (LunarDate{29, 12, 2025, false}));
  EXPECT_EQ(LunarMonthLength(2025, 12, false), 29);
  EXPECT_FALSE(LunarToSolar(LunarDate{30, 12, 2025, false}));
  // Before Tết 2024 there was a 30 Chạp.
  EXPECT_EQ(SolarToLunar(Ymd(2024, 2, 9)), (LunarDate{30, 12, 2023, false}));
  EXPECT_EQ(LunarMonthLength(2023, 12, false), 30);
  // Day 0 regression: a new-moon day the mean lunation misplaces.
  EXPECT_EQ(SolarToLunar(Ymd(2054, 5, 7)), (LunarDate{30, 3, 2054, false}));
  EXPECT_EQ(SolarToLunar(Ymd(2062, 4, 9)), (LunarDate{30, 2, 2062, false}));
}

TEST(Lunar, NonexistentDates) {
  EXPECT_FALSE(LunarToSolar(LunarDate{1, 2, 2024, true}));  // 2024 has no leap month
  EXPECT_FALSE(LunarToSolar(LunarDate{1, 3, 2023, true}));  // 2023's leap month is the 2nd
  EXPECT_FALSE(LunarToSolar(LunarDate{0, 1, 2024, false}));
  EXPECT_FALSE(LunarToSolar(LunarDate{31, 1, 2024, false}));
  EXPECT_FALSE(LunarToSolar(LunarDate{1, 13, 2024, false}));
  EXPECT_FALSE(LunarToSolar(LunarDate{1, 0, 2024, false}));
  EXPECT_FALSE(LunarToSolar(LunarDate{1, 1, 999999, false}));
  EXPECT_EQ(LunarMonthLength(2024, 5, true), 0);
}

TEST(Lunar, RoundTripsEveryDay1900To2100) {
  const sys_days first{std::chrono::year(1900) / 1 / 1};
  const sys_days last{std::chrono::year(2100) / 12 / 31};
  LunarDate previous = SolarToLunar(year_month_day(first - days(1)));
  int failures = 0, leap_days = 0;
  for (sys_days d = first; d <= last; d += days(1)) {
    const LunarDate l = SolarToLunar(year_month_day(d));
    auto back = LunarToSolar(l);
    if (!back || sys_days(*back) != d) {
      if (++failures < 5) ADD_FAILURE() << "no round trip for " << Iso(year_month_day(d));
    }
    // Consecutive days: the day number goes up by one, or a new month starts after 29 or 30.
    if (l.day == 1) {
      if (previous.day != 29 && previous.day != 30) {
        if (++failures < 5)
          ADD_FAILURE() << "month of " << previous.day << " days before " << Iso(year_month_day(d));
      }
    } else if (l.day != previous.day + 1 || l.month != previous.month || l.leap != previous.leap) {
      if (++failures < 5) ADD_FAILURE() << "discontinuity at " << Iso(year_month_day(d));
    }
    leap_days += l.leap;
    previous = l;
  }
  EXPECT_EQ(failures, 0);
  EXPECT_GT(leap_days, 70 * 29);  // about 7 leap months in 19 years
}

// ---------------------------------------------------------------------------------------------
// Working hours, parsing

TEST(WorkingCalendarHours, DefaultsAndValidation) {
  WorkingHours h;
  EXPECT_TRUE(h.Validate());
  EXPECT_EQ(h.DailyDuration(), minutes(450));
  auto field_of = [](WorkingHours w) { return w.Validate() ? "" : w.Validate().error().field; };
  WorkingHours bad = h;
  bad.morning_end = bad.morning_start;
  EXPECT_EQ(field_of(bad), "morning_end");
  bad = h;
  bad.afternoon_start = minutes(11 * 60);
  EXPECT_EQ(field_of(bad), "afternoon_start");
  bad = h;
  bad.afternoon_end = minutes(25 * 60);
  EXPECT_EQ(field_of(bad), "afternoon_end");
  bad = h;
  bad.cutoff = minutes(18 * 60);
  EXPECT_EQ(field_of(bad), "cutoff");
  bad = h;
  bad.morning_start = minutes(-1);
  EXPECT_EQ(field_of(bad), "morning_start");
  bad = h;
  bad.cutoff = minutes(18 * 60);
  auto created = WorkingCalendar::Create(bad, {});
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, ErrorCode::kInvalidField);
}

TEST(WorkingCalendarParse, TimeUnits) {
  EXPECT_EQ(ParseTimeUnit("working_day"), TimeUnit::kWorkingDay);
  EXPECT_EQ(ParseTimeUnit("hour"), TimeUnit::kHour);
  EXPECT_EQ(ParseTimeUnit("calendar_day"), TimeUnit::kCalendarDay);
  EXPECT_EQ(ParseTimeUnit("month"), TimeUnit::kMonth);
  EXPECT_FALSE(ParseTimeUnit("day"));
  EXPECT_FALSE(ParseTimeUnit(""));
  EXPECT_FALSE(ParseTimeUnit("Hour"));
  for (TimeUnit u :
       {TimeUnit::kWorkingDay, TimeUnit::kHour, TimeUnit::kCalendarDay, TimeUnit::kMonth}) {
    EXPECT_EQ(ParseTimeUnit(TimeUnitName(u)), u);
  }
}

TEST(WorkingCalendarParse, BundledOverrides) {
  auto overrides = ParseCalendarOverridesCsv(testing::BundledFile("/calendar-overrides.csv"));
  ASSERT_TRUE(overrides) << ErrorText(overrides.error());
  EXPECT_EQ(overrides->size(), 14u);
  for (const CalendarOverride& o : *overrides) {
    EXPECT_FALSE(o.reason_vi.empty());
    EXPECT_FALSE(o.reason_en.empty());
    // Every make-up day is a weekend or a computed day off; every day off a computed workday.
    const DayKind computed = Computed().Day(o.date).kind;
    if (o.working) {
      EXPECT_NE(computed, DayKind::kWorkday) << Iso(o.date);
    } else {
      EXPECT_EQ(computed, DayKind::kWorkday) << Iso(o.date);
    }
  }
}

TEST(WorkingCalendarParse, GoodAndBadRows) {
  auto ok = ParseCalendarOverridesCsv(
      "\xEF\xBB\xBF"
      "date,working,reason_vi,reason_en\r\n2030-05-04,1,\"Làm bù, thứ Bảy\",Make-up\r\n"
      "2030-05-02,0,Nghỉ,Day off\r\n");
  ASSERT_TRUE(ok) << ErrorText(ok.error());
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ(Iso((*ok)[0].date), "2030-05-04");
  EXPECT_TRUE((*ok)[0].working);
  EXPECT_EQ((*ok)[0].reason_vi, "Làm bù, thứ Bảy");
  EXPECT_FALSE((*ok)[1].working);

  const std::string header = "date,working,reason_vi,reason_en\n";
  const std::pair<std::string, std::string> bad[] = {
      {"", "line 1"},
      {"date,working,reason\n", "line 1"},
      {"day,working,reason_vi,reason_en\n", "line 1"},
      {header + "2030-05-04,1,a,b\n2030-5-4,1,a,b\n", "line 3"},
      {header + "2030-02-30,1,a,b\n", "line 2"},
      {header + "1899-12-31,1,a,b\n", "line 2"},
      {header + "2101-01-01,1,a,b\n", "line 2"},
      {header + "2030-05-04,2,a,b\n", "line 2"},
      {header + "2030-05-04,yes,a,b\n", "line 2"},
      {header + "2030-05-04,1,,b\n", "line 2"},
      {header + "2030-05-04,1,a,\n", "line 2"},
      {header + "2030-05-04,1,a\n", "line 2"},
      {header + "2030-05-04,1,a,b,c\n", "line 2"},
      {header + "2030-05-04,1,a,b\n2030-05-04,0,a,b\n", "line 3"},
      {header + "2030-05-04,1,\xC3,b\n", "line 2"},
  };
  for (const auto& [text, field] : bad) {
    auto r = ParseCalendarOverridesCsv(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidField) << text;
    EXPECT_EQ(r.error().field, field) << text;
  }
  auto unterminated = ParseCalendarOverridesCsv(header + "2030-05-04,1,\"a,b\n");
  ASSERT_FALSE(unterminated);
  EXPECT_EQ(unterminated.error().code, ErrorCode::kBadRequest);
}

// ---------------------------------------------------------------------------------------------
// Days off

std::vector<std::string> Listing(const WorkingCalendar& cal, int year) {
  std::vector<std::string> out;
  for (const CalendarDay& d : cal.DaysOffAndMakeUps(year)) {
    out.push_back(Iso(d.date) + " " + std::string(DayKindName(d.kind)));
  }
  return out;
}

TEST(WorkingCalendarDays, Computed2026) {
  const WorkingCalendar& cal = Computed();
  EXPECT_EQ(Listing(cal, 2026), (std::vector<std::string>{
                                    "2026-01-01 public_holiday",
                                    "2026-02-16 public_holiday",  // 29 Chạp
                                    "2026-02-17 public_holiday",  // Tết
                                    "2026-02-18 public_holiday",
                                    "2026-02-19 public_holiday",
                                    "2026-02-20 public_holiday",
                                    "2026-04-26 public_holiday",  // Hùng Kings, a Sunday
                                    "2026-04-27 compensatory",
                                    "2026-04-30 public_holiday",
                                    "2026-05-01 public_holiday",
                                    "2026-09-01 public_holiday",
                                    "2026-09-02 public_holiday",
                                }));
  EXPECT_TRUE(cal.IsWorkday(Ymd(2026, 2, 13)));
  EXPECT_FALSE(cal.IsWorkday(Ymd(2026, 2, 14)));
  EXPECT_FALSE(cal.IsWorkday(Ymd(2026, 2, 16)));
  EXPECT_TRUE(cal.IsWorkday(Ymd(2026, 2, 23)));
  EXPECT_FALSE(cal.IsWorkday(Ymd(2026, 4, 27)));

  CalendarDay tet = cal.Day(Ymd(2026, 2, 17));
  EXPECT_EQ(tet.kind, DayKind::kPublicHoliday);
  EXPECT_EQ(tet.reason_vi, "Tết Nguyên đán (mùng 1 tháng Giêng)");
  EXPECT_EQ(cal.Day(Ymd(2026, 2, 16)).reason_vi, "Tết Nguyên đán (29 tháng Chạp)");
  EXPECT_EQ(cal.Day(Ymd(2026, 4, 26)).reason_vi, "Giỗ Tổ Hùng Vương (10/3 âm lịch)");
  CalendarDay comp = cal.Day(Ymd(2026, 4, 27));
  EXPECT_EQ(comp.kind, DayKind::kCompensatory);
  EXPECT_EQ(comp.reason_vi, "Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch) (trùng Chủ nhật 26/04/2026)");
  EXPECT_NE(comp.reason_en.find("Compensatory"), std::string::npos);
  EXPECT_EQ(cal.Day(Ymd(2026, 4, 30)).reason_vi, "Ngày Chiến thắng 30/4");
  EXPECT_EQ(cal.Day(Ymd(2026, 5, 1)).reason_vi, "Ngày Quốc tế Lao động 1/5");
  EXPECT_EQ(cal.Day(Ymd(2026, 9, 2)).reason_vi, "Quốc khánh 2/9");
  EXPECT_EQ(cal.Day(Ymd(2026, 1, 1)).reason_vi, "Tết Dương lịch");
  CalendarDay saturday = cal.Day(Ymd(2026, 3, 7));
  EXPECT_EQ(saturday.kind, DayKind::kWeekend);
  EXPECT_EQ(saturday.reason_vi, "Nghỉ hằng tuần (thứ Bảy)");
  CalendarDay monday = cal.Day(Ymd(2026, 3, 9));
  EXPECT_EQ(monday.kind, DayKind::kWorkday);
  EXPECT_TRUE(monday.reason_vi.empty());
}

TEST(WorkingCalendarDays, CompensatoryDaysForWeekendHolidays) {
  const WorkingCalendar& cal = Computed();
  // 2022: 1/1 Saturday -> Monday 3/1; Hùng Kings 10/4 Sunday -> Monday 11/4; 30/4 Saturday and
  // 1/5 Sunday -> Monday 2/5 and Tuesday 3/5 (as announced that year).
  EXPECT_EQ(cal.Day(Ymd(2022, 1, 3)).kind, DayKind::kCompensatory);
  EXPECT_EQ(cal.Day(Ymd(2022, 4, 11)).kind, DayKind::kCompensatory);
  EXPECT_EQ(cal.Day(Ymd(2022, 5, 2)).kind, DayKind::kCompensatory);
  EXPECT_EQ(cal.Day(Ymd(2022, 5, 3)).kind, DayKind::kCompensatory);
  EXPECT_TRUE(cal.IsWorkday(Ymd(2022, 5, 4)));
  // 2023: Hùng Kings 29/4 Saturday, 30/4 Sunday, 1/5 Monday -> 2/5 and 3/5 (29/4..3/5 off).
  for (unsigned d : {29u, 30u}) EXPECT_EQ(cal.Day(Ymd(2023, 4, d)).kind, DayKind::kPublicHoliday);
  EXPECT_EQ(cal.Day(Ymd(2023, 5, 1)).kind, DayKind::kPublicHoliday);
  EXPECT_EQ(cal.Day(Ymd(2023, 5, 2)).kind, DayKind::kCompensatory);
  EXPECT_EQ(cal.Day(Ymd(2023, 5, 3)).kind, DayKind::kCompensatory);
  EXPECT_TRUE(cal.IsWorkday(Ymd(2023, 5, 4)));
  // 2023: 2/9 Saturday, 1/9 Friday (adjacent day) -> Monday 4/9; 1/1 Sunday -> Monday 2/1.
  EXPECT_EQ(cal.Day(Ymd(2023, 9, 4)).kind, DayKind::kCompensatory);
  EXPECT_EQ(cal.Day(Ymd(2023, 1, 2)).kind, DayKind::kCompensatory);
  // A Tết block over a weekend pushes its compensatory days past the block: 2023's default Tết
  // is Sat 21/1..Wed 25/1, so Thursday 26/1 and Friday 27/1.
  EXPECT_EQ(cal.Day(Ymd(2023, 1, 26)).kind, DayKind::kCompensatory);
  EXPECT_EQ(cal.Day(Ymd(2023, 1, 27)).kind, DayKind::kCompensatory);
  // 2024: 1/9 Sunday -> Tuesday 3/9 (Monday 2/9 is itself a holiday).
  EXPECT_EQ(cal.Day(Ymd(2024, 9, 3)).kind, DayKind::kCompensatory);
  // Two holidays on one date (1947: Hùng Kings' day on 30/4) make one day off with both reasons.
  EXPECT_EQ(cal.Day(Ymd(1947, 4, 30)).reason_vi,
            "Giỗ Tổ Hùng Vương (10/3 âm lịch); Ngày Chiến thắng 30/4");
  // Every year: exactly as many compensatory days as weekend holidays, none on a weekend.
  for (int year = 1900; year <= 2100; ++year) {
    int weekend_holidays = 0, compensatory = 0;
    for (const CalendarDay& d : cal.DaysOffAndMakeUps(year)) {
      const std::chrono::weekday w{sys_days(d.date)};
      const bool weekend = w == std::chrono::Saturday || w == std::chrono::Sunday;
      if (d.kind == DayKind::kPublicHoliday) weekend_holidays += weekend;
      if (d.kind == DayKind::kCompensatory) {
        ++compensatory;
        EXPECT_FALSE(weekend) << Iso(d.date);
      }
      EXPECT_NE(d.kind, DayKind::kOfficialDayOff);
    }
    EXPECT_EQ(weekend_holidays, compensatory) << year;
  }
}

TEST(WorkingCalendarDays, ListingIsSortedAndComplete) {
  for (int year : {1900, 1999, 2025, 2026, 2100}) {
    auto list = Bundled().DaysOffAndMakeUps(year);
    EXPECT_GE(list.size(), 11u) << year;
    for (size_t i = 1; i < list.size(); ++i) {
      EXPECT_LT(sys_days(list[i - 1].date), sys_days(list[i].date));
    }
    for (const CalendarDay& d : list) {
      EXPECT_EQ(int(d.date.year()), year);
      EXPECT_FALSE(d.reason_vi.empty());
      EXPECT_FALSE(d.reason_en.empty());
    }
  }
  EXPECT_TRUE(Bundled().DaysOffAndMakeUps(1899).empty());
  EXPECT_TRUE(Bundled().DaysOffAndMakeUps(2101).empty());
}

TEST(WorkingCalendarDays, BundledOverridesWin) {
  const WorkingCalendar& cal = Bundled();
  // Tết 2025: the 5 days were 27..31 January, off 25/1..2/2, no compensatory Monday.
  for (unsigned d = 25; d <= 31; ++d) EXPECT_FALSE(cal.IsWorkday(Ymd(2025, 1, d))) << d;
  EXPECT_EQ(cal.Day(Ymd(2025, 1, 27)).kind, DayKind::kOfficialDayOff);
  EXPECT_NE(cal.Day(Ymd(2025, 1, 27)).reason_vi.find("8726/VPCP-KGVX"), std::string::npos);
  EXPECT_TRUE(cal.IsWorkday(Ymd(2025, 2, 3)));
  EXPECT_EQ(Computed().Day(Ymd(2025, 2, 3)).kind, DayKind::kCompensatory);
  // 30/4–1/5/2025: Friday 2/5 off, Saturday 26/4 worked.
  EXPECT_EQ(cal.Day(Ymd(2025, 4, 26)).kind, DayKind::kMakeUpWorkday);
  EXPECT_TRUE(cal.IsWorkday(Ymd(2025, 4, 26)));
  EXPECT_EQ(cal.Day(Ymd(2025, 5, 2)).kind, DayKind::kOfficialDayOff);
  EXPECT_FALSE(cal.IsWorkday(Ymd(2025, 5, 2)));
  EXPECT_TRUE(Computed().IsWorkday(Ymd(2025, 5, 2)));
  // 2026: New Year 1..4 January (Saturday 10/1 worked); National Day 29/8..2/9 (22/8 worked).
  EXPECT_FALSE(cal.IsWorkday(Ymd(2026, 1, 2)));
  EXPECT_TRUE(cal.IsWorkday(Ymd(2026, 1, 10)));
  EXPECT_FALSE(cal.IsWorkday(Ymd(2026, 8, 31)));
  EXPECT_TRUE(cal.IsWorkday(Ymd(2026, 8, 22)));
  EXPECT_EQ(Listing(cal, 2025), (std::vector<std::string>{
                                    "2025-01-01 public_holiday",
                                    "2025-01-27 official_day_off",
                                    "2025-01-28 public_holiday",
                                    "2025-01-29 public_holiday",
                                    "2025-01-30 public_holiday",
                                    "2025-01-31 public_holiday",
                                    "2025-02-01 public_holiday",
                                    "2025-02-03 make_up_workday",
                                    "2025-04-07 public_holiday",
                                    "2025-04-26 make_up_workday",
                                    "2025-04-30 public_holiday",
                                    "2025-05-01 public_holiday",
                                    "2025-05-02 official_day_off",
                                    "2025-09-01 public_holiday",
                                    "2025-09-02 public_holiday",
                                }));
}

TEST(WorkingCalendarDays, SyntheticOverrides) {
  std::vector<CalendarOverride> overrides = {
      {Ymd(2030, 5, 4), true, "Làm bù", "Make-up"},                // a Saturday
      {Ymd(2030, 5, 7), true, "Không đổi", "No change"},           // an ordinary Tuesday
      {Ymd(2030, 1, 1), false, "Nghỉ theo công bố", "Announced"},  // a holiday
      {Ymd(2030, 6, 3), false, "Nghỉ 1", "Off 1"},                 // twice: the last wins
      {Ymd(2030, 6, 3), true, "Làm 2", "Work 2"},
      {Ymd(1850, 6, 3), false, "x", "x"},  // out of range: ignored
  };
  WorkingCalendar cal(WorkingHours{}, overrides);
  EXPECT_EQ(cal.Day(Ymd(2030, 5, 4)).kind, DayKind::kMakeUpWorkday);
  EXPECT_EQ(cal.Day(Ymd(2030, 5, 4)).reason_vi, "Làm bù");
  EXPECT_EQ(cal.Day(Ymd(2030, 5, 7)).kind, DayKind::kWorkday);
  EXPECT_TRUE(cal.Day(Ymd(2030, 5, 7)).reason_vi.empty());
  EXPECT_EQ(cal.Day(Ymd(2030, 1, 1)).kind, DayKind::kOfficialDayOff);
  EXPECT_EQ(cal.Day(Ymd(2030, 1, 1)).reason_en, "Announced");
  EXPECT_EQ(cal.Day(Ymd(2030, 6, 3)).kind, DayKind::kWorkday);
  // Outside the table only weekends are days off.
  EXPECT_TRUE(cal.IsWorkday(Ymd(1850, 6, 3)));
  EXPECT_FALSE(cal.IsWorkday(Ymd(2200, 1, 4)));  // a Saturday
  EXPECT_TRUE(cal.IsWorkday(Ymd(2200, 1, 1)));   // no holidays computed there
  EXPECT_FALSE(cal.IsWorkday(Ymd(2030, 2, 30)));
}

// ---------------------------------------------------------------------------------------------
// Effective start

TEST(WorkingCalendarStart, ReceiptTimes) {
  const WorkingCalendar& cal = Computed();
  auto start = [&](const char* local) { return Fmt(cal.EffectiveStart(Vn(local))); };
  // Monday 2 March 2026.
  EXPECT_EQ(start("2026-03-02T09:00:00"), "2026-03-02T09:00:00+07:00");
  EXPECT_EQ(start("2026-03-02T07:30:00"), "2026-03-02T07:30:00+07:00");
  EXPECT_EQ(start("2026-03-02T06:00:00"), "2026-03-02T07:30:00+07:00");
  EXPECT_EQ(start("2026-03-02T00:00:00"), "2026-03-02T07:30:00+07:00");
  EXPECT_EQ(start("2026-03-02T11:30:00"), "2026-03-02T13:30:00+07:00");  // lunch break
  EXPECT_EQ(start("2026-03-02T12:00:00"), "2026-03-02T13:30:00+07:00");
  EXPECT_EQ(start("2026-03-02T14:59:59"), "2026-03-02T14:59:59+07:00");
  EXPECT_EQ(start("2026-03-02T15:00:00"), "2026-03-03T07:30:00+07:00");  // the 15:00 rule
  EXPECT_EQ(start("2026-03-02T15:30:00"), "2026-03-03T07:30:00+07:00");
  EXPECT_EQ(start("2026-03-02T18:00:00"), "2026-03-03T07:30:00+07:00");
  EXPECT_EQ(start("2026-03-02T23:59:59"), "2026-03-03T07:30:00+07:00");
  // Friday after 15:00 and the weekend -> Monday.
  EXPECT_EQ(start("2026-03-06T16:00:00"), "2026-03-09T07:30:00+07:00");
  EXPECT_EQ(start("2026-03-07T10:00:00"), "2026-03-09T07:30:00+07:00");
  EXPECT_EQ(start("2026-03-08T23:00:00"), "2026-03-09T07:30:00+07:00");
  // Holidays: 30/4 and 1/5/2026 (Thu, Fri) -> Monday 4/5; Friday before Tết -> after Tết.
  EXPECT_EQ(start("2026-04-30T10:00:00"), "2026-05-04T07:30:00+07:00");
  EXPECT_EQ(start("2026-02-13T16:00:00"), "2026-02-23T07:30:00+07:00");
  // Sub-second precision is kept.
  Instant precise = Vn("2026-03-02T09:00:00") + microseconds(123456);
  EXPECT_EQ(cal.EffectiveStart(precise), precise);
  // A make-up Saturday is a working day: Friday 9/1/2026 after 15:00 -> Saturday 10/1.
  EXPECT_EQ(Fmt(Bundled().EffectiveStart(Vn("2026-01-09T16:00:00"))), "2026-01-10T07:30:00+07:00");
  EXPECT_EQ(Fmt(Bundled().EffectiveStart(Vn("2026-01-01T09:00:00"))), "2026-01-05T07:30:00+07:00");
  // Outside the table: unchanged.
  Instant old = Vn("1850-01-01T20:00:00");
  EXPECT_EQ(cal.EffectiveStart(old), old);
}

TEST(WorkingCalendarStart, CustomHours) {
  WorkingHours h;
  h.morning_start = minutes(8 * 60);
  h.morning_end = minutes(12 * 60);
  h.afternoon_start = minutes(13 * 60);
  h.afternoon_end = minutes(17 * 60);
  h.cutoff = minutes(12 * 60);  // nothing received after noon counts the same day
  auto cal = WorkingCalendar::Create(h, {});
  ASSERT_TRUE(cal);
  EXPECT_EQ(Fmt(cal->EffectiveStart(Vn("2026-03-02T07:00:00"))), "2026-03-02T08:00:00+07:00");
  EXPECT_EQ(Fmt(cal->EffectiveStart(Vn("2026-03-02T12:30:00"))), "2026-03-03T08:00:00+07:00");
  EXPECT_EQ(Fmt(cal->AddTimeLimit(Vn("2026-03-02T10:00:00"), 1, TimeUnit::kWorkingDay)),
            "2026-03-03T10:00:00+07:00");
  // An invalid configuration falls back to the defaults in the constructor.
  h.cutoff = minutes(0);
  WorkingCalendar fallback(h, {});
  EXPECT_EQ(fallback.Hours().cutoff, minutes(15 * 60));
}

// ---------------------------------------------------------------------------------------------
// Time limits

TEST(WorkingCalendarLimit, WorkingDays) {
  const WorkingCalendar& cal = Computed();
  auto due = [&](const char* local, int64_t n) {
    return Fmt(cal.AddTimeLimit(Vn(local), n, TimeUnit::kWorkingDay));
  };
  // Tuesday 3 March 2026 07:30 + 1 = the same day's end; Monday 09:00 + 1 = Tuesday 09:00.
  EXPECT_EQ(due("2026-03-03T07:30:00", 1), "2026-03-03T17:00:00+07:00");
  EXPECT_EQ(due("2026-03-02T09:00:00", 1), "2026-03-03T09:00:00+07:00");
  EXPECT_EQ(due("2026-03-02T09:00:00", 3), "2026-03-05T09:00:00+07:00");
  EXPECT_EQ(due("2026-03-02T09:00:00", 5), "2026-03-09T09:00:00+07:00");  // over the weekend
  // Thursday 14:00 + 2: 3 h on Thursday, 7.5 h on Friday, 4.5 h on Monday.
  EXPECT_EQ(due("2026-03-05T14:00:00", 2), "2026-03-09T14:00:00+07:00");
  // The 15:00 rule: Monday 15:30 + 1 counts from Tuesday 07:30.
  EXPECT_EQ(due("2026-03-02T15:30:00", 1), "2026-03-03T17:00:00+07:00");
  EXPECT_EQ(due("2026-03-02T14:30:00", 1), "2026-03-03T14:30:00+07:00");
  // Lunch break: counts from 13:30, and a due time at 13:30 rolls back to 11:30.
  EXPECT_EQ(due("2026-03-02T12:00:00", 1), "2026-03-03T11:30:00+07:00");
  // Morning 11:00 + 1: the next day 11:00.
  EXPECT_EQ(due("2026-03-02T11:00:00", 1), "2026-03-03T11:00:00+07:00");
  // Zero = the end of the starting working day.
  EXPECT_EQ(due("2026-03-02T10:00:00", 0), "2026-03-02T17:00:00+07:00");
  EXPECT_EQ(due("2026-03-02T15:30:00", 0), "2026-03-03T17:00:00+07:00");
  // Across Tết 2026: Friday 13/2 10:00 + 3 -> 5 h on Friday; weekend 14–15, Tết 16–20, weekend
  // 21–22 skipped; 7.5 h Monday 23, 7.5 h Tuesday 24, 2.5 h Wednesday 25 -> 10:00.
  EXPECT_EQ(due("2026-02-13T10:00:00", 3), "2026-02-25T10:00:00+07:00");
  // Across the Hùng Kings' compensatory day and 30/4–1/5/2026: Friday 24/4 09:00 + 3 ->
  // Tuesday 28/4 (Monday 27 is the compensatory day), Wednesday 29, then Monday 4/5 09:00.
  EXPECT_EQ(due("2026-04-24T09:00:00", 3), "2026-05-04T09:00:00+07:00");
  // With the bundled overrides the make-up Saturday 10/1/2026 counts: Thursday 8/1 09:00 + 2 ->
  // Friday 9/1 09:00, then Saturday 10/1 09:00.
  EXPECT_EQ(Fmt(Bundled().AddTimeLimit(Vn("2026-01-08T09:00:00"), 2, TimeUnit::kWorkingDay)),
            "2026-01-10T09:00:00+07:00");
  EXPECT_EQ(Fmt(Computed().AddTimeLimit(Vn("2026-01-08T09:00:00"), 2, TimeUnit::kWorkingDay)),
            "2026-01-12T09:00:00+07:00");
}

TEST(WorkingCalendarLimit, Hours) {
  const WorkingCalendar& cal = Computed();
  auto due = [&](const char* local, int64_t n) {
    return Fmt(cal.AddTimeLimit(Vn(local), n, TimeUnit::kHour));
  };
  EXPECT_EQ(due("2026-03-02T09:00:00", 2), "2026-03-02T11:00:00+07:00");
  EXPECT_EQ(due("2026-03-02T09:00:00", 4), "2026-03-02T15:00:00+07:00");  // 2.5 h + 1.5 h
  EXPECT_EQ(due("2026-03-02T07:30:00", 4), "2026-03-02T11:30:00+07:00");  // not 13:30
  EXPECT_EQ(due("2026-03-02T09:00:00", 8), "2026-03-03T09:30:00+07:00");  // 6 h + 2 h
  EXPECT_EQ(due("2026-03-02T16:00:00", 1), "2026-03-03T08:30:00+07:00");  // after 15:00
  EXPECT_EQ(due("2026-03-06T14:00:00", 4), "2026-03-09T08:30:00+07:00");  // 3 h + 1 h Monday
  EXPECT_EQ(due("2026-03-02T09:00:00", 0), "2026-03-02T17:00:00+07:00");
}

TEST(WorkingCalendarLimit, CalendarDaysAndMonths) {
  const WorkingCalendar& cal = Computed();
  auto due = [&](const char* local, int64_t n, TimeUnit unit) {
    return Fmt(cal.AddTimeLimit(Vn(local), n, unit));
  };
  // Monday 2/3/2026 + 4 = Friday; + 5 = Saturday and + 6 = Sunday -> Monday 9/3 17:00.
  EXPECT_EQ(due("2026-03-02T09:00:00", 4, TimeUnit::kCalendarDay), "2026-03-06T17:00:00+07:00");
  EXPECT_EQ(due("2026-03-02T09:00:00", 5, TimeUnit::kCalendarDay), "2026-03-09T17:00:00+07:00");
  EXPECT_EQ(due("2026-03-02T09:00:00", 6, TimeUnit::kCalendarDay), "2026-03-09T17:00:00+07:00");
  // Counted from the effective start: received Friday 6/3 16:00 -> Monday 9/3, + 1 = Tuesday.
  EXPECT_EQ(due("2026-03-06T16:00:00", 1, TimeUnit::kCalendarDay), "2026-03-10T17:00:00+07:00");
  // Landing in Tết 2026 -> the first working day after it.
  EXPECT_EQ(due("2026-02-09T09:00:00", 8, TimeUnit::kCalendarDay), "2026-02-23T17:00:00+07:00");
  // Months: 31 January + 1 month is clamped to the end of February (2024 is a leap year).
  EXPECT_EQ(due("2024-01-31T09:00:00", 1, TimeUnit::kMonth), "2024-02-29T17:00:00+07:00");
  EXPECT_EQ(due("2023-01-31T09:00:00", 1, TimeUnit::kMonth), "2023-02-28T17:00:00+07:00");
  // 31/1/2023 + 3 months = 30/4 (Sunday, holiday), 1/5 holiday, 2–3/5 compensatory -> 4/5.
  EXPECT_EQ(due("2023-01-31T09:00:00", 3, TimeUnit::kMonth), "2023-05-04T17:00:00+07:00");
  // 31/3/2026 + 1 month = 30/4 (holiday), 1/5 holiday, weekend -> Monday 4/5.
  EXPECT_EQ(due("2026-03-31T09:00:00", 1, TimeUnit::kMonth), "2026-05-04T17:00:00+07:00");
  EXPECT_EQ(due("2026-03-02T09:00:00", 12, TimeUnit::kMonth), "2027-03-02T17:00:00+07:00");
  EXPECT_EQ(due("2026-03-02T09:00:00", 0, TimeUnit::kMonth), "2026-03-02T17:00:00+07:00");
  EXPECT_EQ(due("2026-03-02T09:00:00", 0, TimeUnit::kCalendarDay), "2026-03-02T17:00:00+07:00");
}

TEST(WorkingCalendarLimit, Errors) {
  const WorkingCalendar& cal = Computed();
  const Instant r = Vn("2026-03-02T09:00:00");
  const std::tuple<Instant, int64_t, TimeUnit, std::string> cases[] = {
      {r, -1, TimeUnit::kWorkingDay, "amount"},
      {r, 3651, TimeUnit::kWorkingDay, "amount"},
      {r, 29201, TimeUnit::kHour, "amount"},
      {r, 3661, TimeUnit::kCalendarDay, "amount"},
      {r, 121, TimeUnit::kMonth, "amount"},
      {r, -5, TimeUnit::kMonth, "amount"},
      {Vn("2101-01-03T09:00:00"), 1, TimeUnit::kWorkingDay, "received"},
      {Vn("1899-12-29T09:00:00"), 1, TimeUnit::kWorkingDay, "received"},
      {Vn("2100-06-01T09:00:00"), 3650, TimeUnit::kWorkingDay, "amount"},
      {Vn("2100-06-01T09:00:00"), 3660, TimeUnit::kCalendarDay, "amount"},
      {Vn("2100-06-01T09:00:00"), 120, TimeUnit::kMonth, "amount"},
      {Vn("2100-12-31T16:00:00"), 0, TimeUnit::kWorkingDay, "amount"},  // starts in 2101
  };
  for (const auto& [received, amount, unit, field] : cases) {
    auto d = cal.AddTimeLimit(received, amount, unit);
    ASSERT_FALSE(d) << Fmt(received) << " " << amount;
    EXPECT_EQ(d.error().code, ErrorCode::kInvalidField);
    EXPECT_EQ(d.error().field, field) << Fmt(received) << " " << amount;
    EXPECT_FALSE(d.error().message_vi.empty());
  }
  EXPECT_TRUE(cal.AddTimeLimit(r, 3650, TimeUnit::kWorkingDay));
  EXPECT_TRUE(cal.AddTimeLimit(r, 120, TimeUnit::kMonth));
  EXPECT_TRUE(cal.AddTimeLimit(Vn("1900-01-02T09:00:00"), 1, TimeUnit::kWorkingDay));
}

// ---------------------------------------------------------------------------------------------
// Working time between two instants

TEST(WorkingCalendarElapsed, WithAndWithoutPauses) {
  const WorkingCalendar& cal = Computed();
  using Pauses = std::vector<std::pair<Instant, Instant>>;
  auto between = [&](const char* a, const char* b, const Pauses& p = {}) {
    return std::chrono::duration_cast<minutes>(cal.WorkingTimeBetween(Vn(a), Vn(b), p)).count();
  };
  EXPECT_EQ(between("2026-03-02T09:00:00", "2026-03-02T17:00:00"), 6 * 60);
  EXPECT_EQ(between("2026-03-02T00:00:00", "2026-03-03T00:00:00"), 450);
  EXPECT_EQ(between("2026-03-06T09:00:00", "2026-03-09T09:00:00"), 450);      // over a weekend
  EXPECT_EQ(between("2026-02-13T10:00:00", "2026-02-25T10:00:00"), 3 * 450);  // over Tết
  EXPECT_EQ(between("2026-03-02T12:00:00", "2026-03-02T13:00:00"), 0);        // lunch
  EXPECT_EQ(between("2026-03-03T09:00:00", "2026-03-02T09:00:00"), 0);        // reversed
  EXPECT_EQ(between("2026-03-02T09:00:00", "2026-03-02T09:00:00"), 0);
  // A pause Monday 10:00–14:00 removes 1.5 h + 0.5 h.
  const char* from = "2026-03-02T09:00:00";
  const char* to = "2026-03-03T09:00:00";
  EXPECT_EQ(between(from, to), 450);
  EXPECT_EQ(between(from, to, {{Vn("2026-03-02T10:00:00"), Vn("2026-03-02T14:00:00")}}), 330);
  // Overlapping pauses count once.
  EXPECT_EQ(between(from, to,
                    {{Vn("2026-03-02T11:00:00"), Vn("2026-03-02T14:00:00")},
                     {Vn("2026-03-02T10:00:00"), Vn("2026-03-02T12:00:00")},
                     {Vn("2026-03-02T10:30:00"), Vn("2026-03-02T10:45:00")}}),
            330);
  // A pause reaching outside [from, to) only counts inside; a reversed pause is ignored.
  EXPECT_EQ(between(from, to, {{Vn("2026-03-01T08:00:00"), Vn("2026-03-02T10:00:00")}}), 390);
  EXPECT_EQ(between(from, to, {{Vn("2026-03-02T16:00:00"), Vn("2026-03-05T10:00:00")}}), 300);
  EXPECT_EQ(between(from, to, {{Vn("2026-03-02T14:00:00"), Vn("2026-03-02T10:00:00")}}), 450);
  EXPECT_EQ(between(from, to, {{Vn("2026-02-01T00:00:00"), Vn("2026-04-01T00:00:00")}}), 0);
  // Time outside the table does not count.
  EXPECT_EQ(between("1899-12-01T00:00:00", "1900-01-02T09:30:00"), 120);
}

// ---------------------------------------------------------------------------------------------
// Properties over random receipt times 1990..2090

// Adds working time by walking the office periods of each day, the slow obvious way.
Instant NaiveAdd(const WorkingCalendar& cal, Instant start, microseconds amount) {
  const WorkingHours& h = cal.Hours();
  const auto local = start + hours(7);
  sys_days day = std::chrono::floor<days>(local);
  microseconds tod = local - day;
  const std::pair<microseconds, microseconds> periods[] = {{h.morning_start, h.morning_end},
                                                           {h.afternoon_start, h.afternoon_end}};
  while (true) {
    if (cal.IsWorkday(year_month_day(day))) {
      for (const auto& [a, b] : periods) {
        if (tod >= b) continue;
        const microseconds p = std::max(tod, a);
        if (p + amount <= b) return Instant(day) + p + amount - hours(7);
        amount -= b - p;
        tod = b;
      }
    }
    day += days(1);
    tod = microseconds(0);
  }
}

TEST(WorkingCalendarProperty, DueTimesAreWorkingTimesAndCountBack) {
  const WorkingCalendar& cal = Bundled();
  const WorkingHours& h = cal.Hours();
  std::mt19937_64 rng(20260217);
  const Instant lo = Vn("1990-01-01T00:00:00");
  const Instant hi = Vn("2090-12-31T23:59:59");
  std::uniform_int_distribution<int64_t> pick(0, (hi - lo).count());
  std::uniform_int_distribution<int64_t> pick_n(0, 60);
  const microseconds daily = h.DailyDuration();
  for (int i = 0; i < 20000; ++i) {
    // Half the samples on whole minutes, to hit period boundaries exactly.
    Instant received = lo + microseconds(pick(rng));
    if (i % 2 == 0) received = std::chrono::floor<minutes>(received);
    const int64_t n = pick_n(rng);
    const Instant start = cal.EffectiveStart(received);
    auto due = cal.AddTimeLimit(received, n, TimeUnit::kWorkingDay);
    ASSERT_TRUE(due) << Fmt(received);
    ASSERT_GE(start, received);
    ASSERT_GE(*due, start);
    const auto local = *due + hours(7);
    const sys_days day = std::chrono::floor<days>(local);
    const microseconds tod = local - day;
    ASSERT_TRUE(cal.IsWorkday(year_month_day(day))) << Fmt(received) << " + " << n;
    const bool in_morning = tod > h.morning_start && tod <= h.morning_end;
    const bool in_afternoon = tod > h.afternoon_start && tod <= h.afternoon_end;
    ASSERT_TRUE(in_morning || in_afternoon) << Fmt(received) << " + " << n << " = " << Fmt(*due);
    // The effective start is a working instant before the cut-off.
    const auto start_local = start + hours(7);
    const microseconds start_tod = start_local - std::chrono::floor<days>(start_local);
    ASSERT_TRUE(cal.IsWorkday(year_month_day(std::chrono::floor<days>(start_local))));
    ASSERT_TRUE((start_tod >= h.morning_start && start_tod < h.morning_end) ||
                (start_tod >= h.afternoon_start && start_tod < h.afternoon_end));
    ASSERT_LT(start_tod, h.cutoff);
    if (n >= 1) {
      ASSERT_EQ(cal.WorkingTimeBetween(start, *due, {}), n * daily) << Fmt(received) << " + " << n;
      ASSERT_EQ(*due, NaiveAdd(cal, start, n * daily)) << Fmt(received) << " + " << n;
      auto in_hours = cal.AddTimeLimit(received, n, TimeUnit::kHour);
      ASSERT_TRUE(in_hours);
      ASSERT_EQ(*in_hours, NaiveAdd(cal, start, n * microseconds(hours(1))));
      // One more working day is later; a pause never makes the elapsed time grow.
      ASSERT_LT(*due, *cal.AddTimeLimit(received, n + 1, TimeUnit::kWorkingDay));
      ASSERT_LE(cal.WorkingTimeBetween(start, *due, {{received, received + hours(30)}}), n * daily);
    } else {
      ASSERT_EQ(tod, microseconds(h.afternoon_end));
    }
  }
}

TEST(WorkingCalendarProperty, CalendarDaysAndMonthsLandOnWorkdayEnds) {
  const WorkingCalendar& cal = Bundled();
  std::mt19937_64 rng(7);
  const Instant lo = Vn("1990-01-01T00:00:00");
  const Instant hi = Vn("2090-12-31T23:59:59");
  std::uniform_int_distribution<int64_t> pick(0, (hi - lo).count());
  for (int i = 0; i < 5000; ++i) {
    const Instant received = lo + microseconds(pick(rng));
    for (TimeUnit unit : {TimeUnit::kCalendarDay, TimeUnit::kMonth}) {
      const int64_t n = static_cast<int64_t>(rng() % 40);
      auto due = cal.AddTimeLimit(received, n, unit);
      ASSERT_TRUE(due);
      const auto local = *due + hours(7);
      const sys_days day = std::chrono::floor<days>(local);
      ASSERT_TRUE(cal.IsWorkday(year_month_day(day)));
      ASSERT_EQ(local - day, microseconds(cal.Hours().afternoon_end));
      ASSERT_GE(*due, cal.EffectiveStart(received));
    }
  }
}

TEST(WorkingCalendarProperty, SixtyWorkingDaysIsFast) {
  const WorkingCalendar& cal = Bundled();
  const Instant r = Vn("2026-02-13T10:00:00");
  const auto t0 = std::chrono::steady_clock::now();
  Instant sink{};
  for (int i = 0; i < 10000; ++i) {
    sink = std::max(sink, *cal.AddTimeLimit(r + minutes(i), 60, TimeUnit::kWorkingDay));
  }
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_GT(sink, r);
  // Microseconds per call even in a sanitizer build; a generous bound against regressions.
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 2000);
}

}  // namespace
}  // namespace motcua
