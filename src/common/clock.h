// Time comes in through Clock so that domain code and tests can run at any chosen instant.
// Nothing outside clock.cc reads the system clock for business purposes.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace motcua {

using Instant = std::chrono::sys_time<std::chrono::microseconds>;

// Source of the current instant. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() const = 0;
};

// The real clock.
std::unique_ptr<Clock> MakeSystemClock();
// A clock that starts at `start` and then advances with real time (what --now gives a demo).
std::unique_ptr<Clock> MakeOffsetClock(Instant start);

// A clock that only moves when told to; for tests. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Instant now) : now_(now.time_since_epoch().count()) {}
  Instant Now() const override { return Instant(std::chrono::microseconds(now_.load())); }
  void Set(Instant t) { now_.store(t.time_since_epoch().count()); }
  void Advance(std::chrono::microseconds d) { now_.fetch_add(d.count()); }

 private:
  std::atomic<long long> now_;
};

// Parses an ISO 8601 instant with an explicit offset or Z, e.g. "2026-04-24T10:00:00+07:00" or
// "2026-04-24T03:00:00.5Z". Returns nullopt on any syntax or range error.
std::optional<Instant> ParseIso8601(std::string_view text);
// Formats an instant as ISO 8601 in Vietnam time (UTC+07:00), second precision.
std::string FormatIso8601Vn(Instant t);

}  // namespace motcua
