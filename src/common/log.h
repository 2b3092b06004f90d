// Structured logging: one JSON object per line on stderr. Lines are buffered and written by a
// background thread in batches, so a request costs no system call for its access log line.
#pragma once

#include <string>
#include <string_view>

namespace motcua {

// Appends one complete line (without the newline) to the log buffer. Thread-safe, never blocks
// on I/O; if the buffer is over 8 MiB the line is dropped and counted.
void LogLine(std::string_view json_line);
// Convenience: {"level":..., "msg":...} with the current wall time.
void LogInfo(std::string_view msg);
void LogError(std::string_view msg);
// Writes out everything buffered so far; call before exit.
void FlushLog();
// Escapes `s` for inclusion inside a JSON string literal (no quotes added).
std::string JsonEscape(std::string_view s);

}  // namespace motcua
