// Small helpers shared by the SQL implementations of the ports (src/storage/sql_*.cc).
#pragma once

#include <cstdint>
#include <utility>

#include "common/clock.h"
#include "common/error.h"
#include "storage/database.h"

namespace motcua::storage {

// Timestamps are stored as microseconds since the epoch (UTC) in 64-bit integers.
inline int64_t Micros(Instant t) { return t.time_since_epoch().count(); }
inline Instant FromMicros(int64_t us) { return Instant(std::chrono::microseconds(us)); }

// Runs `fn` (SqlConnection& -> Result<T>) on a reader (write = false) or in the next group
// commit (write = true) and moves its value out.
template <typename T, typename Fn>
Result<T> Collect(Database& db, bool write, Fn fn) {
  T out{};
  auto job = [&](SqlConnection& c) -> Status {
    auto r = fn(c);
    MOTCUA_RETURN_IF_ERROR(r);
    out = std::move(*r);
    return {};
  };
  Status st = write ? db.Write(job) : db.Read(job);
  MOTCUA_RETURN_IF_ERROR(st);
  return out;
}

// The status of a statement whose rows nobody reads.
inline Status Discard(const Result<SqlRows>& r) {
  MOTCUA_RETURN_IF_ERROR(r);
  return {};
}

}  // namespace motcua::storage
