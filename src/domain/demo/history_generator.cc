#include "domain/demo/history_generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <optional>
#include <set>
#include <unordered_map>

#include "common/random.h"
#include "common/vn_time.h"
#include "domain/demo/history_people.h"
#include "domain/demo/history_store.h"
#include "domain/demo/memory_ports.h"
#include "domain/dossier/calendar_deadlines.h"
#include "domain/dossier/dossier_service.h"

namespace motcua {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::sys_days;

using Rng = SplitMix64;
uint64_t Mix(uint64_t x) { return SplitMix64::Mix(x); }
uint64_t Mix(uint64_t a, uint64_t b) { return SplitMix64::Mix(a, b); }

// A fraction in [0, 1) from a unit code, for sizes that do not depend on the seed.
double CodeFraction(std::string_view code) {
  uint64_t h = 1469598103934665603ULL;
  for (char c : code) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return static_cast<double>(Mix(h) >> 11) * 0x1.0p-53;
}

sys_days VnDay(Instant t) { return VietnamDay(t); }
Instant VnAt(sys_days day, minutes m) { return VietnamTime(day, m); }
minutes MinuteOfDay(Instant t) { return std::chrono::duration_cast<minutes>(VietnamTimeOfDay(t)); }

// When officers act: office time of the working calendar, counted in minutes.
class WorkClock {
 public:
  explicit WorkClock(const WorkingCalendar& cal) : cal_(cal) {}

  bool Workday(sys_days d) const { return cal_.IsWorkday(std::chrono::year_month_day(d)); }
  // `t` itself inside office hours of a working day, else the start of the next period.
  Instant Next(Instant t) const { return cal_.NextOfficeInstant(t); }
  // `amount` working minutes after `t` (moved into office time first).
  Instant Add(Instant t, int64_t amount) const {
    return cal_.AddOfficeTime(t, minutes(std::max<int64_t>(0, amount)));
  }
  // Working minutes in [a, b).
  int64_t Between(Instant a, Instant b) const {
    if (b <= a) return 0;
    return std::chrono::duration_cast<minutes>(cal_.WorkingTimeBetween(a, b, {})).count();
  }
  // An instant inside the office hours of working day `day`, `fraction` of the way through.
  Instant InOffice(sys_days day, double fraction) const {
    return Add(VnAt(day, minutes(0)), static_cast<int64_t>(fraction * DayMinutes()));
  }
  // The working minutes of one working day.
  int64_t DayMinutes() const { return cal_.Hours().DailyDuration().count(); }
  const WorkingHours& hours() const { return cal_.Hours(); }

 private:
  const WorkingCalendar& cal_;
};

// --- the catalog as the generator uses it ---

// How often each procedure is filed relative to others of its level: copies certification and
// civil status most, then residence, land, social protection; provincial volumes are led by
// judicial records, driving licences, business registration and unemployment benefits.
double ProcedureWeight(const Procedure& p) {
  static const std::unordered_map<std::string_view, double> kWeights = {
      {"CT-001", 14},  {"CT-002", 1.2},  {"CT-004", 2.5},   {"CT-009", 2},    {"HT-001", 6},
      {"HT-002", 4},   {"HT-004", 2},    {"HT-006", 2},     {"HT-007", 4},    {"HT-010", 5},
      {"CTRU-001", 3}, {"CTRU-002", 3},  {"CTRU-003", 1.5}, {"CTRU-007", 2},  {"DD-002", 2.5},
      {"DD-007", 1.5}, {"HKD-001", 1.5}, {"BTXH-001", 1.5}, {"LLTP-001", 12}, {"GPLX-001", 8},
      {"GPLX-002", 3}, {"DN-001", 2},    {"DN-002", 3},     {"DN-003", 2},    {"DN-005", 2},
      {"NV-002", 5},   {"YT-004", 1.5},  {"XDT-002", 1.5}};
  auto it = kWeights.find(p.id);
  if (it != kWeights.end()) return it->second;
  return p.level == "commune" ? 0.6 : 1.0;
}

struct ProcedureInfo {
  const CatalogEntry* entry = nullptr;
  double weight = 0;
  int64_t fee_vnd = 0;
  bool needs_presence = false;      // online_level "none"
  bool electronic_return = false;   // full-process online: the result goes back online
  std::string lodged_at;            // provincial procedures: the agency; "" for communes
  std::vector<std::string> visits;  // other units it passes through (inter-agency)
  std::vector<std::string> result_types;
};

// A weighted choice among procedures.
struct ProcedureMix {
  std::vector<const ProcedureInfo*> items;
  std::vector<double> cumulative;
  std::vector<const ProcedureInfo*> online_items;  // those that can be filed online
  std::vector<double> online_cumulative;

  void Add(const ProcedureInfo* p) {
    items.push_back(p);
    cumulative.push_back((cumulative.empty() ? 0 : cumulative.back()) + p->weight);
    if (!p->needs_presence) {
      online_items.push_back(p);
      online_cumulative.push_back((online_cumulative.empty() ? 0 : online_cumulative.back()) +
                                  p->weight);
    }
  }
  static const ProcedureInfo* Choose(const std::vector<const ProcedureInfo*>& v,
                                     const std::vector<double>& c, double u) {
    size_t i = std::upper_bound(c.begin(), c.end(), u * c.back()) - c.begin();
    return v[std::min(i, v.size() - 1)];
  }
  const ProcedureInfo* Pick(Rng& r, bool online_only) const {
    if (online_only && !online_items.empty()) {
      return Choose(online_items, online_cumulative, r.Uniform());
    }
    return Choose(items, cumulative, r.Uniform());
  }
  double OnlineCapableShare() const {
    if (items.empty() || cumulative.back() <= 0) return 1;
    return online_cumulative.empty() ? 0 : online_cumulative.back() / cumulative.back();
  }
};

int64_t FeeOf(const Procedure& p) {
  const auto* v = p.raw.if_contains("fee_vnd");
  if (v == nullptr) return 0;
  if (v->is_int64()) return std::max<int64_t>(0, v->get_int64());
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return 0;
}

std::vector<std::string> ResultTypes(const Procedure& p) {
  std::vector<std::string> out;
  if (const auto* rs = p.raw.if_contains("results"); rs && rs->is_array()) {
    for (const auto& r : rs->as_array()) {
      if (!r.is_object()) continue;
      if (const auto* t = r.as_object().if_contains("doc_type"); t && t->is_string()) {
        out.emplace_back(t->get_string());
      }
    }
  }
  return out;
}

// --- the generation ---

struct Officers {
  Principal reception, specialist, leader;
};

// One planned dossier of a unit.
struct Plan {
  const ProcedureInfo* procedure = nullptr;
  Channel channel = Channel::kOnline;
  Instant submitted{};
  int64_t applicant = 0;  // index in the unit's population; -1: the demo citizen
  uint64_t seed = 0;
  int forced = 0;  // for the demo citizen: 1 refused, 2 waiting for a supplement
};

class Generator {
 public:
  Generator(HistoryTarget target, const HistoryInputs& in, const HistoryOptions& opt,
            const std::function<void(const HistorySummary&)>& progress)
      : target_(target),
        in_(in),
        opt_(opt),
        rates_(opt.rates),
        progress_(progress),
        clock_(opt.now),
        work_(*in.calendar),
        deadlines_([cal = in.calendar] { return cal; }) {}

  Result<HistorySummary> Run();

 private:
  Status Prepare();
  Status PrepareOfficers();
  // The reception officer, specialist and leader of each unit: an enabled account of that role
  // when the unit has one (the demo accounts), else "<role>.<unit>", created if missing.
  Status EnsureOfficers(const std::set<std::string>& units);
  Result<std::vector<Plan>> PlanUnit(size_t unit_index, const Unit& unit, int64_t count,
                                     const ProcedureMix& mix, double online_p);
  Status RunDossier(size_t unit_index, const std::string& unit, const Plan& plan);
  Status Emit(HistoryDossier h);
  Status Flush();
  std::string SampleSha(const std::string& doc_type, Rng& r) const;
  // `filer` files the dossier: an officer reuses only documents of dossiers they may see.
  std::vector<DossierComponent> Components(const Procedure& p, const Applicant& a,
                                           const Principal& filer, bool online, Rng& r);
  // True iff `filer` may reuse `doc` (the dossier service's rule: a citizen their own store, an
  // officer documents of dossiers they may see).
  bool MayReuse(const Principal& filer, const ApplicantDocument& doc);

  HistoryTarget target_;
  const HistoryInputs& in_;
  const HistoryOptions& opt_;
  const HistoryRates& rates_;
  const std::function<void(const HistorySummary&)>& progress_;
  FakeClock clock_;
  WorkClock work_;
  CalendarDeadlines deadlines_;
  std::unique_ptr<HistoryStore> store_;
  std::unique_ptr<DossierService> service_;
  std::unique_ptr<MemoryAccounts> accounts_;  // the officers who act, as the service sees them
  std::unique_ptr<MemoryFiles> files_;        // the sample files, usable by anyone
  std::unique_ptr<MemoryNationalRegistry> national_;  // the sample files by document type
  InlineExecutor inline_;
  std::vector<HistoryDossier> batch_;
  HistorySummary summary_;

  std::vector<ProcedureInfo> procedures_;
  std::unordered_map<std::string, std::vector<const SampleFile*>> samples_;  // by doc type
  std::unordered_map<std::string, std::string> sample_type_;                 // sha -> doc type
  std::vector<const SampleFile*> any_sample_;
  std::unordered_map<std::string, Officers> officers_;
  std::vector<UserRecord> users_;
  Principal demo_citizen_;
  Instant start_{};
};

Status Generator::EnsureOfficers(const std::set<std::string>& units) {
  constexpr Role kRoles[] = {Role::kReception, Role::kSpecialist, Role::kLeader};
  std::vector<UserRecord> missing;
  std::map<std::pair<std::string, Role>, UserRecord> chosen;
  for (const std::string& unit : units) {
    auto listed = target_.accounts.ListUsersOfUnit(unit);
    MOTCUA_RETURN_IF_ERROR(listed);
    for (Role role : kRoles) {
      const UserRecord* pick = nullptr;
      for (const UserRecord& u : *listed) {
        if (u.role == role && !u.disabled && pick == nullptr) pick = &u;
      }
      std::string code = unit;
      for (char& c : code) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string generated = std::string(RoleName(role)) + "." + code;
      for (const UserRecord& u : *listed) {
        if (pick == nullptr && u.username == generated) pick = &u;
      }
      if (pick != nullptr) {
        chosen[{unit, role}] = *pick;
        continue;
      }
      const Unit* un = in_.units->Find(unit);
      std::string what = role == Role::kReception    ? "Cán bộ một cửa"
                         : role == Role::kSpecialist ? "Chuyên viên"
                                                     : "Lãnh đạo";
      missing.push_back(UserRecord{0, generated, "!", role, unit,
                                   what + " " + (un ? un->name : unit), true, start_});
    }
  }
  std::vector<Result<int64_t>> ids;
  ids.reserve(missing.size());
  for (const UserRecord& u : missing) ids.push_back(target_.accounts.CreateUser(u));
  for (size_t i = 0; i < missing.size(); ++i) {
    if (!ids[i]) return tl::unexpected(ids[i].error());
    missing[i].id = *ids[i];
    chosen[{missing[i].unit_code, missing[i].role}] = missing[i];
  }
  summary_.officers_created += static_cast<int64_t>(missing.size());
  for (const std::string& unit : units) {
    Officers o;
    for (auto [role, slot] :
         {std::pair{Role::kReception, &o.reception}, std::pair{Role::kSpecialist, &o.specialist},
          std::pair{Role::kLeader, &o.leader}}) {
      const UserRecord& u = chosen.at({unit, role});
      users_.push_back(u);
      *slot = Principal{u.id, u.username, u.role, u.unit_code, u.full_name};
    }
    officers_.emplace(unit, std::move(o));
  }
  return {};
}

Status Generator::Prepare() {
  const UnitDirectory& units = *in_.units;
  for (const SampleFile& s : in_.samples) {
    samples_[s.doc_type].push_back(&s);
    sample_type_[s.file.sha256] = s.doc_type;
    any_sample_.push_back(&s);
  }
  if (any_sample_.empty()) {
    return Fail(ErrorCode::kInvalidField, "A history needs sample files.",
                "Cần các tệp mẫu để tạo lịch sử.", "samples");
  }
  auto agency_in_province = [&](std::string_view code) {
    const Unit* u = units.Find(code);
    return u != nullptr && u->category == UnitCategory::kAgency &&
           units.ProvinceOf(code) == in_.province_code && code != in_.province_code;
  };
  for (const CatalogEntry& e : in_.catalog->entries()) {
    const Procedure& p = e.procedure;
    ProcedureInfo info;
    info.entry = &e;
    info.weight = ProcedureWeight(p);
    info.fee_vnd = FeeOf(p);
    info.needs_presence = p.online_level == "none";
    info.electronic_return = p.online_level == "full";
    info.result_types = ResultTypes(p);
    if (p.level != "commune") {
      if (!agency_in_province(p.agency_kind)) continue;  // no such agency here
      info.lodged_at = p.agency_kind;
    }
    for (const ProcedureStep& s : p.steps) {
      bool reception_desk = s.unit.rfind("TTPVHCC", 0) == 0;
      if (s.unit == "same" || reception_desk || s.unit == info.lodged_at ||
          !agency_in_province(s.unit)) {
        continue;
      }
      if (std::find(info.visits.begin(), info.visits.end(), s.unit) == info.visits.end()) {
        info.visits.push_back(s.unit);
      }
    }
    procedures_.push_back(std::move(info));
  }
  return {};
}

std::string Generator::SampleSha(const std::string& doc_type, Rng& r) const {
  auto it = samples_.find(doc_type);
  const std::vector<const SampleFile*>& v = it == samples_.end() ? any_sample_ : it->second;
  return v[static_cast<size_t>(r.Next() % v.size())]->file.sha256;
}

bool Generator::MayReuse(const Principal& filer, const ApplicantDocument& doc) {
  if (filer.role == Role::kCitizen) return true;
  auto from = store_->FindDossier(doc.dossier_code);
  return from && *from && CanSeeDossier(filer, **from, *in_.units);
}

std::vector<DossierComponent> Generator::Components(const Procedure& p, const Applicant& a,
                                                    const Principal& filer, bool online, Rng& r) {
  std::vector<DossierComponent> out;
  std::vector<ApplicantDocument> docs;
  bool looked = false;
  for (const ProcedureComponent& pc : p.components) {
    if (!pc.required && !r.Chance(rates_.optional_component)) continue;
    DossierComponent c;
    c.component_id = pc.id;
    c.file_name = pc.id + ".pdf";
    std::string reuse;
    if (pc.reusable) {
      if (!looked) {
        auto listed = store_->ListApplicantDocuments(a.id_number, 50);
        if (listed) docs = std::move(*listed);
        looked = true;
      }
      for (const ApplicantDocument& d : docs) {
        auto t = sample_type_.find(d.sha256);
        if (t != sample_type_.end() && t->second == pc.doc_type && MayReuse(filer, d)) {
          reuse = d.sha256;
          break;
        }
      }
    }
    if (!reuse.empty() && r.Chance(rates_.reuse)) {
      c.source = ComponentSource::kReused;
      c.file_sha256 = reuse;
    } else if (pc.doc_type == "id_card" && (online || r.Chance(0.6))) {
      // Identity taken from the national population database (VNeID), with its copy, which
      // then is in the applicant's store for later dossiers.
      c.source = ComponentSource::kNationalDb;  // the service fetches the copy
    } else {
      c.source = online ? ComponentSource::kUploaded : ComponentSource::kPaperScan;
      c.file_sha256 = SampleSha(pc.doc_type, r);
    }
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<Plan>> Generator::PlanUnit(size_t unit_index, const Unit& unit, int64_t count,
                                              const ProcedureMix& mix, double online_p) {
  std::vector<Plan> plans;
  if (count <= 0 || mix.items.empty()) return plans;
  plans.reserve(static_cast<size_t>(count));
  sys_days first = VnDay(start_), last = VnDay(opt_.now);
  // Day weights: working days 1, days off only online and fewer, today as far as it went.
  std::vector<std::pair<sys_days, double>> day_weights;
  double total = 0;
  const WorkingHours& h = work_.hours();
  double office = static_cast<double>((h.afternoon_end - h.morning_start).count());
  for (sys_days d = first; d <= last; d += days(1)) {
    double w = work_.Workday(d) ? 1.0 : rates_.day_off_volume;
    if (d == last) {
      double done = static_cast<double>((MinuteOfDay(opt_.now) - h.morning_start).count());
      w *= std::clamp(done / office, 0.0, 1.0);
    }
    day_weights.emplace_back(d, w);
    total += w;
  }
  if (total <= 0) return plans;
  // At most 500,000 people per unit keeps ApplicantId unique.
  int64_t population = std::clamp<int64_t>(std::llround(count * rates_.population), 1, 499999);
  double cumulative = 0;
  int64_t assigned = 0;
  for (size_t di = 0; di < day_weights.size(); ++di) {
    auto [day, w] = day_weights[di];
    cumulative += w;
    int64_t upto = std::llround(static_cast<double>(count) * cumulative / total);
    int64_t n = upto - assigned;
    assigned = upto;
    if (n > kMaxDailySequence) {
      return Fail(ErrorCode::kInvalidField,
                  "Too many dossiers for " + unit.code + " in one day (" + std::to_string(n) +
                      "): ask for fewer dossiers or more months.",
                  "Quá nhiều hồ sơ của " + unit.code + " trong một ngày (" + std::to_string(n) +
                      "): giảm số hồ sơ hoặc tăng số tháng.",
                  "dossiers");
    }
    bool workday = work_.Workday(day);
    size_t day_start = plans.size();
    for (int64_t j = 0; j < n; ++j) {
      Plan p;
      p.seed = Mix(Mix(opt_.seed, unit_index), static_cast<uint64_t>(di) * 100000 + j);
      Rng r(p.seed);
      p.procedure = mix.Pick(r, !workday);
      bool online = !p.procedure->needs_presence && (!workday || r.Chance(online_p));
      p.channel = online
                      ? Channel::kOnline
                      : (r.Chance(rates_.postal_of_offline) ? Channel::kPostal : Channel::kCounter);
      if (online && (!workday || r.Chance(rates_.online_after_hours))) {
        p.submitted = VnAt(day, minutes(6 * 60)) +
                      std::chrono::seconds(static_cast<int64_t>(r.Uniform() * 17 * 3600));
      } else {
        p.submitted = work_.InOffice(day, r.Uniform());
      }
      if (p.submitted >= opt_.now) {
        // Today, later than now: earlier today instead (at the counter: in office hours).
        Instant from = VnAt(day, minutes(0));
        if (p.channel == Channel::kOnline) {
          p.submitted = from + std::chrono::duration_cast<std::chrono::microseconds>(
                                   (opt_.now - from) * r.Uniform());
        } else {
          double elapsed = static_cast<double>(work_.Between(from, opt_.now)) /
                           static_cast<double>(work_.hours().DailyDuration().count());
          p.submitted = work_.InOffice(day, r.Uniform() * std::min(elapsed, 1.0));
        }
      }
      double u = r.Uniform();
      p.applicant = std::min(
          population - 1, static_cast<int64_t>(static_cast<double>(population) * u * std::sqrt(u)));
      plans.push_back(p);
    }
    std::sort(plans.begin() + static_cast<std::ptrdiff_t>(day_start), plans.end(),
              [](const Plan& a, const Plan& b) {
                return a.submitted != b.submitted ? a.submitted < b.submitted : a.seed < b.seed;
              });
  }
  // The demo citizen files a few of the demo unit's dossiers, spread over the history.
  if (unit.code == opt_.demo_unit && demo_citizen_.username.size() == 12 && !plans.empty()) {
    constexpr double kAt[] = {0.1, 0.3, 0.5, 0.7, 0.85, 0.97, 0.995, 1.0};
    for (size_t i = 0; i < std::size(kAt); ++i) {
      size_t at = std::min(plans.size() - 1, static_cast<size_t>(kAt[i] * plans.size()));
      Plan& p = plans[at];
      if (p.applicant == -1) continue;
      p.applicant = -1;
      p.forced = i == 2 ? 1 : (i == 5 ? 2 : 0);
      Instant counter_time = work_.Next(p.submitted);
      if (i == 1 && counter_time < opt_.now) {
        p.channel = Channel::kCounter;  // one filed at the counter for them
        p.submitted = counter_time;
      } else {
        Rng r(Mix(p.seed, 0xde30ULL));
        if (p.procedure->needs_presence) p.procedure = mix.Pick(r, true);
        p.channel = Channel::kOnline;
      }
    }
    // Counter filing moved into office hours may reorder the day: keep time order.
    std::stable_sort(plans.begin(), plans.end(),
                     [](const Plan& a, const Plan& b) { return a.submitted < b.submitted; });
  }
  return plans;
}

// One dossier's lifecycle, executed action by action at planned instants until it ends or the
// next instant is after `now`.
Status Generator::RunDossier(size_t unit_index, const std::string& unit, const Plan& plan) {
  Rng r(Mix(plan.seed, 0x51ed2701ULL));
  const Procedure& proc = plan.procedure->entry->procedure;
  const Officers& home = officers_.at(unit);
  Applicant applicant;
  Principal citizen;
  if (plan.applicant < 0) {
    applicant.id_number = demo_citizen_.username;
    applicant.full_name =
        demo_citizen_.full_name.empty() ? "Nguyễn Văn An" : demo_citizen_.full_name;
    applicant.phone = "0912345678";
    applicant.email = "an.nguyen@example.vn";
    citizen = demo_citizen_;
  } else {
    applicant = history::MakeApplicant(unit_index, plan.applicant, rates_, demo_citizen_.username);
    citizen = Principal{0, applicant.id_number, Role::kCitizen, "", applicant.full_name};
  }
  bool online = plan.channel == Channel::kOnline;
  SubmitRequest req;
  req.procedure_id = proc.id;
  req.channel = plan.channel;
  req.unit = unit;
  req.applicant = applicant;
  clock_.Set(plan.submitted);
  req.components = Components(proc, applicant, online ? citizen : home.reception, online, r);
  if (plan.procedure->fee_vnd > 0) {
    char ref[32];
    std::snprintf(ref, sizeof ref, "%012llx",
                  static_cast<unsigned long long>(r.Next() & 0xffffffffffffULL));
    if (!online) {
      req.payment =
          Payment{"counter", plan.procedure->fee_vnd, std::string("BL-") + ref, plan.submitted};
    } else if (r.Chance(rates_.pay_online)) {
      req.payment =
          Payment{"online", plan.procedure->fee_vnd, std::string("PAYGOV-") + ref, plan.submitted};
    } else {
      req.payment = Payment{"counter", plan.procedure->fee_vnd, "", std::nullopt};
    }
  }
  auto created = service_->Submit(online ? citizen : home.reception, req);
  if (!created) {
    return tl::unexpected(
        WithContext(created.error(), "history: filing " + proc.id + " at " + unit));
  }
  Dossier d = std::move(created->dossier);
  Instant last = plan.submitted;
  bool cut = false;  // the next step is after now: the dossier stays in progress
  // Takes an action at `at` (not before the previous one); false once cut or failed.
  Status failure;
  auto act = [&](const Principal& who, Instant at, ActionRequest a) -> bool {
    if (cut || !failure) return false;
    at = std::max(at, last + minutes(1));
    if (at > opt_.now) {
      cut = true;
      return false;
    }
    clock_.Set(at);
    a.version = d.version;
    auto next = service_->Act(who, d.code, a);
    if (!next) {
      failure = tl::unexpected(
          WithContext(next.error(), "history: " + std::string(ActionName(a.action)) + " on " +
                                        d.code + " (" + std::string(StateName(d.state)) + ")"));
      return false;
    }
    d = std::move(*next);
    last = at;
    return true;
  };
  auto note = [](DossierAction action, std::string text) {
    ActionRequest a;
    a.action = action;
    a.note = std::move(text);
    return a;
  };
  auto finish = [&]() -> Status {
    if (!failure) return failure;
    auto taken = store_->Take(d.code);
    MOTCUA_RETURN_IF_ERROR(taken);
    return Emit(std::move(*taken));
  };
  auto supplement_components = [&]() {
    std::vector<DossierComponent> out;
    for (const DossierComponent& c : d.components) {
      if (c.source == ComponentSource::kUploaded || c.source == ComponentSource::kPaperScan) {
        DossierComponent n = c;
        for (const ProcedureComponent& pc : proc.components) {
          if (pc.id == c.component_id) n.file_sha256 = SampleSha(pc.doc_type, r);
        }
        n.file_name = c.component_id + "-bo-sung.pdf";
        out.push_back(std::move(n));
        break;
      }
    }
    return out;
  };
  const Principal& supplier = online ? citizen : home.reception;
  static const std::vector<std::string> kMissing = {
      "Bổ sung bản chụp rõ nét giấy tờ tùy thân; tờ khai thiếu chữ ký của người yêu cầu.",
      "Tờ khai chưa ghi đầy đủ thông tin nơi cư trú; bổ sung giấy tờ chứng minh.",
      "Bản chụp giấy tờ kèm theo bị mờ, không đọc được; đề nghị nộp lại bản rõ nét.",
      "Thiếu văn bản ủy quyền của người có yêu cầu; thông tin trên tờ khai chưa khớp."};
  static const std::vector<std::string> kRefusals = {
      "Hồ sơ không thuộc thẩm quyền giải quyết của đơn vị.",
      "Người nộp không đủ điều kiện theo quy định của thủ tục.",
      "Hồ sơ trùng với hồ sơ đã được giải quyết trước đó.",
      "Giấy tờ kèm theo không hợp lệ theo quy định."};

  // Outcome, drawn once.
  bool refuse =
      plan.forced == 1 || (plan.forced == 0 && online && r.Chance(rates_.refuse_at_reception));
  bool withdraw = plan.forced == 0 && !refuse && r.Chance(rates_.withdraw);
  bool stop = plan.forced == 0 && !refuse && !withdraw && r.Chance(rates_.stop);
  int supplements = plan.forced == 2 ? 1 : (r.Chance(rates_.supplement) ? 1 : 0);
  if (supplements > 0 && plan.forced == 0 && r.Chance(rates_.second_supplement)) supplements = 2;
  bool unanswered = plan.forced == 2 || (supplements > 0 && r.Chance(rates_.unanswered_supplement));
  bool at_reception = online && supplements > 0 && (plan.forced == 2 || r.Chance(0.5));
  double u = r.Uniform();
  enum class End { kEarly, kOnTheDay, kLate, kApology } end = End::kEarly;
  if (u < rates_.late) {
    end = End::kLate;
  } else if (u < rates_.late + rates_.apology) {
    end = End::kApology;
  } else if (u < rates_.late + rates_.apology + rates_.on_the_day) {
    end = End::kOnTheDay;
  }
  if (supplements > 0 && end == End::kOnTheDay) end = End::kEarly;  // the pause shifts the end

  // Asks for a supplement at `at`; the applicant answers after 1-5 days unless `never`. Returns
  // the pause (0 if unanswered or cut).
  auto supplement_round = [&](const Principal& asker, Instant at, bool never) -> bool {
    if (!act(asker, at,
             note(DossierAction::kRequestSupplement, kMissing[r.Below(kMissing.size())])))
      return false;
    if (never) {
      // Refused once the time for supplementing is over (15 working days).
      act(home.reception, work_.Add(last, 15 * work_.DayMinutes()),
          note(DossierAction::kRefuse, "Quá thời hạn bổ sung hồ sơ theo yêu cầu."));
      return false;
    }
    Instant answer = last + hours(r.Between(20, 120));
    if (!online) answer = work_.Next(answer);
    ActionRequest s;
    s.action = DossierAction::kSupplement;
    s.components = supplement_components();
    return act(supplier, answer, s);
  };

  // Reception of an online dossier.
  if (online) {
    Instant rx = work_.Add(plan.submitted, r.Between(10, 300));
    if (refuse) {
      if (act(home.reception, rx,
              note(DossierAction::kRefuse, kRefusals[r.Below(kRefusals.size())])) &&
          r.Chance(rates_.complain_after_refusal)) {
        act(citizen, last + hours(r.Between(4, 96)),
            note(DossierAction::kComplain, "Đề nghị xem xét lại lý do từ chối tiếp nhận hồ sơ."));
      }
      return finish();
    }
    if (at_reception) {
      bool never = unanswered && supplements == 1;
      if (!supplement_round(home.reception, rx, never)) return finish();
      --supplements;
      rx = work_.Add(last, r.Between(10, 240));
    }
    if (!act(home.reception, rx, ActionRequest{DossierAction::kReceive})) return finish();
  }
  if (!failure) return failure;
  Instant received = *d.received_at, due = *d.due_at;
  // Working time from receipt to the planned end (before any pause).
  int64_t span = std::max<int64_t>(work_.Between(received, due), 1);
  Instant due_day = VnAt(VnDay(due), work_.hours().morning_start);
  int64_t target;
  switch (end) {
    case End::kEarly: {
      int64_t before_day = work_.Between(received, due_day);
      double f = supplements > 0 ? 0.15 + 0.45 * r.Uniform() : 0.1 + 0.85 * r.Uniform();
      target = before_day > 0 ? std::max<int64_t>(1, static_cast<int64_t>(f * before_day))
                              : std::max<int64_t>(1, static_cast<int64_t>(f * span));
      break;
    }
    case End::kOnTheDay: {
      int64_t lo = work_.Between(received, due_day);
      target = lo + static_cast<int64_t>((span - lo - 1) * r.Uniform());
      break;
    }
    case End::kLate:
      target = span + r.Between(30, 3 * work_.DayMinutes());
      break;
    case End::kApology:
      target = span + r.Between(30, 2 * work_.DayMinutes());
      break;
  }
  target = std::max<int64_t>(target, 4);
  // Instants along the working-time line from receipt; a supplement pause shifts what follows.
  Instant base = received;
  int64_t base_offset = 0;
  auto at = [&](double fraction) {
    int64_t offset = static_cast<int64_t>(fraction * static_cast<double>(target));
    return work_.Add(base, std::max<int64_t>(0, offset - base_offset));
  };
  act(home.reception, at(0.04), [&] {
    ActionRequest a;
    a.action = DossierAction::kAssign;
    a.to_user = home.specialist.username;
    return a;
  }());
  if (withdraw) {
    act(citizen, at(0.3) + minutes(r.Between(0, 600)), ActionRequest{DossierAction::kWithdraw});
    return finish();
  }
  if (end == End::kApology && span > 30) {
    // Form 04 before the appointment, with a new date two to four working days later.
    ActionRequest a = note(DossierAction::kApologise,
                           "Hồ sơ cần xác minh thêm với cơ quan liên quan nên chưa trả đúng hẹn.");
    a.new_due = work_.Add(due, 2 * work_.DayMinutes() + r.Between(0, 2 * work_.DayMinutes()));
    Instant when =
        std::max(work_.Add(received, std::max<int64_t>(1, span * 7 / 10)), last + minutes(1));
    if (when < due && !act(home.leader, when, a)) return finish();
  }
  double next_fraction = 0.1;
  while (supplements > 0 && !cut && failure) {
    double fraction = next_fraction + 0.25 * r.Uniform();
    Instant asked = at(fraction);
    bool never = unanswered && supplements == 1;
    if (!supplement_round(home.specialist, asked, never)) return finish();
    base = last;
    base_offset = static_cast<int64_t>(fraction * static_cast<double>(target));
    next_fraction = fraction + 0.05;
    --supplements;
  }
  if (stop) {
    act(home.leader, at(0.5),
        note(DossierAction::kStop, "Người yêu cầu đề nghị dừng giải quyết; hồ sơ được trả lại."));
    return finish();
  }
  // Inter-agency steps: forwarded along the visited units and back.
  const auto& visits = plan.procedure->visits;
  for (size_t i = 0; i < visits.size(); ++i) {
    double f = 0.15 + 0.6 * static_cast<double>(i) / static_cast<double>(visits.size());
    const Principal& from = i == 0 ? home.specialist : officers_.at(visits[i - 1]).specialist;
    ActionRequest fw;
    fw.action = DossierAction::kForward;
    fw.to_unit = visits[i];
    fw.note = "Chuyển xử lý liên thông.";
    act(from, at(f), fw);
    const Officers& there = officers_.at(visits[i]);
    ActionRequest as;
    as.action = DossierAction::kAssign;
    as.to_user = there.specialist.username;
    act(there.leader, at(f + 0.05), as);
  }
  if (!visits.empty()) {
    ActionRequest back;
    back.action = DossierAction::kForward;
    back.to_unit = unit;
    back.note = "Đã xử lý xong phần việc liên thông, chuyển trả.";
    act(officers_.at(visits.back()).specialist, at(0.78), back);
  }
  act(home.leader, at(0.9), ActionRequest{DossierAction::kApprove});
  ActionRequest issue;
  issue.action = DossierAction::kIssueResult;
  issue.result_sha256 = SampleSha(
      plan.procedure->result_types.empty() ? "decision" : plan.procedure->result_types.front(), r);
  if (!act(home.specialist, at(1.0), issue)) return finish();
  Instant returned = online && plan.procedure->electronic_return
                         ? last + minutes(r.Between(2, 60))
                         : work_.Add(last, r.Between(30, 4 * work_.DayMinutes()));
  if (!act(home.reception, returned, ActionRequest{DossierAction::kReturnResult})) {
    return finish();
  }
  bool dissatisfied = false;
  if (r.Chance(rates_.rate)) {
    double v = r.Uniform();
    ActionRequest rate;
    rate.action = DossierAction::kRate;
    rate.rating = v < rates_.satisfied                    ? "satisfied"
                  : v < rates_.satisfied + rates_.neutral ? "neutral"
                                                          : "dissatisfied";
    dissatisfied = rate.rating == "dissatisfied";
    if (dissatisfied) rate.note = "Thời gian chờ đợi lâu.";
    act(citizen, last + minutes(r.Between(10, 72 * 60)), rate);
  }
  if (r.Chance(dissatisfied ? 0.25 : rates_.complain_after_return)) {
    act(citizen, last + hours(r.Between(6, 120)),
        note(DossierAction::kComplain, "Đề nghị giải thích về thời gian giải quyết hồ sơ."));
  }
  return finish();
}

Status Generator::Emit(HistoryDossier h) {
  const Dossier& d = h.dossier;
  HistorySummary& s = summary_;
  ++s.dossiers;
  s.audit_entries += static_cast<int64_t>(h.audit.size());
  s.outbox_messages += static_cast<int64_t>(h.outbox.size());
  s.complaints += static_cast<int64_t>(h.complaints.size());
  s.files_named += static_cast<int64_t>(h.files.size());
  ++s.by_state[std::string(StateName(d.state))];
  ++s.by_channel[std::string(ChannelName(d.channel))];
  if (d.received_at) {
    DeadlineStatus st = service_->DeadlineOf(d, opt_.now);
    ++s.by_deadline[std::string(DeadlineStatusName(st))];
    if (d.state == DossierState::kDone || d.state == DossierState::kReturned) {
      ++s.settled;
      if (st == DeadlineStatus::kEarly || st == DeadlineStatus::kOnTime) ++s.settled_in_time;
    }
  }
  if (d.payment) {
    ++s.fee_bearing;
    if (d.payment->method == "online" && d.payment->paid_at) ++s.paid_online;
  }
  bool reuse = false, national = false, all_files = !d.components.empty();
  for (const DossierComponent& c : d.components) {
    reuse = reuse || c.source == ComponentSource::kReused;
    national = national || c.source == ComponentSource::kNationalDb;
    all_files = all_files && (!c.file_sha256.empty() || c.source == ComponentSource::kNationalDb);
  }
  s.with_reuse += reuse;
  s.with_national_db += national;
  if (!d.result_sha256.empty()) {
    ++s.electronic_results;
    s.digitised += all_files;
  }
  if (!d.rating.empty()) {
    ++s.rated;
    s.satisfied += d.rating == "satisfied";
  }
  s.demo_citizen_dossiers += d.applicant.id_number == demo_citizen_.username;
  batch_.push_back(std::move(h));
  if (batch_.size() >= std::max<size_t>(1, opt_.batch_size)) return Flush();
  return {};
}

Status Generator::Flush() {
  if (batch_.empty()) return {};
  std::vector<HistoryDossier> out;
  out.swap(batch_);
  batch_.reserve(opt_.batch_size);
  if (auto st = target_.sink.Write(std::move(out)); !st) return st;
  if (progress_) progress_(summary_);
  return {};
}

Result<HistorySummary> Generator::Run() {
  if (opt_.months < 1 || opt_.months > 120) {
    return Fail(ErrorCode::kInvalidField, "months must be 1 to 120.", "Số tháng từ 1 đến 120.",
                "months");
  }
  if (opt_.dossiers < 0) {
    return Fail(ErrorCode::kInvalidField, "dossiers must not be negative.",
                "Số hồ sơ không được âm.", "dossiers");
  }
  {
    std::chrono::year_month_day today(VnDay(opt_.now));
    std::chrono::year_month_day from = today - std::chrono::months(opt_.months);
    if (!from.ok())
      from = std::chrono::year_month_day(from.year() / from.month() / std::chrono::last);
    start_ = VnAt(sys_days(from), minutes(0));
  }
  MOTCUA_RETURN_IF_ERROR(Prepare());
  const UnitDirectory& units = *in_.units;
  // The units that receive dossiers: communes and wards, then agencies with procedures.
  std::vector<const Unit*> communes, agencies;
  for (const Unit* u : units.Children(in_.province_code)) {
    if (u->category == UnitCategory::kAdministrative && QuarterVolume(*u) > 0)
      communes.push_back(u);
  }
  std::map<std::string, ProcedureMix> agency_mix;
  ProcedureMix commune_mix;
  std::set<std::string> visited;
  for (const ProcedureInfo& p : procedures_) {
    if (p.lodged_at.empty()) {
      commune_mix.Add(&p);
    } else {
      agency_mix[p.lodged_at].Add(&p);
    }
    visited.insert(p.visits.begin(), p.visits.end());
  }
  for (const auto& [code, mix] : agency_mix) agencies.push_back(units.Find(code));
  if (communes.empty() || commune_mix.items.empty()) {
    return Fail(ErrorCode::kInvalidField, "The province has no communes or commune procedures.",
                "Tỉnh không có xã, phường hoặc thủ tục cấp xã.", "province");
  }
  // Volumes: the communes' quarterly sizes, the agencies' share split by procedure weights.
  double commune_total = 0, agency_weight = 0;
  for (const Unit* u : communes) commune_total += QuarterVolume(*u);
  for (const auto& [code, mix] : agency_mix) agency_weight += mix.cumulative.back();
  double agency_total = commune_total * rates_.agency_share / (1 - rates_.agency_share);
  double scale = static_cast<double>(opt_.dossiers) / (commune_total + agency_total);
  std::vector<std::pair<const Unit*, double>> exact;
  for (const Unit* u : communes) exact.emplace_back(u, QuarterVolume(*u) * scale);
  for (const Unit* u : agencies) {
    exact.emplace_back(
        u, agency_total * scale * agency_mix[u->code].cumulative.back() / agency_weight);
  }
  // Dossiers per unit (cumulative rounding: they add up to the total exactly).
  std::vector<int64_t> counts;
  {
    double cumulative = 0;
    int64_t assigned = 0;
    for (const auto& [u, x] : exact) {
      cumulative += x;
      int64_t upto = std::llround(cumulative);
      counts.push_back(upto - assigned);
      assigned = upto;
    }
  }
  // Officers of every unit that acts (receives dossiers, or is visited by them).
  for (size_t i = 0; i < exact.size(); ++i) {
    if (counts[i] > 0) visited.insert(exact[i].first->code);
  }
  MOTCUA_RETURN_IF_ERROR(EnsureOfficers(visited));
  if (!opt_.demo_citizen.empty()) {
    auto found = target_.accounts.FindUser(opt_.demo_citizen);
    MOTCUA_RETURN_IF_ERROR(found);
    demo_citizen_ = Principal{*found ? (*found)->id : 0, opt_.demo_citizen, Role::kCitizen, "",
                              *found ? (*found)->full_name : ""};
  }
  std::vector<FileRecord> files;
  for (const SampleFile& s : in_.samples) files.push_back(s.file);
  accounts_ = std::make_unique<MemoryAccounts>(users_);
  files_ = std::make_unique<MemoryFiles>(/*shared=*/true);
  for (const FileRecord& f : files) files_->RecordFileAsync(f, 0, [](Status) {});
  std::map<std::string, std::vector<FileRecord>> by_type;
  for (const SampleFile& sample : in_.samples) by_type[sample.doc_type].push_back(sample.file);
  national_ = std::make_unique<MemoryNationalRegistry>(std::move(by_type));
  store_ = std::make_unique<HistoryStore>(clock_, std::move(files));
  service_ = std::make_unique<DossierService>(
      DossierPorts{*store_, *store_, *files_, *accounts_, *national_}, clock_, deadlines_,
      [c = in_.catalog] { return c; }, [u = in_.units] { return u; }, in_.province_code, inline_);
  batch_.reserve(opt_.batch_size);
  for (size_t i = 0; i < exact.size(); ++i) {
    const Unit& unit = *exact[i].first;
    const ProcedureMix& mix =
        unit.category == UnitCategory::kAdministrative ? commune_mix : agency_mix[unit.code];
    double online_p = std::min(0.995, rates_.online / std::max(0.5, mix.OnlineCapableShare()));
    auto planned = PlanUnit(i, unit, counts[i], mix, online_p);
    if (!planned) {
      (void)target_.sink.Finish();
      return tl::unexpected(planned.error());
    }
    std::vector<Plan> plans = std::move(*planned);
    if (!plans.empty()) ++summary_.units;
    std::vector<bool> seen;
    for (const Plan& p : plans) {
      if (p.applicant >= 0) {
        if (seen.size() <= static_cast<size_t>(p.applicant)) seen.resize(p.applicant + 1);
        if (!seen[p.applicant]) ++summary_.applicants;
        seen[p.applicant] = true;
      }
      if (auto st = RunDossier(i, unit.code, p); !st) {
        (void)target_.sink.Finish();
        return tl::unexpected(st.error());
      }
    }
    store_->ForgetApplicantsAndCounters();
  }
  if (auto st = Flush(); !st) {
    (void)target_.sink.Finish();
    return tl::unexpected(st.error());
  }
  MOTCUA_RETURN_IF_ERROR(target_.sink.Finish());
  if (summary_.demo_citizen_dossiers > 0) ++summary_.applicants;
  return summary_;
}

}  // namespace

Result<std::vector<SampleDocument>> MakeSampleDocuments(const Catalog& catalog,
                                                        const render::FontPair& fonts,
                                                        int per_type) {
  std::set<std::string> types;
  for (const CatalogEntry& e : catalog.entries()) {
    for (const ProcedureComponent& c : e.procedure.components) types.insert(c.doc_type);
    for (std::string& t : ResultTypes(e.procedure)) types.insert(std::move(t));
  }
  types.insert("decision");
  std::vector<SampleDocument> out;
  for (const std::string& t : types) {
    for (int i = 1; i <= per_type; ++i) {
      auto pdf = history::SamplePdf(fonts, "Tài liệu mẫu (demo motcua)",
                                    "Loại giấy tờ: " + t + ". Bản số " + std::to_string(i) + ".");
      MOTCUA_RETURN_IF_ERROR(pdf);
      out.push_back({t, std::move(*pdf)});
    }
  }
  return out;
}

double QuarterVolume(const Unit& unit) {
  if (unit.category != UnitCategory::kAdministrative) return 0;
  double h = CodeFraction(unit.code);
  if (unit.code == "08746") return 2800;        // Phường Xuân Hòa (domain.md §6)
  if (unit.code == "07900") return 2800 * 1.6;  // Phường Việt Trì, the provincial capital
  if (unit.kind == "phuong") return 2800 * (0.7 + 0.8 * h);
  if (unit.kind == "xa") return 180 + 320 * h;
  if (unit.kind == "dac_khu") return 400;
  return 0;
}

int64_t DefaultHistorySize(const UnitDirectory& units, std::string_view province_code, int months,
                           const HistoryRates& rates) {
  double total = 0;
  for (const Unit* u : units.Children(province_code)) total += QuarterVolume(*u);
  total /= (1 - rates.agency_share);
  return std::llround(total * months / 3.0);
}

Result<HistorySummary> GenerateHistory(HistoryTarget target, const HistoryInputs& in,
                                       const HistoryOptions& options,
                                       const std::function<void(const HistorySummary&)>& progress) {
  if (!in.catalog || !in.units || !in.calendar) {
    return Fail(ErrorCode::kInvalidField, "A history needs the catalog, units and calendar.");
  }
  Generator g(target, in, options, progress);
  return g.Run();
}

}  // namespace motcua
