#include "domain/dossier/dossier_service.h"

#include "common/text.h"

namespace motcua {
namespace {

Error NotFound() {
  return Error{ErrorCode::kNotFound, "No dossier with that code.", "Không có hồ sơ với mã này.",
               "code"};
}

std::string AllowedList(DossierState s) {
  std::string out;
  for (DossierAction a : AllowedActions(s)) {
    if (!out.empty()) out += ", ";
    out += ActionName(a);
  }
  return out.empty() ? "none" : out;
}

bool HasRole(const std::vector<Role>& roles, Role r) {
  for (Role x : roles) {
    if (x == r) return true;
  }
  return false;
}

AuditEntry Event(const Principal& who, Instant at, std::string action, const Dossier& before,
                 DossierState after, std::string note) {
  return AuditEntry{0,
                    before.code,
                    at,
                    who.user_id,
                    std::string(RoleName(who.role)),
                    who.unit_code,
                    std::move(action),
                    std::string(StateName(before.state)),
                    std::string(StateName(after)),
                    std::move(note),
                    "",
                    ""};
}

template <typename Line>
DeadlineStatus DeadlineOfFacts(const Line& d, Instant at, const DeadlineCalendar& calendar) {
  DeadlineFacts f{d.received_at, d.due_at, d.finished_at, d.supplements, std::nullopt};
  return EvaluateDeadline(f, at, [&](Instant a, Instant b, const auto& paused) {
    return calendar.WorkingTime(a, b, paused);
  });
}

}  // namespace

bool CanSeeDossier(const Principal& who, const Dossier& d, const UnitDirectory& units) {
  if (who.role == Role::kCitizen) {
    return (d.applicant_user_id != 0 && d.applicant_user_id == who.user_id) ||
           d.applicant.id_number == who.username;
  }
  AccessPolicy policy(units);
  for (const std::string& u : d.path_units) {
    if (policy.CanRead(who, u)) return true;
  }
  return policy.CanRead(who, d.current_unit);
}

DeadlineStatus DeadlineOf(const Dossier& d, Instant at, const DeadlineCalendar& calendar) {
  return DeadlineOfFacts(d, at, calendar);
}

DeadlineStatus DeadlineOf(const DossierLine& d, Instant at, const DeadlineCalendar& calendar) {
  return DeadlineOfFacts(d, at, calendar);
}

DossierService::DossierService(DossierPorts ports, const Clock& clock,
                               const DeadlineCalendar& calendar, CatalogSource catalog,
                               UnitSource units, std::string province_code, Executor& blocking,
                               CallerQuotas* quotas)
    : ports_(ports),
      clock_(clock),
      calendar_(calendar),
      catalog_(std::move(catalog)),
      units_(std::move(units)),
      province_code_(std::move(province_code)),
      blocking_(blocking),
      quotas_(quotas) {}

std::string DossierCodePrefix(const Unit& unit, std::string_view province_code) {
  // Synthetic QCVN 102:2016-shaped identifiers (V1V2V3.Z1Z2.Y1Y2.MX1X2).
  if (unit.category == UnitCategory::kAdministrative && unit.code.size() == 5) {
    return unit.code.substr(0, 3) + "." + unit.code.substr(3, 2) + ".00.H" +
           std::string(province_code);
  }
  return "000.00.00." + unit.code;
}

std::string DossierService::CodePrefix(const Unit& unit) const {
  return DossierCodePrefix(unit, province_code_);
}

DeadlineStatus DossierService::DeadlineOf(const Dossier& d, Instant at) const {
  return motcua::DeadlineOf(d, at, calendar_);
}

DeadlineStatus DossierService::DeadlineOf(const DossierLine& d, Instant at) const {
  return motcua::DeadlineOf(d, at, calendar_);
}

std::vector<OutboxMessage> DossierService::Notify(const Dossier& d, std::string subject,
                                                  std::string body) const {
  std::vector<OutboxMessage> out;
  Instant now = clock_.Now();
  if (!d.applicant.email.empty()) {
    out.push_back(
        {0, d.code, "email", d.applicant.email, subject, body, "pending", 0, now, "", now});
  }
  if (!d.applicant.phone.empty()) {
    // At intake the code is not assigned yet; the sender adds it from the row's dossier_code.
    std::string text = d.code.empty() ? subject : subject + ". " + d.code;
    out.push_back({0, d.code, "sms", d.applicant.phone, subject, text, "pending", 0, now, "", now});
  }
  return out;
}

namespace {

// The user's text for what the dossier store reports only by code and field: a stale version,
// an idempotency key already used for another request.
Error ForUser(Error e) {
  if (!e.message.empty() || e.code != ErrorCode::kConflict) return e;
  if (e.field == "version") {
    e.message = "The dossier was changed by someone else; reload it and try again.";
    e.message_vi = "Hồ sơ vừa được người khác cập nhật; vui lòng tải lại và thử lại.";
  } else if (e.field == "Idempotency-Key") {
    e.message = "This Idempotency-Key was used for a different request.";
    e.message_vi = "Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác.";
  }
  return e;
}

std::function<void(Result<CreatedDossier>)> ForUser(
    std::function<void(Result<CreatedDossier>)> done) {
  return [done = std::move(done)](Result<CreatedDossier> r) {
    done(std::move(r).map_error([](Error e) { return ForUser(std::move(e)); }));
  };
}

}  // namespace

Result<CreatedDossier> DossierService::Submit(const Principal& who, const SubmitRequest& req) {
  auto nd = PrepareSubmit(who, req);
  MOTCUA_RETURN_IF_ERROR(nd);
  return ports_.dossiers.CreateDossier(*nd).map_error([](Error e) { return ForUser(e); });
}

void DossierService::SubmitAsync(const Principal& who, const SubmitRequest& req,
                                 std::function<void(Result<CreatedDossier>)> done) {
  bool fetches = false;
  for (const DossierComponent& c : req.components) {
    fetches = fetches || c.source == ComponentSource::kNationalDb;
  }
  if (!fetches) {
    auto nd = PrepareSubmit(who, req);
    if (!nd) return done(tl::unexpected(nd.error()));
    return ports_.dossiers.CreateDossierAsync(std::move(*nd), ForUser(std::move(done)));
  }
  // Fetching from the national registry may block: prepare on `blocking_`.
  auto callback = std::make_shared<std::function<void(Result<CreatedDossier>)>>(std::move(done));
  bool queued = blocking_.Post([this, who, req, callback] {
    auto nd = PrepareSubmit(who, req);
    if (!nd) return (*callback)(tl::unexpected(nd.error()));
    ports_.dossiers.CreateDossierAsync(std::move(*nd), ForUser(std::move(*callback)));
  });
  if (!queued) {
    (*callback)(Fail(ErrorCode::kUnavailable,
                     "Too many filings are waiting for the national database; try again shortly.",
                     "Quá nhiều hồ sơ đang chờ dữ liệu từ cơ sở dữ liệu quốc gia; vui lòng thử "
                     "lại sau."));
  }
}

Result<NewDossier> DossierService::PrepareSubmit(const Principal& who, const SubmitRequest& req) {
  auto catalog = catalog_();
  auto units = units_();
  const CatalogEntry* entry = catalog->Find(req.procedure_id);
  if (entry == nullptr) {
    return Fail(ErrorCode::kInvalidField, "Unknown procedure.", "Thủ tục không tồn tại.",
                "procedure_id");
  }
  const Procedure& p = entry->procedure;
  const Unit* unit = units->Find(req.unit);
  if (unit == nullptr || units->ProvinceOf(req.unit) != province_code_ ||
      unit->category == UnitCategory::kAgencyTemplate || unit->code == province_code_) {
    return Fail(ErrorCode::kInvalidField, "Unknown receiving unit in this province.",
                "Đơn vị tiếp nhận không thuộc tỉnh.", "unit");
  }
  bool commune_unit = unit->category == UnitCategory::kAdministrative;
  if ((p.level == "commune") != commune_unit) {
    return Fail(ErrorCode::kInvalidField,
                p.level == "commune" ? "This procedure is lodged at a commune or ward."
                                     : "This procedure is lodged at a provincial agency.",
                p.level == "commune" ? "Thủ tục này nộp tại xã, phường."
                                     : "Thủ tục này nộp tại cơ quan cấp tỉnh.",
                "unit");
  }
  Instant now = clock_.Now();
  Dossier d;
  d.procedure_id = p.id;
  d.procedure_version = entry->version;
  d.procedure_name = p.name;
  d.channel = req.channel;
  d.receiving_unit = req.unit;
  d.current_unit = req.unit;
  d.path_units = {req.unit};
  d.applicant = req.applicant;
  d.components = req.components;
  d.payment = req.payment;
  d.submitted_at = now;
  if (who.role == Role::kCitizen) {
    if (req.channel != Channel::kOnline) {
      return Fail(ErrorCode::kInvalidField, "Citizens file online.", "Công dân nộp trực tuyến.",
                  "channel");
    }
    if (req.applicant.id_number != who.username) {
      return Fail(ErrorCode::kForbidden, "You can only file for yourself (your ID number).",
                  "Bạn chỉ nộp hồ sơ cho chính mình (số định danh của bạn).",
                  "applicant.id_number");
    }
    d.applicant_user_id = who.user_id;
  } else if (who.role == Role::kReception || who.role == Role::kLeader) {
    if (req.channel == Channel::kOnline) {
      return Fail(ErrorCode::kInvalidField, "Officers record counter or postal dossiers.",
                  "Cán bộ ghi nhận hồ sơ nộp trực tiếp hoặc qua bưu chính.", "channel");
    }
    if (req.unit != who.unit_code) {
      return Fail(ErrorCode::kForbidden, "You receive dossiers for your own unit only.",
                  "Bạn chỉ tiếp nhận hồ sơ cho đơn vị của mình.", "unit");
    }
  } else {
    return Fail(ErrorCode::kForbidden, "Your role cannot file dossiers.",
                "Vai trò của bạn không được nộp hồ sơ.");
  }
  MOTCUA_RETURN_IF_ERROR(ValidateIntake(d, p));
  MOTCUA_RETURN_IF_ERROR(ResolveFiles(who, d.applicant.id_number, p, d.components));

  if (quotas_ != nullptr) {
    MOTCUA_RETURN_IF_ERROR(quotas_->TakeFiling(who, req.client_address));
  }
  NewDossier nd;
  nd.code_prefix = CodePrefix(*unit);
  if (!req.idempotency_key.empty()) {
    nd.idempotency_key = "user:" + std::to_string(who.user_id) + ":" + req.idempotency_key;
    nd.request_sha256 = req.request_sha256;
  }
  Dossier before = d;
  std::string action = "submit";
  if (req.channel == Channel::kOnline) {
    d.state = DossierState::kSubmitted;
  } else {
    // A counter or postal dossier is received on the spot: form 01 and the appointment now.
    auto due = calendar_.Due(now, p.time_limit, p.time_unit);
    MOTCUA_RETURN_IF_ERROR(due);
    d.state = DossierState::kReceived;
    d.received_at = now;
    d.due_at = *due;
    action = "receive";
  }
  nd.write.event = Event(who, now, action, before, d.state, "");
  nd.write.event.state_before = "";  // nothing came before filing
  // The code is assigned by the store; messages name it through the outbox row's dossier_code.
  std::string subject =
      d.state == DossierState::kReceived
          ? "Hồ sơ đã được tiếp nhận, hẹn trả kết quả " + FormatIso8601Vn(*d.due_at).substr(0, 16)
          : "Hồ sơ đã được nộp, chờ tiếp nhận";
  nd.write.outbox = Notify(d, subject, subject + ". Thủ tục: " + p.name + ".");
  nd.dossier = std::move(d);
  return nd;
}

Status DossierService::ResolveFiles(const Principal& who, const std::string& applicant_id,
                                    const Procedure& procedure,
                                    std::vector<DossierComponent>& components) const {
  auto units = units_();
  for (size_t i = 0; i < components.size(); ++i) {
    DossierComponent& c = components[i];
    std::string field = "components[" + std::to_string(i) + "].file_sha256";
    if (c.source == ComponentSource::kNationalDb) {
      if (!c.file_sha256.empty()) {
        return Fail(ErrorCode::kInvalidField,
                    "A component from the national database names no file: the server fetches "
                    "it.",
                    "Thành phần lấy từ cơ sở dữ liệu quốc gia không kèm tệp: hệ thống tự khai "
                    "thác.",
                    field);
      }
      std::string doc_type;
      for (const ProcedureComponent& pc : procedure.components) {
        if (pc.id == c.component_id) doc_type = pc.doc_type;
      }
      auto fetched = ports_.national.FetchDocument(applicant_id, doc_type);
      MOTCUA_RETURN_IF_ERROR(fetched);
      if (!*fetched) {
        return Fail(ErrorCode::kInvalidField,
                    "The national database holds no such document for this ID number; upload it.",
                    "Cơ sở dữ liệu quốc gia không có giấy tờ này của số định danh; vui lòng tải "
                    "lên.",
                    "components[" + std::to_string(i) + "].source");
      }
      c.file_sha256 = (*fetched)->sha256;
      c.file_size = (*fetched)->size;
      c.media_type = (*fetched)->media_type;
      continue;
    }
    if (c.source == ComponentSource::kReused) {
      if (c.file_sha256.empty()) {
        return Fail(ErrorCode::kMissingField,
                    "A reused component names the document of the applicant's store it reuses.",
                    "Thành phần tái sử dụng cần chỉ rõ giấy tờ trong kho dữ liệu của người nộp.",
                    field);
      }
      auto doc = ports_.documents.FindApplicantDocument(applicant_id, c.file_sha256);
      MOTCUA_RETURN_IF_ERROR(doc);
      bool usable = doc->has_value();
      if (usable && who.role != Role::kCitizen) {
        // An officer reuses a document only from a dossier they may see themselves.
        auto from = ports_.dossiers.FindDossier((*doc)->dossier_code);
        MOTCUA_RETURN_IF_ERROR(from);
        usable = *from && CanSeeDossier(who, **from, *units);
      }
      if (!usable) {
        return Fail(ErrorCode::kInvalidField,
                    "That document is not in the applicant's store (earlier dossiers' files).",
                    "Giấy tờ này không có trong kho dữ liệu của người nộp.", field);
      }
      c.file_size = (*doc)->size;
      c.media_type = (*doc)->media_type;
      continue;
    }
    if (c.file_sha256.empty()) continue;  // ValidateIntake says whether one is needed
    // Uploads are usable by whoever uploaded them. One look-up per distinct file (one scan
    // often serves two components).
    bool seen = false;
    for (size_t k = 0; k < i && !seen; ++k) {
      const DossierComponent& prev = components[k];
      if (prev.file_sha256 == c.file_sha256 && prev.source == c.source) {
        c.file_size = prev.file_size;
        c.media_type = prev.media_type;
        seen = true;
      }
    }
    if (seen) continue;
    auto file = ports_.files.FindFile(c.file_sha256, who.user_id);
    MOTCUA_RETURN_IF_ERROR(file);
    if (!*file) {
      return Fail(ErrorCode::kInvalidField,
                  "No file of yours with that SHA-256: upload it first (POST /api/v1/files).",
                  "Không có tệp nào của bạn với mã SHA-256 này: hãy tải tệp lên trước "
                  "(POST /api/v1/files).",
                  field);
    }
    c.file_size = (*file)->size;
    c.media_type = (*file)->media_type;
  }
  return {};
}

Result<Dossier> DossierService::Get(const Principal& who, const std::string& code) {
  if (!LooksLikeDossierCode(code)) return tl::unexpected(NotFound());
  auto found = ports_.dossiers.FindDossier(code);
  MOTCUA_RETURN_IF_ERROR(found);
  if (!*found || !CanSeeDossier(who, **found, *units_())) return tl::unexpected(NotFound());
  return std::move(**found);
}

Result<ActionFacts> DossierService::LoadFacts(const ActionSpec& spec, const Principal& who,
                                              const Dossier& d, const ActionRequest& req,
                                              const Catalog& catalog,
                                              const UnitDirectory& units) const {
  ActionFacts f;
  f.calendar = &calendar_;
  f.units = &units;
  f.province_code = province_code_;
  if (spec.needs & kNeedsProcedure) {
    if (const CatalogEntry* entry = catalog.Find(d.procedure_id)) f.procedure = &entry->procedure;
  }
  if ((spec.needs & kNeedsTargetUser) && !req.to_user.empty()) {
    auto user = ports_.accounts.FindUser(req.to_user);
    MOTCUA_RETURN_IF_ERROR(user);
    f.to_user = std::move(*user);
  }
  if ((spec.needs & kNeedsResultFile) && !req.result_sha256.empty()) {
    auto file = ports_.files.FindFile(req.result_sha256, who.user_id);
    MOTCUA_RETURN_IF_ERROR(file);
    f.result_file = std::move(*file);
  }
  if ((spec.needs & kNeedsSuppliedFiles) && !req.components.empty()) {
    f.supplied = req.components;  // unresolved without a procedure: the rule refuses them
    if (f.procedure != nullptr) {
      MOTCUA_RETURN_IF_ERROR(ResolveFiles(who, d.applicant.id_number, *f.procedure, f.supplied));
    }
  }
  return f;
}

Result<Dossier> DossierService::Act(const Principal& who, const std::string& code,
                                    const ActionRequest& req) {
  auto units = units_();
  auto current = Get(who, code);
  if (!current) return current;
  const Dossier& d = *current;
  const Transition* t = FindTransition(d.state, req.action);
  if (t == nullptr) {
    std::string action(ActionName(req.action));
    return Fail(ErrorCode::kConflict,
                "'" + action + "' is not possible while the dossier is " +
                    std::string(StateName(d.state)) + "; allowed: " + AllowedList(d.state) + ".",
                "Không thể '" + action + "' khi hồ sơ ở trạng thái " +
                    std::string(StateNameVi(d.state)) + "; được phép: " + AllowedList(d.state) +
                    ".",
                "action");
  }
  bool is_applicant = who.role == Role::kCitizen && CanSeeDossier(who, d, *units);
  bool officer_ok =
      HasRole(t->roles, who.role) && AccessPolicy(*units).CanWrite(who, d.current_unit);
  if (!(officer_ok || (t->applicant && is_applicant))) {
    return Fail(ErrorCode::kForbidden, "Your role or unit cannot take this action on this dossier.",
                "Vai trò hoặc đơn vị của bạn không được thực hiện thao tác này.");
  }
  if (req.version != d.version) {
    return Fail(ErrorCode::kConflict,
                "The dossier is at version " + std::to_string(d.version) + ", not " +
                    std::to_string(req.version) + "; reload it.",
                "Hồ sơ đang ở phiên bản " + std::to_string(d.version) + ", không phải " +
                    std::to_string(req.version) + "; vui lòng tải lại.",
                "version");
  }
  const ActionSpec& spec = SpecOf(req.action);
  auto catalog = catalog_();
  auto facts = LoadFacts(spec, who, d, req, *catalog, *units);
  MOTCUA_RETURN_IF_ERROR(facts);
  Instant now = clock_.Now();
  auto effect = spec.rule(RuleInput{d, req, now, *facts, t->to});
  MOTCUA_RETURN_IF_ERROR(effect);
  DossierWrite w;
  w.event = Event(who, now, std::string(spec.name), d, effect->dossier.state, effect->audit_note);
  w.complaint = std::move(effect->complaint);
  if (!effect->notify_subject.empty()) {
    const std::string& subject = effect->notify_subject;
    w.outbox = Notify(effect->dossier, subject, subject + ". Mã hồ sơ: " + d.code + ".");
  }
  return ports_.dossiers.UpdateDossier(effect->dossier, req.version, w).map_error([](Error e) {
    return ForUser(e);
  });
}

}  // namespace motcua
