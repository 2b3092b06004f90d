// The demo's history: months of dossiers of a whole province, made through the domain code.
//
// Every dossier is filed with DossierService::Submit and moved with DossierService::Act, with a
// FakeClock set to each action's instant and the real working calendar (so appointments honour
// holidays and the 15:00 rule as live intake does), over an in-memory HistoryStore. Once a
// dossier's lifecycle is over (or reaches the clock's "now", leaving it in progress) it is
// taken out and handed with the others of its batch to a HistorySink (the application writes
// them through HistoryImport on a thread of its own while the next batch is made: cli/
// demo_history.cc). Memory stays bounded: the batches the sink holds, one being made, and the
// current unit's applicants. No threads, files or system clock here.
//
// Deterministic: the same options (dossiers, months, seed, now) and the same units, catalog
// and calendar give the same codes, states and instants. Volumes, channels and outcomes come
// from HistoryRates (below), in one place; unit sizes from QuarterVolume().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "domain/calendar/working_calendar.h"
#include "domain/catalog/catalog.h"
#include "domain/ports/account_store.h"
#include "domain/ports/file_index.h"
#include "domain/ports/history_import.h"
#include "domain/units/unit.h"
#include "render/pdf_document.h"

namespace motcua {

// The rates a history is drawn with (fractions of dossiers unless said otherwise). The defaults
// aim at domain.md §6: Xuân Hòa ~2,800 dossiers a quarter, 95.4% online, > 92% settled early or
// on time, reuse of digitised data > 80%.
struct HistoryRates {
  // Channels. Procedures that need presence (online_level "none") are filed at the counter;
  // the online share of the others is raised so that `online` holds overall.
  double online = 0.954;
  double postal_of_offline = 0.2;    // of the offline dossiers, by post (the rest at the counter)
  double online_after_hours = 0.18;  // online filings outside office hours (evenings, days off)
  double day_off_volume = 0.06;      // a day off's online volume relative to a working day's

  // Reception of an online dossier (form 01, 02 or 03).
  double refuse_at_reception = 0.013;  // form 03, with a reason
  double withdraw = 0.004;             // the applicant withdraws before the end
  double stop = 0.003;                 // the leader stops processing, with a reason
  // Supplements: at least one request (half at reception, half during processing), of which a
  // few get a second request (counted late, §5) or are never answered (then refused).
  double supplement = 0.055;
  double second_supplement = 0.1;
  double unanswered_supplement = 0.06;
  // How processing ends, for dossiers that are settled.
  double apology = 0.012;    // form 04 before the appointment, finished by the new date
  double late = 0.022;       // finished after the appointment, no apology
  double on_the_day = 0.20;  // finished on the appointment day; the rest before it (early)

  // After the return.
  double rate = 0.62;                       // the applicant rates the service ...
  double satisfied = 0.93, neutral = 0.05;  // ... satisfied, neutral, else dissatisfied
  double complain_after_return = 0.002;
  double complain_after_refusal = 0.08;

  // Applicants: distinct people per dossier of a unit (so people come back), and their contact
  // details (where notifications go).
  double population = 0.55;
  double phone = 0.65;
  double email = 0.15;

  // Components and payments.
  double optional_component = 0.12;  // an optional component is attached
  double reuse = 0.9;                // a reusable component the applicant's store has is reused
  double pay_online = 0.9;           // a fee-bearing online dossier is paid online at filing

  // Volume of the provincial agencies, as a share of the province's dossiers.
  double agency_share = 0.11;
};

// A recorded sample document: the file every generated component or result of `doc_type`
// points at (one of a few per type).
struct SampleFile {
  std::string doc_type;
  FileRecord file;
};

// The bytes of the sample documents: `per_type` small one-page PDFs (set in `fonts` by the
// forms' PDF writer) for every document type that a component or a result of `catalog` names,
// in a fixed order. Fails only if the PDF writer does.
struct SampleDocument {
  std::string doc_type;
  std::string bytes;
};
Result<std::vector<SampleDocument>> MakeSampleDocuments(const Catalog& catalog,
                                                        const render::FontPair& fonts,
                                                        int per_type = 3);

struct HistoryOptions {
  int64_t dossiers = 0;  // in total, over the province
  int months = 3;        // the history covers [now - months, now)
  uint64_t seed = 1;
  Instant now{};             // the end of the history; dossiers whose next step is later stay open
  size_t batch_size = 2000;  // dossiers per ImportHistory transaction
  // The citizen (12-digit ID; their account's id when it exists) who files a few of the demo
  // unit's dossiers, so that their own list shows dossiers in various states. "" for none.
  std::string demo_citizen = "025095000123";
  std::string demo_unit = "08746";
  HistoryRates rates;
};

// What a history is made of: borrowed, must outlive GenerateHistory.
struct HistoryInputs {
  std::shared_ptr<const Catalog> catalog;
  std::shared_ptr<const UnitDirectory> units;
  std::shared_ptr<const WorkingCalendar> calendar;
  std::string province_code = "25";
  std::vector<SampleFile> samples;  // recorded in the target store (FindFile finds them)
};

// Counts of a generated history.
struct HistorySummary {
  int64_t dossiers = 0;
  int64_t units = 0;
  int64_t officers_created = 0;
  int64_t applicants = 0;
  int64_t audit_entries = 0;
  int64_t outbox_messages = 0;
  int64_t complaints = 0;
  int64_t files_named = 0;
  std::map<std::string, int64_t> by_state;     // state name -> dossiers
  std::map<std::string, int64_t> by_channel;   // channel name -> dossiers
  std::map<std::string, int64_t> by_deadline;  // §5 status at `now` -> dossiers received
  int64_t settled = 0;                         // done or returned
  int64_t settled_in_time = 0;                 // of those, early or on time (§5)
  int64_t fee_bearing = 0;                     // dossiers of procedures with a fee
  int64_t paid_online = 0;
  int64_t with_reuse = 0;        // a component reused from the applicant's store
  int64_t with_national_db = 0;  // a component taken from the national population database
  int64_t digitised = 0;         // every component with a file or national data, and an e-result
  int64_t electronic_results = 0;
  int64_t rated = 0;
  int64_t satisfied = 0;
  int64_t demo_citizen_dossiers = 0;
};

// The dossiers a unit receives in a quarter: Xuân Hòa (08746) 2,800 (domain.md §6); other
// wards 0.7-1.5 times that (Việt Trì, the provincial capital, 1.6), communes 180-500, special
// zones 400; sizes vary by a hash of the code, not by the seed. 0 for units outside the
// province's communes.
double QuarterVolume(const Unit& unit);
// A realistic total for `months` of the province: its communes' and wards' volumes plus the
// agencies' share (about 100,000 for a quarter of Phú Thọ).
int64_t DefaultHistorySize(const UnitDirectory& units, std::string_view province_code, int months,
                           const HistoryRates& rates = {});

// Where the generator hands finished batches, in order.
class HistorySink {
 public:
  virtual ~HistorySink() = default;
  // Takes a batch; may return before it is durable. Fails with the first failure of an earlier
  // batch (then the generation stops).
  virtual Status Write(std::vector<HistoryDossier> batch) = 0;
  // Waits until every batch written is durable; the first failure, if any. Idempotent.
  virtual Status Finish() = 0;
};

// What a history is written to: the accounts of the acting officers, and the batches' sink
// (which writes them through the target's HistoryImport). Borrowed.
struct HistoryTarget {
  AccountStore& accounts;
  HistorySink& sink;
};

// Generates the history into `target`, whose store must hold no dossiers yet (codes would
// collide): creates the acting officers that do not exist (reception.<unit>, specialist.<unit>,
// leader.<unit>, unable to log in: password hash "!", disabled; the demo accounts act for
// their units), then files and settles the dossiers and hands them to the sink in batches,
// and waits for it (HistorySink::Finish). `progress`, if given, is called after each batch with
// the summary so far. Fails with the first error (a failing service call names the dossier and
// the action); what was written stays.
Result<HistorySummary> GenerateHistory(
    HistoryTarget target, const HistoryInputs& in, const HistoryOptions& options,
    const std::function<void(const HistorySummary&)>& progress = {});

}  // namespace motcua
