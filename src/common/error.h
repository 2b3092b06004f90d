// Expected failures as values (after abseil's Status): a transport-neutral code that means the
// same in every layer, an optional user text in English and Vietnamese (for failures a person
// can act on: which field, what to do), the field at fault, and a developer context that is
// logged, never shown. The HTTP edge maps each code to a status and to default texts in one
// table (http/error_table.h); transport-level failures (a wrong method, oversized headers, a
// missing CSRF token) are the edge's own and are not codes here.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace motcua {

// The closed set of failure kinds. Add a code here and a row in http/error_table.cc together.
enum class ErrorCode {
  kBadRequest,        // malformed syntax: bad JSON, bad query string
  kInvalidField,      // a field has the wrong type, format or value
  kMissingField,      // a required field is absent
  kUnknownField,      // a field the operation does not accept
  kUnauthenticated,   // no credentials, bad or expired token
  kBadCredentials,    // wrong username or password
  kForbidden,         // authenticated but without the right for this role or unit
  kNotFound,          // no such resource (or not visible to the caller)
  kConflict,          // unique key taken, stale version
  kPayloadTooLarge,   // more bytes than the operation accepts (Limits)
  kDeadlineExceeded,  // the time allowed for the operation ran out (a client too slow to send)
  kTooManyRequests,   // throttled: a quota or a slow-down
  kUnsupportedMedia,  // content of a type the operation does not accept
  kUnavailable,       // overloaded or a dependency (database) is down
  kInternal,          // a bug or an unexpected failure; details go to the log only
};

// A failure. Empty messages mean "the edge table's default text for the code". `field` is the
// JSON path at fault (e.g. "procedures[3].steps"). `context` is for developers and the log:
// what was being done when it failed ("history: filing HT-010 at 08746"), never sent to a client.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string message_vi;
  std::string field;
  std::string context;
};

template <typename T>
using Result = tl::expected<T, Error>;
using Status = tl::expected<void, Error>;

// Builds an unexpected Error with user texts; the messages may be empty to take the defaults.
inline tl::unexpected<Error> Fail(ErrorCode code, std::string message = {},
                                  std::string message_vi = {}, std::string field = {}) {
  return tl::unexpected<Error>(
      Error{code, std::move(message), std::move(message_vi), std::move(field), {}});
}

// Builds an unexpected Error without user text (the edge's default applies) and with developer
// `context`: what storage, drivers and plumbing report.
inline tl::unexpected<Error> Failure(ErrorCode code, std::string context, std::string field = {}) {
  return tl::unexpected<Error>(Error{code, {}, {}, std::move(field), std::move(context)});
}

// `e` with `what` prepended to its developer context ("what: earlier context"); the user texts
// are left alone.
inline Error WithContext(Error e, std::string_view what) {
  e.context = e.context.empty() ? std::string(what) : std::string(what) + ": " + e.context;
  return e;
}

// One line for logs and operators: the context, then the message ("history: filing HT-010 at
// 08746: No such file"); either may be empty.
inline std::string ErrorText(const Error& e) {
  if (e.context.empty()) return e.message;
  if (e.message.empty()) return e.context;
  return e.context + ": " + e.message;
}

}  // namespace motcua

// Propagation: evaluates `expr` (a Status or Result, or a variable holding one: it is bound by
// reference, not copied) once and returns its error from the enclosing function (which returns a
// Status or Result) if it failed. Not in coroutines (they co_return).
#define MOTCUA_RETURN_IF_ERROR(expr)                                   \
  do {                                                                 \
    if (auto&& motcua_status_ = (expr); !motcua_status_) {             \
      return ::tl::make_unexpected(std::move(motcua_status_).error()); \
    }                                                                  \
  } while (false)
