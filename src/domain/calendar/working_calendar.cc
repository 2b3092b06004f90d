#include "domain/calendar/working_calendar.h"
#include "common/vn_time.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "common/text.h"
#include "domain/calendar/lunar.h"
#include "domain/units/unit.h"

namespace motcua {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr sys_days kFirstDay{std::chrono::year(WorkingCalendar::kFirstYear) / 1 / 1};
constexpr sys_days kLastDay{std::chrono::year(WorkingCalendar::kLastYear) / 12 / 31};
constexpr int64_t kDayCount = (kLastDay - kFirstDay).count() + 1;

int64_t IndexOf(year_month_day d) { return (sys_days(d) - kFirstDay).count(); }
year_month_day DateAt(int64_t index) { return year_month_day(kFirstDay + days(index)); }

bool IsWeekend(sys_days d) {
  const std::chrono::weekday w(d);
  return w == std::chrono::Saturday || w == std::chrono::Sunday;
}

std::string WeekdayVi(sys_days d) {
  static constexpr const char* kNames[] = {"Chủ nhật", "thứ Hai", "thứ Ba", "thứ Tư",
                                           "thứ Năm",  "thứ Sáu", "thứ Bảy"};
  return kNames[std::chrono::weekday(d).c_encoding()];
}

std::string WeekdayEn(sys_days d) {
  static constexpr const char* kNames[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                           "Thursday", "Friday", "Saturday"};
  return kNames[std::chrono::weekday(d).c_encoding()];
}

std::string DateVi(year_month_day d) {  // dd/mm/yyyy
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02u/%02u/%04d", unsigned(d.day()), unsigned(d.month()),
                int(d.year()));
  return buf;
}

std::string DateIso(year_month_day d) {  // yyyy-mm-dd
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(d.year()), unsigned(d.month()),
                unsigned(d.day()));
  return buf;
}

struct Holiday {
  int64_t index;
  std::string reason_vi;
  std::string reason_en;
};

// The Labour Code holidays of Gregorian year `year` at their default placement, by date; two
// holidays on one date share it (reasons joined).
std::vector<Holiday> HolidaysOf(int year) {
  std::vector<Holiday> out;
  auto add = [&](year_month_day d, std::string vi, std::string en) {
    const int64_t index = IndexOf(d);
    for (Holiday& h : out) {
      if (h.index == index) {
        h.reason_vi += "; " + vi;
        h.reason_en += "; " + en;
        return;
      }
    }
    out.push_back(Holiday{index, std::move(vi), std::move(en)});
  };
  const std::chrono::year y(year);
  add(y / 1 / 1, "Tết Dương lịch", "New Year's Day (1 January)");
  if (auto tet = LunarToSolar(LunarDate{1, 1, year, false})) {
    const sys_days first(*tet);
    const year_month_day eve(first - days(1));
    add(eve, "Tết Nguyên đán (" + std::to_string(SolarToLunar(eve).day) + " tháng Chạp)",
        "Lunar New Year (Tết): last day of the lunar year");
    for (int i = 1; i <= 4; ++i) {
      add(year_month_day(first + days(i - 1)),
          "Tết Nguyên đán (mùng " + std::to_string(i) + " tháng Giêng)",
          "Lunar New Year (Tết): day " + std::to_string(i) + " of the first lunar month");
    }
  }
  if (auto hung = LunarToSolar(LunarDate{10, 3, year, false})) {
    add(*hung, "Giỗ Tổ Hùng Vương (10/3 âm lịch)",
        "Hung Kings' Commemoration Day (10th day of the 3rd lunar month)");
  }
  add(y / 4 / 30, "Ngày Chiến thắng 30/4", "Victory Day (30 April)");
  add(y / 5 / 1, "Ngày Quốc tế Lao động 1/5", "International Workers' Day (1 May)");
  add(y / 9 / 1, "Quốc khánh (ngày liền kề 1/9)",
      "National Day holiday (adjacent day, 1 September)");
  add(y / 9 / 2, "Quốc khánh 2/9", "National Day (2 September)");
  std::sort(out.begin(), out.end(),
            [](const Holiday& a, const Holiday& b) { return a.index < b.index; });
  return out;
}

bool IsWorkingKind(DayKind kind) {
  return kind == DayKind::kWorkday || kind == DayKind::kMakeUpWorkday;
}

Result<year_month_day> ParseDate(std::string_view s) {
  int v[3] = {0, 0, 0};
  const size_t widths[3] = {4, 2, 2};
  size_t pos = 0;
  bool ok = s.size() == 10;
  for (int part = 0; ok && part < 3; ++part) {
    for (size_t i = 0; i < widths[part]; ++i, ++pos) {
      if (s[pos] < '0' || s[pos] > '9') ok = false;
      v[part] = v[part] * 10 + (s[pos] - '0');
    }
    if (part < 2 && ok) ok = s[pos++] == '-';
  }
  const year_month_day d{std::chrono::year(v[0]), std::chrono::month(unsigned(v[1])),
                         std::chrono::day(unsigned(v[2]))};
  if (!ok || !d.ok()) return Fail(ErrorCode::kInvalidField);
  return d;
}

Error LineError(size_t line, const std::string& what_en, const std::string& what_vi) {
  const std::string where = "line " + std::to_string(line);
  return Error{ErrorCode::kInvalidField, "CSV " + where + ": " + what_en,
               "CSV dòng " + std::to_string(line) + ": " + what_vi, where};
}

}  // namespace

Status WorkingHours::Validate() const {
  auto bad = [](const char* field, const char* en, const char* vi) -> Status {
    return Fail(ErrorCode::kInvalidField, en, vi, field);
  };
  if (morning_start < minutes(0)) {
    return bad("morning_start", "Office hours must start at or after 00:00.",
               "Giờ làm việc phải bắt đầu từ 00:00.");
  }
  if (morning_end <= morning_start) {
    return bad("morning_end", "The morning must end after it starts.",
               "Buổi sáng phải kết thúc sau khi bắt đầu.");
  }
  if (afternoon_start < morning_end) {
    return bad("afternoon_start", "The afternoon must start after the morning ends.",
               "Buổi chiều phải bắt đầu sau khi buổi sáng kết thúc.");
  }
  if (afternoon_end <= afternoon_start || afternoon_end > hours(24)) {
    return bad("afternoon_end", "The afternoon must end after it starts and by 24:00.",
               "Buổi chiều phải kết thúc sau khi bắt đầu và không quá 24:00.");
  }
  if (cutoff <= morning_start || cutoff > afternoon_end) {
    return bad("cutoff", "The cut-off must be after the morning start and by the afternoon end.",
               "Giờ chốt tiếp nhận phải sau giờ bắt đầu buổi sáng và không muộn hơn giờ kết thúc "
               "buổi chiều.");
  }
  return {};
}

minutes WorkingHours::DailyDuration() const {
  return (morning_end - morning_start) + (afternoon_end - afternoon_start);
}

std::string_view DayKindName(DayKind kind) {
  switch (kind) {
    case DayKind::kWorkday:
      return "workday";
    case DayKind::kWeekend:
      return "weekend";
    case DayKind::kPublicHoliday:
      return "public_holiday";
    case DayKind::kCompensatory:
      return "compensatory";
    case DayKind::kOfficialDayOff:
      return "official_day_off";
    case DayKind::kMakeUpWorkday:
      return "make_up_workday";
  }
  return "workday";
}

Result<std::vector<CalendarOverride>> ParseCalendarOverridesCsv(std::string_view text) {
  auto rows = ParseCsv(text);
  MOTCUA_RETURN_IF_ERROR(rows);
  if (rows->empty()) {
    return Fail(ErrorCode::kInvalidField, "CSV: empty file.", "CSV: tệp rỗng.", "line 1");
  }
  static constexpr std::string_view kHeader[] = {"date", "working", "reason_vi", "reason_en"};
  const auto& header = rows->front();
  for (size_t i = 0; i < std::size(kHeader); ++i) {
    std::string_view h = i < header.size() ? std::string_view(header[i]) : "";
    if (i == 0 && h.starts_with("\xEF\xBB\xBF")) h.remove_prefix(3);  // BOM
    if (h != kHeader[i] || header.size() != std::size(kHeader)) {
      return tl::unexpected(LineError(1, "the header must be 'date,working,reason_vi,reason_en'.",
                                      "dòng tiêu đề phải là 'date,working,reason_vi,reason_en'."));
    }
  }
  std::vector<CalendarOverride> out;
  std::map<int64_t, size_t> seen;  // date index -> line
  for (size_t i = 1; i < rows->size(); ++i) {
    const size_t line = i + 1;
    const auto& r = (*rows)[i];
    if (r.size() != 4)
      return tl::unexpected(LineError(line, "expected 4 fields.", "cần 4 trường."));
    auto date = ParseDate(r[0]);
    if (!date) {
      return tl::unexpected(
          LineError(line, "the date must be YYYY-MM-DD.", "ngày phải có dạng YYYY-MM-DD."));
    }
    const int year = int(date->year());
    if (year < WorkingCalendar::kFirstYear || year > WorkingCalendar::kLastYear) {
      return tl::unexpected(LineError(line, "the date must be within 1900..2100.",
                                      "ngày phải trong khoảng 1900..2100."));
    }
    if (r[1] != "0" && r[1] != "1") {
      return tl::unexpected(
          LineError(line, "working must be 0 or 1.", "working phải là 0 hoặc 1."));
    }
    if (r[2].empty() || r[3].empty() || !IsValidUtf8(r[2]) || !IsValidUtf8(r[3])) {
      return tl::unexpected(LineError(line, "both reasons must be non-empty UTF-8 text.",
                                      "cả hai lý do phải là văn bản UTF-8 không rỗng."));
    }
    auto [it, inserted] = seen.emplace(IndexOf(*date), line);
    if (!inserted) {
      return tl::unexpected(LineError(
          line, "date " + r[0] + " already given on line " + std::to_string(it->second) + ".",
          "ngày " + r[0] + " đã có ở dòng " + std::to_string(it->second) + "."));
    }
    out.push_back(CalendarOverride{*date, r[1] == "1", r[2], r[3]});
  }
  return out;
}

std::optional<TimeUnit> ParseTimeUnit(std::string_view text) {
  if (text == "working_day") return TimeUnit::kWorkingDay;
  if (text == "hour") return TimeUnit::kHour;
  if (text == "calendar_day") return TimeUnit::kCalendarDay;
  if (text == "month") return TimeUnit::kMonth;
  return std::nullopt;
}

std::string_view TimeUnitName(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kWorkingDay:
      return "working_day";
    case TimeUnit::kHour:
      return "hour";
    case TimeUnit::kCalendarDay:
      return "calendar_day";
    case TimeUnit::kMonth:
      return "month";
  }
  return "working_day";
}

WorkingCalendar::WorkingCalendar(WorkingHours hours, std::vector<CalendarOverride> overrides)
    : hours_(hours.Validate() ? hours : WorkingHours{}) {
  morning_start_ = hours_.morning_start;
  morning_end_ = hours_.morning_end;
  afternoon_start_ = hours_.afternoon_start;
  afternoon_end_ = hours_.afternoon_end;
  cutoff_ = hours_.cutoff;
  morning_length_ = morning_end_ - morning_start_;
  daily_ = hours_.DailyDuration();

  kind_.resize(static_cast<size_t>(kDayCount));
  for (int64_t i = 0; i < kDayCount; ++i) {
    kind_[i] = static_cast<uint8_t>(IsWeekend(kFirstDay + days(i)) ? DayKind::kWeekend
                                                                   : DayKind::kWorkday);
  }
  std::map<int64_t, Special> special;
  for (int year = kFirstYear; year <= kLastYear; ++year) {
    const std::vector<Holiday> holidays = HolidaysOf(year);
    for (const Holiday& h : holidays) {
      kind_[h.index] = static_cast<uint8_t>(DayKind::kPublicHoliday);
      special[h.index] =
          Special{static_cast<int32_t>(h.index), DayKind::kPublicHoliday, h.reason_vi, h.reason_en};
    }
    for (const Holiday& h : holidays) {
      const sys_days date = kFirstDay + days(h.index);
      if (!IsWeekend(date)) continue;
      int64_t c = h.index + 1;
      while (c < kDayCount && static_cast<DayKind>(kind_[c]) != DayKind::kWorkday) ++c;
      if (c >= kDayCount) continue;
      kind_[c] = static_cast<uint8_t>(DayKind::kCompensatory);
      const year_month_day ymd(date);
      special[c] =
          Special{static_cast<int32_t>(c), DayKind::kCompensatory,
                  "Nghỉ bù " + h.reason_vi + " (trùng " + WeekdayVi(date) + " " + DateVi(ymd) + ")",
                  "Compensatory day off for " + h.reason_en + " (fell on " + WeekdayEn(date) + " " +
                      DateIso(ymd) + ")"};
    }
  }
  std::map<int64_t, CalendarOverride*> by_index;  // the last override of each date wins
  for (CalendarOverride& o : overrides) {
    if (!o.date.ok()) continue;
    const int64_t index = IndexOf(o.date);
    if (index >= 0 && index < kDayCount) by_index[index] = &o;
  }
  for (auto& [index, o] : by_index) {
    if (o->working && static_cast<DayKind>(kind_[index]) == DayKind::kWorkday) continue;
    const DayKind kind = o->working ? DayKind::kMakeUpWorkday : DayKind::kOfficialDayOff;
    kind_[index] = static_cast<uint8_t>(kind);
    special[index] = Special{static_cast<int32_t>(index), kind, std::move(o->reason_vi),
                             std::move(o->reason_en)};
  }
  special_.reserve(special.size());
  for (auto& [index, s] : special) special_.push_back(std::move(s));

  workdays_.resize(static_cast<size_t>(kDayCount) + 1);
  workdays_[0] = 0;
  for (int64_t i = 0; i < kDayCount; ++i) {
    workdays_[i + 1] = workdays_[i] + (IsWorkingKind(static_cast<DayKind>(kind_[i])) ? 1 : 0);
  }
}

Result<WorkingCalendar> WorkingCalendar::Create(WorkingHours hours,
                                                std::vector<CalendarOverride> overrides) {
  MOTCUA_RETURN_IF_ERROR(hours.Validate());
  return WorkingCalendar(hours, std::move(overrides));
}

DayKind WorkingCalendar::KindAt(int64_t index) const {
  if (index >= 0 && index < kDayCount) return static_cast<DayKind>(kind_[index]);
  return IsWeekend(kFirstDay + days(index)) ? DayKind::kWeekend : DayKind::kWorkday;
}

bool WorkingCalendar::WorkdayAt(int64_t index) const { return IsWorkingKind(KindAt(index)); }

int64_t WorkingCalendar::NextWorkdayFrom(int64_t index) const {
  while (!WorkdayAt(index)) ++index;  // ends: at most 3 days off in a row past the table
  return index;
}

bool WorkingCalendar::IsWorkday(year_month_day d) const {
  if (!d.ok()) return false;
  return WorkdayAt(IndexOf(d));
}

CalendarDay WorkingCalendar::Day(year_month_day d) const {
  CalendarDay out{d, DayKind::kWorkday, {}, {}};
  if (!d.ok()) {
    out.kind = DayKind::kWeekend;
    return out;
  }
  const int64_t index = IndexOf(d);
  out.kind = KindAt(index);
  if (out.kind == DayKind::kWeekend) {
    out.reason_vi = "Nghỉ hằng tuần (" + WeekdayVi(sys_days(d)) + ")";
    out.reason_en = "Weekly day off (" + WeekdayEn(sys_days(d)) + ")";
  } else if (out.kind != DayKind::kWorkday) {
    auto it = std::lower_bound(special_.begin(), special_.end(), index,
                               [](const Special& s, int64_t i) { return s.index < i; });
    if (it != special_.end() && it->index == index) {
      out.reason_vi = it->reason_vi;
      out.reason_en = it->reason_en;
    }
  }
  return out;
}

std::vector<CalendarDay> WorkingCalendar::DaysOffAndMakeUps(int year) const {
  std::vector<CalendarDay> out;
  if (year < kFirstYear || year > kLastYear) return out;
  const std::chrono::year y(year);
  const int64_t first = IndexOf(y / 1 / 1);
  const int64_t last = IndexOf(y / 12 / 31);
  auto it = std::lower_bound(special_.begin(), special_.end(), first,
                             [](const Special& s, int64_t i) { return s.index < i; });
  for (; it != special_.end() && it->index <= last; ++it) {
    out.push_back(CalendarDay{DateAt(it->index), it->kind, it->reason_vi, it->reason_en});
  }
  return out;
}

Instant WorkingCalendar::At(int64_t index, microseconds time_of_day) const {
  return Instant(kFirstDay + days(index)) + time_of_day - kVietnamUtcOffset;
}

microseconds WorkingCalendar::WithinDay(microseconds tod) const {
  return (std::clamp(tod, morning_start_, morning_end_) - morning_start_) +
         (std::clamp(tod, afternoon_start_, afternoon_end_) - afternoon_start_);
}

microseconds WorkingCalendar::WorkedBefore(Instant t) const {
  if (t <= At(0, {})) return microseconds(0);
  if (t >= At(kDayCount, {})) return workdays_[kDayCount] * daily_;
  const auto local = t + kVietnamUtcOffset;
  const auto day = std::chrono::floor<days>(local);
  const int64_t index = (day - kFirstDay).count();
  microseconds worked = workdays_[index] * daily_;
  if (WorkdayAt(index)) worked += WithinDay(local - day);
  return worked;
}

std::optional<Instant> WorkingCalendar::Locate(microseconds total) const {
  // The earliest instant before which `total` of working time has passed: within the working
  // day that has k full working days before it.
  const int64_t k = (total.count() - 1) / daily_.count();
  const microseconds rest = total - k * daily_;  // in (0, daily]
  const auto it = std::upper_bound(workdays_.begin(), workdays_.end(), k);
  if (it == workdays_.end()) return std::nullopt;
  const int64_t index = (it - workdays_.begin()) - 1;
  const microseconds tod =
      rest <= morning_length_ ? morning_start_ + rest : afternoon_start_ + (rest - morning_length_);
  return At(index, tod);
}

Instant WorkingCalendar::NextOfficeInstant(Instant t) const {
  if (t < At(0, {}) || t >= At(kDayCount, {})) return t;
  const auto local = t + kVietnamUtcOffset;
  const auto day = std::chrono::floor<days>(local);
  const int64_t index = (day - kFirstDay).count();
  const microseconds tod = local - day;
  if (WorkdayAt(index)) {
    if (tod < morning_start_) return At(index, morning_start_);
    if (tod < morning_end_) return t;
    if (tod < afternoon_start_) return At(index, afternoon_start_);
    if (tod < afternoon_end_) return t;
  }
  const int64_t next = NextWorkdayFrom(index + 1);
  if (next >= kDayCount) return t;
  return At(next, morning_start_);
}

Instant WorkingCalendar::AddOfficeTime(Instant t, microseconds amount) const {
  const Instant start = NextOfficeInstant(t);
  if (amount <= microseconds(0)) return start;
  if (start < At(0, {}) || start >= At(kDayCount, {})) return t + amount;
  auto at = Locate(WorkedBefore(start) + amount);
  return at ? *at : t + amount;
}

Instant WorkingCalendar::EffectiveStart(Instant received) const {
  if (received < At(0, {}) || received >= At(kDayCount, {})) return received;
  const auto local = received + kVietnamUtcOffset;
  const auto day = std::chrono::floor<days>(local);
  const int64_t index = (day - kFirstDay).count();
  const microseconds tod = local - day;
  if (WorkdayAt(index)) {
    microseconds start = tod;
    if (tod < morning_start_) {
      start = morning_start_;
    } else if (tod >= morning_end_ && tod < afternoon_start_) {
      start = afternoon_start_;
    }
    if (start < cutoff_ && start < afternoon_end_)
      return start == tod ? received : At(index, start);
  }
  return At(NextWorkdayFrom(index + 1), morning_start_);
}

Result<Instant> WorkingCalendar::AddTimeLimit(Instant received, int64_t amount,
                                              TimeUnit unit) const {
  int64_t limit = kMaxWorkingDays;
  switch (unit) {
    case TimeUnit::kWorkingDay:
      limit = kMaxWorkingDays;
      break;
    case TimeUnit::kHour:
      limit = kMaxHours;
      break;
    case TimeUnit::kCalendarDay:
      limit = kMaxCalendarDays;
      break;
    case TimeUnit::kMonth:
      limit = kMaxMonths;
      break;
  }
  if (amount < 0 || amount > limit) {
    const std::string unit_name(TimeUnitName(unit));
    return Fail(
        ErrorCode::kInvalidField,
        "The time limit must be between 0 and " + std::to_string(limit) + " (" + unit_name + ").",
        "Thời hạn phải từ 0 đến " + std::to_string(limit) + " (" + unit_name + ").", "amount");
  }
  if (received < At(0, {}) || received >= At(kDayCount, {})) {
    return Fail(ErrorCode::kInvalidField, "The receipt time must be within 1900..2100.",
                "Thời điểm tiếp nhận phải trong khoảng 1900..2100.", "received");
  }
  auto beyond = [] {
    return Fail(ErrorCode::kInvalidField, "The due date would be after 2100.",
                "Ngày hẹn trả vượt quá năm 2100.", "amount");
  };
  const Instant start = EffectiveStart(received);
  const int64_t start_index =
      (std::chrono::floor<days>(start + kVietnamUtcOffset) - kFirstDay).count();
  if (start_index >= kDayCount) return beyond();
  if (amount == 0) return At(start_index, afternoon_end_);

  int64_t due_index = 0;
  switch (unit) {
    case TimeUnit::kWorkingDay:
    case TimeUnit::kHour: {
      const microseconds step = unit == TimeUnit::kHour ? microseconds(hours(1)) : daily_;
      auto due = Locate(WorkedBefore(start) + amount * step);
      if (!due) return beyond();
      return *due;
    }
    case TimeUnit::kCalendarDay:
      due_index = start_index + amount;
      break;
    case TimeUnit::kMonth: {
      const year_month_day from = DateAt(start_index);
      const std::chrono::year_month ym =
          std::chrono::year_month(from.year(), from.month()) + std::chrono::months(amount);
      const std::chrono::day last =
          std::chrono::year_month_day_last(ym.year(), std::chrono::month_day_last(ym.month()))
              .day();
      due_index = IndexOf(ym / std::min(from.day(), last));
      break;
    }
  }
  if (due_index >= kDayCount) return beyond();
  due_index = NextWorkdayFrom(due_index);
  if (due_index >= kDayCount) return beyond();
  return At(due_index, afternoon_end_);
}

microseconds WorkingCalendar::WorkingTimeBetween(
    Instant from, Instant to, const std::vector<std::pair<Instant, Instant>>& paused) const {
  if (to <= from) return microseconds(0);
  microseconds total = WorkedBefore(to) - WorkedBefore(from);
  std::vector<std::pair<Instant, Instant>> clipped;
  clipped.reserve(paused.size());
  for (const auto& [a, b] : paused) {
    const Instant lo = std::max(a, from);
    const Instant hi = std::min(b, to);
    if (lo < hi) clipped.emplace_back(lo, hi);
  }
  std::sort(clipped.begin(), clipped.end());
  size_t i = 0;
  while (i < clipped.size()) {
    Instant lo = clipped[i].first, hi = clipped[i].second;
    for (++i; i < clipped.size() && clipped[i].first <= hi; ++i)
      hi = std::max(hi, clipped[i].second);
    total -= WorkedBefore(hi) - WorkedBefore(lo);
  }
  return total;
}

}  // namespace motcua
