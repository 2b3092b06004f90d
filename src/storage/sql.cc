#include "storage/sql.h"

#include <charconv>

namespace motcua::storage {

int64_t SqlRow::Int(size_t i) const {
  const SqlValue& v = cols.at(i);
  if (const auto* n = std::get_if<int64_t>(&v)) return *n;
  if (const auto* s = std::get_if<std::string>(&v)) {
    int64_t n = 0;
    std::from_chars(s->data(), s->data() + s->size(), n);
    return n;
  }
  return 0;
}

std::string SqlRow::Str(size_t i) const {
  const SqlValue& v = cols.at(i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* n = std::get_if<int64_t>(&v)) return std::to_string(*n);
  return {};
}

}  // namespace motcua::storage
