#include "storage/dossier_rows.h"

#include <array>
#include <boost/json.hpp>
#include <limits>

#include "common/text.h"

namespace motcua::storage {
namespace {

SqlValue OptTime(const std::optional<Instant>& t) {
  if (!t) return SqlValue{};
  return SqlValue{int64_t{t->time_since_epoch().count()}};
}

std::optional<Instant> ReadOptTime(const SqlRow& r, size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return Instant(std::chrono::microseconds(r.Int(i)));
}

std::string Str(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

int64_t Int(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_int64() ? v->get_int64() : 0;
}

void ReadSupplements(const boost::json::object& o, std::vector<SupplementPeriod>& out) {
  const auto* ss = o.if_contains("supplements");
  if (ss == nullptr || !ss->is_array()) return;
  for (const auto& s : ss->as_array()) {
    if (!s.is_object()) continue;
    SupplementPeriod p;
    p.requested_at = Instant(std::chrono::microseconds(Int(s.as_object(), "requested_at")));
    if (s.as_object().contains("supplied_at")) {
      p.supplied_at = Instant(std::chrono::microseconds(Int(s.as_object(), "supplied_at")));
    }
    p.resume_state =
        ParseState(Str(s.as_object(), "resume_state")).value_or(DossierState::kReceived);
    out.push_back(p);
  }
}

}  // namespace

std::vector<SqlValue> DossierParams(const Dossier& d) {
  boost::json::object data;
  data["procedure_name"] = d.procedure_name;
  data["applicant"] = {{"id_number", d.applicant.id_number},
                       {"full_name", d.applicant.full_name},
                       {"phone", d.applicant.phone},
                       {"email", d.applicant.email},
                       {"address", d.applicant.address}};
  boost::json::array comps;
  for (const auto& c : d.components) {
    comps.push_back({{"component_id", c.component_id},
                     {"source", SourceName(c.source)},
                     {"file_sha256", c.file_sha256},
                     {"file_name", c.file_name},
                     {"file_size", c.file_size},
                     {"media_type", c.media_type}});
  }
  data["components"] = std::move(comps);
  boost::json::array sups;
  for (const auto& s : d.supplements) {
    boost::json::object o{{"requested_at", s.requested_at.time_since_epoch().count()}};
    if (s.supplied_at) o["supplied_at"] = s.supplied_at->time_since_epoch().count();
    o["resume_state"] = StateName(s.resume_state);
    sups.push_back(std::move(o));
  }
  data["supplements"] = std::move(sups);
  boost::json::array path;
  for (const auto& u : d.path_units) path.emplace_back(u);
  data["path_units"] = std::move(path);
  data["result_sha256"] = d.result_sha256;
  data["apologies"] = d.apologies;
  if (!d.rating.empty()) {
    data["rating_comment"] = d.rating_comment;
    if (d.rated_at) data["rated_at"] = d.rated_at->time_since_epoch().count();
  }
  data["complaints"] = d.complaints;
  if (d.payment) {
    boost::json::object pay{{"method", d.payment->method},
                            {"amount_vnd", d.payment->amount_vnd},
                            {"reference", d.payment->reference}};
    if (d.payment->paid_at) pay["paid_at"] = d.payment->paid_at->time_since_epoch().count();
    data["payment"] = std::move(pay);
  }
  int64_t due_sort =
      d.due_at ? d.due_at->time_since_epoch().count() : std::numeric_limits<int64_t>::max();
  return {d.code,
          d.procedure_id,
          d.procedure_version,
          int64_t{static_cast<int>(d.channel)},
          d.receiving_unit,
          d.current_unit,
          d.assignee_user_id,
          std::string(StateName(d.state)),
          d.version,
          d.applicant.id_number,
          FoldForSearch(d.applicant.full_name),
          d.applicant_user_id,
          int64_t{d.submitted_at.time_since_epoch().count()},
          OptTime(d.received_at),
          OptTime(d.due_at),
          due_sort,
          OptTime(d.finished_at),
          OptTime(d.returned_at),
          boost::json::serialize(data),
          d.rating.empty() ? SqlValue{} : SqlValue{d.rating}};
}

Dossier ReadDossier(const SqlRow& r, size_t b) {
  Dossier d;
  d.code = r.Str(b + 0);
  d.procedure_id = r.Str(b + 1);
  d.procedure_version = r.Int(b + 2);
  d.channel = static_cast<Channel>(r.Int(b + 3));
  d.receiving_unit = r.Str(b + 4);
  d.current_unit = r.Str(b + 5);
  d.assignee_user_id = r.Int(b + 6);
  d.state = ParseState(r.Str(b + 7)).value_or(DossierState::kSubmitted);
  d.version = r.Int(b + 8);
  d.applicant_user_id = r.Int(b + 11);
  d.submitted_at = Instant(std::chrono::microseconds(r.Int(b + 12)));
  d.received_at = ReadOptTime(r, b + 13);
  d.due_at = ReadOptTime(r, b + 14);
  d.finished_at = ReadOptTime(r, b + 16);
  d.returned_at = ReadOptTime(r, b + 17);
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(r.Str(b + 18), ec);
  if (ec || !v.is_object()) return d;
  const auto& o = v.as_object();
  d.procedure_name = Str(o, "procedure_name");
  if (const auto* a = o.if_contains("applicant"); a && a->is_object()) {
    const auto& ao = a->as_object();
    d.applicant = {Str(ao, "id_number"), Str(ao, "full_name"), Str(ao, "phone"), Str(ao, "email"),
                   Str(ao, "address")};
  }
  if (const auto* cs = o.if_contains("components"); cs && cs->is_array()) {
    for (const auto& c : cs->as_array()) {
      if (!c.is_object()) continue;
      const auto& co = c.as_object();
      d.components.push_back({Str(co, "component_id"),
                              ParseSource(Str(co, "source")).value_or(ComponentSource::kUploaded),
                              Str(co, "file_sha256"), Str(co, "file_name"), Int(co, "file_size"),
                              Str(co, "media_type")});
    }
  }
  ReadSupplements(o, d.supplements);
  if (const auto* ps = o.if_contains("path_units"); ps && ps->is_array()) {
    for (const auto& u : ps->as_array()) {
      if (u.is_string()) d.path_units.emplace_back(u.get_string());
    }
  }
  d.result_sha256 = Str(o, "result_sha256");
  d.apologies = Int(o, "apologies");
  d.rating = r.Str(b + 19);
  if (!d.rating.empty()) {
    d.rating_comment = Str(o, "rating_comment");
    if (o.contains("rated_at")) d.rated_at = Instant(std::chrono::microseconds(Int(o, "rated_at")));
  }
  d.complaints = Int(o, "complaints");
  if (const auto* p = o.if_contains("payment"); p && p->is_object()) {
    const auto& po = p->as_object();
    Payment pay{Str(po, "method"), Int(po, "amount_vnd"), Str(po, "reference"), std::nullopt};
    if (po.contains("paid_at")) {
      pay.paid_at = Instant(std::chrono::microseconds(Int(po, "paid_at")));
    }
    d.payment = std::move(pay);
  }
  return d;
}

DossierLine ReadDossierLine(const SqlRow& r) {
  DossierLine d;
  d.code = r.Str(0);
  d.procedure_id = r.Str(1);
  d.procedure_version = r.Int(2);
  d.channel = static_cast<Channel>(r.Int(3));
  d.receiving_unit = r.Str(4);
  d.current_unit = r.Str(5);
  d.assignee_user_id = r.Int(6);
  d.state = ParseState(r.Str(7)).value_or(DossierState::kSubmitted);
  d.version = r.Int(8);
  d.submitted_at = Instant(std::chrono::microseconds(r.Int(9)));
  d.received_at = ReadOptTime(r, 10);
  d.due_at = ReadOptTime(r, 11);
  d.finished_at = ReadOptTime(r, 12);
  d.returned_at = ReadOptTime(r, 13);
  // The document is parsed into a buffer on the stack (spilling to the heap only when it is
  // larger) and dropped at once: a page reads 50 of them.
  std::array<unsigned char, 8192> buffer;
  boost::json::monotonic_resource arena(buffer.data(), buffer.size());
  // The document is ours (written by DossierParams from validated fields): its UTF-8 is not
  // checked again.
  boost::json::parse_options trusted;
  trusted.allow_invalid_utf8 = true;
  const auto* data = std::get_if<std::string>(&r.cols.at(14));
  boost::system::error_code ec;
  boost::json::value v =
      boost::json::parse(data ? std::string_view(*data) : std::string_view(), ec, &arena, trusted);
  if (ec || !v.is_object()) return d;
  const auto& o = v.as_object();
  d.procedure_name = Str(o, "procedure_name");
  if (const auto* a = o.if_contains("applicant"); a && a->is_object()) {
    d.applicant_name = Str(a->as_object(), "full_name");
  }
  ReadSupplements(o, d.supplements);
  return d;
}

}  // namespace motcua::storage
