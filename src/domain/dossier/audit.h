// The audit trail: every dossier action appended as an entry whose hash covers the previous
// entry's hash, so that editing, inserting or deleting any row breaks the chain.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"

namespace motcua {

struct AuditEntry {
  int64_t seq = 0;  // position in the chain, 1, 2, 3, ... (assigned by the store)
  std::string dossier_code;
  Instant at{};
  int64_t actor_user_id = 0;  // 0 = the system or an anonymous applicant
  std::string actor_role;     // role name, "applicant" or "system"
  std::string actor_unit;
  std::string action;  // "submit", "receive", ...
  std::string state_before;
  std::string state_after;
  std::string note;       // reason, comment; may be empty
  std::string prev_hash;  // hash of entry seq-1 ("" for the first)
  std::string hash;
};

// The hash of `e` chained to `prev_hash` (SHA-256 hex over every field but `hash`).
std::string AuditHash(const AuditEntry& e, std::string_view prev_hash);

struct AuditVerification {
  bool ok = true;
  int64_t entries = 0;
  int64_t first_bad_seq = 0;  // 0 when ok
  std::string problem;        // what is wrong, in English
};

// Checks a chain given in seq order: consecutive seqs from 1, each prev_hash equal to the
// previous hash and each hash recomputed; `head_seq`/`head_hash` (kept separately by the
// store) must match the last entry, which catches deletion at the end.
AuditVerification VerifyAuditChain(const std::vector<AuditEntry>& entries, int64_t head_seq,
                                   std::string_view head_hash);

}  // namespace motcua
