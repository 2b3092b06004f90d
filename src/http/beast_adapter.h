// Conversions between Beast messages and the plain Request/Response the application sees.
// Shared by the server and the HTTP fuzzer so both run the same code.
#pragma once

#include <boost/beast/http.hpp>

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

}  // namespace motcua
