// Setting up a database: migrations, the bundled units and catalog, imports from files and
// the demo accounts. Used by the init, import, user and demo subcommands.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "domain/auth/auth_service.h"
#include "domain/ports/account_store.h"
#include "domain/ports/catalog_store.h"
#include "domain/ports/unit_store.h"
#include "storage/sql_store.h"

namespace motcua {

// Reads a whole file. Fails with kNotFound.
Result<std::string> ReadFile(const std::string& path);

// Migrates the schema and imports the bundled units, agencies and catalog, and on the first
// init the bundled calendar overrides (audited as the system's). Idempotent. Prints a one-line
// summary per step to stdout.
Status InitDatabase(storage::SqlStore& store, std::string_view province_code, Instant now);

// Imports administrative units (units-vn-2025.csv format) from `text`.
Status ImportUnits(UnitStore& store, std::string_view text);
// Imports agencies (agencies-phu-tho.csv format) under `province_code`.
Status ImportAgencies(UnitStore& store, std::string_view text, std::string_view province_code);
// Validates and imports a catalog (procedures.json format). On validation failure returns every
// problem, each naming the procedure and field; nothing is stored.
// `units` gives the agencies procedures may name.
tl::expected<ImportSummary, std::vector<Error>> ImportProcedures(CatalogStore& catalog,
                                                                 UnitStore& units,
                                                                 std::string_view text,
                                                                 Instant now);

struct DemoAccount {
  std::string username;
  Role role;
  std::string unit;
  std::string full_name;
};
// The demo accounts: one per role at Phú Thọ's province level, Phường Xuân Hòa, Phường Việt Trì
// and a department, and a citizen.
std::vector<DemoAccount> DemoAccounts();
constexpr std::string_view kDemoPassword = "motcua-demo";
// Creates the demo accounts that do not exist yet.
Status EnsureDemoAccounts(AccountStore& accounts, AuthService& auth);

}  // namespace motcua
