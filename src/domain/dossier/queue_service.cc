#include "domain/dossier/queue_service.h"

namespace motcua {

Result<std::vector<DossierLine>> QueueService::Queue(const Principal& who, DossierQuery q) {
  auto units = units_();
  if (who.role == Role::kCitizen) {
    q.units.clear();
    // A citizen's username is their ID number, and what they file online carries it: this is
    // their online dossiers and those filed for them at a counter.
    q.applicant_id_number = who.username;
    return queries_.ListDossierLines(q);
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
    return queries_.ListDossierLines(q);
  } else {
    // Leaders: their unit and everything below; admins and auditors of another province: theirs.
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
  return queries_.ListDossierLines(q);
}

}  // namespace motcua
