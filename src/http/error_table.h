// The edge's one table: for every ErrorCode (common/error.h) and every TransportError, the HTTP
// status, the stable snake_case name used as "code" in JSON error bodies, and the default English
// and Vietnamese texts (used when an Error carries none). Domain code never sees statuses.
#pragma once

#include <string_view>

#include "common/error.h"

namespace motcua {

// Refusals of the HTTP layer itself, before any operation runs: they have no domain meaning.
enum class TransportError {
  kMethodNotAllowed,  // the path exists, the method does not (405, with Allow)
  kHeaderTooLarge,    // headers over Limits::max_header_bytes (431)
  kCsrf,              // cookie-authenticated unsafe request without the right CSRF token (403)
};

// One row of the table.
struct EdgeError {
  int status;
  std::string_view code;
  std::string_view message;
  std::string_view message_vi;
};

// The row of a code. Never fails.
EdgeError Describe(ErrorCode code);
EdgeError Describe(TransportError t);

// Shorthands for Describe(code).status, .code, .message and .message_vi.
int HttpStatus(ErrorCode code);
std::string_view CodeName(ErrorCode code);
std::string_view DefaultMessage(ErrorCode code);
std::string_view DefaultMessageVi(ErrorCode code);

}  // namespace motcua
