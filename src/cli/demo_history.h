// `motcua demo`'s history: on a database without dossiers, stores the sample documents in the
// blob store, records them, and generates months of the province's dossiers through the domain
// code (src/domain/demo/history_generator.h); then prints a summary.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "cli/application.h"
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
Result<std::vector<SampleFile>> StoreSampleDocuments(storage::SqlStore& store, Application& app,
                                                     Instant at);

// Hands a generated history's batches to HistoryImport::ImportHistoryAsync from a thread of its
// own (which prepares their rows) while the generator makes the next one; at most two batches
// are queued in the store at once, so memory stays bounded.
class ThreadedHistorySink final : public HistorySink {
 public:
  // Borrows `target`, which must outlive the sink.
  explicit ThreadedHistorySink(HistoryImport& target);
  ~ThreadedHistorySink() override;
  Status Write(std::vector<HistoryDossier> batch) override;
  Status Finish() override;

 private:
  void Loop();

  static constexpr int kInFlight = 2;
  HistoryImport& target_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<std::vector<HistoryDossier>> pending_;
  bool busy_ = false;
  bool done_ = false;
  int in_flight_ = 0;
  std::optional<Error> error_;
  std::thread thread_;
};

// Generates the history ending at `now` into the app's store, unless it already has dossiers
// (then says so and serves what is there) or the size is 0. The app must be loaded (units,
// catalog, calendar, blob store). Prints progress and the summary to stdout.
Status PrepareDemoHistory(storage::SqlStore& store, Application& app,
                          const DemoHistoryOptions& options, Instant now);

}  // namespace motcua
