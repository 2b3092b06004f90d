#include "common/error.h"

#include <array>

namespace motcua {
namespace {

struct Row {
  ErrorCode code;
  int status;
  std::string_view name;
  std::string_view en;
  std::string_view vi;
};

// The one table from error codes to HTTP statuses and default texts.
constexpr std::array kTable = {
    Row{ErrorCode::kBadRequest, 400, "bad_request", "The request is malformed.",
        "Yêu cầu không đúng định dạng."},
    Row{ErrorCode::kInvalidField, 400, "invalid_field", "A field has an invalid value.",
        "Một trường có giá trị không hợp lệ."},
    Row{ErrorCode::kMissingField, 400, "missing_field", "A required field is missing.",
        "Thiếu trường bắt buộc."},
    Row{ErrorCode::kUnknownField, 400, "unknown_field", "The request has an unknown field.",
        "Yêu cầu có trường không được hỗ trợ."},
    Row{ErrorCode::kUnauthenticated, 401, "unauthenticated",
        "Log in first: the token is missing, invalid or expired.",
        "Vui lòng đăng nhập: mã phiên thiếu, không hợp lệ hoặc đã hết hạn."},
    Row{ErrorCode::kBadCredentials, 401, "bad_credentials", "Wrong username or password.",
        "Sai tên đăng nhập hoặc mật khẩu."},
    Row{ErrorCode::kForbidden, 403, "forbidden", "Your role or unit does not allow this action.",
        "Vai trò hoặc đơn vị của bạn không được phép thực hiện thao tác này."},
    Row{ErrorCode::kCsrf, 403, "csrf", "Missing or wrong CSRF token.",
        "Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF)."},
    Row{ErrorCode::kNotFound, 404, "not_found", "Not found.", "Không tìm thấy."},
    Row{ErrorCode::kMethodNotAllowed, 405, "method_not_allowed",
        "This method is not allowed on this path.",
        "Phương thức không được hỗ trợ trên đường dẫn này."},
    Row{ErrorCode::kConflict, 409, "conflict", "The request conflicts with the current state.",
        "Yêu cầu xung đột với trạng thái hiện tại."},
    Row{ErrorCode::kPayloadTooLarge, 413, "payload_too_large", "The request body is too large.",
        "Nội dung yêu cầu quá lớn."},
    Row{ErrorCode::kHeaderTooLarge, 431, "header_too_large", "The request headers are too large.",
        "Phần đầu yêu cầu quá lớn."},
    Row{ErrorCode::kTimeout, 408, "timeout", "The request was not received in time.",
        "Không nhận được yêu cầu trong thời gian cho phép."},
    Row{ErrorCode::kTooManyRequests, 429, "too_many_requests",
        "Too many requests; try again later.", "Quá nhiều yêu cầu; vui lòng thử lại sau."},
    Row{ErrorCode::kLocked, 429, "account_locked",
        "Too many failed logins; the account is locked for a while.",
        "Đăng nhập sai quá nhiều lần; tài khoản tạm thời bị khóa."},
    Row{ErrorCode::kUnsupportedMedia, 415, "unsupported_media_type",
        "Send the body as application/json.", "Vui lòng gửi nội dung dạng application/json."},
    Row{ErrorCode::kUnavailable, 503, "unavailable", "The service is temporarily unavailable.",
        "Dịch vụ tạm thời không sẵn sàng."},
    Row{ErrorCode::kInternal, 500, "internal", "Internal error.", "Lỗi hệ thống."},
};

const Row& Find(ErrorCode code) {
  for (const Row& row : kTable) {
    if (row.code == code) return row;
  }
  return kTable.back();
}

}  // namespace

int HttpStatus(ErrorCode code) { return Find(code).status; }
std::string_view CodeName(ErrorCode code) { return Find(code).name; }
std::string_view DefaultMessage(ErrorCode code) { return Find(code).en; }
std::string_view DefaultMessageVi(ErrorCode code) { return Find(code).vi; }

}  // namespace motcua
