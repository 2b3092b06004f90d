#include "domain/dossier/audit.h"

#include "common/crypto.h"

namespace motcua {

std::string AuditHash(const AuditEntry& e, std::string_view prev_hash) {
  std::string s;
  s.reserve(256);
  auto add = [&](std::string_view v) {
    s += std::to_string(v.size());  // length-prefixed: no field can spill into the next
    s += ':';
    s += v;
  };
  add(prev_hash);
  add(std::to_string(e.seq));
  add(e.dossier_code);
  add(std::to_string(e.at.time_since_epoch().count()));
  add(std::to_string(e.actor_user_id));
  add(e.actor_role);
  add(e.actor_unit);
  add(e.action);
  add(e.state_before);
  add(e.state_after);
  add(e.note);
  return Sha256Hex(s);
}

AuditVerification VerifyAuditChain(const std::vector<AuditEntry>& entries, int64_t head_seq,
                                   std::string_view head_hash) {
  AuditVerification v;
  std::string prev;
  for (size_t i = 0; i < entries.size(); ++i) {
    const AuditEntry& e = entries[i];
    auto bad = [&](std::string what) {
      v.ok = false;
      v.first_bad_seq = e.seq;
      v.problem = std::move(what);
    };
    if (e.seq != static_cast<int64_t>(i) + 1) {
      bad("entry " + std::to_string(i + 1) + " is missing or out of order (found seq " +
          std::to_string(e.seq) + ")");
    } else if (e.prev_hash != prev) {
      bad("entry " + std::to_string(e.seq) + " does not chain to the entry before it");
    } else if (AuditHash(e, prev) != e.hash) {
      bad("entry " + std::to_string(e.seq) + " was altered (its hash does not match)");
    }
    if (!v.ok) return v;
    prev = e.hash;
    ++v.entries;
  }
  if (head_seq != v.entries || head_hash != prev) {
    v.ok = false;
    v.first_bad_seq = v.entries + 1;
    v.problem = "the chain ends at " + std::to_string(v.entries) + " but the head says " +
                std::to_string(head_seq) + ": entries were deleted or the head was changed";
  }
  return v;
}

}  // namespace motcua
