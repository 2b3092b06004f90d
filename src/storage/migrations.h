// Versioned schema migrations for both backends. Version N's script takes a database at N-1 to
// N. Append new versions; never edit a released one.
#pragma once

#include <string_view>
#include <vector>

#include "storage/sql.h"

namespace motcua::storage {

struct Migration {
  int version;
  std::string_view sqlite;
  std::string_view postgres;
};

// All migrations, ascending.
const std::vector<Migration>& Migrations();
// The schema version this binary expects.
int LatestSchemaVersion();

}  // namespace motcua::storage
