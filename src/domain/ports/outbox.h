// Port: the outbox, messages to applicants written with the change they report and delivered
// later by the sender (src/notify).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"

namespace motcua {

// A message to the applicant, written in the same transaction as the change it reports and
// delivered later by the sender (e-mail over SMTP, SMS over an HTTP gateway).
struct OutboxMessage {
  int64_t id = 0;
  std::string dossier_code;
  std::string channel;  // "email" | "sms"
  std::string recipient;
  std::string subject;
  std::string body;
  std::string status = "pending";  // pending | sent | failed
  int64_t attempts = 0;            // delivery attempts started (a claim counts as one)
  Instant next_attempt_at{};
  std::string last_error;  // why the latest failed attempt failed; kept after a later success
  Instant created_at{};
  Instant sent_at{};         // when the provider accepted it (epoch while not sent)
  std::string provider_ref;  // what the provider answered on acceptance (SMTP reply, gateway id)
};

// The outcome of one delivery attempt of a claimed message, for Outbox::RecordDelivery.
struct OutboxDelivery {
  int64_t id = 0;
  int64_t attempt = 0;             // the message's `attempts` as claimed ...
  Instant lease_until{};           // ... and its next_attempt_at: together they name the claim
  std::string status = "pending";  // sent | failed | pending (retry at next_attempt_at)
  Instant next_attempt_at{};       // only for pending
  std::string last_error;          // why it failed; for sent, "" keeps the stored one
  std::string provider_ref;        // only for sent
  Instant at{};                    // when the attempt ended (becomes sent_at when sent)
  bool attempted = true;           // false (pending only): the claim is given back unused,
                                   // so `attempts` goes back down by one
};

// Messages are appended by the dossier store (DossierWrite::outbox). Thread-safe; writes are
// durable when they return success.
class Outbox {
 public:
  virtual ~Outbox() = default;
  // Outbox messages of a dossier, oldest first.
  virtual Result<std::vector<OutboxMessage>> LoadOutbox(const std::string& dossier_code) = 0;
  // Claims up to `max` pending messages of `channels` whose next_attempt_at <= now, oldest due
  // first: in one statement that re-checks the condition row by row, it bumps their `attempts`
  // and pushes next_attempt_at to now + lease, and returns them as updated. So two senders
  // (threads, or nodes sharing one PostgreSQL) never hold the same message at once; one that
  // dies holding a claim lets it fall due again when the lease ends. Empty when none is due.
  virtual Result<std::vector<OutboxMessage>> ClaimDueOutbox(
      Instant now, std::chrono::seconds lease, size_t max,
      const std::vector<std::string>& channels) = 0;
  // Records the outcome of the claim (d.attempt, d.lease_until) of a message: sent (sent_at =
  // at), failed (for good), or pending again at d.next_attempt_at. Fails with kConflict, changing
  // nothing, unless the message is still pending under that very claim (not when its lease ran
  // out and another sender claimed it, nor when this claim was already recorded).
  virtual Status RecordDelivery(const OutboxDelivery& d) = 0;
};

}  // namespace motcua
