#include "http/beast_adapter.h"

#include <cctype>

namespace motcua {

namespace http = boost::beast::http;

void HeaderFromBeast(const http::request_header<>& msg, Request& req) {
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  req.headers.clear();
  for (const auto& field : msg) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers.emplace_back(std::move(name), std::string(field.value()));
  }
}

void FromBeast(http::request<http::string_body>& msg, Request& req) {
  HeaderFromBeast(msg.base(), req);
  req.body = std::move(msg.body());
}

http::response<http::string_body> ToBeast(Response& res, unsigned version, bool keep_alive,
                                          bool head) {
  http::response<http::string_body> out{static_cast<http::status>(res.status), version};
  bool no_content = res.status == 204 || res.status == 304;
  if (!no_content) out.set(http::field::content_type, res.content_type);
  for (auto& [k, v] : res.headers) out.insert(k, v);
  out.keep_alive(keep_alive);
  if (no_content) return out;  // no body and no Content-Length (RFC 9110 §8.6)
  size_t length = res.body.size();
  if (!head) out.body() = std::move(res.body);
  out.content_length(length);
  return out;
}

Error ReadError(const boost::beast::error_code& ec) {
  if (ec == http::error::body_limit) return Error{ErrorCode::kPayloadTooLarge};
  if (ec == http::error::header_limit) return Error{ErrorCode::kHeaderTooLarge};
  return Error{ErrorCode::kBadRequest, "Malformed HTTP request: " + ec.message() + ".",
               "Yêu cầu HTTP không hợp lệ: " + ec.message() + "."};
}

}  // namespace motcua
