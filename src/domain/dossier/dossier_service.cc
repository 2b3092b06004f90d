#include "domain/dossier/dossier_service.h"

#include "common/text.h"

namespace motcua {
namespace {

Error Forbidden(std::string en, std::string vi) {
  return Error{ErrorCode::kForbidden, std::move(en), std::move(vi), ""};
}

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

std::string RoleOf(const Principal& who) { return std::string(RoleName(who.role)); }

}  // namespace

DossierService::DossierService(Store& store, const Clock& clock, const DeadlineCalendar& calendar,
                               CatalogSource catalog, UnitSource units, std::string province_code)
    : store_(store),
      clock_(clock),
      calendar_(calendar),
      catalog_(std::move(catalog)),
      units_(std::move(units)),
      province_code_(std::move(province_code)) {}

std::string DossierService::CodePrefix(const Unit& unit) const {
  // Synthetic QCVN 102:2016-shaped identifiers (V1V2V3.Z1Z2.Y1Y2.MX1X2) until the province's
  // official unit codes are loaded: communes "<3 digits>.<2 digits>.00.H<province>", agencies
  // "000.00.00.<agency code>".
  if (unit.category == UnitCategory::kAdministrative && unit.code.size() == 5) {
    return unit.code.substr(0, 3) + "." + unit.code.substr(3, 2) + ".00.H" + province_code_;
  }
  return "000.00.00." + unit.code;
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

Result<CreatedDossier> DossierService::Submit(const Principal& who, const SubmitRequest& req) {
  auto nd = PrepareSubmit(who, req);
  if (!nd) return tl::unexpected(nd.error());
  return store_.CreateDossier(*nd);
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
  std::string scope;
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
  if (auto st = ValidateIntake(d, p); !st) return tl::unexpected(st.error());
  if (auto st = ResolveFiles(who, d.applicant.id_number, d.components); !st) {
    return tl::unexpected(st.error());
  }

  NewDossier nd;
  nd.code_prefix = CodePrefix(*unit);
  if (!req.idempotency_key.empty()) {
    nd.idempotency_key = "user:" + std::to_string(who.user_id) + ":" + req.idempotency_key;
    nd.request_sha256 = req.request_sha256;
  }
  AuditEntry e{0, "", now, who.user_id, RoleOf(who), who.unit_code, "submit", "", "", "", "", ""};
  if (req.channel == Channel::kOnline) {
    d.state = DossierState::kSubmitted;
    e.state_after = StateName(d.state);
  } else {
    // A counter or postal dossier is received on the spot: form 01 and the appointment now.
    auto due = calendar_.Due(now, p.time_limit, p.time_unit);
    if (!due) return tl::unexpected(due.error());
    d.state = DossierState::kReceived;
    d.received_at = now;
    d.due_at = *due;
    e.action = "receive";
    e.state_after = StateName(d.state);
  }
  nd.dossier = d;
  nd.write.event = e;
  // The code is assigned by the store; messages name it through the outbox row's dossier_code.
  std::string subject =
      d.state == DossierState::kReceived
          ? "Hồ sơ đã được tiếp nhận, hẹn trả kết quả " + FormatIso8601Vn(*d.due_at).substr(0, 16)
          : "Hồ sơ đã được nộp, chờ tiếp nhận";
  nd.write.outbox = Notify(d, subject, subject + ". Thủ tục: " + p.name + ".");
  return nd;
}

Status DossierService::ResolveFiles(const Principal& who, const std::string& applicant_id,
                                    std::vector<DossierComponent>& components) const {
  for (size_t i = 0; i < components.size(); ++i) {
    DossierComponent& c = components[i];
    std::string field = "components[" + std::to_string(i) + "].file_sha256";
    if (c.source == ComponentSource::kReused) {
      if (c.file_sha256.empty()) {
        return Fail(ErrorCode::kMissingField,
                    "A reused component names the document of the applicant's store it reuses.",
                    "Thành phần tái sử dụng cần chỉ rõ giấy tờ trong kho dữ liệu của người nộp.",
                    field);
      }
      auto doc = store_.FindApplicantDocument(applicant_id, c.file_sha256);
      if (!doc) return tl::unexpected(doc.error());
      if (!*doc) {
        return Fail(ErrorCode::kInvalidField,
                    "That document is not in the applicant's store (earlier dossiers' files).",
                    "Giấy tờ này không có trong kho dữ liệu của người nộp.", field);
      }
      c.file_size = (*doc)->size;
      c.media_type = (*doc)->media_type;
      continue;
    }
    if (c.file_sha256.empty()) continue;  // national_db without a copy
    // Uploads are usable by whoever uploaded them; a copy from the national database may be
    // any recorded file. One look-up per distinct file (one scan often serves two components).
    int64_t owner = c.source == ComponentSource::kNationalDb ? 0 : who.user_id;
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
    auto file = store_.FindFile(c.file_sha256, owner);
    if (!file) return tl::unexpected(file.error());
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

bool DossierService::CanSee(const Principal& who, const Dossier& d,
                            const UnitDirectory& units) const {
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

Result<Dossier> DossierService::Get(const Principal& who, const std::string& code) {
  if (!LooksLikeDossierCode(code)) return tl::unexpected(NotFound());
  auto found = store_.FindDossier(code);
  if (!found) return tl::unexpected(found.error());
  if (!*found || !CanSee(who, **found, *units_())) return tl::unexpected(NotFound());
  return std::move(**found);
}

Result<Dossier> DossierService::Act(const Principal& who, const std::string& code,
                                    const ActionRequest& req) {
  auto units = units_();
  auto current = Get(who, code);
  if (!current) return current;
  Dossier d = std::move(*current);
  const Transition* t = FindTransition(d.state, req.action);
  if (t == nullptr) {
    return Fail(
        ErrorCode::kConflict,
        "'" + std::string(ActionName(req.action)) + "' is not possible while the dossier is " +
            std::string(StateName(d.state)) + "; allowed: " + AllowedList(d.state) + ".",
        "Không thể '" + std::string(ActionName(req.action)) + "' khi hồ sơ ở trạng thái " +
            std::string(StateNameVi(d.state)) + "; được phép: " + AllowedList(d.state) + ".",
        "action");
  }
  bool is_applicant = who.role == Role::kCitizen && CanSee(who, d, *units);
  bool officer_ok =
      HasRole(t->roles, who.role) && AccessPolicy(*units).CanWrite(who, d.current_unit);
  if (!(officer_ok || (t->applicant && is_applicant))) {
    return tl::unexpected(
        Forbidden("Your role or unit cannot take this action on this dossier.",
                  "Vai trò hoặc đơn vị của bạn không được thực hiện thao tác này."));
  }
  if (req.version != d.version) {
    return Fail(ErrorCode::kConflict,
                "The dossier is at version " + std::to_string(d.version) + ", not " +
                    std::to_string(req.version) + "; reload it.",
                "Hồ sơ đang ở phiên bản " + std::to_string(d.version) + ", không phải " +
                    std::to_string(req.version) + "; vui lòng tải lại.",
                "version");
  }
  auto need_note = [&](const char* what_en, const char* what_vi) -> Status {
    if (req.note.empty()) {
      return Fail(ErrorCode::kMissingField, std::string(what_en), std::string(what_vi), "note");
    }
    return {};
  };
  Instant now = clock_.Now();
  DossierState before = d.state;
  DossierState after = t->to;
  std::string subject;
  switch (req.action) {
    case DossierAction::kReceive: {
      const CatalogEntry* entry = catalog_()->Find(d.procedure_id);
      if (entry == nullptr)
        return Fail(ErrorCode::kConflict, "The procedure is no longer offered.");
      auto due = calendar_.Due(now, entry->procedure.time_limit, entry->procedure.time_unit);
      if (!due) return tl::unexpected(due.error());
      d.received_at = now;
      d.due_at = *due;
      subject = "Hồ sơ đã được tiếp nhận, hẹn trả kết quả " + FormatIso8601Vn(*due).substr(0, 16);
      break;
    }
    case DossierAction::kRequestSupplement:
      if (auto st = need_note("List every missing item in 'note'.",
                              "Liệt kê đầy đủ các nội dung cần bổ sung trong 'note'.");
          !st) {
        return tl::unexpected(st.error());
      }
      d.supplements.push_back({now, std::nullopt, before});
      subject = "Yêu cầu bổ sung hồ sơ: " + req.note;
      break;
    case DossierAction::kSupplement:
      if (d.supplements.empty() || d.supplements.back().supplied_at) {
        return Fail(ErrorCode::kConflict, "No supplement is pending.", "Không có yêu cầu bổ sung.");
      }
      if (!req.components.empty()) {
        const CatalogEntry* entry = catalog_()->Find(d.procedure_id);
        if (entry == nullptr) {
          return Fail(ErrorCode::kConflict, "The procedure is no longer offered.");
        }
        std::vector<DossierComponent> added = req.components;
        if (auto st = ResolveFiles(who, d.applicant.id_number, added); !st) {
          return tl::unexpected(st.error());
        }
        Dossier next = d;
        for (DossierComponent& c : added) {
          bool replaced = false;
          for (DossierComponent& old_c : next.components) {
            if (old_c.component_id == c.component_id) {
              old_c = c;
              replaced = true;
            }
          }
          if (!replaced) next.components.push_back(c);
        }
        if (auto st = ValidateIntake(next, entry->procedure); !st) {
          return tl::unexpected(st.error());
        }
        d.components = std::move(next.components);
      }
      d.supplements.back().supplied_at = now;
      after = d.supplements.back().resume_state;
      break;
    case DossierAction::kRefuse:
      if (auto st = need_note("A refusal needs its reason in 'note'.",
                              "Từ chối phải nêu lý do trong 'note'.");
          !st) {
        return tl::unexpected(st.error());
      }
      d.finished_at = now;
      subject = "Hồ sơ bị từ chối: " + req.note;
      break;
    case DossierAction::kAssign: {
      auto user = store_.FindUser(req.to_user);
      if (!user) return tl::unexpected(user.error());
      if (!*user || (*user)->unit_code != d.current_unit ||
          ((*user)->role != Role::kSpecialist && (*user)->role != Role::kLeader)) {
        return Fail(ErrorCode::kInvalidField, "Assign to a specialist of the dossier's unit.",
                    "Chỉ giao cho chuyên viên của đơn vị đang giữ hồ sơ.", "to_user");
      }
      d.assignee_user_id = (*user)->id;
      break;
    }
    case DossierAction::kForward: {
      const Unit* to = units->Find(req.to_unit);
      if (to == nullptr || units->ProvinceOf(req.to_unit) != province_code_ ||
          to->category == UnitCategory::kAgencyTemplate || req.to_unit == d.current_unit ||
          req.to_unit == province_code_) {
        return Fail(ErrorCode::kInvalidField, "Forward to another unit of the province.",
                    "Chuyển đến một đơn vị khác trong tỉnh.", "to_unit");
      }
      d.current_unit = req.to_unit;
      d.assignee_user_id = 0;
      d.path_units.push_back(req.to_unit);
      break;
    }
    case DossierAction::kApprove:
      break;
    case DossierAction::kIssueResult: {
      auto file = req.result_sha256.empty() ? Result<std::optional<FileRecord>>()
                                            : store_.FindFile(req.result_sha256, who.user_id);
      if (!file) return tl::unexpected(file.error());
      if (!*file) {
        return Fail(ErrorCode::kInvalidField,
                    "Give the electronic result: the SHA-256 of a file you uploaded "
                    "(POST /api/v1/files).",
                    "Cần tệp kết quả điện tử: mã SHA-256 của tệp bạn đã tải lên "
                    "(POST /api/v1/files).",
                    "result_sha256");
      }
    }
      d.result_sha256 = req.result_sha256;
      d.finished_at = now;
      subject = "Đã có kết quả giải quyết hồ sơ";
      break;
    case DossierAction::kApologise:
      if (auto st = need_note("An apology needs its reason in 'note'.",
                              "Thư xin lỗi phải nêu lý do trong 'note'.");
          !st) {
        return tl::unexpected(st.error());
      }
      if (!d.due_at || now >= *d.due_at) {
        return Fail(ErrorCode::kConflict, "An apology must come before the appointment.",
                    "Thư xin lỗi phải gửi trước ngày hẹn trả.", "action");
      }
      if (!req.new_due || *req.new_due <= *d.due_at ||
          *req.new_due > *d.due_at + std::chrono::hours(24 * 366)) {
        return Fail(ErrorCode::kInvalidField,
                    "The new date must be after the appointment, within a year of it.",
                    "Ngày hẹn mới phải sau ngày hẹn cũ và trong vòng một năm.", "new_due");
      }
      d.due_at = *req.new_due;
      d.apologies += 1;
      subject = "Xin lỗi vì trễ hẹn; hẹn trả mới " + FormatIso8601Vn(*req.new_due).substr(0, 16) +
                ". Lý do: " + req.note;
      break;
    case DossierAction::kReturnResult:
      d.returned_at = now;
      break;
    case DossierAction::kStop:
      if (auto st = need_note("Stopping needs its reason in 'note'.",
                              "Dừng xử lý phải nêu lý do trong 'note'.");
          !st) {
        return tl::unexpected(st.error());
      }
      d.finished_at = now;
      break;
    case DossierAction::kWithdraw:
      d.finished_at = now;
      break;
    case DossierAction::kRate:
      if (!d.rating.empty()) {
        return Fail(ErrorCode::kConflict, "This dossier has already been rated.",
                    "Hồ sơ này đã được đánh giá.", "action");
      }
      if (!IsRating(req.rating)) {
        return Fail(ErrorCode::kInvalidField, "rating: satisfied, neutral or dissatisfied.",
                    "rating: satisfied (hài lòng), neutral (bình thường) hoặc dissatisfied "
                    "(không hài lòng).",
                    "rating");
      }
      d.rating = req.rating;
      d.rating_comment = req.note;
      d.rated_at = now;
      break;
    case DossierAction::kComplain:
      if (auto st = need_note("A complaint needs its text in 'note'.",
                              "Khiếu nại phải có nội dung trong 'note'.");
          !st) {
        return tl::unexpected(st.error());
      }
      d.complaints += 1;
      break;
  }
  d.state = after;
  DossierWrite w;
  w.event = AuditEntry{0,
                       d.code,
                       now,
                       who.user_id,
                       RoleOf(who),
                       who.unit_code,
                       std::string(ActionName(req.action)),
                       std::string(StateName(before)),
                       std::string(StateName(after)),
                       req.note,
                       "",
                       ""};
  if (req.action == DossierAction::kComplain) w.complaint = req.note;
  if (req.action == DossierAction::kRate)
    w.event.note = req.rating + (req.note.empty() ? "" : ": " + req.note);
  if (!subject.empty()) w.outbox = Notify(d, subject, subject + ". Mã hồ sơ: " + d.code + ".");
  return store_.UpdateDossier(d, req.version, w);
}

Result<std::vector<DossierLine>> DossierService::Queue(const Principal& who, DossierQuery q) {
  auto units = units_();
  if (who.role == Role::kCitizen) {
    q.units.clear();
    // A citizen's username is their ID number, and what they file online carries it: this is
    // their online dossiers and those filed for them at a counter.
    q.applicant_id_number = who.username;
    return store_.ListDossierLines(q);
  }
  AccessPolicy policy(*units);
  std::vector<std::string> scope;
  if (!q.units.empty()) {
    for (const std::string& u : q.units) {
      if (!policy.CanRead(who, u)) {
        return Fail(ErrorCode::kForbidden, "You cannot see that unit's dossiers.",
                    "Bạn không được xem hồ sơ của đơn vị này.", "unit");
      }
      scope.push_back(u);
    }
  } else if (who.role == Role::kReception || who.role == Role::kSpecialist) {
    scope.push_back(who.unit_code);
  } else if ((who.role == Role::kAdmin || who.role == Role::kAuditor) &&
             units->ProvinceOf(who.unit_code) == province_code_) {
    // The whole province is everything this deployment holds (intake accepts its units only):
    // no unit filter, so the page walks the deadline index instead of sorting ~170 units' rows.
    q.units.clear();
    return store_.ListDossierLines(q);
  } else {
    // Leaders: their unit and everything below; admins and auditors: the province.
    std::string root =
        who.role == Role::kLeader ? who.unit_code : std::string(units->ProvinceOf(who.unit_code));
    std::vector<std::string> stack{root};
    while (!stack.empty() && scope.size() < 10000) {
      std::string u = std::move(stack.back());
      stack.pop_back();
      for (const Unit* c : units->Children(u)) {
        if (c->category != UnitCategory::kAgencyTemplate) stack.push_back(c->code);
      }
      scope.push_back(std::move(u));
    }
  }
  q.units = std::move(scope);
  return store_.ListDossierLines(q);
}

DeadlineStatus DossierService::DeadlineOf(const Dossier& d, Instant at) const {
  DeadlineFacts f{d.received_at, d.due_at, d.finished_at, d.supplements, std::nullopt};
  return EvaluateDeadline(f, at, [&](Instant a, Instant b, const auto& paused) {
    return calendar_.WorkingTime(a, b, paused);
  });
}

DeadlineStatus DossierService::DeadlineOf(const DossierLine& d, Instant at) const {
  DeadlineFacts f{d.received_at, d.due_at, d.finished_at, d.supplements, std::nullopt};
  return EvaluateDeadline(f, at, [&](Instant a, Instant b, const auto& paused) {
    return calendar_.WorkingTime(a, b, paused);
  });
}

}  // namespace motcua
