// Conversions between Beast messages and the plain Request/Response the application sees.
// Shared by the server and the HTTP fuzzer so both run the same code.
#pragma once

#include <boost/beast/http.hpp>
#include <optional>

#include "http/message.h"

namespace motcua {

// Copies method, target and headers (names lower-cased) of `header` into `req`.
void HeaderFromBeast(const boost::beast::http::request_header<>& header, Request& req);
// Copies method, target, headers (names lower-cased) and moves the body of `msg` into `req`.
void FromBeast(boost::beast::http::request<boost::beast::http::string_body>& msg, Request& req);
// Builds the Beast response for `res` (moves the body); HEAD keeps the length, drops the body.
boost::beast::http::response<boost::beast::http::string_body> ToBeast(Response& res,
                                                                      unsigned version,
                                                                      bool keep_alive, bool head);
// The error for a failed read: 413, 431, or 400 naming the parse error.
Error ReadError(const boost::beast::error_code& ec);
// The framing and Host rules of RFC 9112 that Beast leaves to us, checked on a parsed header: a
// Transfer-Encoding must be exactly one "chunked" (we decode no other coding, chunked must come
// last and once; §6.1, §6.3), not beside a Content-Length and not in HTTP/1.0; an HTTP/1.1
// request has exactly one Host (§3.2), an HTTP/1.0 one at most one. Returns the 400 to answer
// before closing the connection (the body's length cannot be trusted), or nullopt.
std::optional<Error> CheckFraming(const boost::beast::http::request_header<>& header);

}  // namespace motcua
