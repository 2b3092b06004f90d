// Expected failures as values. Every failure that reaches a client is an Error with a code from
// ErrorCode; error_table.cc maps each code to one HTTP status and to the bilingual default text.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace motcua {

// The closed set of failure kinds. Add a code here and a row in error_table.cc together.
enum class ErrorCode {
  kBadRequest,        // malformed syntax: bad JSON, bad query string
  kInvalidField,      // a field has the wrong type, format or value
  kMissingField,      // a required field is absent
  kUnknownField,      // a field the endpoint does not accept
  kUnauthenticated,   // no credentials, bad or expired token
  kBadCredentials,    // wrong username or password
  kForbidden,         // authenticated but without the right for this role or unit
  kCsrf,              // cookie-authenticated unsafe request without the right CSRF token
  kNotFound,          // no such resource (or not visible to the caller)
  kMethodNotAllowed,  // the path exists, the method does not
  kConflict,          // unique key taken, stale version
  kPayloadTooLarge,   // body over Limits::max_body_bytes
  kHeaderTooLarge,    // headers over Limits::max_header_bytes
  kTimeout,           // the client was too slow to send its request
  kTooManyRequests,   // throttled
  kLocked,            // account temporarily locked after failed logins
  kUnsupportedMedia,  // wrong Content-Type
  kUnavailable,       // overloaded or a dependency (database) is down
  kInternal,          // a bug or an unexpected failure; details go to the log only
};

// A failure: the code, the English and Vietnamese messages and, when one field is at fault, its
// JSON path (e.g. "procedures[3].steps"). Empty messages mean "use the table's default".
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string message_vi;
  std::string field;
};

template <typename T>
using Result = tl::expected<T, Error>;
using Status = tl::expected<void, Error>;

// Builds an unexpected Error; the messages may be empty to take the table defaults.
inline tl::unexpected<Error> Fail(ErrorCode code, std::string message = {},
                                  std::string message_vi = {}, std::string field = {}) {
  return tl::unexpected<Error>(
      Error{code, std::move(message), std::move(message_vi), std::move(field)});
}

// The HTTP status for a code (the one table). Never fails.
int HttpStatus(ErrorCode code);
// The stable snake_case name of a code, used as "code" in JSON error bodies.
std::string_view CodeName(ErrorCode code);
// Default English / Vietnamese texts for a code, used when an Error carries none.
std::string_view DefaultMessage(ErrorCode code);
std::string_view DefaultMessageVi(ErrorCode code);

}  // namespace motcua
