// Vietnam civil time: UTC+7 all year (no daylight saving). The one place the offset is defined;
// everything that turns an instant into a Vietnamese date or time of day uses these.
#pragma once

#include <chrono>

#include "common/clock.h"

namespace motcua {

// Vietnam's offset from UTC (Indochina Time).
inline constexpr std::chrono::hours kVietnamUtcOffset{7};

// The Vietnam civil date of `t`, as days since the epoch.
inline std::chrono::sys_days VietnamDay(Instant t) {
  return std::chrono::floor<std::chrono::days>(t + kVietnamUtcOffset);
}

// The instant at `time_of_day` (from local midnight) of the Vietnam civil date `day`.
inline Instant VietnamTime(std::chrono::sys_days day, std::chrono::microseconds time_of_day) {
  return Instant(std::chrono::duration_cast<std::chrono::microseconds>(day.time_since_epoch())) +
         time_of_day - kVietnamUtcOffset;
}

// The time of day of `t` in Vietnam (from local midnight).
inline std::chrono::microseconds VietnamTimeOfDay(Instant t) {
  return t - VietnamTime(VietnamDay(t), std::chrono::microseconds(0));
}

}  // namespace motcua
