#include "domain/auth/quotas.h"

#include <string>

namespace motcua {
namespace {

RateLimiter Make(const Clock& clock, Rate r) {
  return RateLimiter(clock, r.per_hour / 60, r.burst);
}

Status Over(const char* what_en, const char* what_vi) {
  return Fail(
      ErrorCode::kTooManyRequests,
      std::string("Too many ") + what_en + " from your account or address; try again later.",
      std::string("Quá nhiều ") + what_vi +
          " từ tài khoản hoặc địa chỉ của bạn; vui lòng thử lại sau.");
}

}  // namespace

CallerQuotas::CallerQuotas(const Clock& clock, QuotaRates rates)
    : citizen_filings_(Make(clock, rates.citizen_filings)),
      officer_filings_(Make(clock, rates.officer_filings)),
      client_filings_(Make(clock, rates.client_filings)),
      account_uploads_(Make(clock, rates.account_uploads)),
      client_uploads_(Make(clock, rates.client_uploads)) {}

Status CallerQuotas::TakeFiling(const Principal& who, std::string_view client) {
  RateLimiter& account = who.role == Role::kCitizen ? citizen_filings_ : officer_filings_;
  std::string key = std::to_string(who.user_id);
  if (!client_filings_.WouldAllow(client) || !account.Allow(key) ||
      !client_filings_.Allow(client)) {
    return Over("filings", "hồ sơ nộp");
  }
  return {};
}

Status CallerQuotas::TakeUpload(const Principal& who, std::string_view client) {
  std::string key = std::to_string(who.user_id);
  if (!client_uploads_.WouldAllow(client) || !account_uploads_.Allow(key) ||
      !client_uploads_.Allow(client)) {
    return Over("uploads", "tệp tải lên");
  }
  return {};
}

}  // namespace motcua
