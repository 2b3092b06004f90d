// Access to the bundled seed data (embedded in the core library) for tests.
#pragma once

#include <string_view>

#include "api/embedded_files.h"

namespace motcua::testing {

inline std::string_view BundledFile(const char* path) {
  const EmbeddedFile* f = FindEmbeddedData(path);
  if (f == nullptr) return {};
  return {reinterpret_cast<const char*>(f->data), f->size};
}

}  // namespace motcua::testing
