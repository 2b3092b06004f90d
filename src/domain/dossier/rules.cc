#include "domain/dossier/rules.h"

namespace motcua {
namespace {

// The effect of an action that only changes what `change` changes and moves to the edge's
// state.
template <typename Change>
ActionEffect Effect(const RuleInput& in, Change change) {
  ActionEffect e{in.dossier, "", in.request.note, ""};
  change(e.dossier);
  e.dossier.state = in.to;
  return e;
}

Status NeedNote(const RuleInput& in, const char* en, const char* vi) {
  if (in.request.note.empty()) return Fail(ErrorCode::kMissingField, en, vi, "note");
  return {};
}

Error NoLongerOffered() {
  return Error{ErrorCode::kConflict, "The procedure is no longer offered.",
               "Thủ tục không còn được cung cấp.", "procedure_id"};
}

std::string DayAndTime(Instant t) { return FormatIso8601Vn(t).substr(0, 16); }

}  // namespace

Result<ActionEffect> ReceiveRule(const RuleInput& in) {
  const Procedure* p = in.facts.procedure;
  if (p == nullptr) return tl::unexpected(NoLongerOffered());
  auto due = in.facts.calendar->Due(in.now, p->time_limit, p->time_unit);
  MOTCUA_RETURN_IF_ERROR(due);
  ActionEffect e = Effect(in, [&](Dossier& d) {
    d.received_at = in.now;
    d.due_at = *due;
  });
  e.notify_subject = "Hồ sơ đã được tiếp nhận, hẹn trả kết quả " + DayAndTime(*due);
  return e;
}

Result<ActionEffect> RequestSupplementRule(const RuleInput& in) {
  if (auto st = NeedNote(in, "List every missing item in 'note'.",
                         "Liệt kê đầy đủ các nội dung cần bổ sung trong 'note'.");
      !st) {
    return tl::unexpected(st.error());
  }
  ActionEffect e = Effect(in, [&](Dossier& d) {
    d.supplements.push_back({in.now, std::nullopt, in.dossier.state});
  });
  e.notify_subject = "Yêu cầu bổ sung hồ sơ: " + in.request.note;
  return e;
}

Result<ActionEffect> SupplementRule(const RuleInput& in) {
  const Dossier& before = in.dossier;
  if (before.supplements.empty() || before.supplements.back().supplied_at) {
    return Fail(ErrorCode::kConflict, "No supplement is pending.", "Không có yêu cầu bổ sung.");
  }
  Dossier d = before;
  if (!in.facts.supplied.empty()) {
    if (in.facts.procedure == nullptr) return tl::unexpected(NoLongerOffered());
    for (const DossierComponent& c : in.facts.supplied) {
      bool replaced = false;
      for (DossierComponent& old_c : d.components) {
        if (old_c.component_id == c.component_id) {
          old_c = c;
          replaced = true;
        }
      }
      if (!replaced) d.components.push_back(c);
    }
    MOTCUA_RETURN_IF_ERROR(ValidateIntake(d, *in.facts.procedure));
  }
  d.supplements.back().supplied_at = in.now;
  d.state = d.supplements.back().resume_state;  // back to where the request found it
  return ActionEffect{std::move(d), "", in.request.note, ""};
}

Result<ActionEffect> RefuseRule(const RuleInput& in) {
  if (auto st = NeedNote(in, "A refusal needs its reason in 'note'.",
                         "Từ chối phải nêu lý do trong 'note'.");
      !st) {
    return tl::unexpected(st.error());
  }
  ActionEffect e = Effect(in, [&](Dossier& d) { d.finished_at = in.now; });
  e.notify_subject = "Hồ sơ bị từ chối: " + in.request.note;
  return e;
}

Result<ActionEffect> AssignRule(const RuleInput& in) {
  const std::optional<UserRecord>& user = in.facts.to_user;
  if (!user || user->unit_code != in.dossier.current_unit ||
      (user->role != Role::kSpecialist && user->role != Role::kLeader)) {
    return Fail(ErrorCode::kInvalidField, "Assign to a specialist of the dossier's unit.",
                "Chỉ giao cho chuyên viên của đơn vị đang giữ hồ sơ.", "to_user");
  }
  return Effect(in, [&](Dossier& d) { d.assignee_user_id = user->id; });
}

Result<ActionEffect> ForwardRule(const RuleInput& in) {
  const std::string& to_unit = in.request.to_unit;
  const UnitDirectory& units = *in.facts.units;
  const Unit* to = units.Find(to_unit);
  if (to == nullptr || units.ProvinceOf(to_unit) != in.facts.province_code ||
      to->category == UnitCategory::kAgencyTemplate || to_unit == in.dossier.current_unit ||
      to_unit == in.facts.province_code) {
    return Fail(ErrorCode::kInvalidField, "Forward to another unit of the province.",
                "Chuyển đến một đơn vị khác trong tỉnh.", "to_unit");
  }
  return Effect(in, [&](Dossier& d) {
    d.current_unit = to_unit;
    d.assignee_user_id = 0;
    d.path_units.push_back(to_unit);
  });
}

Result<ActionEffect> ApproveRule(const RuleInput& in) {
  return Effect(in, [](Dossier&) {});
}

Result<ActionEffect> IssueResultRule(const RuleInput& in) {
  if (in.request.result_sha256.empty() || !in.facts.result_file) {
    return Fail(ErrorCode::kInvalidField,
                "Give the electronic result: the SHA-256 of a file you uploaded "
                "(POST /api/v1/files).",
                "Cần tệp kết quả điện tử: mã SHA-256 của tệp bạn đã tải lên "
                "(POST /api/v1/files).",
                "result_sha256");
  }
  ActionEffect e = Effect(in, [&](Dossier& d) {
    d.result_sha256 = in.request.result_sha256;
    d.finished_at = in.now;
  });
  e.notify_subject = "Đã có kết quả giải quyết hồ sơ";
  return e;
}

Result<ActionEffect> ApologiseRule(const RuleInput& in) {
  if (auto st = NeedNote(in, "An apology needs its reason in 'note'.",
                         "Thư xin lỗi phải nêu lý do trong 'note'.");
      !st) {
    return tl::unexpected(st.error());
  }
  const std::optional<Instant>& due = in.dossier.due_at;
  if (!due || in.now >= *due) {
    return Fail(ErrorCode::kConflict, "An apology must come before the appointment.",
                "Thư xin lỗi phải gửi trước ngày hẹn trả.", "action");
  }
  const std::optional<Instant>& new_due = in.request.new_due;
  if (!new_due || *new_due <= *due || *new_due > *due + std::chrono::hours(24 * 366)) {
    return Fail(ErrorCode::kInvalidField,
                "The new date must be after the appointment, within a year of it.",
                "Ngày hẹn mới phải sau ngày hẹn cũ và trong vòng một năm.", "new_due");
  }
  ActionEffect e = Effect(in, [&](Dossier& d) {
    d.due_at = *new_due;
    d.apologies += 1;
  });
  e.notify_subject =
      "Xin lỗi vì trễ hẹn; hẹn trả mới " + DayAndTime(*new_due) + ". Lý do: " + in.request.note;
  return e;
}

Result<ActionEffect> ReturnResultRule(const RuleInput& in) {
  return Effect(in, [&](Dossier& d) { d.returned_at = in.now; });
}

Result<ActionEffect> StopRule(const RuleInput& in) {
  if (auto st = NeedNote(in, "Stopping needs its reason in 'note'.",
                         "Dừng xử lý phải nêu lý do trong 'note'.");
      !st) {
    return tl::unexpected(st.error());
  }
  return Effect(in, [&](Dossier& d) { d.finished_at = in.now; });
}

Result<ActionEffect> WithdrawRule(const RuleInput& in) {
  return Effect(in, [&](Dossier& d) { d.finished_at = in.now; });
}

Result<ActionEffect> RateRule(const RuleInput& in) {
  if (!in.dossier.rating.empty()) {
    return Fail(ErrorCode::kConflict, "This dossier has already been rated.",
                "Hồ sơ này đã được đánh giá.", "action");
  }
  const std::string& rating = in.request.rating;
  if (!IsRating(rating)) {
    return Fail(ErrorCode::kInvalidField, "rating: satisfied, neutral or dissatisfied.",
                "rating: satisfied (hài lòng), neutral (bình thường) hoặc dissatisfied "
                "(không hài lòng).",
                "rating");
  }
  ActionEffect e = Effect(in, [&](Dossier& d) {
    d.rating = rating;
    d.rating_comment = in.request.note;
    d.rated_at = in.now;
  });
  e.audit_note = rating + (in.request.note.empty() ? "" : ": " + in.request.note);
  return e;
}

Result<ActionEffect> ComplainRule(const RuleInput& in) {
  if (auto st = NeedNote(in, "A complaint needs its text in 'note'.",
                         "Khiếu nại phải có nội dung trong 'note'.");
      !st) {
    return tl::unexpected(st.error());
  }
  ActionEffect e = Effect(in, [](Dossier& d) { d.complaints += 1; });
  e.complaint = in.request.note;
  return e;
}

}  // namespace motcua
