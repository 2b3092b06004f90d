#include "domain/dossier/dossier.h"
#include "common/vn_time.h"

#include <array>
#include <cstdio>
#include <set>

#include "common/text.h"

namespace motcua {
namespace {

constexpr std::array<std::pair<Channel, std::string_view>, 3> kChannels = {
    {{Channel::kCounter, "counter"}, {Channel::kOnline, "online"}, {Channel::kPostal, "postal"}}};
constexpr std::array<std::pair<ComponentSource, std::string_view>, 4> kSources = {{
    {ComponentSource::kUploaded, "uploaded"},
    {ComponentSource::kPaperScan, "paper_scan"},
    {ComponentSource::kReused, "reused"},
    {ComponentSource::kNationalDb, "national_db"},
}};

Status Invalid(std::string field, std::string en, std::string vi) {
  return Fail(ErrorCode::kInvalidField, std::move(en), std::move(vi), std::move(field));
}

}  // namespace

std::string_view ChannelName(Channel c) {
  for (auto [k, n] : kChannels) {
    if (k == c) return n;
  }
  return "online";
}

std::optional<Channel> ParseChannel(std::string_view name) {
  for (auto [k, n] : kChannels) {
    if (n == name) return k;
  }
  return std::nullopt;
}

std::string_view SourceName(ComponentSource s) {
  for (auto [k, n] : kSources) {
    if (k == s) return n;
  }
  return "uploaded";
}

std::optional<ComponentSource> ParseSource(std::string_view name) {
  for (auto [k, n] : kSources) {
    if (n == name) return k;
  }
  return std::nullopt;
}

bool IsPaymentMethod(std::string_view m) { return m == "online" || m == "counter"; }

Status ValidateIntake(const Dossier& d, const Procedure& p) {
  const Applicant& a = d.applicant;
  bool digits = a.id_number.size() == 12;
  for (char c : a.id_number) digits = digits && c >= '0' && c <= '9';
  if (!digits) {
    return Invalid("applicant.id_number", "The ID number has 12 digits.",
                   "Số định danh cá nhân gồm 12 chữ số.");
  }
  if (a.full_name.empty() || Utf8Length(a.full_name) > 200) {
    return Invalid("applicant.full_name",
                   "The applicant's name is required (at most 200 characters).",
                   "Cần họ tên người nộp (tối đa 200 ký tự).");
  }
  std::set<std::string, std::less<>> seen;
  for (size_t i = 0; i < d.components.size(); ++i) {
    const DossierComponent& c = d.components[i];
    std::string where = "components[" + std::to_string(i) + "]";
    bool known = false;
    for (const auto& pc : p.components) known = known || pc.id == c.component_id;
    if (!known) {
      return Invalid(where + ".component_id",
                     "Procedure " + p.id + " has no component '" + c.component_id + "'.",
                     "Thủ tục " + p.id + " không có thành phần '" + c.component_id + "'.");
    }
    if (!seen.insert(c.component_id).second) {
      return Invalid(where + ".component_id", "Component '" + c.component_id + "' given twice.",
                     "Thành phần '" + c.component_id + "' bị nộp hai lần.");
    }
    bool needs_file =
        c.source == ComponentSource::kUploaded || c.source == ComponentSource::kPaperScan;
    if (needs_file && c.file_sha256.size() != 64) {
      return Invalid(where + ".file", "An uploaded component needs its file.",
                     "Thành phần tải lên cần có tệp đính kèm.");
    }
    if (c.source == ComponentSource::kReused || c.source == ComponentSource::kNationalDb) {
      bool reusable = false;
      for (const auto& pc : p.components)
        reusable = reusable || (pc.id == c.component_id && pc.reusable);
      if (!reusable) {
        return Invalid(
            where + ".source", "Component '" + c.component_id + "' cannot be reused; upload it.",
            "Thành phần '" + c.component_id + "' không được tái sử dụng; vui lòng tải lên.");
      }
    }
  }
  for (const auto& pc : p.components) {
    if (pc.required && !seen.contains(pc.id)) {
      return Fail(ErrorCode::kMissingField,
                  "Required component '" + pc.id + "' (" + pc.name + ") is missing.",
                  "Thiếu thành phần bắt buộc '" + pc.id + "' (" + pc.name + ").", "components");
    }
  }
  if (d.payment) {
    if (!IsPaymentMethod(d.payment->method)) {
      return Invalid("payment.method", "payment.method must be online or counter.",
                     "payment.method phải là online hoặc counter.");
    }
    if (d.payment->amount_vnd < 0 || d.payment->amount_vnd > kMaxPaymentVnd) {
      return Invalid("payment.amount_vnd", "payment.amount_vnd must be 0 to 10000000000.",
                     "payment.amount_vnd phải từ 0 đến 10000000000.");
    }
    if (Utf8Length(d.payment->reference) > kMaxPaymentReference) {
      return Invalid("payment.reference", "payment.reference has at most 64 characters.",
                     "payment.reference tối đa 64 ký tự.");
    }
  }
  return {};
}

Result<std::string> FormatDossierCode(std::string_view unit_code, Instant day, int64_t seq) {
  if (seq < 1 || seq > kMaxDailySequence) {
    return Fail(ErrorCode::kUnavailable, "The unit's daily dossier sequence is exhausted.",
                "Đã hết số thứ tự hồ sơ trong ngày của đơn vị.");
  }
  std::chrono::year_month_day ymd(VietnamDay(day));
  char buf[32];
  std::snprintf(buf, sizeof buf, "-%02d%02u%02u-%04lld", int(ymd.year()) % 100,
                unsigned(ymd.month()), unsigned(ymd.day()), static_cast<long long>(seq));
  return std::string(unit_code) + buf;
}

std::optional<DossierCodeParts> ParseDossierCode(std::string_view code) {
  // <unit code>-YYMMDD-NNNN (4 to 7 digits); the unit code is 1-48 of [A-Za-z0-9._].
  if (code.size() < 14 || code.size() > 63) return std::nullopt;
  size_t last_dash = code.rfind('-');
  if (last_dash == std::string_view::npos || last_dash < 8) return std::nullopt;
  std::string_view number = code.substr(last_dash + 1);
  if (number.size() < 4 || number.size() > 7 || (number.size() > 4 && number[0] == '0')) {
    return std::nullopt;  // a wider number only once 9,999 is passed: no leading zero
  }
  std::string_view day = code.substr(last_dash - 6, 6);
  std::string_view unit = code.substr(0, last_dash - 7);
  if (code[last_dash - 7] != '-' || unit.empty()) return std::nullopt;
  int64_t seq = 0;
  for (char c : number) {
    if (c < '0' || c > '9') return std::nullopt;
    seq = seq * 10 + (c - '0');
  }
  for (char c : day) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  for (char c : unit) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_')) return std::nullopt;
  }
  if (seq < 1) return std::nullopt;
  return DossierCodeParts{unit, day, seq};
}

bool LooksLikeDossierCode(std::string_view code) { return ParseDossierCode(code).has_value(); }

std::string_view DeadlineStatusName(DeadlineStatus s) {
  switch (s) {
    case DeadlineStatus::kEarly:
      return "early";
    case DeadlineStatus::kOnTime:
      return "on_time";
    case DeadlineStatus::kInTime:
      return "in_time";
    case DeadlineStatus::kOverdue:
      return "overdue";
    case DeadlineStatus::kLate:
      return "late";
  }
  return "in_time";
}

namespace detail {

Instant AdjustedEnd(const DeadlineFacts& f, Instant at, bool* finished) {
  *finished = f.finished_at.has_value();
  Instant end = f.finished_at.value_or(at);
  std::chrono::microseconds supplemented{0};
  for (const SupplementPeriod& s : f.supplements) {
    if (s.supplied_at) {
      supplemented += *s.supplied_at - s.requested_at;
    } else if (!f.finished_at) {
      end = std::min(end, s.requested_at);  // never answered: the request ends it
    }
  }
  return end - supplemented;
}

bool SameVietnamDay(Instant a, Instant b) { return VietnamDay(a) == VietnamDay(b); }

}  // namespace detail

bool IsRating(std::string_view r) {
  return r == "satisfied" || r == "neutral" || r == "dissatisfied";
}

}  // namespace motcua
