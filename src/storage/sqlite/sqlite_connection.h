// SQLite driver: connections in WAL mode with full durability on commit.
#pragma once

#include <memory>
#include <string>

#include "storage/sql.h"

namespace motcua::storage {

// Opens (creating if needed) the SQLite database at `path`. Sets WAL, synchronous=FULL,
// foreign keys on and a busy timeout. `read_only` connections refuse writes.
Result<std::unique_ptr<SqlConnection>> OpenSqlite(const std::string& path, bool read_only);

// Rewrites $N placeholders to ?N outside string literals. Exposed for tests.
std::string RewritePlaceholdersForSqlite(std::string_view sql);

}  // namespace motcua::storage
