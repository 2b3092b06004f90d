// A way to reach an applicant (e-mail over SMTP, SMS over an HTTP gateway), as the outbox sender
// sees it: deliver one message, say how it went.
#pragma once

#include <string>

#include "common/clock.h"
#include "domain/notify/delivery_policy.h"
#include "domain/ports/outbox.h"

namespace motcua::notify {

struct DeliveryResult {
  DeliveryOutcome outcome = DeliveryOutcome::kTransient;
  // kSent: what the provider answered (its reply or message id, may be empty). Otherwise why it
  // failed, fit for the notifications endpoint: the provider's reply, or the kind of network
  // failure without host names (those go to the log).
  std::string detail;
};

class Channel {
 public:
  virtual ~Channel() = default;
  // Delivers `m` (its recipient, subject, body), stamped as sent at `now`. Blocks for at most the
  // channel's own timeouts; never throws. Not thread-safe: one sender thread calls it.
  virtual DeliveryResult Deliver(const OutboxMessage& m, Instant now) = 0;
};

}  // namespace motcua::notify
