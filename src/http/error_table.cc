#include "http/error_table.h"

#include <array>

namespace motcua {
namespace {

template <typename Code>
struct Row {
  Code code;
  int status;
  std::string_view name;
  std::string_view en;
  std::string_view vi;
};

using R = Row<ErrorCode>;
using T = Row<TransportError>;

// The one table from error codes to HTTP statuses and default texts.
constexpr std::array kTable = {
    R{ErrorCode::kBadRequest, 400, "bad_request", "The request is malformed.",
      "Yêu cầu không đúng định dạng."},
    R{ErrorCode::kInvalidField, 400, "invalid_field", "A field has an invalid value.",
      "Một trường có giá trị không hợp lệ."},
    R{ErrorCode::kMissingField, 400, "missing_field", "A required field is missing.",
      "Thiếu trường bắt buộc."},
    R{ErrorCode::kUnknownField, 400, "unknown_field", "The request has an unknown field.",
      "Yêu cầu có trường không được hỗ trợ."},
    R{ErrorCode::kUnauthenticated, 401, "unauthenticated",
      "Log in first: the token is missing, invalid or expired.",
      "Vui lòng đăng nhập: mã phiên thiếu, không hợp lệ hoặc đã hết hạn."},
    R{ErrorCode::kBadCredentials, 401, "bad_credentials", "Wrong username or password.",
      "Sai tên đăng nhập hoặc mật khẩu."},
    R{ErrorCode::kForbidden, 403, "forbidden", "Your role or unit does not allow this action.",
      "Vai trò hoặc đơn vị của bạn không được phép thực hiện thao tác này."},
    R{ErrorCode::kNotFound, 404, "not_found", "Not found.", "Không tìm thấy."},
    R{ErrorCode::kConflict, 409, "conflict", "The request conflicts with the current state.",
      "Yêu cầu xung đột với trạng thái hiện tại."},
    R{ErrorCode::kPayloadTooLarge, 413, "payload_too_large", "The request body is too large.",
      "Nội dung yêu cầu quá lớn."},
    R{ErrorCode::kDeadlineExceeded, 408, "timeout", "The request was not received in time.",
      "Không nhận được yêu cầu trong thời gian cho phép."},
    R{ErrorCode::kTooManyRequests, 429, "too_many_requests", "Too many requests; try again later.",
      "Quá nhiều yêu cầu; vui lòng thử lại sau."},
    R{ErrorCode::kUnsupportedMedia, 415, "unsupported_media_type",
      "Send the body as application/json.", "Vui lòng gửi nội dung dạng application/json."},
    R{ErrorCode::kUnavailable, 503, "unavailable", "The service is temporarily unavailable.",
      "Dịch vụ tạm thời không sẵn sàng."},
    R{ErrorCode::kInternal, 500, "internal", "Internal error.", "Lỗi hệ thống."},
};

// What the HTTP layer itself refuses, before any operation runs.
constexpr std::array kTransportTable = {
    T{TransportError::kMethodNotAllowed, 405, "method_not_allowed",
      "This method is not allowed on this path.",
      "Phương thức không được hỗ trợ trên đường dẫn này."},
    T{TransportError::kHeaderTooLarge, 431, "header_too_large",
      "The request headers are too large.", "Phần đầu yêu cầu quá lớn."},
    T{TransportError::kCsrf, 403, "csrf", "Missing or wrong CSRF token.",
      "Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF)."},
};

const R& Find(ErrorCode code) {
  for (const R& row : kTable) {
    if (row.code == code) return row;
  }
  return kTable.back();
}

}  // namespace

int HttpStatus(ErrorCode code) { return Find(code).status; }
std::string_view CodeName(ErrorCode code) { return Find(code).name; }
std::string_view DefaultMessage(ErrorCode code) { return Find(code).en; }
std::string_view DefaultMessageVi(ErrorCode code) { return Find(code).vi; }

EdgeError Describe(TransportError t) {
  for (const T& row : kTransportTable) {
    if (row.code == t) return {row.status, row.name, row.en, row.vi};
  }
  return {500, "internal", "Internal error.", "Lỗi hệ thống."};
}

EdgeError Describe(ErrorCode code) {
  const R& row = Find(code);
  return {row.status, row.name, row.en, row.vi};
}

}  // namespace motcua
