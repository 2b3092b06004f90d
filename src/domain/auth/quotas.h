// The quotas on what one caller may do to a shared resource (filing, uploading): per account
// (by role: a counter officer files for many people, a citizen for themselves) and per client
// address, so that one account or one client cannot exhaust what everybody shares. Rates come
// from Limits (filings_*, uploads_*).
#pragma once

#include <string_view>

#include "common/clock.h"
#include "common/error.h"
#include "domain/auth/rate_limiter.h"
#include "domain/auth/role.h"

namespace motcua {

struct Rate {
  double per_hour = 60;
  double burst = 10;
};

struct QuotaRates {
  Rate citizen_filings{30, 10};
  Rate officer_filings{600, 100};
  Rate client_filings{1200, 200};
  Rate account_uploads{600, 100};
  Rate client_uploads{3000, 500};
};

class CallerQuotas {
 public:
  // Borrows `clock`. Thread-safe.
  CallerQuotas(const Clock& clock, QuotaRates rates);
  // Takes one filing from `who`'s and `client`'s quotas; kTooManyRequests (taking nothing from
  // the account when the address is over) otherwise.
  Status TakeFiling(const Principal& who, std::string_view client);
  // The same for one upload.
  Status TakeUpload(const Principal& who, std::string_view client);

 private:
  RateLimiter citizen_filings_, officer_filings_, client_filings_;
  RateLimiter account_uploads_, client_uploads_;
};

}  // namespace motcua
