// `motcua demo`'s history: on a database without dossiers, stores the sample documents in the
// blob store, records them, and generates months of the province's dossiers through the domain
// code (src/domain/demo/history_generator.h); then prints a summary.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/app.h"
#include "domain/demo/history_generator.h"

namespace motcua {

struct DemoHistoryOptions {
  std::optional<int64_t> dossiers;  // nullopt: a realistic size for `months` (DefaultHistorySize)
  int months = 3;
  uint64_t seed = 1;
};

// Reads --dossiers (0..10,000,000), --months (1..24) and --seed (0..999,999,999,999) from
// their values (nullptr = not given). Prints the problem to stderr and returns nullopt on a bad
// value.
std::optional<DemoHistoryOptions> ParseDemoHistoryFlags(const std::string* dossiers,
                                                        const std::string* months,
                                                        const std::string* seed);

// Puts the sample documents (MakeSampleDocuments) into the app's blob store and records them in
// `store` as created at `at`, waiting until they are durable.
Result<std::vector<SampleFile>> StoreSampleDocuments(storage::SqlStore& store, App& app,
                                                     Instant at);

// Generates the history ending at `now` into the app's store, unless it already has dossiers
// (then says so and serves what is there) or the size is 0. The app must be loaded (units,
// catalog, calendar, blob store). Prints progress and the summary to stdout.
Status PrepareDemoHistory(storage::SqlStore& store, App& app, const DemoHistoryOptions& options,
                          Instant now);

}  // namespace motcua
