#include "http/limits.h"

#include <charconv>
#include <functional>
#include <vector>

namespace motcua {
namespace {

struct Field {
  std::string_view name;
  std::function<std::string(const Limits&)> get;
  std::function<bool(Limits&, double)> set;
};

template <typename T>
Field Size(std::string_view name, T Limits::*member) {
  return {name, [member](const Limits& l) { return std::to_string(l.*member); },
          [member](Limits& l, double v) {
            if (v < 0) return false;
            l.*member = static_cast<T>(v);
            return true;
          }};
}

Field Millis(std::string_view name, std::chrono::milliseconds Limits::*member) {
  return {name, [member](const Limits& l) { return std::to_string((l.*member).count()); },
          [member](Limits& l, double v) {
            if (v < 1) return false;
            l.*member = std::chrono::milliseconds(static_cast<long long>(v));
            return true;
          }};
}

const std::vector<Field>& Fields() {
  static const std::vector<Field> kFields = {
      Size("max_header_bytes", &Limits::max_header_bytes),
      Size("max_body_bytes", &Limits::max_body_bytes),
      Millis("idle_timeout_ms", &Limits::idle_timeout),
      Millis("read_timeout_ms", &Limits::read_timeout),
      Millis("write_timeout_ms", &Limits::write_timeout),
      Size("max_connections", &Limits::max_connections),
      Size("max_connections_per_client", &Limits::max_connections_per_client),
      Size("max_buffered_body_bytes", &Limits::max_buffered_body_bytes),
      Size("max_requests_per_connection", &Limits::max_requests_per_connection),
      Size("max_json_depth", &Limits::max_json_depth),
      Size("max_query_chars", &Limits::max_query_chars),
      Size("max_page_size", &Limits::max_page_size),
      Size("max_concurrent_hashes", &Limits::max_concurrent_hashes),
      Size("max_pending_hashes", &Limits::max_pending_hashes),
      Size("login_per_minute_per_client", &Limits::login_per_minute_per_client),
      Size("login_burst_per_client", &Limits::login_burst_per_client),
      Size("max_pending_logins_per_client", &Limits::max_pending_logins_per_client),
      Size("public_lookups_per_minute_per_client", &Limits::public_lookups_per_minute_per_client),
      Size("public_lookups_burst_per_client", &Limits::public_lookups_burst_per_client),
      Size("public_wrong_guesses_per_hour_per_dossier",
           &Limits::public_wrong_guesses_per_hour_per_dossier),
      Size("public_wrong_guesses_burst_per_dossier",
           &Limits::public_wrong_guesses_burst_per_dossier),
      Size("filings_per_hour_per_citizen", &Limits::filings_per_hour_per_citizen),
      Size("filings_burst_per_citizen", &Limits::filings_burst_per_citizen),
      Size("filings_per_hour_per_officer", &Limits::filings_per_hour_per_officer),
      Size("filings_burst_per_officer", &Limits::filings_burst_per_officer),
      Size("filings_per_hour_per_client", &Limits::filings_per_hour_per_client),
      Size("filings_burst_per_client", &Limits::filings_burst_per_client),
      Size("uploads_per_hour_per_account", &Limits::uploads_per_hour_per_account),
      Size("uploads_burst_per_account", &Limits::uploads_burst_per_account),
      Size("uploads_per_hour_per_client", &Limits::uploads_per_hour_per_client),
      Size("uploads_burst_per_client", &Limits::uploads_burst_per_client),
      Size("max_upload_bytes", &Limits::max_upload_bytes),
      Millis("upload_timeout_ms", &Limits::upload_timeout),
      Size("max_concurrent_file_commits", &Limits::max_concurrent_file_commits),
      Size("max_image_pixels", &Limits::max_image_pixels),
      Size("max_pdf_inflated_bytes", &Limits::max_pdf_inflated_bytes),
      Size("max_pdf_inflate_ratio", &Limits::max_pdf_inflate_ratio),
      Size("max_pdf_pages", &Limits::max_pdf_pages),
      Size("max_file_check_passes", &Limits::max_file_check_passes),
      Size("max_concurrent_renders", &Limits::max_concurrent_renders),
      Size("max_pending_renders", &Limits::max_pending_renders),
  };
  return kFields;
}

}  // namespace

Status SetLimit(Limits& limits, std::string_view name, std::string_view value) {
  for (const Field& f : Fields()) {
    if (f.name != name) continue;
    double v = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || ptr != value.data() + value.size() || !f.set(limits, v)) {
      return Fail(ErrorCode::kInvalidField, "Bad value for limit " + std::string(name) + ".",
                  "Giá trị giới hạn không hợp lệ: " + std::string(name) + ".", std::string(name));
    }
    return {};
  }
  return Fail(ErrorCode::kInvalidField, "Unknown limit " + std::string(name) + ".",
              "Không có giới hạn tên " + std::string(name) + ".", std::string(name));
}

std::string DescribeLimits(const Limits& limits) {
  std::string out;
  for (const Field& f : Fields()) out += "  " + std::string(f.name) + "=" + f.get(limits) + "\n";
  return out;
}

}  // namespace motcua
