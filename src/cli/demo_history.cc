#include "cli/demo_history.h"

#include <chrono>
#include <cstdio>
#include <future>

#include "api/embedded_fonts.h"
#include "domain/demo/history_generator.h"

namespace motcua {
namespace {

std::optional<int64_t> WholeNumber(const char* flag, const std::string* value, int64_t lo,
                                   int64_t hi) {
  int64_t n = 0;
  bool ok = !value->empty() && value->size() <= 12;
  for (char c : *value) {
    ok = ok && c >= '0' && c <= '9';
    if (ok) n = n * 10 + (c - '0');
  }
  if (!ok || n < lo || n > hi) {
    std::fprintf(stderr, "motcua demo: --%s wants a whole number from %lld to %lld\n", flag,
                 static_cast<long long>(lo), static_cast<long long>(hi));
    return std::nullopt;
  }
  return n;
}

double Percent(int64_t part, int64_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

std::string Counts(const std::map<std::string, int64_t>& m) {
  std::string out;
  for (const auto& [k, v] : m) {
    if (!out.empty()) out += ", ";
    out += k + " " + std::to_string(v);
  }
  return out;
}

}  // namespace

ThreadedHistorySink::ThreadedHistorySink(HistoryImport& target)
    : target_(target), thread_([this] { Loop(); }) {}

ThreadedHistorySink::~ThreadedHistorySink() { (void)Finish(); }

Status ThreadedHistorySink::Write(std::vector<HistoryDossier> batch) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !pending_.has_value() || error_.has_value(); });
  if (error_) return tl::unexpected(*error_);
  pending_ = std::move(batch);
  cv_.notify_all();
  return {};
}

Status ThreadedHistorySink::Finish() {
  {
    std::unique_lock lock(mu_);
    if (!done_) {
      cv_.wait(lock, [&] {
        return (!pending_.has_value() && !busy_ && in_flight_ == 0) || error_.has_value();
      });
      done_ = true;
      cv_.notify_all();
    }
  }
  if (thread_.joinable()) thread_.join();
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return in_flight_ == 0; });
  if (error_) return tl::unexpected(*error_);
  return {};
}

void ThreadedHistorySink::Loop() {
  for (;;) {
    std::vector<HistoryDossier> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return (pending_.has_value() && in_flight_ < kInFlight) || done_; });
      if (done_) return;
      batch = std::move(*pending_);
      pending_.reset();
      busy_ = true;
      ++in_flight_;
      cv_.notify_all();
    }
    target_.ImportHistoryAsync(std::move(batch), [this](Status st) {
      std::lock_guard lock(mu_);
      --in_flight_;
      if (!st && !error_) error_ = st.error();
      cv_.notify_all();
    });
    std::lock_guard lock(mu_);
    busy_ = false;
    cv_.notify_all();
  }
}

Result<std::vector<SampleFile>> StoreSampleDocuments(storage::SqlStore& store, Application& app,
                                                     Instant at) {
  std::vector<SampleFile> out;
  std::vector<std::future<Status>> recorded;
  auto fonts = EmbeddedFormFonts();
  MOTCUA_RETURN_IF_ERROR(fonts);
  auto documents = MakeSampleDocuments(*app.reference().catalog(), *fonts);
  MOTCUA_RETURN_IF_ERROR(documents);
  for (SampleDocument& doc : *documents) {
    auto blob = app.blobs().Put(doc.bytes, app.file_limits());
    MOTCUA_RETURN_IF_ERROR(blob);
    FileRecord f{blob->sha256, static_cast<int64_t>(blob->size),
                 std::string(MediaTypeName(blob->media_type)), at};
    auto promise = std::make_shared<std::promise<Status>>();
    recorded.push_back(promise->get_future());
    store.files().RecordFileAsync(f, 0,
                                  [promise](Status st) { promise->set_value(std::move(st)); });
    out.push_back({std::move(doc.doc_type), std::move(f)});
  }
  for (auto& r : recorded) {
    if (Status st = r.get(); !st) return tl::unexpected(st.error());
  }
  return out;
}

std::optional<DemoHistoryOptions> ParseDemoHistoryFlags(const std::string* dossiers,
                                                        const std::string* months,
                                                        const std::string* seed) {
  DemoHistoryOptions o;
  if (dossiers) {
    auto n = WholeNumber("dossiers", dossiers, 0, 10'000'000);
    if (!n) return std::nullopt;
    o.dossiers = *n;
  }
  if (months) {
    auto n = WholeNumber("months", months, 1, 24);
    if (!n) return std::nullopt;
    o.months = static_cast<int>(*n);
  }
  if (seed) {
    auto n = WholeNumber("seed", seed, 0, 999'999'999'999);
    if (!n) return std::nullopt;
    o.seed = static_cast<uint64_t>(*n);
  }
  return o;
}

Status PrepareDemoHistory(storage::SqlStore& store, Application& app,
                          const DemoHistoryOptions& options, Instant now) {
  DossierQuery any;
  any.limit = 1;
  auto existing = store.queries().ListDossierLines(any);
  MOTCUA_RETURN_IF_ERROR(existing);
  if (!existing->empty()) {
    std::printf(
        "demo: the database already has dossiers; no history is generated, serving what is "
        "there\n");
    return {};
  }
  HistoryOptions opt;
  opt.dossiers = options.dossiers.value_or(
      DefaultHistorySize(*app.reference().units(), app.config().province_code, options.months));
  opt.months = options.months;
  opt.seed = options.seed;
  opt.now = now;
  if (opt.dossiers == 0) return {};
  auto started = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  std::printf("demo: generating %lld dossiers over %d months to %s (seed %llu)...\n",
              static_cast<long long>(opt.dossiers), opt.months, FormatIso8601Vn(now).c_str(),
              static_cast<unsigned long long>(opt.seed));
  std::fflush(stdout);
  auto samples =
      StoreSampleDocuments(store, app, now - std::chrono::hours(24 * 31 * (opt.months + 1)));
  MOTCUA_RETURN_IF_ERROR(samples);
  HistoryInputs in{app.reference().catalog(), app.reference().units(), app.reference().calendar(),
                   app.config().province_code, std::move(*samples)};
  int64_t next_report = opt.dossiers / 10;
  auto progress = [&](const HistorySummary& s) {
    if (s.dossiers < next_report) return;
    next_report += opt.dossiers / 10;
    std::printf("demo:   %lld dossiers (%.0f/s)\n", static_cast<long long>(s.dossiers),
                static_cast<double>(s.dossiers) / std::max(seconds(), 1e-3));
    std::fflush(stdout);
  };
  ThreadedHistorySink sink(store.history());
  auto summary = GenerateHistory({store.accounts(), sink}, in, opt, progress);
  MOTCUA_RETURN_IF_ERROR(summary);
  const HistorySummary& s = *summary;
  double took = seconds();
  int64_t received = 0;
  for (const auto& [k, v] : s.by_deadline) received += v;
  int64_t good = 0;
  for (const char* k : {"early", "on_time", "in_time"}) {
    auto it = s.by_deadline.find(k);
    if (it != s.by_deadline.end()) good += it->second;
  }
  auto channel = [&](const char* c) {
    auto it = s.by_channel.find(c);
    return Percent(it == s.by_channel.end() ? 0 : it->second, s.dossiers);
  };
  std::printf(
      "demo history: %lld dossiers at %lld units in %.1f s (%.0f dossiers/s)\n"
      "  states: %s\n"
      "  channels: online %.1f%%, counter %.1f%%, postal %.1f%%\n"
      "  settled early or on time: %.1f%% of %lld settled (done or returned)\n"
      "  deadline status at the end: %s\n"
      "  progress indicator (early/on time + in time) / received: %.1f%%\n"
      "  paid online: %.1f%% of %lld fee-bearing; components reused: %.1f%%, from the national "
      "population database: %.1f%%; electronic results %lld, digitised dossiers %.1f%% of them\n"
      "  rated: %lld (%.1f%% satisfied); complaints %lld\n"
      "  written: %lld audit entries, %lld outbox messages (sent), %lld file references; %lld "
      "applicants; %lld officer accounts created; the demo citizen has %lld dossiers\n",
      static_cast<long long>(s.dossiers), static_cast<long long>(s.units), took,
      static_cast<double>(s.dossiers) / std::max(took, 1e-3), Counts(s.by_state).c_str(),
      channel("online"), channel("counter"), channel("postal"),
      Percent(s.settled_in_time, s.settled), static_cast<long long>(s.settled),
      Counts(s.by_deadline).c_str(), Percent(good, received), Percent(s.paid_online, s.fee_bearing),
      static_cast<long long>(s.fee_bearing), Percent(s.with_reuse, s.dossiers),
      Percent(s.with_national_db, s.dossiers), static_cast<long long>(s.electronic_results),
      Percent(s.digitised, s.electronic_results), static_cast<long long>(s.rated),
      Percent(s.satisfied, s.rated), static_cast<long long>(s.complaints),
      static_cast<long long>(s.audit_entries), static_cast<long long>(s.outbox_messages),
      static_cast<long long>(s.files_named), static_cast<long long>(s.applicants),
      static_cast<long long>(s.officers_created), static_cast<long long>(s.demo_citizen_dossiers));
  std::fflush(stdout);
  return {};
}

}  // namespace motcua
