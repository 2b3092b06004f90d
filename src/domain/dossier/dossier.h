// A dossier (hồ sơ): one application for one procedure by one applicant, its components, its
// place in the lifecycle and its deadline facts. Pure data and pure rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "domain/catalog/procedure.h"
#include "domain/dossier/workflow.h"

namespace motcua {

// Channels [rule]: 1 at a counter, 2 online, 3 by public postal service.
enum class Channel { kCounter = 1, kOnline = 2, kPostal = 3 };
std::string_view ChannelName(Channel c);  // "counter" | "online" | "postal"
std::optional<Channel> ParseChannel(std::string_view name);

struct Applicant {
  std::string id_number;  // 12-digit personal identification number
  std::string full_name;
  std::string phone;    // optional
  std::string email;    // optional; where notifications go
  std::string address;  // optional
};

// Where a component's document came from (digitisation and reuse indicators count these).
enum class ComponentSource { kUploaded, kPaperScan, kReused, kNationalDb };
std::string_view SourceName(ComponentSource s);  // uploaded | paper_scan | reused | national_db
std::optional<ComponentSource> ParseSource(std::string_view name);

struct DossierComponent {
  std::string component_id;  // the procedure's component id, e.g. "to_khai"
  ComponentSource source = ComponentSource::kUploaded;
  std::string file_sha256;  // the stored file, when there is one
  std::string file_name;
  int64_t file_size = 0;
  std::string media_type;  // of the stored file, filled in by the service (not the client)
};

// One supplement request: when asked, and when supplied (if yet).
struct SupplementPeriod {
  Instant requested_at{};
  std::optional<Instant> supplied_at;
  DossierState resume_state = DossierState::kReceived;  // where the dossier goes back to
};

// The fee payment of a dossier (Decision 766 online-payment indicators count these).
struct Payment {
  std::string method;  // online | counter
  int64_t amount_vnd = 0;
  std::string reference;           // the payment gateway's or the receipt's reference; may be empty
  std::optional<Instant> paid_at;  // nullopt: to be paid (e.g. at the counter)
};
bool IsPaymentMethod(std::string_view m);                  // online | counter
inline constexpr int64_t kMaxPaymentVnd = 10'000'000'000;  // amounts are 0..this
inline constexpr size_t kMaxPaymentReference = 64;         // characters

struct Dossier {
  std::string code;  // <unit code>-<YYMMDD>-<NNNN>
  std::string procedure_id;
  int64_t procedure_version = 1;
  std::string procedure_name;
  Channel channel = Channel::kOnline;
  std::string receiving_unit;           // where it was lodged
  std::string current_unit;             // who holds it now
  std::vector<std::string> path_units;  // every unit it has been at, receiving unit first
  int64_t assignee_user_id = 0;
  DossierState state = DossierState::kSubmitted;
  int64_t version = 1;  // optimistic concurrency: bumps on every change
  Applicant applicant;
  int64_t applicant_user_id = 0;  // the citizen account that filed it, 0 if none
  std::vector<DossierComponent> components;
  std::vector<SupplementPeriod> supplements;
  Instant submitted_at{};
  std::optional<Instant> received_at;  // form 01: counting starts here
  std::optional<Instant> due_at;       // the appointment (ngày hẹn trả)
  std::optional<Instant> finished_at;  // done (result issued) or another end
  std::optional<Instant> returned_at;
  std::string result_sha256;
  int64_t apologies = 0;
  // After the return, the applicant's rating (satisfied | neutral | dissatisfied, "" = none)
  // and the number of complaints filed.
  std::string rating;
  std::string rating_comment;
  std::optional<Instant> rated_at;
  int64_t complaints = 0;
  std::optional<Payment> payment;  // the fee, when the procedure has one and it was declared
};

// What an officer's queue line (or a citizen's list of their dossiers) shows of a dossier: no
// contact details, components, payment or result. Cheaper to read than a Dossier; the supplements
// are there because the deadline status needs them.
struct DossierLine {
  std::string code;
  std::string procedure_id;
  int64_t procedure_version = 1;
  std::string procedure_name;
  Channel channel = Channel::kOnline;
  std::string receiving_unit;
  std::string current_unit;
  int64_t assignee_user_id = 0;
  DossierState state = DossierState::kSubmitted;
  int64_t version = 1;
  std::string applicant_name;
  std::vector<SupplementPeriod> supplements;
  Instant submitted_at{};
  std::optional<Instant> received_at;
  std::optional<Instant> due_at;
  std::optional<Instant> finished_at;
  std::optional<Instant> returned_at;
};

// The applicant's ratings of the service [rule: Decision 766 satisfaction indicators].
bool IsRating(std::string_view r);  // satisfied | neutral | dissatisfied

// Checks a new dossier against the procedure version it is filed under: required components
// present (each once), known component ids and sources, a 12-digit ID number, a name. Fails with
// kInvalidField/kMissingField naming the field (e.g. "components[2].component_id").
Status ValidateIntake(const Dossier& d, const Procedure& procedure);

// A unit's daily sequence numbers 0001..9999 and then widens (10000, ...) up to this, so intake
// never stops because a counter ran out.
inline constexpr int64_t kMaxDailySequence = 9'999'999;
// "<unit code>-<YYMMDD>-<NNNN>" with the date in Vietnam time; past 9999 the number has as many
// digits as it needs (up to 7). kUnavailable if seq is not 1..kMaxDailySequence.
Result<std::string> FormatDossierCode(std::string_view unit_code, Instant day, int64_t seq);
// The parts of a dossier code.
struct DossierCodeParts {
  std::string_view prefix;  // the unit's code prefix
  std::string_view day;     // YYMMDD
  int64_t seq = 0;
};
// The parts of `code`, or nullopt if it does not have the shape of a dossier code.
std::optional<DossierCodeParts> ParseDossierCode(std::string_view code);
// True iff `code` has the shape of a dossier code (for rejecting forged input early).
bool LooksLikeDossierCode(std::string_view code);

// Deadline status at an instant (domain.md §5), the one function queues, forms and indicators use.
enum class DeadlineStatus {
  kEarly,    // finished before the appointment day
  kOnTime,   // finished on the appointment day, not after the appointment
  kInTime,   // not finished, still within the deadline
  kOverdue,  // not finished, past the deadline
  kLate,     // finished after the deadline (or more than one supplement request)
};
std::string_view DeadlineStatusName(DeadlineStatus s);

struct DeadlineFacts {
  std::optional<Instant> received_at;  // start of counting
  std::optional<Instant> due_at;       // appointment; nullopt if none
  std::optional<Instant> finished_at;  // end of processing, if finished
  std::vector<SupplementPeriod> supplements;
  // For dossiers without an appointment: the legal limit and how to measure elapsed time.
  std::optional<std::chrono::microseconds> legal_limit;
};

// `elapsed(from, to, pauses)` measures working time (the calendar's WorkingTimeBetween); it is
// only called for dossiers without an appointment. `at` is now, or the reporting period's end.
template <typename Elapsed>
DeadlineStatus EvaluateDeadline(const DeadlineFacts& f, Instant at, Elapsed elapsed);

// --- implementation of the template ---

namespace detail {
// The §5 end time: the finish, or an unanswered supplement request, or `at`; minus the time the
// applicant took to supplement.
Instant AdjustedEnd(const DeadlineFacts& f, Instant at, bool* finished);
bool SameVietnamDay(Instant a, Instant b);
}  // namespace detail

template <typename Elapsed>
DeadlineStatus EvaluateDeadline(const DeadlineFacts& f, Instant at, Elapsed elapsed) {
  bool finished = false;
  Instant end = detail::AdjustedEnd(f, at, &finished);
  if (f.supplements.size() > 1) return finished ? DeadlineStatus::kLate : DeadlineStatus::kOverdue;
  bool within;
  if (f.due_at) {
    within = end <= *f.due_at;
  } else if (f.received_at && f.legal_limit) {
    std::vector<std::pair<Instant, Instant>> pauses;
    for (const auto& s : f.supplements) {
      if (s.supplied_at) pauses.emplace_back(s.requested_at, *s.supplied_at);
    }
    within = elapsed(*f.received_at, end, pauses) <= *f.legal_limit;
  } else {
    within = true;  // nothing to measure against
  }
  if (!finished) return within ? DeadlineStatus::kInTime : DeadlineStatus::kOverdue;
  if (!within) return DeadlineStatus::kLate;
  if (f.due_at && !detail::SameVietnamDay(end, *f.due_at)) return DeadlineStatus::kEarly;
  return DeadlineStatus::kOnTime;
}

}  // namespace motcua
