#include "domain/demo/history_store.h"

#include <algorithm>

namespace motcua {

HistoryStore::HistoryStore(const Clock& clock, std::vector<FileRecord> files) : clock_(clock) {
  for (FileRecord& f : files) {
    std::string sha = f.sha256;
    files_.emplace(std::move(sha), std::move(f));
  }
}

size_t HistoryStore::size() const {
  std::lock_guard lock(mu_);
  return dossiers_.size();
}

void HistoryStore::ForgetApplicantsAndCounters() {
  std::lock_guard lock(mu_);
  applicant_docs_.clear();
  sequences_.clear();
  taken_.clear();
}

void HistoryStore::Attach(HistoryDossier& h) {
  const Dossier& d = h.dossier;
  auto attach = [&](const std::string& sha, const char* kind, const std::string& component,
                    Instant at) {
    for (const ApplicantDocument& f : h.files) {
      if (f.sha256 == sha && f.kind == kind && f.component_id == component) return;
    }
    auto file = files_.find(sha);
    ApplicantDocument doc{sha,
                          kind,
                          component,
                          d.code,
                          file == files_.end() ? "" : file->second.media_type,
                          file == files_.end() ? 0 : file->second.size,
                          at};
    h.files.push_back(doc);
    applicant_docs_[d.applicant.id_number].push_back(std::move(doc));
  };
  for (const DossierComponent& c : d.components) {
    if (!c.file_sha256.empty()) attach(c.file_sha256, "component", c.component_id, d.submitted_at);
  }
  if (!d.result_sha256.empty()) {
    attach(d.result_sha256, "result", "", d.finished_at.value_or(d.submitted_at));
  }
}

void HistoryStore::Append(HistoryDossier& h, const DossierWrite& w) {
  AuditEntry e = w.event;
  e.dossier_code = h.dossier.code;
  h.audit.push_back(std::move(e));
  for (OutboxMessage m : w.outbox) {
    m.dossier_code = h.dossier.code;
    h.outbox.push_back(std::move(m));
  }
  if (!w.complaint.empty()) h.complaints.push_back({w.event.at, w.complaint});
}

Result<CreatedDossier> HistoryStore::CreateDossier(const NewDossier& nd) {
  if (!nd.idempotency_key.empty()) {
    return Failure(ErrorCode::kInvalidField, "A generated history has no idempotency keys.",
                   "idempotency_key");
  }
  std::lock_guard lock(mu_);
  HistoryDossier h;
  h.dossier = nd.dossier;
  Dossier& d = h.dossier;
  int64_t& last = sequences_[{nd.code_prefix, FormatIso8601Vn(d.submitted_at).substr(0, 10)}];
  auto code = FormatDossierCode(nd.code_prefix, d.submitted_at, last + 1);
  MOTCUA_RETURN_IF_ERROR(code);
  ++last;
  d.code = *code;
  d.version = 1;
  if (dossiers_.contains(d.code)) {
    return Failure(ErrorCode::kConflict, "The history store already has dossier " + d.code + ".");
  }
  Attach(h);
  Append(h, nd.write);
  CreatedDossier out{d, false};
  dossiers_.emplace(out.dossier.code, std::move(h));
  return out;
}

Result<std::optional<Dossier>> HistoryStore::FindDossier(const std::string& code) {
  std::lock_guard lock(mu_);
  auto it = dossiers_.find(code);
  if (it != dossiers_.end()) return std::optional<Dossier>(it->second.dossier);
  auto gone = taken_.find(code);
  if (gone != taken_.end()) return std::optional<Dossier>(gone->second);
  return std::optional<Dossier>();
}

Result<Dossier> HistoryStore::UpdateDossier(const Dossier& d, int64_t expected_version,
                                            const DossierWrite& write) {
  std::lock_guard lock(mu_);
  auto it = dossiers_.find(d.code);
  if (it == dossiers_.end() || it->second.dossier.version != expected_version) {
    return Failure(ErrorCode::kConflict, "dossier " + d.code + ": stale version", "version");
  }
  HistoryDossier& h = it->second;
  h.dossier = d;
  h.dossier.version = expected_version + 1;
  Attach(h);
  Append(h, write);
  return h.dossier;
}

Result<HistoryDossier> HistoryStore::Take(const std::string& code) {
  std::lock_guard lock(mu_);
  auto it = dossiers_.find(code);
  if (it == dossiers_.end()) {
    return Failure(ErrorCode::kNotFound, "the history store has no dossier " + code);
  }
  HistoryDossier h = std::move(it->second);
  dossiers_.erase(it);
  Dossier& seen = taken_[code];
  seen.code = code;
  seen.applicant = h.dossier.applicant;
  seen.applicant_user_id = h.dossier.applicant_user_id;
  seen.path_units = h.dossier.path_units;
  seen.current_unit = h.dossier.current_unit;
  for (OutboxMessage& m : h.outbox) {
    // Delivered at once, as a working sender would have done.
    m.status = "sent";
    m.attempts = 1;
    m.sent_at = m.created_at + std::chrono::seconds(2);
    m.next_attempt_at = m.created_at;
    m.provider_ref = m.channel == "email" ? "250 2.0.0 Ok: queued" : "demo-sms-accepted";
  }
  return h;
}

Result<std::vector<ApplicantDocument>> HistoryStore::ListApplicantDocuments(
    const std::string& id_number, size_t limit) {
  std::lock_guard lock(mu_);
  std::vector<ApplicantDocument> out;
  auto it = applicant_docs_.find(id_number);
  if (it == applicant_docs_.end()) return out;
  Instant now = clock_.Now();
  // Most recently attached first, one per file.
  for (auto d = it->second.rbegin(); d != it->second.rend() && out.size() < limit; ++d) {
    if (d->attached_at > now) continue;
    bool seen = false;
    for (const ApplicantDocument& o : out) seen = seen || o.sha256 == d->sha256;
    if (!seen) out.push_back(*d);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.attached_at > b.attached_at; });
  return out;
}

Result<std::optional<ApplicantDocument>> HistoryStore::FindApplicantDocument(
    const std::string& id_number, const std::string& sha256) {
  std::lock_guard lock(mu_);
  using Found = std::optional<ApplicantDocument>;
  auto it = applicant_docs_.find(id_number);
  if (it == applicant_docs_.end()) return Found();
  Instant now = clock_.Now();
  const ApplicantDocument* best = nullptr;
  for (const ApplicantDocument& d : it->second) {
    if (d.sha256 == sha256 && d.attached_at <= now &&
        (best == nullptr || d.attached_at >= best->attached_at)) {
      best = &d;
    }
  }
  return best == nullptr ? Found() : Found(*best);
}

Result<bool> HistoryStore::DossierHasFile(const std::string& code, const std::string& sha256) {
  std::lock_guard lock(mu_);
  auto it = dossiers_.find(code);
  if (it == dossiers_.end()) return false;
  for (const ApplicantDocument& f : it->second.files) {
    if (f.sha256 == sha256) return true;
  }
  return false;
}

void HistoryStore::CreateDossierAsync(NewDossier d,
                                      std::function<void(Result<CreatedDossier>)> done) {
  done(CreateDossier(d));
}

Result<std::vector<ComplaintRow>> HistoryStore::LoadComplaints(const std::string& code) {
  std::lock_guard lock(mu_);
  std::vector<ComplaintRow> out;
  auto it = dossiers_.find(code);
  if (it == dossiers_.end()) return out;
  for (const HistoryComplaint& c : it->second.complaints) {
    out.push_back({static_cast<int64_t>(out.size() + 1), c.text, "open", c.at});
  }
  return out;
}

}  // namespace motcua
