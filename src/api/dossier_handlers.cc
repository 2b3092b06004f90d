// Dossiers: intake, the officer's queue, one dossier, workflow actions, its audit trail, and
// the public status lookup.
#include <boost/json.hpp>

#include "api/request_util.h"
#include "api/routes.h"
#include "common/crypto.h"
#include "common/json.h"
#include "common/text.h"

namespace motcua {

namespace asio = boost::asio;

namespace {

boost::json::value OptTime(const std::optional<Instant>& t) {
  return t ? boost::json::value(FormatIso8601Vn(*t)) : boost::json::value(nullptr);
}

boost::json::value PaymentJson(const std::optional<Payment>& p) {
  if (!p) return nullptr;
  return {{"method", p->method},
          {"amount_vnd", p->amount_vnd},
          {"reference", p->reference},
          {"paid_at", OptTime(p->paid_at)}};
}

// Reads the optional "payment" object of an intake: method online|counter, amount_vnd
// 0..kMaxPaymentVnd, reference of at most kMaxPaymentReference characters, paid_at ISO 8601.
Status ParsePayment(const boost::json::value& v, std::optional<Payment>& out) {
  JsonObjectReader pr(v, "payment");
  Payment p;
  auto method = pr.String("method", {true, 16, false});
  p.amount_vnd = pr.Int("amount_vnd", true, 0, kMaxPaymentVnd).value_or(0);
  p.reference = pr.String("reference", {false, kMaxPaymentReference, true}).value_or("");
  auto paid_at = pr.String("paid_at", {false, 40, false});
  if (method && !IsPaymentMethod(*method)) {
    pr.Reject(ErrorCode::kInvalidField, "method", "payment.method must be online or counter.",
              "payment.method phải là online hoặc counter.");
  }
  if (paid_at && !ParseIso8601(*paid_at)) {
    pr.Reject(ErrorCode::kInvalidField, "paid_at", "paid_at must be an ISO 8601 instant.",
              "paid_at phải là thời điểm theo ISO 8601.");
  }
  if (auto st = pr.Finish(); !st) return st;
  p.method = *method;
  if (paid_at) p.paid_at = ParseIso8601(*paid_at);
  out = std::move(p);
  return {};
}

boost::json::object DossierJson(const Dossier& d, DeadlineStatus status) {
  boost::json::array comps;
  for (const auto& c : d.components) {
    comps.push_back({{"component_id", c.component_id},
                     {"source", SourceName(c.source)},
                     {"file_sha256", c.file_sha256.empty() ? boost::json::value(nullptr)
                                                           : boost::json::value(c.file_sha256)},
                     {"file_name", c.file_name},
                     {"file_size", c.file_size},
                     {"media_type", c.media_type}});
  }
  boost::json::array sups;
  for (const auto& s : d.supplements) {
    sups.push_back({{"requested_at", FormatIso8601Vn(s.requested_at)},
                    {"supplied_at", OptTime(s.supplied_at)}});
  }
  boost::json::array path;
  for (const auto& u : d.path_units) path.emplace_back(u);
  boost::json::array allowed;
  for (DossierAction a : AllowedActions(d.state)) allowed.emplace_back(ActionName(a));
  return {{"code", d.code},
          {"procedure_id", d.procedure_id},
          {"procedure_version", d.procedure_version},
          {"procedure_name", d.procedure_name},
          {"channel", ChannelName(d.channel)},
          {"receiving_unit", d.receiving_unit},
          {"current_unit", d.current_unit},
          {"path_units", std::move(path)},
          {"state", StateName(d.state)},
          {"state_vi", StateNameVi(d.state)},
          {"version", d.version},
          {"applicant",
           {{"id_number", d.applicant.id_number},
            {"full_name", d.applicant.full_name},
            {"phone", d.applicant.phone},
            {"email", d.applicant.email},
            {"address", d.applicant.address}}},
          {"components", std::move(comps)},
          {"supplements", std::move(sups)},
          {"submitted_at", FormatIso8601Vn(d.submitted_at)},
          {"received_at", OptTime(d.received_at)},
          {"due_at", OptTime(d.due_at)},
          {"finished_at", OptTime(d.finished_at)},
          {"returned_at", OptTime(d.returned_at)},
          {"apologies", d.apologies},
          {"rating", d.rating.empty() ? boost::json::value(nullptr) : boost::json::value(d.rating)},
          {"rating_comment", d.rating_comment},
          {"complaints", d.complaints},
          {"payment", PaymentJson(d.payment)},
          {"deadline_status", DeadlineStatusName(status)},
          {"allowed_actions", std::move(allowed)}};
}

void WriteTime(JsonWriter& w, const std::optional<Instant>& t) {
  if (t) {
    w.String(FormatIso8601Vn(*t));
  } else {
    w.Null();
  }
}

// One line of a queue page: what the officer scans (no contact details or components; the
// dossier itself has them).
void WriteLine(JsonWriter& w, const DossierLine& d, DeadlineStatus status) {
  w.BeginObject();
  w.Key("code").String(d.code);
  w.Key("procedure_id").String(d.procedure_id);
  w.Key("procedure_version").Int(d.procedure_version);
  w.Key("procedure_name").String(d.procedure_name);
  w.Key("channel").String(ChannelName(d.channel));
  w.Key("receiving_unit").String(d.receiving_unit);
  w.Key("current_unit").String(d.current_unit);
  w.Key("state").String(StateName(d.state));
  w.Key("state_vi").String(StateNameVi(d.state));
  w.Key("version").Int(d.version);
  w.Key("applicant_name").String(d.applicant_name);
  w.Key("submitted_at").String(FormatIso8601Vn(d.submitted_at));
  w.Key("received_at");
  WriteTime(w, d.received_at);
  w.Key("due_at");
  WriteTime(w, d.due_at);
  w.Key("finished_at");
  WriteTime(w, d.finished_at);
  w.Key("returned_at");
  WriteTime(w, d.returned_at);
  w.Key("deadline_status").String(DeadlineStatusName(status));
  w.Key("allowed_actions").BeginArray();
  for (DossierAction a : AllowedActions(d.state)) w.String(ActionName(a));
  w.EndArray();
  w.EndObject();
}

// Reads the "components" array of an intake or a supplement.
Status ParseComponents(const boost::json::value& v, const std::string& path,
                       std::vector<DossierComponent>& out) {
  const auto* arr = v.if_array();
  if (arr == nullptr || arr->size() > 100) {
    return Fail(ErrorCode::kInvalidField, "components must be an array (at most 100).",
                "components phải là mảng (tối đa 100).", path);
  }
  for (size_t i = 0; i < arr->size(); ++i) {
    JsonObjectReader cr((*arr)[i], path + "[" + std::to_string(i) + "]");
    DossierComponent c;
    c.component_id = cr.String("component_id", {true, 64, false}).value_or("");
    auto source = cr.String("source", {true, 16, false});
    c.file_sha256 = cr.String("file_sha256", {false, 64, false}).value_or("");
    c.file_name = cr.String("file_name", {false, 255, true}).value_or("");
    if (source) {
      if (auto so = ParseSource(*source)) {
        c.source = *so;
      } else {
        cr.Reject(ErrorCode::kInvalidField, "source",
                  "source must be uploaded, paper_scan, reused or national_db.",
                  "source phải là uploaded, paper_scan, reused hoặc national_db.");
      }
    }
    if (auto st = cr.Finish(); !st) return st;
    out.push_back(std::move(c));
  }
  return {};
}

// A queue cursor "<due micros>_<code>" as next_cursor gives it; nullopt for anything else.
std::optional<std::pair<int64_t, std::string>> ParseCursor(std::string_view v) {
  size_t sep = v.find('_');
  if (sep == std::string_view::npos || sep == 0 || sep > 19) return std::nullopt;
  uint64_t due = 0;
  for (char c : v.substr(0, sep)) {
    if (c < '0' || c > '9') return std::nullopt;
    due = due * 10 + static_cast<uint64_t>(c - '0');
  }
  // 19 digits fit in 64 bits unsigned; the cursor's due is a non-negative int64.
  if (due > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  std::string_view code = v.substr(sep + 1);
  if (!LooksLikeDossierCode(code)) return std::nullopt;
  return std::make_pair(static_cast<int64_t>(due), std::string(code));
}

bool SafeKey(std::string_view k) {
  if (k.empty() || k.size() > 128) return false;
  for (char c : k) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' &&
        c != ':') {
      return false;
    }
  }
  return true;
}

constexpr std::string_view kDossierSchema =
    R"({"type":"object","properties":{"code":{"type":"string"},"state":{"type":"string"},)"
    R"("version":{"type":"integer"},"due_at":{"type":["string","null"]},)"
    R"("deadline_status":{"enum":["early","on_time","in_time","overdue","late"]},)"
    R"("allowed_actions":{"type":"array","items":{"type":"string"}}}})";

}  // namespace

void RegisterDossierRoutes(Router& router, DossierDeps deps) {
  router.Add(
      "POST", "/api/v1/dossiers",
      [deps](RequestContext& ctx) -> asio::awaitable<Response> {
        if (auto st = RequireJson(ctx.request); !st) co_return ErrorResponse(st.error());
        std::string key(ctx.request.Header("idempotency-key"));
        if (!key.empty() && !SafeKey(key)) {
          co_return ErrorResponse(Error{
              ErrorCode::kInvalidField, "Idempotency-Key: 1-128 characters of A-Z a-z 0-9 - _ . :",
              "Idempotency-Key: 1-128 ký tự A-Z a-z 0-9 - _ . :", "Idempotency-Key"});
        }
        auto doc = ParseJson(ctx.request.body, deps.limits.max_json_depth);
        if (!doc) co_return ErrorResponse(doc.error());
        JsonObjectReader r(*doc);
        SubmitRequest s;
        s.procedure_id = r.String("procedure_id", {true, 32, false}).value_or("");
        auto channel = r.String("channel", {false, 16, false});
        s.unit = r.String("unit", {true, 32, false}).value_or("");
        if (channel) {
          if (auto c = ParseChannel(*channel)) {
            s.channel = *c;
          } else {
            r.Reject(ErrorCode::kInvalidField, "channel",
                     "channel must be online, counter or postal.",
                     "channel phải là online, counter hoặc postal.");
          }
        } else {
          s.channel = ctx.principal->role == Role::kCitizen ? Channel::kOnline : Channel::kCounter;
        }
        if (const auto* a = r.Raw("applicant", true); a && r.ok()) {
          JsonObjectReader ar(*a, "applicant");
          s.applicant.id_number = ar.String("id_number", {true, 12, false}).value_or("");
          s.applicant.full_name = ar.String("full_name", {true, 200, false}).value_or("");
          s.applicant.phone = ar.String("phone", {false, 20, true}).value_or("");
          s.applicant.email = ar.String("email", {false, 254, true}).value_or("");
          s.applicant.address = ar.String("address", {false, 500, true}).value_or("");
          if (!s.applicant.email.empty() && s.applicant.email.find('@') == std::string::npos) {
            ar.Reject(ErrorCode::kInvalidField, "email", "Not an e-mail address.",
                      "Địa chỉ thư điện tử không hợp lệ.");
          }
          if (auto st = ar.Finish(); !st) co_return ErrorResponse(st.error());
        }
        if (const auto* cs = r.Raw("components", true); cs && r.ok()) {
          if (auto st = ParseComponents(*cs, "components", s.components); !st) {
            co_return ErrorResponse(st.error());
          }
        }
        if (const auto* pay = r.Raw("payment", false); pay && r.ok()) {
          if (auto st = ParsePayment(*pay, s.payment); !st) co_return ErrorResponse(st.error());
        }
        if (auto st = r.Finish(); !st) co_return ErrorResponse(st.error());
        s.idempotency_key = key;
        s.client_address = ctx.request.client_ip;
        s.request_sha256 = Sha256Hex(ctx.request.body);
        auto start = [&dossiers = deps.dossiers, who = *ctx.principal, s = std::move(s)](
                         auto done) mutable { dossiers.SubmitAsync(who, s, std::move(done)); };
        Result<CreatedDossier> created = co_await AwaitCallback<CreatedDossier>(std::move(start));
        if (!created) co_return ErrorResponse(created.error());
        Response res = JsonResponse(
            201,
            boost::json::serialize(DossierJson(
                created->dossier, deps.dossiers.DeadlineOf(created->dossier, deps.clock.Now()))));
        if (created->replayed) res.headers.emplace_back("Idempotent-Replayed", "true");
        res.headers.emplace_back("Location", "/api/v1/dossiers/" + created->dossier.code);
        co_return res;
      },
      {.summary = "File a dossier: citizens online for themselves; reception officers at the "
                  "counter or by post for their unit (received at once, with the appointment). "
                  "An Idempotency-Key header makes a retried POST return the same dossier.",
       .tag = "dossiers",
       .auth = true,
       .roles = {"citizen", "reception", "leader"},
       .access = "citizens online for themselves; reception officers and leaders at the counter "
                 "or by post for their own unit",
       .params = {{"Idempotency-Key", "header", "string", false, "Client-chosen retry key."}},
       .request_schema =
           R"({"type":"object","required":["procedure_id","unit","applicant","components"],)"
           R"("properties":{"procedure_id":{"type":"string"},"unit":{"type":"string"},)"
           R"("channel":{"enum":["online","counter","postal"]},"applicant":{"type":"object"},)"
           R"("components":{"type":"array"},)"
           R"("payment":{"type":"object","required":["method","amount_vnd"],"properties":{)"
           R"("method":{"enum":["online","counter"]},)"
           R"("amount_vnd":{"type":"integer","minimum":0,"maximum":10000000000},)"
           R"("reference":{"type":"string","maxLength":64},)"
           R"("paid_at":{"type":"string","format":"date-time"}},"additionalProperties":false}}})",
       .response_schema = std::string(kDossierSchema),
       .statuses = {201, 400, 401, 403, 409, 415, 429}});

  router.Add(
      "GET", "/api/v1/dossiers",
      [deps](RequestContext& ctx) -> asio::awaitable<Response> {
        const Request& req = ctx.request;
        if (auto st = CheckQueryParams(req, {"state", "procedure", "channel", "overdue",
                                             "due_within_days", "q", "unit", "limit", "cursor"});
            !st) {
          co_return ErrorResponse(st.error());
        }
        auto paging = ParsePaging(req, 50, deps.limits.max_page_size);
        if (!paging) co_return ErrorResponse(paging.error());
        DossierQuery q;
        q.limit = paging->second + 1;  // one more tells whether a next page exists
        auto bad = [](const char* f, const char* en, const char* vi) {
          return ErrorResponse(Error{ErrorCode::kInvalidField, en, vi, f});
        };
        if (const std::string* v = req.Query("state")) {
          q.state = ParseState(*v);
          if (!q.state) co_return bad("state", "Unknown state.", "Trạng thái không hợp lệ.");
        }
        if (const std::string* v = req.Query("procedure")) {
          if (v->size() > 32)
            co_return bad("procedure", "Unknown procedure.", "Thủ tục không hợp lệ.");
          q.procedure_id = *v;
        }
        if (const std::string* v = req.Query("channel")) {
          q.channel = ParseChannel(*v);
          if (!q.channel) co_return bad("channel", "Unknown channel.", "Kênh không hợp lệ.");
        }
        Instant now = deps.clock.Now();
        if (const std::string* v = req.Query("overdue")) {
          if (*v != "true")
            co_return bad("overdue", "overdue=true or nothing.", "overdue=true hoặc bỏ trống.");
          q.due_before = now;
          q.unfinished_only = true;
        }
        if (const std::string* v = req.Query("due_within_days")) {
          if (v->empty() || v->size() > 3 ||
              v->find_first_not_of("0123456789") != std::string::npos) {
            co_return bad("due_within_days", "A number of days, 0-999.", "Số ngày từ 0 đến 999.");
          }
          q.due_before = now + std::chrono::hours(24 * std::stoi(*v));
          q.unfinished_only = true;
        }
        if (const std::string* v = req.Query("q")) {
          if (Utf8Length(*v) > deps.limits.max_query_chars) {
            co_return bad("q", "q is too long.", "Chuỗi tìm kiếm quá dài.");
          }
          if (LooksLikeDossierCode(*v))
            q.code = *v;
          else
            q.name_folded = FoldForSearch(*v);
        }
        if (const std::string* v = req.Query("unit")) {
          if (deps.reference.units()->Find(*v) == nullptr)
            co_return bad("unit", "Unknown unit.", "Đơn vị không tồn tại.");
          q.units.push_back(*v);
        }
        if (const std::string* v = req.Query("cursor")) {
          auto cursor = ParseCursor(*v);
          if (!cursor) co_return bad("cursor", "Bad cursor.", "Con trỏ trang không hợp lệ.");
          q.after_due = cursor->first;
          q.after_code = std::move(cursor->second);
        }
        auto page = deps.queues.Queue(*ctx.principal, q);
        if (!page) co_return ErrorResponse(page.error());
        bool more = page->size() > paging->second;
        if (more) page->pop_back();
        std::string body;
        body.reserve(64 + page->size() * 640);
        JsonWriter w(body);
        w.BeginObject().Key("items").BeginArray();
        for (const DossierLine& d : *page) WriteLine(w, d, deps.dossiers.DeadlineOf(d, now));
        w.EndArray().Key("next_cursor");
        if (more && !page->empty()) {
          const DossierLine& last = page->back();
          int64_t due = last.due_at ? last.due_at->time_since_epoch().count()
                                    : std::numeric_limits<int64_t>::max();
          w.String(std::to_string(due) + "_" + last.code);
        } else {
          w.Null();
        }
        w.EndObject();
        co_return JsonResponse(200, std::move(body));
      },
      {.summary =
           "An officer's queue (own unit; leaders and below; admin/auditor: province) or "
           "a citizen's own dossiers, by appointment, keyset-paged; each item is a queue line (no "
           "contact details or components: GET /api/v1/dossiers/{code} has them).",
       .tag = "dossiers",
       .auth = true,
       .params = {{"state", "query", "string", false, "A state, e.g. received."},
                  {"procedure", "query", "string", false, "Procedure id."},
                  {"channel", "query", "string", false, "online | counter | postal"},
                  {"overdue", "query", "boolean", false, "true: past the appointment."},
                  {"due_within_days", "query", "integer", false, "Appointment within N days."},
                  {"q", "query", "string", false,
                   "A dossier code, or the applicant's name (accents optional)."},
                  {"unit", "query", "string", false, "Only this unit (within reach)."},
                  {"limit", "query", "integer", false, "Page size (default 50, max 100)."},
                  {"cursor", "query", "string", false, "next_cursor of the previous page."}},
       .response_schema =
           R"({"type":"object","properties":{"items":{"type":"array"},"next_cursor":{"type":["string","null"]}}})",
       .statuses = {200, 400, 401, 403}});

  router.Add("GET", "/api/v1/dossiers/{code}",
             [deps](RequestContext& ctx) -> asio::awaitable<Response> {
               if (auto st = CheckQueryParams(ctx.request, {}); !st)
                 co_return ErrorResponse(st.error());
               auto d = deps.dossiers.Get(*ctx.principal, ctx.Param("code"));
               if (!d) co_return ErrorResponse(d.error());
               co_return JsonResponse(
                   200, boost::json::serialize(
                            DossierJson(*d, deps.dossiers.DeadlineOf(*d, deps.clock.Now()))));
             },
             {.summary = "One dossier, if you may see it (its applicant, the units on its path and "
                         "their leaders, admins and auditors).",
              .tag = "dossiers",
              .auth = true,
              .params = {{"code", "path", "string", true, "Dossier code."}},
              .response_schema = std::string(kDossierSchema),
              .statuses = {200, 400, 401, 404}});

  router.Add(
      "POST", "/api/v1/dossiers/{code}/actions",
      [deps](RequestContext& ctx) -> asio::awaitable<Response> {
        if (auto st = RequireJson(ctx.request); !st) co_return ErrorResponse(st.error());
        auto doc = ParseJson(ctx.request.body, deps.limits.max_json_depth);
        if (!doc) co_return ErrorResponse(doc.error());
        JsonObjectReader r(*doc);
        ActionRequest a;
        auto action = r.String("action", {true, 32, false});
        a.version = r.Int("version", true, 1, 1'000'000'000).value_or(0);
        a.note = r.String("note", {false, 2000, true}).value_or("");
        a.to_unit = r.String("to_unit", {false, 32, false}).value_or("");
        a.to_user = r.String("to_user", {false, 64, false}).value_or("");
        auto new_due = r.String("new_due", {false, 40, false});
        a.result_sha256 = r.String("result_sha256", {false, 64, false}).value_or("");
        a.rating = r.String("rating", {false, 16, false}).value_or("");
        if (const auto* cs = r.Raw("components", false); cs && r.ok()) {
          if (auto st = ParseComponents(*cs, "components", a.components); !st) {
            co_return ErrorResponse(st.error());
          }
        }
        if (action && !ParseAction(*action)) {
          r.Reject(ErrorCode::kInvalidField, "action", "Unknown action.", "Thao tác không hợp lệ.");
        }
        if (new_due && !ParseIso8601(*new_due)) {
          r.Reject(ErrorCode::kInvalidField, "new_due", "new_due must be an ISO 8601 instant.",
                   "new_due phải là thời điểm theo ISO 8601.");
        }
        if (auto st = r.Finish(); !st) co_return ErrorResponse(st.error());
        a.action = *ParseAction(*action);
        if (new_due) a.new_due = ParseIso8601(*new_due);
        auto d = deps.dossiers.Act(*ctx.principal, ctx.Param("code"), a);
        if (!d) co_return ErrorResponse(d.error());
        co_return JsonResponse(200, boost::json::serialize(DossierJson(
                                        *d, deps.dossiers.DeadlineOf(*d, deps.clock.Now()))));
      },
      {.summary = "Take a workflow action: receive, request_supplement, supplement, refuse, "
                  "assign, forward, approve, issue_result, apologise, return_result, stop, "
                  "withdraw; after the return the applicant may rate and complain. A wrong action "
                  "for the state or a stale version gets 409.",
       .tag = "dossiers",
       .auth = true,
       .access = "by action: the transition table (src/domain/dossier/workflow.cc) names the "
                 "roles, and the actor must reach the dossier's current unit or be its "
                 "applicant",
       .params = {{"code", "path", "string", true, "Dossier code."}},
       .request_schema =
           R"({"type":"object","required":["action","version"],"properties":{"action":{"type":"string"},)"
           R"("version":{"type":"integer"},"note":{"type":"string"},"to_unit":{"type":"string"},)"
           R"("to_user":{"type":"string"},"new_due":{"type":"string"},"result_sha256":{"type":"string"},)"
           R"("rating":{"enum":["satisfied","neutral","dissatisfied"]},"components":{"type":"array"}}})",
       .response_schema = std::string(kDossierSchema),
       .statuses = {200, 400, 401, 403, 404, 409, 415}});

  router.Add(
      "GET", "/api/v1/dossiers/{code}/events",
      [deps](RequestContext& ctx) -> asio::awaitable<Response> {
        if (auto st = CheckQueryParams(ctx.request, {}); !st) co_return ErrorResponse(st.error());
        auto events = deps.lookup.Timeline(*ctx.principal, ctx.Param("code"));
        if (!events) co_return ErrorResponse(events.error());
        boost::json::array items;
        for (const AuditEntry& e : *events) {
          items.push_back({{"seq", e.seq},
                           {"at", FormatIso8601Vn(e.at)},
                           {"actor_user_id", e.actor_user_id},
                           {"actor_role", e.actor_role},
                           {"actor_unit", e.actor_unit},
                           {"action", e.action},
                           {"state_before", e.state_before},
                           {"state_after", e.state_after},
                           {"note", e.note},
                           {"hash", e.hash}});
        }
        boost::json::object out{{"items", std::move(items)}};
        co_return JsonResponse(200, boost::json::serialize(out));
      },
      {.summary = "The dossier's audit trail (hash-chained; `motcua audit verify` checks it).",
       .tag = "dossiers",
       .auth = true,
       .params = {{"code", "path", "string", true, "Dossier code."}},
       .response_schema = R"({"type":"object","properties":{"items":{"type":"array"}}})",
       .statuses = {200, 400, 401, 404}});

  router.Add(
      "GET", "/api/v1/public/dossiers/{code}",
      [deps](RequestContext& ctx) -> asio::awaitable<Response> {
        if (auto st = CheckQueryParams(ctx.request, {"id_last4"}); !st)
          co_return ErrorResponse(st.error());
        const std::string* last4 = ctx.request.Query("id_last4");
        auto found = deps.lookup.Public(ctx.request.client_ip, ctx.Param("code"),
                                        last4 ? *last4 : std::string());
        if (!found) {
          Response r = ErrorResponse(found.error());
          if (found.error().code == ErrorCode::kTooManyRequests) {
            r.headers.emplace_back("Retry-After", "60");
          }
          co_return r;
        }
        boost::json::array steps;
        for (const AuditEntry& e : found->steps) {
          steps.push_back({{"action", e.action},
                           {"at", FormatIso8601Vn(e.at)},
                           {"unit", e.actor_unit},
                           {"state", e.state_after}});
        }
        const Dossier& dd = found->dossier;
        boost::json::object out{{"code", dd.code},
                                {"procedure_name", dd.procedure_name},
                                {"state", StateName(dd.state)},
                                {"state_vi", StateNameVi(dd.state)},
                                {"received_at", OptTime(dd.received_at)},
                                {"due_at", OptTime(dd.due_at)},
                                {"deadline_status", DeadlineStatusName(found->deadline)},
                                {"steps", std::move(steps)}};
        co_return JsonResponse(200, boost::json::serialize(out));
      },
      {.summary = "Public status lookup, no login: status, appointment and steps, no personal "
                  "data. Needs the last 4 digits of the applicant's ID number; rate-limited.",
       .tag = "public",
       .params = {{"code", "path", "string", true, "Dossier code."},
                  {"id_last4", "query", "string", true, "Last 4 digits of the ID number."}},
       .response_schema =
           R"({"type":"object","properties":{"code":{"type":"string"},"state":{"type":"string"},"due_at":{"type":["string","null"]},"steps":{"type":"array"}}})",
       .statuses = {200, 400, 404, 429}});
}

}  // namespace motcua
