// PostgreSQL driver over libpq: prepared statements cached per connection, text-format results
// converted to integers for integer and boolean columns.
#pragma once

#include <memory>
#include <string>

#include "storage/sql.h"

namespace motcua::storage {

// Connects to `url` (postgresql://user[:pass]@host:port/db). Fails with kUnavailable.
Result<std::unique_ptr<SqlConnection>> OpenPostgres(const std::string& url);

}  // namespace motcua::storage
