// Uploaded file bytes -> the type sniffer and the content checks (truncation, bombs). Any crash,
// hang or sanitizer report is a finding; so is a type that the sniffer and the check disagree on.
#include <cstdint>
#include <string_view>

#include "domain/files/file_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  motcua::FileContentLimits limits;
  limits.max_pdf_inflated_bytes = 8u << 20;  // keep each run fast
  auto sniffed = motcua::SniffMediaType(bytes);
  auto checked = motcua::CheckFileContent(bytes, limits);
  if (checked && (!sniffed || *sniffed != *checked)) __builtin_trap();
  return 0;
}
