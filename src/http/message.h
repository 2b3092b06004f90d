// The request and response as handlers see them: plain structs, independent of Beast, so that
// handlers, tests and fuzzers need no sockets.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "common/error.h"
#include "http/error_table.h"

namespace motcua {

// The body of a request that is read while it is handled (uploads), so that it never sits whole
// in memory. One coroutine reads it; not thread-safe.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // The next piece of the body, valid until the next call; empty once the body is complete.
  // Fails with kPayloadTooLarge past the limit, kDeadlineExceeded for a stalled client, kBadRequest
  // for a malformed body; the connection is closed after a failure.
  virtual boost::asio::awaitable<Result<std::string_view>> Read() = 0;
  // True once Read has returned the empty end (or the body was empty).
  virtual bool done() const = 0;
};

// A BodyStream over a body already in memory (tests, fuzzers, small bodies). Borrows `body`.
class StringBodyStream final : public BodyStream {
 public:
  explicit StringBodyStream(std::string_view body, size_t piece = 64 * 1024)
      : rest_(body), piece_(piece) {}
  boost::asio::awaitable<Result<std::string_view>> Read() override;
  bool done() const override { return rest_.empty() && finished_; }

 private:
  std::string_view rest_;
  size_t piece_;
  bool finished_ = false;
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as received, e.g. "/api/v1/procedures?q=khai%20sinh"
  std::string path;    // percent-decoded path without the query
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string client_ip;
  // Set instead of `body` for routes that stream their body (RouteDoc::stream_body); borrowed
  // from the server for the duration of the handler.
  BodyStream* body_stream = nullptr;

  // The first header named `name` (lower case), or "".
  std::string_view Header(std::string_view name) const;
  // The first query parameter named `name`, or nullptr.
  const std::string* Query(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

// Splits `target` into a decoded path and query parameters. Fails with kBadRequest on bad percent
// escapes, NUL bytes, invalid UTF-8 or a relative target.
Status ParseTarget(std::string_view target, Request& req);

// The JSON error body {"error":{"code","message","message_vi","field"}} with the table's status.
Response ErrorResponse(const Error& error, std::string_view request_id = {});
// The JSON error body of a refusal by the HTTP layer itself (no field).
Response ErrorResponse(TransportError error, std::string_view request_id = {});

}  // namespace motcua
